"""Typed answers are graded leniently but numbers exactly; tapped options by index."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.grading import (
    TypedVerdict,
    grade_choice,
    grade_typed,
    normalize_answer,
    spelling_hint,
)

RIGHT, CLOSE, WRONG = TypedVerdict.RIGHT, TypedVerdict.CLOSE, TypedVerdict.WRONG


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("4620", "4620"),
        ("4,620", "4620"),
        ("4620", "4,620"),
        ("4 620", "4620"),
        ("4\u202f620", "4620"),
        ("1 000", "1000"),
        ("1.000.000", "1000000"),
        ("44 %", "44%"),
        ("44 percent", "44%"),
        ("44 per cent", "44%"),
        ("44", "44%"),
        ("6.9 million", "6.9 million"),
        ("6,900,000", "6.9 million"),
        ("6.9 Million", "6,900,000"),
        ("6,9 million", "6.9 million"),
        ("11 million", "11,000,000"),
        ("6.90", "6.9"),
        ("007", "7"),
        ("cult of personality", "cult of personality"),
        ("Cult Of Personality", "cult of personality"),
        ("‘cult of personality’", "cult of personality"),
        ('"cult of personality"', "cult of personality"),
        ("cult of personality.", "cult of personality"),
        ("  cult   of\tpersonality ", "cult of personality"),
        ("the cult of personality", "cult of personality"),
        ("cult of personality", "The cult of personality"),
        ("a dictatorship", "dictatorship"),
        ("an amnesty", "amnesty"),
        ("Democratisation", "‘Democratisation’"),
        ("democratisation", "Démocratisation"),
        ("Khrushchëv", "Khrushchev"),
        ("Stalins death", "Stalin’s death"),
        ("Stalin's death", "Stalin’s death"),
        ("anti party group", "Anti-Party group"),
        ("antiparty group", "Anti-Party group"),
        ("de-Stalinisation", "destalinisation"),
        ("la Perestroïka", "perestroika"),
        ("l’Union soviétique", "Union sovietique"),
        ("die Mauer", "Mauer"),
        ("der Parteitag", "Parteitag"),
        ("el Partido", "partido"),
        ("les réformes", "reformes"),
        ("ＫＧＢ", "KGB"),
        ("Straße", "STRASSE"),
        ("October 1961", "october 1961"),
        ("1953", "1953."),
        # Number forms a teacher reads as the same number.
        ("1917-1924", "1917-24"),
        ("1917 to 1924", "1917-24"),
        ("1 in 50", "1/50"),
        ("one in fifty", "1/50"),
        ("3 million", "3,000,000"),
        ("twelve thousand", "12,000"),
        ("12000", "12,000"),
        ("twenty-five", "25"),
        # A filler or a unit around a number.
        ("in 1953", "1953"),
        ("c. 1066", "1066"),
        ("12,000 km", "12000"),
        ("4620 prisoner", "4620 prisoners"),
        ("343 metres per second", "343 m/s"),
        ("100 degrees", "100 °C"),
        # Dates written the other ways round.
        ("March 5, 1953", "5 March 1953"),
        ("5th March 1953", "5 March 1953"),
        ("Feb 1956", "February 1956"),
        ("in February 1956", "February 1956"),
        # Letters people type without their marks.
        ("Lodz", "Łódź"),
        ("dong", "đông"),
        ("Oresund", "Øresund"),
        ("Aero", "Ærø"),
        ("Istanbul", "İstanbul"),
        ("Saint Petersburg", "St Petersburg"),
        # Several parts given, each right; a list in another order.
        ("greetings, hello", "hello, greetings"),
        ("Latvia, Lithuania and Estonia", "Estonia, Latvia, Lithuania"),
    ],
)
def test_equal_after_normalization_is_right(given: str, expected: str) -> None:
    assert grade_typed(given, expected) is RIGHT


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Krushchev", "Khrushchev"),
        ("Khruschev", "Khrushchev"),
        ("Lenim", "Lenin"),
        ("Staiin", "Stalin"),
        ("Stalni", "Stalin"),
        ("cukt", "cult"),
        ("Moskow", "Moscow"),
        ("cult of personalty", "cult of personality"),
        ("cult of persnoality", "cult of personality"),
        ("Democratization", "Democratisation"),
        ("Decentralization", "Decentralisation"),
        ("Anti-Party grup", "Anti-Party group"),
        ("not redy", "not ready"),
        ("closer to the feilds", "closer to the fields"),
        ("Secret Speach", "The Secret Speech"),
    ],
)
def test_near_miss_is_close(given: str, expected: str) -> None:
    verdict = grade_typed(given, expected)
    assert verdict is CLOSE
    assert not verdict.counts_as_right


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # Numbers are right or wrong, never a spelling slip.
        ("4621", "4620"),
        ("4,621", "4620"),
        ("462", "4620"),
        ("46200", "4620"),
        ("1955", "1956"),
        ("1965", "1956"),
        ("45%", "44%"),
        ("6.8 million", "6.9 million"),
        ("69 million", "6.9 million"),
        ("6.9", "6.9 million"),
        ("11", "11 million"),
        ("October 1964", "October 1961"),
        ("19 56", "1956"),
        # Different words.
        ("Decentralisation", "Democratisation"),
        ("Democratisation", "Decentralisation"),
        ("personality cult", "cult of personality"),
        ("Anti-Party group", "cult of personality"),
        ("Lenin", "Stalin"),
        ("bat", "cat"),
        ("dog", "cat"),
        ("", "cat"),
        ("   ", "cat"),
        ("?!", "cat"),
        ("the", "the Party"),
        # Another real word is no misspelling: wrong, not "close".
        ("Austria", "Australia"),
        ("Iraq", "Iran"),
        ("Prussia", "Russia"),
        # A number's unit must be the one asked for; a range is not one of its ends.
        ("16 months", "16 years"),
        ("100 °F", "100 °C"),
        ("1917", "1917-24"),
        ("1917-1923", "1917-24"),
        ("March 1953", "1953"),
        ("April 1953", "5 March 1953"),
        # One part of a list is not the list; a wrong part spoils the rest.
        ("Latvia", "Estonia, Latvia, Lithuania"),
        ("hello, goodbye", "hello, greetings"),
    ],
)
def test_other_answers_are_wrong(given: str, expected: str) -> None:
    assert grade_typed(given, expected) is WRONG


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("In May, 4,620 prisoners!", "in may 4620 prisoners"),
        ("The ‘Anti-Party group’", "anti party group"),
        ("6.9 million", "6900000"),
        ("2.5 billion", "2500000000"),
        ("3 thousand", "3000"),
        ("0.50", "0.5"),
        ("44 %", "44"),
        ("Élan", "elan"),
        ("a", "a"),
        ("The", "the"),
        ("l'URSS", "urss"),
        ("", ""),
    ],
)
def test_normalize_answer(text: str, normalized: str) -> None:
    assert normalize_answer(text) == normalized


@pytest.mark.parametrize(
    ("given", "expected", "accepted"),
    [
        ("hello", "hello", ("greetings",)),
        ("greetings", "hello", ("greetings", "hello, greetings")),
        ("Khrushchev", "Nikita Khrushchev", ("Khrushchev",)),
        ("1953", "5 March 1953", ("1953", "March 1953")),
        ("menu", "menu", ("Sino-Vietnamese word from 食單. menu",)),
    ],
)
def test_accepted_alternatives_are_right(
    given: str, expected: str, accepted: tuple[str, ...]
) -> None:
    assert grade_typed(given, expected, accepted) is RIGHT


@pytest.mark.parametrize(
    ("given", "expected", "marked"),
    [
        ("Khruschev", "Khrushchev", [("Khrus", False), ("h", True), ("chev", False)]),
        ("Moskow", "Moscow", [("Mos", False), ("c", True), ("ow", False)]),
        ("Stalni", "Stalin", [("Stal", False), ("in", True)]),
        (
            "Democratization",
            "Democratisation",
            [("Democrati", False), ("s", True), ("ation", False)],
        ),
    ],
)
def test_a_close_answer_shows_where_it_differs(
    given: str, expected: str, marked: list[tuple[str, bool]]
) -> None:
    assert grade_typed(given, expected) is CLOSE
    hint = spelling_hint(given, expected)
    assert hint is not None and list(hint.pieces) == marked


def test_no_hint_for_an_answer_that_is_not_close() -> None:
    assert spelling_hint("Austria", "Australia") is None


@pytest.mark.parametrize(("verdict", "right"), [(RIGHT, True), (CLOSE, False), (WRONG, False)])
def test_only_right_counts_as_right(verdict: TypedVerdict, right: bool) -> None:
    assert verdict.counts_as_right is right


@pytest.mark.parametrize(
    ("chosen", "right", "expected"), [(0, 0, True), (2, 2, True), (1, 2, False), (3, 0, False)]
)
def test_grade_choice(chosen: int, right: int, expected: bool) -> None:
    assert grade_choice(chosen, right) is expected


@given(st.text(min_size=1).filter(lambda s: any(ch.isalnum() for ch in s)))
def test_an_answer_typed_as_written_is_right(text: str) -> None:
    assert grade_typed(text, text) is RIGHT


@given(st.text(), st.text())
def test_grading_never_raises(given_text: str, expected: str) -> None:
    assert grade_typed(given_text, expected) in set(TypedVerdict)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_numbers_match_exactly_whatever_the_format(a: int, b: int) -> None:
    verdict = grade_typed(f"{a:,}", str(b))
    assert verdict is (RIGHT if a == b else WRONG)


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["%", " %", " percent"]))
def test_percent_spellings_are_the_same(value: int, sign: str) -> None:
    assert grade_typed(f"{value}{sign}", f"{value}%") is RIGHT
