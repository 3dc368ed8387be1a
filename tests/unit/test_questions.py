"""The questions a deck yields: recall, choice, typed and cloze, with stable keys and options."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cards.cloze import FactPool
from bot.cards.formats import read_deck_file
from bot.cards.model import Card, Deck
from bot.cards.questions import (
    Question,
    QuestionKind,
    card_key,
    cloze_options,
    cloze_questions,
    make_questions,
    typed_question,
)
from bot.core.grading import TypedVerdict, grade_choice, grade_typed, normalize_answer

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "decks" / "khrushchev-reforms.toml"
KEY = re.compile(r"^cloze:[0-9a-f]{16}:[0-9a-f]{10}$")


def bundled_deck() -> Deck:
    return read_deck_file(BUNDLED)


def bundled_cloze() -> list[Question]:
    return [q for q in make_questions(bundled_deck()) if q.kind is QuestionKind.CLOZE]


def by_prompt(questions: list[Question], prompt: str) -> Question:
    (found,) = [q for q in questions if q.prompt == prompt]
    return found


def test_bundled_deck_yields_every_kind() -> None:
    questions = make_questions(bundled_deck())
    counts = {kind: sum(q.kind is kind for q in questions) for kind in QuestionKind}
    assert counts[QuestionKind.RECALL] == 9
    assert counts[QuestionKind.CHOICE] == 9
    assert counts[QuestionKind.TYPED] == 0  # every back there is long
    assert counts[QuestionKind.CLOZE] == 23
    assert len({q.key for q in questions}) == len(questions)


@pytest.mark.parametrize("question", bundled_cloze(), ids=lambda q: q.key)
def test_bundled_cloze_has_exactly_one_right_option(question: Question) -> None:
    assert KEY.match(question.key)
    assert question.key.split(":")[1] == question.card_key
    assert question.prompt.count("___") >= 1
    assert question.answer not in question.prompt
    answer = normalize_answer(question.answer)
    wrong = {normalize_answer(option) for option in question.distractors}
    assert len(question.distractors) == 3
    assert len(wrong) == 3
    assert answer not in wrong
    # Typed, the answer is right and no wrong option passes for it (not even as a near miss).
    assert grade_typed(question.answer, question.answer) is TypedVerdict.RIGHT
    for option in question.distractors:
        assert grade_typed(option, question.answer) is TypedVerdict.WRONG


def test_the_rehabilitation_count_is_asked_with_nearby_numbers() -> None:
    question = by_prompt(bundled_cloze(), "In May, ___ Communist prisoners were rehabilitated.")
    assert question.answer == "4620"
    assert question.card_key == card_key(Card("Ending terror", "x"))
    assert question.distractors == ("4720", "4260", "6620")
    assert grade_typed("4,620", question.answer) is TypedVerdict.RIGHT
    assert grade_typed("4621", question.answer) is TypedVerdict.WRONG


def test_bullets_are_asked_under_their_lead_line() -> None:
    question = by_prompt(
        bundled_cloze(),
        "Khrushchev introduced major government reforms:\n"
        "- Economic powers were then devolved to ___ newly created economic councils.",
    )
    assert question.answer == "105"


def test_a_sentence_with_two_facts_makes_two_questions() -> None:
    questions = bundled_cloze()
    between = [q for q in questions if q.prompt.startswith("Between ")]
    assert [(q.prompt[:26], q.answer) for q in between] == [
        ("Between ___ and 1956, Khru", "1953"),
        ("Between 1953 and ___, Khru", "1956"),
        ("Between 1953 and 1956, Khr", "44%"),
    ]
    assert between[0].distractors == ("1954", "1957", "1961")


def test_quoted_terms_are_blanked_inside_their_quotes() -> None:
    question = by_prompt(
        bundled_cloze(),
        "Khrushchev argued that Stalin had abandoned Party government and established a "
        "dictatorship based on the ‘___’",
    )
    assert question.answer == "cult of personality"
    assert set(question.distractors) <= {
        "not ready",
        "Democratisation",
        "Decentralisation",
        "closer to the fields",
        "Anti-Party group",
    }


def test_questions_are_the_same_on_every_run() -> None:
    assert make_questions(bundled_deck()) == make_questions(bundled_deck())


def test_editing_one_card_keeps_the_other_questions_keys() -> None:
    deck = bundled_deck()
    before = {q.key for q in make_questions(deck)}
    edited_card = replace(deck.cards[1], back=deck.cards[1].back.replace("4620", "4630"))
    edited = replace(deck, cards=(deck.cards[0], edited_card, *deck.cards[2:]))
    after = {q.key for q in make_questions(edited)}
    assert len(before - after) == 1  # only the edited sentence's question changed key
    assert len(after - before) == 1


def test_a_fact_written_twice_in_a_sentence_is_blanked_twice() -> None:
    card = Card("Anti-Party group", "In 1957 they tried and in 1957 they failed to oust him.")
    deck = Deck(
        "d", (card, Card("b", "In 1956 A."), Card("c", "In 1953 B."), Card("e", "In 1961 C."))
    )
    (question,) = cloze_questions(card, FactPool.from_deck(deck))
    assert question.prompt == "In ___ they tried and in ___ they failed to oust him."
    assert question.answer == "1957"
    assert question.distractors == ("1956", "1953", "1961")


@pytest.mark.parametrize(
    ("back", "typed"),
    [
        ("1956", True),
        ("Nikita Khrushchev", True),
        ("x" * 40, True),
        ("x" * 41, False),
        ("Moscow\nLeningrad", False),
        ("In 1956 Khrushchev criticised Stalin at the Party congress.", False),
    ],
)
def test_typed_questions_are_for_short_one_line_backs(back: str, typed: bool) -> None:
    card = Card("When was the Secret Speech?", back)
    question = typed_question(card)
    if typed:
        assert question == Question(
            f"typed:{card_key(card)}", card_key(card), QuestionKind.TYPED, card.front, back
        )
    else:
        assert question is None


def test_a_small_deck_of_short_answers() -> None:
    deck = Deck(
        "Dates",
        (
            Card("When was the Secret Speech?", "1956"),
            Card("Who gave it?", "Khrushchev"),
            Card("When did Stalin die?", "In 1953."),
        ),
    )
    kinds = [(q.kind, q.answer) for q in make_questions(deck)]
    # Fewer than 4 cards: no choice; one-word backs are typed, not blanked into nothing.
    assert kinds == [
        (QuestionKind.RECALL, "1956"),
        (QuestionKind.TYPED, "1956"),
        (QuestionKind.RECALL, "Khrushchev"),
        (QuestionKind.TYPED, "Khrushchev"),
        (QuestionKind.RECALL, "In 1953."),
        (QuestionKind.TYPED, "In 1953."),
    ]


def test_cloze_options_are_stable_and_hold_one_right_answer() -> None:
    for question in bundled_cloze():
        options, right = cloze_options(question)
        assert cloze_options(question) == (options, right)
        assert sorted(options) == sorted([question.answer, *question.distractors])
        assert options[right] == question.answer
        assert grade_choice(right, right)
        assert not any(grade_choice(i, right) for i in range(4) if options[i] != question.answer)


def test_cloze_options_place_the_answer_anywhere() -> None:
    positions = {cloze_options(question)[1] for question in bundled_cloze()}
    assert positions == {0, 1, 2, 3}
