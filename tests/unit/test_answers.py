"""What a back answers: the key part a question asks for, its kind, and the answers also right."""

from __future__ import annotations

import pytest

from bot.cards.answers import AnswerKind, analyse, asks_for, asks_for_list, kind_of, split_parts
from bot.core.grading import TypedVerdict, grade_typed

VIETNAMESE = "LATIN"


@pytest.mark.parametrize(
    ("front", "back", "key", "also"),
    [
        # Several glosses: the first is the key, the others are right too.
        ("xin chào", "hello, greetings", "hello", {"greetings"}),
        ("hablar", "to speak; to talk", "to speak", {"to talk"}),
        # Notes are neither key nor answer: grammar labels, etymologies, explanations.
        ("là", "(copula) to be", "to be", set()),
        ("thực đơn", "Sino-Vietnamese word from 食單. menu", "menu", set()),
        (
            "khoẻ",
            "Non-Sino-Vietnamese reading of Chinese 快, strong, healthy",
            "strong",
            {"healthy"},
        ),
        (
            "chúc",
            "Sino-Vietnamese word from 祝 (“to wish/to pray/to bless”).",
            "to wish",
            {"to pray"},
        ),
        (
            "đá",
            "ice as used for consumption or refrigeration; rock, stone",
            "ice",
            {"rock", "stone"},
        ),
        # A gloss in brackets after a word in another script is the answer.
        ("anh", "英 (United Kingdom)", "United Kingdom", {"英"}),
        # What the question word asks for is the key.
        (
            "Who succeeded Stalin as leader?",
            "Nikita Khrushchev in 1953",
            "Nikita Khrushchev",
            {"Khrushchev"},
        ),
        (
            "Who led the USSR from 1985?",
            "Mikhail Gorbachev - 1985",
            "Mikhail Gorbachev",
            {"Gorbachev"},
        ),
        ("When was the Secret Speech?", "1956 - at the Twentieth Party Congress", "1956", set()),
        ("When did Stalin die?", "5 March 1953", "5 March 1953", {"1953", "March 1953"}),
        ("How long did the siege last?", "872 days", "872 days", set()),
        ("What was the world's population in 2023?", "about 8 billion", "8 billion", set()),
        ("What is the speed of sound?", "343 m/s", "343 m/s", set()),
        (
            "Which treaty ended the war?",
            "the Treaty of Versailles (1919)",
            "the Treaty of Versailles",
            {"Versailles"},
        ),
        (
            "Who was US President in 1962?",
            "John F. Kennedy",
            "John F. Kennedy",
            {"Kennedy", "John Kennedy"},
        ),
    ],
)
def test_the_key_part_and_the_answers_also_taken(
    front: str, back: str, key: str, also: set[str]
) -> None:
    answer = analyse(front, back, VIETNAMESE)
    assert answer.key == key
    assert also <= set(answer.accepted)


@pytest.mark.parametrize(
    ("front", "back", "refused"),
    [
        # A year does not answer "Who…?", a qualifier does not answer at all.
        ("Who succeeded Stalin as leader?", "Nikita Khrushchev in 1953", ["1953", "in 1953"]),
        (
            "When was the Secret Speech?",
            "1956 - at the Twentieth Party Congress",
            ["at the Twentieth Party Congress"],
        ),
        ("el agua", 'water (feminine, but takes "el")', ["el", "feminine"]),
        ("How many chromosomes do humans have?", "46 (23 pairs)", ["23", "23 pairs"]),
        ("vâng", "(Northern Vietnam, polite) yes; to obey", ["Northern Vietnam", "polite"]),
    ],
)
def test_parts_that_do_not_answer_are_not_taken(front: str, back: str, refused: list[str]) -> None:
    answer = analyse(front, back, VIETNAMESE)
    for given in refused:
        assert grade_typed(given, answer.key, answer.accepted) is not TypedVerdict.RIGHT, given


@pytest.mark.parametrize(
    ("front", "back"),
    [
        ("Name the three Baltic states", "Estonia, Latvia, Lithuania"),
        ("What were Khrushchev's two aims?", "ending personal rule; ending terror"),
        ("một, hai, ba", "1, 2, 3"),
    ],
)
def test_a_front_asking_for_several_things_needs_them_all(front: str, back: str) -> None:
    answer = analyse(front, back, VIETNAMESE)
    assert answer.is_list and answer.key == " ".join(back.split())
    first = back.replace(";", ",").split(",")[0]
    assert grade_typed(first, answer.key, answer.accepted) is not TypedVerdict.RIGHT
    reordered = ", ".join(reversed([p.strip() for p in back.replace(";", ",").split(",")]))
    assert grade_typed(reordered, answer.key, answer.accepted) is TypedVerdict.RIGHT


def test_a_back_of_notes_only_is_not_a_clean_answer() -> None:
    answer = analyse("thông minh", "Sino-Vietnamese word from 聰明.", VIETNAMESE)
    assert not answer.clean


def test_latex_is_a_formula_and_never_cut_into_parts() -> None:
    answer = analyse("Pythagoras", r"[$]a^2 + b^2 = c^2[/$], for right triangles", VIETNAMESE)
    assert answer.kind is AnswerKind.FORMULA and not answer.clean


@pytest.mark.parametrize(
    ("front", "asks"),
    [
        ("When did Stalin die?", "date"),
        ("In which year did the Wall fall?", "date"),
        ("How many bones are there?", "number"),
        ("What share of votes did it win?", "number"),
        ("Who wrote it?", "person"),
        ("Where is Everest?", "place"),
        ("Which treaty ended the war?", "thing:treaty"),
        ("Which country launched Sputnik 1?", "thing:country"),
        ("What was his policy called?", "thing"),
        ("Why did he fall?", "reason"),
        ("De-Stalinisation", None),
    ],
)
def test_question_words(front: str, asks: str | None) -> None:
    assert asks_for(front) == asks


def test_lists_are_recognised_by_their_count() -> None:
    assert asks_for_list("Name the three Baltic states")
    assert asks_for_list("List the causes of the war")
    assert not asks_for_list("How many states are there?")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1956", AnswerKind.YEAR),
        ("in 1953", AnswerKind.YEAR),
        ("44 BC", AnswerKind.YEAR),
        ("the 1950s", AnswerKind.DECADE),
        ("5 March 1953", AnswerKind.DATE),
        ("October 1962", AnswerKind.DATE),
        ("1917-24", AnswerKind.RANGE),
        ("44%", AnswerKind.PERCENT),
        ("1/50", AnswerKind.FRACTION),
        ("1 in 50", AnswerKind.FRACTION),
        ("4,620", AnswerKind.NUMBER),
        ("12,000 km", AnswerKind.NUMBER),
        ("3 million", AnswerKind.NUMBER),
        ("Nikita Khrushchev", AnswerKind.NAME),
        ("the Treaty of Versailles", AnswerKind.NAME),
        ("to drink", AnswerKind.TEXT),
        (r"[$]\pi r^2[/$]", AnswerKind.FORMULA),
    ],
)
def test_kinds(text: str, kind: AnswerKind) -> None:
    assert kind_of(text) is kind


def test_brackets_after_an_answer_qualify_it_and_quoted_glosses_are_answers() -> None:
    parts = split_parts(
        "to obey (other's words); Sino-Vietnamese word from 祝 (“to wish”)", "LATIN"
    )
    assert [(p.text, p.note, p.label) for p in parts] == [
        ("to obey", False, False),
        ("other's words", True, True),
        ("Sino-Vietnamese word from 祝", True, False),
        ("to wish", False, False),
    ]
