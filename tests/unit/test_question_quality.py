"""The labelled set, judged question by question (see tests/question_quality.py for the criteria)."""

from __future__ import annotations

from functools import cache

import pytest

from bot.cards.formats import read_deck_file
from bot.cards.model import Card, Deck
from bot.cards.questions import Question, QuestionKind
from tests.conftest import shared_path
from tests.question_quality import Judge, Label, Report, evaluate, summary, unlabelled_defects

MAX_DEFECTIVE_SHARE = 0.05
MIN_TYPED_RIGHT_SHARE = 0.95


@cache
def report() -> Report:
    return evaluate()


def test_no_question_has_two_right_options() -> None:
    assert report().failing("a") == [], summary(report())


def test_no_question_shows_its_answer() -> None:
    assert report().failing("c") == [], summary(report())


def test_at_most_five_percent_of_questions_are_defective() -> None:
    assert report().total > 400
    assert report().defective <= MAX_DEFECTIVE_SHARE * report().total, report().defects


def test_typed_answers_are_graded_as_a_teacher_would() -> None:
    figures = report()
    assert figures.typed_total > 300
    assert figures.typed_right >= MIN_TYPED_RIGHT_SHARE * figures.typed_total, figures.typed_misses
    assert figures.wrong_accepted == []


@pytest.mark.parametrize(
    "package", ["vietnamese-anki21b-with-reviews.apkg", "category-theory-legacy.apkg"]
)
def test_real_anki_decks_give_no_two_right_options_and_no_leak(package: str) -> None:
    deck = read_deck_file(shared_path("fixtures", "anki", package))
    assert unlabelled_defects(deck) == []


def test_every_kind_of_question_is_judged() -> None:
    kinds = report().questions
    assert all(kinds[str(kind)] >= 20 for kind in QuestionKind), kinds


# The judge itself: each criterion catches what it is for.

DECK = Deck(
    "d",
    (
        Card("When did Stalin die?", "1953"),
        Card("Who succeeded him?", "Nikita Khrushchev"),
        Card("Who led the USSR last?", "Mikhail Gorbachev"),
        Card("Ending terror", "In May, 4620 prisoners were freed."),
    ),
)
LABELS = {
    "When did Stalin die?": Label("year", ("1953",), ("1953",)),
    "Who succeeded him?": Label("person", ("Nikita Khrushchev",), ("Khrushchev",)),
    "Who led the USSR last?": Label("person", ("Mikhail Gorbachev",), ("Gorbachev",)),
    "Ending terror": Label("title", facts=("4620",)),
}


def judged(question: Question) -> set[str]:
    result = Report()
    Judge("d", DECK, LABELS, result).judge(question)
    return {defect.criterion for defect in result.defects}


def card_key_of(front: str) -> str:
    from bot.cards.questions import card_key

    return card_key(Card(front, "x"))


def test_the_judge_catches_two_right_options() -> None:
    question = Question(
        "pick:x", card_key_of("Who succeeded him?"), QuestionKind.CHOICE, "Who succeeded him?",
        "Nikita Khrushchev", ("Khrushchev", "Gorbachev", "Marx"),
    )  # fmt: skip
    assert "a" in judged(question)


def test_the_judge_catches_a_leak_and_a_missing_front() -> None:
    question = Question(
        "cloze:x", card_key_of("Ending terror"), QuestionKind.CLOZE,
        "In May, ___ prisoners were freed (4620 of them).", "4620", ("4720", "4820", "3620"),
    )  # fmt: skip
    assert {"c", "e"} <= judged(question)


def test_the_judge_catches_options_of_another_kind_and_far_years() -> None:
    far = Question(
        "pick:x", card_key_of("When did Stalin die?"), QuestionKind.CHOICE, "When did Stalin die?",
        "1953", ("1595", "2955", "1655"),
    )  # fmt: skip
    assert "d" in judged(far)
    mixed = Question(
        "pick:y", card_key_of("Who succeeded him?"), QuestionKind.CHOICE, "Who succeeded him?",
        "Nikita Khrushchev", ("1953", "Mikhail Gorbachev", "1954"),
    )  # fmt: skip
    assert "d" in judged(mixed)


def test_the_judge_catches_a_typed_question_asking_a_note() -> None:
    question = Question(
        "typed:x", card_key_of("Who succeeded him?"), QuestionKind.TYPED, "Who succeeded him?",
        "in 1953",
    )  # fmt: skip
    assert "b" in judged(question)


def test_the_judge_catches_a_reverse_question_that_shows_its_front_or_not_the_back() -> None:
    sound = Question(
        "reverse:x", card_key_of("Who succeeded him?"), QuestionKind.REVERSE, "Nikita Khrushchev",
        "Who succeeded him?",
    )  # fmt: skip
    assert judged(sound) == set()
    shows_front = Question(
        "reverse:y", card_key_of("Ending terror"), QuestionKind.REVERSE,
        "Ending terror: in May, 4620 prisoners were freed.", "Ending terror",
    )  # fmt: skip
    assert {"c", "e"} <= judged(shows_front)
    wrong_answer = Question(
        "reverse:z", card_key_of("When did Stalin die?"), QuestionKind.REVERSE, "1953",
        "When did Lenin die?",
    )  # fmt: skip
    assert "b" in judged(wrong_answer)
