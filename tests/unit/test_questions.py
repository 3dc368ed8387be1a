"""The questions a deck yields: which kinds for which cards, stable keys, prompts that do not tell."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cards.formats import read_deck_file
from bot.cards.model import Card, Deck
from bot.cards.questions import (
    MASK,
    Question,
    QuestionKind,
    card_key,
    cloze_options,
    make_questions,
    mask_front_words,
    question_options,
)
from bot.core.grading import TypedVerdict, grade_choice, grade_typed, normalize_answer

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "decks" / "khrushchev-reforms.toml"
KEY = re.compile(r"^cloze:[0-9a-f]{16}:[0-9a-f]{10}$")


def bundled_deck() -> Deck:
    return read_deck_file(BUNDLED)


def of_kind(deck: Deck, kind: QuestionKind) -> list[Question]:
    return [q for q in make_questions(deck) if q.kind is kind]


def by_prompt(questions: list[Question], prompt: str) -> Question:
    (found,) = [q for q in questions if q.prompt == prompt]
    return found


def test_the_bundled_deck_is_asked_by_blanks_and_which_card_it_is() -> None:
    questions = make_questions(bundled_deck())
    counts = {kind: sum(q.kind is kind for q in questions) for kind in QuestionKind}
    # Title fronts over notes: no short answer to pick or type, so blanks and "Which card is this?".
    assert counts == {
        QuestionKind.RECALL: 9,
        QuestionKind.CHOICE: 0,
        QuestionKind.IDENTIFY: 9,
        QuestionKind.CLOZE: 21,
        QuestionKind.TYPED: 0,
        QuestionKind.REVERSE: 0,  # its cards are not meant both ways
    }
    assert len({q.key for q in questions}) == len(questions)


@pytest.mark.parametrize(
    "question", of_kind(bundled_deck(), QuestionKind.CLOZE), ids=lambda q: q.key
)
def test_every_bundled_blank_shows_its_front_and_one_right_option(question: Question) -> None:
    assert KEY.match(question.key)
    front = question.prompt.split("\n", 1)[0]
    assert card_key(Card(front, "x")) == question.card_key
    body = question.prompt.split("\n", 1)[1].replace(MASK, " ")
    assert normalize_answer(question.answer) not in normalize_answer(body).split()
    if question.has_options:
        options, right = cloze_options(question)
        assert options[right] == question.answer
        assert len({normalize_answer(o) for o in options}) == 4
        for option in options:
            if option != question.answer:
                assert grade_typed(option, question.answer) is TypedVerdict.WRONG


def test_the_rehabilitation_count_is_asked_under_its_front_with_nearby_numbers() -> None:
    question = by_prompt(
        of_kind(bundled_deck(), QuestionKind.CLOZE),
        "Ending terror\nIn May, ___ Communist prisoners were rehabilitated.",
    )
    assert question.answer == "4620"
    assert question.distractors[:4] == ("4820", "6620", "4260", "4720")


def test_a_range_keeps_its_order() -> None:
    cloze = of_kind(bundled_deck(), QuestionKind.CLOZE)
    start = next(q for q in cloze if "Between ___ and 1956" in q.prompt)
    end = next(q for q in cloze if "Between 1953 and ___" in q.prompt)
    assert all(int(y) < 1956 for y in start.distractors)
    assert all(int(y) > 1953 for y in end.distractors)


def test_quoted_terms_without_terms_of_their_shape_are_typed() -> None:
    question = next(
        q for q in of_kind(bundled_deck(), QuestionKind.CLOZE) if q.answer == "cult of personality"
    )
    # "not ready", "Democratisation" … are not of its shape: no options that grammar gives away.
    assert not question.has_options


def test_which_card_is_this_masks_whole_words_and_keeps_its_old_key() -> None:
    deck = bundled_deck()
    question = next(
        q for q in of_kind(deck, QuestionKind.IDENTIFY) if q.answer == "De-Stalinisation"
    )
    assert (
        "de-___" not in question.prompt.lower() and "stalinisation" not in question.prompt.lower()
    )
    assert "committed to ___:" in question.prompt
    assert question.key == f"choice:{card_key(deck.cards[0])}"


def test_masks_never_cut_a_word_or_touch_latex() -> None:
    assert mask_front_words(
        "He was committed to de-Stalinisation and Stalinism.", "De-Stalinisation"
    ) == ("He was committed to ___ and ___.")
    latex = r"[$]\text{Morph}(\textbf{C})[/$] of the Composition Law"
    front = r"[$]\text{Composition Law of } \textbf{C}[/$]"
    assert mask_front_words(latex, front) == r"[$]\text{Morph}(\textbf{C})[/$] of the ___ Law"


QUESTION_DECK = Deck(
    "Dates and people",
    (
        Card("When did Stalin die?", "5 March 1953"),
        Card("When was the Secret Speech?", "February 1956 - at the Twentieth Party Congress"),
        Card("Who succeeded Stalin?", "Nikita Khrushchev in 1953"),
        Card("Who was the first human in space?", "Yuri Gagarin - 1961"),
        Card("Who was the last Soviet leader?", "Mikhail Gorbachev"),
        Card("Who wrote the Communist Manifesto with Engels?", "Karl Marx"),
        Card("Name the three Baltic states", "Estonia, Latvia, Lithuania"),
    ),
)


def test_question_fronts_are_asked_for_their_key_part() -> None:
    questions = make_questions(QUESTION_DECK)
    typed = {q.prompt: q for q in questions if q.kind is QuestionKind.TYPED}
    assert typed["Who succeeded Stalin?"].answer == "Nikita Khrushchev"
    assert grade_typed(
        "Khrushchev", "Nikita Khrushchev", typed["Who succeeded Stalin?"].accepted
    ) is (TypedVerdict.RIGHT)
    assert typed["When was the Secret Speech?"].answer == "February 1956"
    choice = {q.prompt: q for q in questions if q.kind is QuestionKind.CHOICE}
    people = choice["Who was the first human in space?"]
    assert people.answer == "Yuri Gagarin"
    assert set(people.distractors) == {"Nikita Khrushchev", "Mikhail Gorbachev", "Karl Marx"}
    years = choice["When did Stalin die?"]
    assert all(re.fullmatch(r"5 \w+ \d{4}", d) for d in years.distractors)
    # A list is typed whole, never one option among others.
    assert "Name the three Baltic states" not in choice
    assert typed["Name the three Baltic states"].answer == "Estonia, Latvia, Lithuania"


def test_typed_questions_only_for_a_key_short_enough_to_type() -> None:
    deck = Deck(
        "d",
        (
            Card("hola", "hello, hi"),
            Card(
                "Why did he fall?", "His reforms had gone too far and his colleagues turned on him."
            ),
            Card("thông minh", "Sino-Vietnamese word from 聰明."),
            Card("Pythagoras", "[$]a^2 + b^2 = c^2[/$]"),
        ),
    )
    typed = [q.prompt for q in make_questions(deck) if q.kind is QuestionKind.TYPED]
    assert typed == ["hola"]


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


def test_options_are_drawn_from_the_candidates_with_one_right() -> None:
    question = next(q for q in make_questions(QUESTION_DECK) if q.kind is QuestionKind.CHOICE)
    seen: set[tuple[str, ...]] = set()
    for seed in range(10):
        drawn = question_options(question, random.Random(seed))
        assert drawn is not None
        options, right = drawn
        assert options[right] == question.answer
        assert sum(grade_choice(i, right) for i in range(len(options))) == 1
        seen.add(tuple(options))
    assert len(seen) > 1
    recall = next(q for q in make_questions(QUESTION_DECK) if q.kind is QuestionKind.RECALL)
    assert question_options(recall, random.Random(0)) is None


def test_too_few_cards_of_a_sort_give_no_choice() -> None:
    deck = Deck("d", (Card("Who wrote it?", "Karl Marx"), Card("Who led it?", "Lenin")))
    assert not [q for q in make_questions(deck) if q.kind is QuestionKind.CHOICE]


# Both directions


def test_a_card_meant_both_ways_is_also_asked_back_to_front() -> None:
    one_way = Deck("d", (Card("el perro", "dog (masculine)"),))
    assert of_kind(one_way, QuestionKind.REVERSE) == []
    both = Deck("d", (Card("el perro", "dog (masculine)", reverse=True),))
    (reverse,) = of_kind(both, QuestionKind.REVERSE)
    assert (reverse.prompt, reverse.answer) == ("dog (masculine)", "el perro")
    assert reverse.key == f"reverse:{card_key(Card('el perro', '-'))}"
    assert reverse.card_key == card_key(both.cards[0])
    # its recall question is the same as the one-way card's: its schedule carries on
    assert of_kind(both, QuestionKind.RECALL) == of_kind(one_way, QuestionKind.RECALL)


def test_a_reverse_question_hides_the_front_s_words_in_the_back() -> None:
    card = Card("Photosynthesis", "Plants make sugar by photosynthesis, using light.", True)
    (reverse,) = of_kind(Deck("d", (card,)), QuestionKind.REVERSE)
    assert reverse.prompt == "Plants make sugar by ___, using light."


@pytest.mark.parametrize(
    "card",
    [
        Card("Việt Nam", "Vietnam", reverse=True),  # all of the back is the front
        Card("ạ", "(polite) a particle at the end of a sentence", reverse=True),  # "a" reads as it
    ],
)
def test_no_reverse_question_when_the_back_gives_the_front_away(card: Card) -> None:
    assert of_kind(Deck("d", (card,)), QuestionKind.REVERSE) == []
