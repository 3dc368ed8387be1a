"""Cloze material: back sentences and the facts in them that a blank can fairly ask for.

A fact is a number, a year, a percentage or a quoted term. Not blanked: anything inside LaTeX, and
a number that is one example in a list ("numbers such as 805 and 2001": any number would fit).
A four-digit number from 1000 to 2099 is a year after a year word ("in", "since", a month …), at
the start of a sentence or clause ("1955 -", "(1955)", "- 1955"), or as the end of a range; one
followed by what it counts ("1200 soldiers") is a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from bot.cards.answers import latex_spans
from bot.cards.model import Deck
from bot.core.grading import normalize_answer

BLANK = "___"
MAX_TERM_CHARS = 40
MAX_TERM_WORDS = 6
MIN_YEAR, MAX_YEAR = 1000, 2099

_BULLET = re.compile(r"^\s*(?:[-*•–—]|\d{1,2}[.)])\s+")
# A sentence ends at . ! ? … followed by space and something that can start a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "c", "ca", "cf", "no", "vol", "p"}
    | {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)
_NUMBER = re.compile(
    r"(?<![\w.,:/])"
    r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"(?P<suffix>\s?(?:%|per ?cent\b)|\s(?:thousand|million|billion|trillion)\b)?"
    r"(?!\w|[:/]\w|[.,]\d)"
)
_QUOTED = (
    re.compile(r"(?<!\w)‘((?:[^‘’\n]|’(?=\w))+?)’(?!\w)"),
    re.compile(r"“([^“”\n]+)”"),
    re.compile(r'(?<!\w)"([^"\n]+)"(?!\w)'),
)
_MONTHS = (
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
)
# A list of examples: any number in it would fit its blank.
_EXAMPLES = re.compile(r"\b(?:such as|e\.g\.|for example|for instance|including|like)\b", re.I)
_LIST_JOIN = re.compile(r"^\s*(?:,|,?\s*(?:and|or))\s*$")
# Words that may follow a year (a number followed by anything else is counting something).
_AFTER_YEAR = frozenset(
    {"and", "or", "to", "until", "till", "when", "the", "he", "she", "it", "they", "there", "a"}
    | {"an", "in", "on", "at", "by", "for", "was", "were", "is", "had", "as", "after", "before"}
    | {"ad", "bc", "bce", "ce", "with", "while", "but", "so", "his", "her", "its", "that"}
)
# Words after which a four-digit number reads as a year ("in 1956", "October 1961").
_YEAR_LEADS = frozenset(
    {"in", "since", "by", "from", "until", "till", "to", "between", "and", "before", "after"}
    | {"around", "circa", "c.", "during", "early", "late", "mid", "year", "of"}
    | {"spring", "summer", "autumn", "fall", "winter", *_MONTHS}
)


class FactKind(StrEnum):
    """What sort of fact a blank hides; wrong options are always of the same sort."""

    NUMBER = "number"  # a count or measure, possibly with a scale word: 4620, 6.9 million
    YEAR = "year"
    PERCENT = "percent"
    TERM = "term"  # a quoted term: ‘cult of personality’


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a back, with the line that introduces it when it is a bullet."""

    text: str
    bullet: bool = False
    lead: str | None = None  # e.g. "He introduced major reforms:" above a list of bullets


@dataclass(frozen=True, slots=True)
class Fact:
    """A blankable fact: its text as written and where it sits in its sentence."""

    text: str
    start: int
    end: int
    kind: FactKind


def _split_line(line: str) -> list[str]:
    """A line cut into sentences, not after abbreviations or initials ("Dr.", "J. Smith")."""
    parts: list[str] = []
    begin = 0
    for match in _SENTENCE_END.finditer(line):
        before = line[begin : match.start()]
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.strip() else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        parts.append(before.strip())
        begin = match.end()
    parts.append(line[begin:].strip())
    return [part for part in parts if part]


def split_sentences(back: str) -> list[Sentence]:
    """The sentences of a back: each line, each bullet and each sentence within them."""
    sentences: list[Sentence] = []
    lead: str | None = None
    for raw in back.splitlines():
        if not raw.strip():
            continue
        marker = _BULLET.match(raw)
        line = raw[marker.end() :] if marker else raw.strip()
        if not marker:
            lead = line if line.endswith(":") else None
        sentences.extend(
            Sentence(part, bullet=marker is not None, lead=lead if marker else None)
            for part in _split_line(line)
        )
    return sentences


def _is_term(text: str) -> bool:
    words = text.split()
    has_letter = any(ch.isalpha() for ch in text)
    return has_letter and len(text) <= MAX_TERM_CHARS and 0 < len(words) <= MAX_TERM_WORDS


def _number_kind(sentence: str, match: re.Match[str]) -> FactKind:
    suffix = (match.group("suffix") or "").strip()
    if suffix and suffix[0] in "%p":
        return FactKind.PERCENT
    text = match.group(0)
    if suffix or not text.isdigit() or len(text) != 4 or not MIN_YEAR <= int(text) <= MAX_YEAR:
        return FactKind.NUMBER
    head = sentence[: match.start()]
    before = head.split()
    previous = before[-1].lower().strip(",") if before else ""
    if previous in _YEAR_LEADS:
        return FactKind.YEAR  # "in 1956", "October 1961"
    following = re.match(r"\s*([^\W\d_]+)", sentence[match.end() :])
    if following is not None:
        word = following.group(1)
        if word.islower() and word not in _AFTER_YEAR:
            return FactKind.NUMBER  # what it counts follows: "1200 soldiers"
    # Anything else in the range of years reads as one: "1956: the Secret Speech", "his rival -
    # 1955", "(1955)", the end of "1953-1956".
    return FactKind.YEAR


def _in_example_list(sentence: str, facts: list[Fact]) -> set[int]:
    """Indexes of number facts that are examples in a list ("such as 805 and 2001")."""
    listed: set[int] = set()
    numeric = [i for i, f in enumerate(facts) if f.kind is not FactKind.TERM]
    for a, b in pairwise(numeric):
        first, second = facts[a], facts[b]
        if not _LIST_JOIN.match(sentence[first.end : second.start]):
            continue
        if _EXAMPLES.search(sentence[: first.start]):
            listed.update((a, b))
    return listed


_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY_BEFORE_MONTH = re.compile(rf"^(?:st|nd|rd|th)?\s+{_MONTH_NAME}\b", re.IGNORECASE)
_MONTH_BEFORE_DAY = re.compile(rf"\b{_MONTH_NAME}\s+$", re.IGNORECASE)
_NAMED_BEFORE = re.compile(r"\b[A-Z][\w-]*\s+$")
# Capitalised only because they open a sentence: "About 49 copies", "Some 200 people".
_COMMON_BEFORE_NUMBER = frozenset(
    {"about", "around", "some", "over", "nearly", "almost", "only", "just", "exactly", "roughly"}
    | {"approximately", "more", "less", "fewer", "than", "all", "the", "a", "an", "at", "on"}
    | {"for", "with", "up", "another", "at least", "just", "his", "her", "its", "their", "our"}
)


def _names_or_days(sentence: str, match: re.Match[str]) -> bool:
    """A number that is part of a name ("Apollo 11", "World War 2") or a day of the month."""
    text = match.group(0)
    head, tail = sentence[: match.start()], sentence[match.end() :]
    if text.isdigit() and len(text) <= 2:
        if _DAY_BEFORE_MONTH.match(tail):
            return True  # "20 July 1969"
        if _MONTH_BEFORE_DAY.search(head) and re.match(r"(?:st|nd|rd|th)?,?\s+\d{4}", tail):
            return True  # "July 20, 1969"
    named = _NAMED_BEFORE.search(head)
    if named is None:
        return False
    word = named.group(0).strip().lower().rstrip(".")
    common = word in _YEAR_LEADS or word in _COMMON_BEFORE_NUMBER
    return not common and not re.fullmatch(_MONTH_NAME, word)


def find_facts(sentence: str) -> list[Fact]:
    """Numbers, years, percentages and quoted terms in a sentence, in reading order."""
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = latex_spans(sentence)
    for pattern in _QUOTED:
        for match in pattern.finditer(sentence):
            start = match.start(1)
            inner = match.group(1)
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            text = inner.strip()
            if _is_term(text):
                offset = start + inner.index(text)
                facts.append(Fact(text, offset, offset + len(text), FactKind.TERM))
    for match in _NUMBER.finditer(sentence):
        # A number inside a quoted term belongs to the term (and one in LaTeX to the formula).
        if any(s <= match.start() < e for s, e in taken):
            continue
        if _names_or_days(sentence, match):
            continue
        kind = _number_kind(sentence, match)
        facts.append(Fact(match.group(0), match.start(), match.end(), kind))
    facts.sort(key=lambda fact: fact.start)
    listed = _in_example_list(sentence, facts)
    return [fact for i, fact in enumerate(facts) if i not in listed]


def blank_out(sentence: str, facts: Iterable[Fact]) -> str:
    """The sentence with every given fact replaced by the blank."""
    out = sentence
    for fact in sorted(facts, key=lambda f: f.start, reverse=True):
        out = out[: fact.start] + BLANK + out[fact.end :]
    return out


@dataclass(frozen=True, slots=True)
class FactPool:
    """What the whole deck offers as wrong options: its years and percentages, its quoted terms."""

    years: tuple[str, ...]
    percents: tuple[str, ...]
    terms: tuple[str, ...]

    @classmethod
    def from_deck(cls, deck: Deck) -> FactPool:
        """Collect the facts of every back of the deck."""
        found: dict[FactKind, dict[str, str]] = {kind: {} for kind in FactKind}
        for card in deck.cards:
            for sentence in split_sentences(card.back):
                for fact in find_facts(sentence.text):
                    found[fact.kind].setdefault(normalize_answer(fact.text), fact.text)
        return cls(
            years=tuple(found[FactKind.YEAR].values()),
            percents=tuple(found[FactKind.PERCENT].values()),
            terms=tuple(found[FactKind.TERM].values()),
        )
