"""Back sentences, the facts found in them, and the wrong options offered for each fact."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cards.cloze import (
    Fact,
    FactKind,
    FactPool,
    Sentence,
    blank_out,
    find_facts,
    make_distractors,
    split_sentences,
)
from bot.cards.model import Card, Deck
from bot.core.grading import normalize_answer

NUMBER, YEAR, PERCENT, TERM = FactKind.NUMBER, FactKind.YEAR, FactKind.PERCENT, FactKind.TERM
EMPTY_POOL = FactPool(years=(), percents=(), terms=(), sentences=frozenset())


def pool_of(*backs: str) -> FactPool:
    cards = tuple(Card(f"card {i}", back) for i, back in enumerate(backs))
    return FactPool.from_deck(Deck("Test deck", cards))


def only_fact(sentence: str) -> Fact:
    (fact,) = find_facts(sentence)
    return fact


@pytest.mark.parametrize(
    ("back", "sentences"),
    [
        ("In May, 4620 prisoners were freed.", [Sentence("In May, 4620 prisoners were freed.")]),
        (
            "He left in 1951. She stayed until 1960! Why?",
            [Sentence("He left in 1951."), Sentence("She stayed until 1960!"), Sentence("Why?")],
        ),
        (
            "A line without final punctuation\nAnother line",
            [Sentence("A line without final punctuation"), Sentence("Another line")],
        ),
        (
            "Dr. Smith met J. Brown in 1950. They talked.",
            [Sentence("Dr. Smith met J. Brown in 1950."), Sentence("They talked.")],
        ),
        (
            "Membership grew from 6.9 million to 11 million.",
            [Sentence("Membership grew from 6.9 million to 11 million.")],
        ),
        (
            "He was committed to it:\n- ending personal rule\n* ending terror. It worked.",
            [
                Sentence("He was committed to it:"),
                Sentence("ending personal rule", bullet=True, lead="He was committed to it:"),
                Sentence("ending terror.", bullet=True, lead="He was committed to it:"),
                Sentence("It worked.", bullet=True, lead="He was committed to it:"),
            ],
        ),
        (
            "No colon here\n• first\n\n2) second",
            [
                Sentence("No colon here"),
                Sentence("first", bullet=True),
                Sentence("second", bullet=True),
            ],
        ),
        ("", []),
    ],
)
def test_split_sentences(back: str, sentences: list[Sentence]) -> None:
    assert split_sentences(back) == sentences


@pytest.mark.parametrize(
    ("sentence", "facts"),
    [
        ("In May, 4620 Communist prisoners were rehabilitated.", [("4620", NUMBER)]),
        ("In May, 4,620 prisoners were freed.", [("4,620", NUMBER)]),
        ("In March and April 1953, there were amnesties.", [("1953", YEAR)]),
        (
            "Between 1953 and 1956, he replaced 44% of the Central Committee.",
            [("1953", YEAR), ("1956", YEAR), ("44%", PERCENT)],
        ),
        (
            "From 1953 – 1956 and 1957-1960.",
            [("1953", YEAR), ("1956", YEAR), ("1957", YEAR), ("1960", YEAR)],
        ),
        ("1956: the Secret Speech.", [("1956", YEAR)]),
        ("About 1500 soldiers died.", [("1500", NUMBER)]),
        ("It fell by 12 per cent and 3 %.", [("12 per cent", PERCENT), ("3 %", PERCENT)]),
        (
            "Membership grew from 6.9 million in 1954 to 11 million in 1964.",
            [("6.9 million", NUMBER), ("1954", YEAR), ("11 million", NUMBER), ("1964", YEAR)],
        ),
        ("A fixed term of 16 years.", [("16", NUMBER)]),
        ("It was 0.5 of it.", [("0.5", NUMBER)]),
        (
            "A dictatorship based on the ‘cult of personality’",
            [("cult of personality", TERM)],
        ),
        ("Stalin’s crimes and ‘Khrushchev’s thaw’.", [("Khrushchev’s thaw", TERM)]),
        ('He said “Glasnost” and "Perestroika".', [("Glasnost", TERM), ("Perestroika", TERM)]),
        ("The ‘Anti-Party group’ of 1957.", [("Anti-Party group", TERM), ("1957", YEAR)]),
        # Quotations are not terms; numbers inside a quoted term belong to it.
        ("‘We will bury you, and that is the end of the matter’ he said.", []),
        ("The ‘Group of 77’ met.", [("Group of 77", TERM)]),
        # Not facts: ordinals, decades, times, dates, words.
        ("The Twenty-Second Party Congress, the 22nd one, in the 1950s.", []),
        ("At 10:30 on 12/05/1990.", []),
        ("Stalin’s death.", []),
    ],
)
def test_find_facts(sentence: str, facts: list[tuple[str, FactKind]]) -> None:
    found = find_facts(sentence)
    assert [(f.text, f.kind) for f in found] == facts
    assert all(sentence[f.start : f.end] == f.text for f in found)


def test_blank_out_keeps_the_quotes_and_blanks_every_given_fact() -> None:
    sentence = "In 1957 the ‘Anti-Party group’ tried; in 1957 it failed."
    facts = find_facts(sentence)
    years = [f for f in facts if f.kind is YEAR]
    assert blank_out(sentence, years) == "In ___ the ‘Anti-Party group’ tried; in ___ it failed."
    terms = [f for f in facts if f.kind is TERM]
    assert blank_out(sentence, terms) == "In 1957 the ‘___’ tried; in 1957 it failed."


def test_pool_collects_deck_facts_once_each() -> None:
    pool = pool_of("In 1956 he spoke.\nBy 1964, 60% were workers.", "In 1956 the ‘thaw’ began.")
    assert pool.years == ("1956", "1964")
    assert pool.percents == ("60%",)
    assert pool.terms == ("thaw",)
    assert "in 1956 he spoke" in pool.sentences


@pytest.mark.parametrize(
    ("sentence", "seed", "expected"),
    [
        ("In May, 4620 prisoners were freed.", "a", ("4720", "3620", "6420")),
        ("In May, 4,620 prisoners were freed.", "a", ("4,720", "3,620", "6,420")),
        ("It grew to 6.9 million.", "b", ("9.6 million", "5.9 million", "6.7 million")),
        ("They made 105 councils.", "c", ("135", "150", "205")),
        ("A term of 16 years.", "d", ("19", "26", "18")),
        ("It had 3 parts.", "e", ("5", "2", "1")),
        ("It weighed 0.5 kg.", "f", ("0.8", "0.7", "0.4")),
    ],
)
def test_number_distractors_are_pinned(sentence: str, seed: str, expected: tuple[str, ...]) -> None:
    assert make_distractors(sentence, only_fact(sentence), EMPTY_POOL, seed) == expected


@given(
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["{:d}", "{:,d}", "{:d} million"]),
    st.text(max_size=8),
)
def test_number_distractors_look_like_the_answer(value: int, form: str, seed: str) -> None:
    text = form.format(value)
    sentence = f"It was {text} in all."
    fact = only_fact(sentence)
    wrong = make_distractors(sentence, fact, EMPTY_POOL, seed)
    assert len(wrong) == 3
    norms = {normalize_answer(w) for w in wrong} | {normalize_answer(text)}
    assert len(norms) == 4
    for option in wrong:
        # Same shape: same digit count, same separators and suffix in the same places.
        assert [ch.isdigit() for ch in option] == [ch.isdigit() for ch in text]
        assert option.replace(",", "").lstrip("0123456789") == text.replace(",", "").lstrip(
            "0123456789"
        )
    assert make_distractors(sentence, fact, EMPTY_POOL, seed) == wrong


@given(st.integers(min_value=0, max_value=100), st.sampled_from(["%", " %", " per cent"]))
def test_percent_distractors_are_percentages_up_to_100(value: int, sign: str) -> None:
    sentence = f"He replaced {value}{sign} of them."
    fact = only_fact(sentence)
    wrong = make_distractors(sentence, fact, EMPTY_POOL, "s")
    assert len(wrong) == 3
    assert len({normalize_answer(w) for w in wrong} | {normalize_answer(fact.text)}) == 4
    for option in wrong:
        assert option.endswith(sign)
        assert 0 < int(option.removesuffix(sign)) <= 100


def test_year_distractors_come_from_the_deck_first() -> None:
    pool = pool_of("In 1953 A.", "In 1954 B.", "In 1957 C.", "In 1961 D.", "In 1066 E.")
    sentence = "In 1956 Khrushchev spoke."
    assert make_distractors(sentence, only_fact(sentence), pool, "s") == ("1957", "1954", "1953")


def test_year_distractors_fall_back_to_nearby_years() -> None:
    pool = pool_of("In 1066 the Normans came.")
    sentence = "In 1956 Khrushchev spoke."
    wrong = make_distractors(sentence, only_fact(sentence), pool, "s")
    assert len(wrong) == 3
    assert all(abs(int(year) - 1956) <= 2 for year in wrong)
    assert "1066" not in wrong


def test_distractors_are_never_another_fact_of_the_sentence() -> None:
    pool = pool_of("Between 1953 and 1956 it changed.", "In 1954 A.", "In 1955 B.")
    sentence = "Between 1953 and 1956 it changed."
    first = find_facts(sentence)[0]
    wrong = make_distractors(sentence, first, pool, "s")
    assert "1956" not in wrong
    assert wrong[:2] == ("1954", "1955")


def test_distractors_never_make_a_sentence_the_deck_states() -> None:
    # The deck says both; offering 1960 for the first would be a second right answer.
    pool = pool_of("In 1956 X happened.", "In 1960 X happened.", "In 1958 Y.")
    sentence = "In 1956 X happened."
    wrong = make_distractors(sentence, only_fact(sentence), pool, "s")
    assert "1960" not in wrong
    assert wrong[0] == "1958"


def test_percent_distractors_stay_percentages_up_to_100() -> None:
    pool = pool_of("By 1964, 60% were workers.")
    sentence = "He replaced 94% of them."
    wrong = make_distractors(sentence, only_fact(sentence), pool, "s")
    assert wrong == ("60%", "49%", "92%")


def test_term_distractors_are_other_quoted_terms_of_the_deck() -> None:
    pool = pool_of(
        "The ‘cult of personality’ grew.",
        "People were ‘not ready’ for it.",
        "‘Democratisation’ and ‘Decentralisation’ came.",
        "The ‘Anti-Party group’ failed.",
    )
    sentence = "‘Democratisation’ and ‘Decentralisation’ came."
    first = find_facts(sentence)[0]
    wrong = make_distractors(sentence, first, pool, "s")
    assert len(wrong) == 3
    assert set(wrong) <= {"cult of personality", "not ready", "Anti-Party group"}


def test_too_few_terms_give_fewer_distractors() -> None:
    pool = pool_of("The ‘thaw’ began.", "The ‘freeze’ ended.")
    sentence = "The ‘thaw’ began."
    assert make_distractors(sentence, only_fact(sentence), pool, "s") == ("freeze",)


@given(st.text())
def test_fact_finding_never_raises_and_spans_are_exact(text: str) -> None:
    for sentence in split_sentences(text):
        for fact in find_facts(sentence.text):
            assert sentence.text[fact.start : fact.end] == fact.text
