"""Wrong options: of the answer's kind, near it, never another right answer; drawn and ordered."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cards.answers import AnswerKind, analyse
from bot.cards.distractors import (
    Entry,
    deck_candidates,
    draw_options,
    entry_for,
    numeric_candidates,
    numeric_value,
    refuse_numbers,
)
from bot.core.grading import normalize_answer


@pytest.mark.parametrize(
    ("answer", "kind", "seed", "expected"),
    [
        ("4620", AnswerKind.NUMBER, "a", ["4720", "3620", "6420"]),
        ("4,620", AnswerKind.NUMBER, "a", ["4,720", "3,620", "6,420"]),
        ("6.9 million", AnswerKind.NUMBER, "b", ["9.6 million", "5.9 million", "6.7 million"]),
        ("1956", AnswerKind.YEAR, "s", ["1955", "1957", "1954"]),
        ("March 1953", AnswerKind.DATE, "s", ["March 1952", "May 1953", "March 1954"]),
        ("1917-24", AnswerKind.RANGE, "s", ["1915-22", "1919-26", "1916-23"]),
        ("1/8", AnswerKind.FRACTION, "s", ["1/16", "1/4", "1/40"]),
        ("the 1950s", AnswerKind.DECADE, "s", ["the 1960s", "the 1940s", "the 1970s"]),
    ],
)
def test_numeric_candidates_are_pinned(
    answer: str, kind: AnswerKind, seed: str, expected: list[str]
) -> None:
    assert numeric_candidates(answer, kind, [], seed)[:3] == expected


def test_years_come_from_the_deck_first_and_only_near_ones() -> None:
    deck = ["1953", "1954", "1957", "1961", "1066", "1990"]
    candidates = numeric_candidates("1956", AnswerKind.YEAR, deck, "s")
    assert candidates[:3] == ["1957", "1954", "1953"]
    assert "1066" not in candidates and "1990" not in candidates
    assert all(abs(int(c) - 1956) <= 15 for c in candidates)


@given(
    st.integers(min_value=3, max_value=10**9),
    st.sampled_from(["{:d}", "{:,d}", "{:d} million", "{:d} km"]),
    st.text(max_size=8),
)
def test_counts_stay_of_the_answers_magnitude_and_shape(value: int, form: str, seed: str) -> None:
    text = form.format(value)
    wrong = numeric_candidates(text, AnswerKind.NUMBER, [], seed)
    assert len({normalize_answer(w) for w in wrong}) == len(wrong)
    for option in wrong:
        assert normalize_answer(option) != normalize_answer(text)
        assert [ch.isdigit() for ch in option] == [ch.isdigit() for ch in text]
        assert value / 2 <= numeric_value(option) <= value * 2


@given(st.integers(min_value=1, max_value=100), st.sampled_from(["%", " %", " per cent"]))
def test_percentages_stay_within_0_and_100(value: int, sign: str) -> None:
    for option in numeric_candidates(f"{value}{sign}", AnswerKind.PERCENT, ["60%"], "s"):
        assert 0 < numeric_value(option) <= 100


def test_numbers_the_back_states_are_refused_but_not_the_answers_own() -> None:
    assert refuse_numbers("5 March 1953, aged 74", "5 March 1953") == {"74"}


def _entries(*cards: tuple[str, str]) -> list[Entry]:
    out: list[Entry] = []
    for front, back in cards:
        answer = analyse(front, back, "LATIN")
        out.append(entry_for(answer.key, answer, front, back))
    return out


def test_people_go_with_people_and_asked_alike() -> None:
    entries = _entries(
        ("Who was the first human in space?", "Yuri Gagarin"),
        ("Who wrote the Communist Manifesto?", "Karl Marx"),
        ("Who led the USSR after 1985?", "Mikhail Gorbachev"),
        ("Which city hosted the 1980 Olympics?", "Moscow"),
        ("Which treaty ended the war?", "the Treaty of Versailles"),
        ("Who was US President in 1962?", "John F. Kennedy"),
    )
    wrong = deck_candidates(entries, 0, "s")
    assert sorted(wrong) == ["John F. Kennedy", "Karl Marx", "Mikhail Gorbachev"]


def test_synonyms_and_cards_sharing_an_answer_are_never_offered() -> None:
    entries = _entries(
        ("ser", "to be"),
        ("estar", "to be (states)"),
        ("hablar", "to speak, to talk"),
        ("charlar", "to talk, to chat"),
        ("comer", "to eat"),
        ("beber", "to drink"),
    )
    wrong = deck_candidates(entries, 0, "s")
    assert "to be" not in wrong
    talk_deck = _entries(
        ("hablar", "to speak, to talk"),
        ("charlar", "to talk, to chat"),
        ("comer", "to eat"),
        ("beber", "to drink"),
        ("vivir", "to live"),
    )
    # "to talk" is right for both: the card that also says it is no source of wrong options.
    assert "to talk" not in deck_candidates(talk_deck, 0, "s")


def test_lists_are_no_options_for_one_thing() -> None:
    entries = _entries(
        ("What was Gorbachev's policy of openness called?", "glasnost"),
        ("What was his policy of restructuring called?", "perestroika"),
        ("What were his two aims?", "openness; reform"),
        ("What was the secret police called?", "the KGB"),
        ("What was the Soviet parliament called?", "the Supreme Soviet"),
    )
    assert "openness; reform" not in deck_candidates(entries, 0, "s")


def test_drawing_holds_one_right_answer_and_orders_numbers() -> None:
    options, right = draw_options(
        "1956", ["1955", "1957", "1954", "1953", "1958"], random.Random(1)
    )
    assert options == sorted(options) and options[right] == "1956" and len(options) == 4
    words, at = draw_options("Canberra", ["Sydney", "Perth", "Hobart"], random.Random(2))
    assert sorted(words) == ["Canberra", "Hobart", "Perth", "Sydney"] and words[at] == "Canberra"


def test_drawing_never_repeats_the_answer_and_varies_with_the_seed() -> None:
    candidates = ["hello", "Hello", "goodbye", "please", "thanks", "sorry", "yes", "no"]
    draws = {tuple(draw_options("hello", candidates, random.Random(s))[0]) for s in range(20)}
    assert len(draws) > 5
    for draw in draws:
        assert [normalize_answer(o) for o in draw].count("hello") == 1
