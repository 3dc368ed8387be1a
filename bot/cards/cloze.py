"""Cloze material: back sentences, the key facts in them, and plausible wrong options for each."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.cards.model import Deck
from bot.core.grading import normalize_answer

DISTRACTORS = 3
BLANK = "___"
MAX_TERM_CHARS = 40
MAX_TERM_WORDS = 6
# Deck years further than this from the answer would give the answer away.
YEAR_SPAN = 40
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
_RANGE_START = re.compile(r"(?<!\d)(\d{4})\s*[-–—]\s*$")
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
    before = sentence[: match.start()].split()
    if not before:
        # A sentence that opens with a four-digit number: "1956: the Secret Speech".
        return FactKind.YEAR
    previous = before[-1].lower().strip(",")
    if previous in _YEAR_LEADS:
        return FactKind.YEAR
    # The end of a range of years: "1953-1956", "1953 – 1956".
    ranged = _RANGE_START.search(sentence[: match.start()])
    is_year = ranged is not None and MIN_YEAR <= int(ranged.group(1)) <= MAX_YEAR
    return FactKind.YEAR if is_year else FactKind.NUMBER


def find_facts(sentence: str) -> list[Fact]:
    """Numbers, years, percentages and quoted terms in a sentence, in reading order."""
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
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
        # A number inside a quoted term belongs to the term.
        if any(s <= match.start() < e for s, e in taken):
            continue
        kind = _number_kind(sentence, match)
        facts.append(Fact(match.group(0), match.start(), match.end(), kind))
    return sorted(facts, key=lambda fact: fact.start)


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
    sentences: frozenset[str]  # every back sentence, normalized: a "wrong" option must not be one

    @classmethod
    def from_deck(cls, deck: Deck) -> FactPool:
        """Collect the facts of every back of the deck."""
        found: dict[FactKind, dict[str, str]] = {kind: {} for kind in FactKind}
        sentences: set[str] = set()
        for card in deck.cards:
            for sentence in split_sentences(card.back):
                sentences.add(normalize_answer(sentence.text))
                for fact in find_facts(sentence.text):
                    found[fact.kind].setdefault(normalize_answer(fact.text), fact.text)
        return cls(
            years=tuple(found[FactKind.YEAR].values()),
            percents=tuple(found[FactKind.PERCENT].values()),
            terms=tuple(found[FactKind.TERM].values()),
            sentences=frozenset(sentences),
        )


def _render_digits(template: str, digits: Sequence[str]) -> str:
    """The template with its digits replaced in order (keeps commas, points, suffixes)."""
    out: list[str] = []
    it = iter(digits)
    for ch in template:
        out.append(next(it) if ch.isdigit() else ch)
    return "".join(out)


def _numeric_value(text: str) -> float:
    digits = re.sub(r"[^\d.]", "", text.replace(",", ""))
    try:
        return float(digits)
    except ValueError:
        return 0.0


def _digit_variants(template: str, rng: random.Random) -> list[str]:
    """Same-format numbers one edit away in the leading digits: 4620 → 5620, 4820, 4260.

    The three sorts of edit (first digit, second digit, a swap) take turns, so the options differ
    from the answer in different places and none stands out as the odd one.
    """
    digits = [ch for ch in template if ch.isdigit()]
    first = next((i for i, d in enumerate(digits) if d != "0"), len(digits) - 1)
    single = len(digits) - first == 1

    def change(position: int, deltas: Iterable[int], low: int) -> list[list[str]]:
        changed: list[list[str]] = []
        for delta in deltas:
            value = int(digits[position]) + delta
            if low <= value <= 9:
                changed.append([*digits[:position], str(value), *digits[position + 1 :]])
        return changed

    def swap(i: int) -> list[list[str]]:
        if i + 1 >= len(digits) or digits[i] == digits[i + 1]:
            return []
        swapped = [*digits]
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        return [swapped] if swapped[first] != "0" else []

    near = (-3, -2, -1, 1, 2, 3)
    families = [
        change(first, near if single else (-2, -1, 1, 2), low=1 if first == 0 else 0),
        change(first + 1, near, low=0) if not single else [],
        swap(first) + swap(first + 1),
    ]
    value = _numeric_value(template)
    rendered: list[list[str]] = []
    for family in families:
        texts = [_render_digits(template, variant) for variant in family]
        if not single and value > 0:
            # Similar magnitude: within a factor of two of the answer.
            texts = [t for t in texts if value / 2 <= _numeric_value(t) <= value * 2]
        rng.shuffle(texts)
        rendered.append(texts)
    rng.shuffle(rendered)
    # Round robin over the families, so the first options come from different ones.
    mixed: list[str] = []
    for turn in range(max(len(family) for family in rendered)):
        mixed.extend(family[turn] for family in rendered if turn < len(family))
    return mixed


def _round_percents(text: str) -> list[str]:
    """Fallback percentages a few steps below and above: 100% has no same-length neighbour."""
    match = re.match(r"\d+", text)
    if match is None:
        return []
    value = int(match.group(0))
    steps = (-10, -20, 10, -5, 5, -30, 20, -2, 2, -1, 1)
    return [f"{value + step}{text[match.end() :]}" for step in steps if value + step > 0]


def _nearby_years(year: str, rng: random.Random) -> list[str]:
    value = int(year)
    offsets = [1, 2, 3, 4, 5, 6, 7, 8, 10]
    candidates: list[str] = []
    for offset in offsets:
        pair = [value - offset, value + offset]
        rng.shuffle(pair)
        candidates.extend(str(y) for y in pair if MIN_YEAR <= y <= MAX_YEAR)
    return candidates


def _candidates(fact: Fact, pool: FactPool, rng: random.Random) -> list[str]:
    """Wrong options for a fact, most plausible first (before filtering)."""
    if fact.kind is FactKind.TERM:
        terms = list(pool.terms)
        rng.shuffle(terms)
        words = len(fact.text.split())
        return sorted(terms, key=lambda term: abs(len(term.split()) - words))
    if fact.kind is FactKind.YEAR:
        value = int(fact.text)
        deck = [y for y in pool.years if y.isdigit() and abs(int(y) - value) <= YEAR_SPAN]
        deck.sort(key=lambda y: (abs(int(y) - value), y))
        return deck + _nearby_years(fact.text, rng)
    generated = _digit_variants(fact.text, rng)
    if fact.kind is FactKind.PERCENT:
        limit = 100.0 if _numeric_value(fact.text) <= 100 else float("inf")
        deck = [p for p in pool.percents if _numeric_value(p) <= limit]
        rng.shuffle(deck)
        # One option from the deck at most: the rest look like the answer, not like other cards.
        return [
            p
            for p in deck[:1] + generated + _round_percents(fact.text)
            if 0 < _numeric_value(p) <= limit
        ]
    return generated


def make_distractors(
    sentence: str, fact: Fact, pool: FactPool, seed: str, count: int = DISTRACTORS
) -> tuple[str, ...]:
    """`count` wrong options of the fact's kind: distinct, never the answer, never true elsewhere.

    A candidate is refused when it normalizes like the answer or like an earlier option, when it is
    another fact of the same sentence, or when putting it in the blank gives a sentence the deck
    states elsewhere. Fewer than `count` options come back only when the deck cannot supply them.
    """
    rng = random.Random(seed)
    refused = {normalize_answer(fact.text)}
    refused.update(normalize_answer(other.text) for other in find_facts(sentence))
    chosen: list[str] = []
    for candidate in _candidates(fact, pool, rng):
        norm = normalize_answer(candidate)
        if not norm or norm in refused:
            continue
        filled = sentence[: fact.start] + candidate + sentence[fact.end :]
        if normalize_answer(filled) in pool.sentences:
            continue
        refused.add(norm)
        chosen.append(candidate)
        if len(chosen) == count:
            break
    return tuple(chosen)
