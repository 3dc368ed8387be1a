"""Typed answers are graded leniently but numbers exactly; tapped options by index."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.grading import TypedVerdict, grade_choice, grade_typed, normalize_answer

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
        ("4620 prisoner", "4620 prisoners"),
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
