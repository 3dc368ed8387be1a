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
    split_sentences,
)
from bot.cards.model import Card, Deck

NUMBER, YEAR, PERCENT, TERM = FactKind.NUMBER, FactKind.YEAR, FactKind.PERCENT, FactKind.TERM


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
        # A year after a dash or in brackets is a year, not a count to vary digit by digit.
        ("He was replaced by his rival - 1955", [("1955", YEAR)]),
        ("Born (1894) in Kalinovka.", [("1894", YEAR)]),
        ("1200 soldiers marched; 1200 more waited.", [("1200", NUMBER), ("1200", NUMBER)]),
        # Examples in a list: any number would fit the blank, so none is a fact.
        ("Numbers such as 805 and 2001 were used.", []),
        ("Elements like 43, 61 or 93 are unstable.", []),
        ("Between 1953 and 1956 it changed.", [("1953", YEAR), ("1956", YEAR)]),
        # Numbers in names, days of the month and anything in LaTeX are not facts.
        ("Apollo 11 landed on 20 July 1969.", [("1969", YEAR)]),
        ("World War 2 ended on May 8, 1945.", [("1945", YEAR)]),
        ("The formula [$]x^2 + 3[/$] has 2 roots.", [("2", NUMBER)]),
        ("About 49 copies survive.", [("49", NUMBER)]),
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


@given(st.text())
def test_fact_finding_never_raises_and_spans_are_exact(text: str) -> None:
    for sentence in split_sentences(text):
        for fact in find_facts(sentence.text):
            assert sentence.text[fact.start : fact.end] == fact.text
