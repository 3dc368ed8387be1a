"""Grading answers: lenient comparison of typed answers, and the check of a tapped option."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

CLOSE_RATIO = 80.0
# One typo in a word this short costs too much ratio to pass, so one edit is allowed instead.
SHORT_WORD_MIN = 4
SHORT_WORD_MAX = 8

# Leading articles that do not change the answer (en, fr, de, es); stripped only before other words.
ARTICLES = frozenset(
    {"the", "a", "an"}
    | {"le", "la", "les", "l", "un", "une", "des", "du"}
    | {"der", "die", "das", "den", "dem", "ein", "eine", "einen", "einem", "einer"}
    | {"el", "los", "las", "una", "unos", "unas"}
)

# Powers of ten of the scale words people put after numbers.
_SCALES = {
    "thousand": 3,
    "million": 6,
    "millions": 6,
    "mln": 6,
    "billion": 9,
    "billions": 9,
    "bn": 9,
    "trillion": 12,
}
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
# A number as people write it: 4620, 4,620, 4 620, 1.000.000 (two or more dot groups), 6.9 or 6,9;
# then an optional scale word and an optional percent sign or word.
_NUMBER = re.compile(
    r"(?<![\d.,])"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d{1,3}(?:\.\d{3}){2,}|\d+)"
    r"(?:[.,](?P<frac>\d+))?"
    r"(?: ?(?P<scale>thousand|millions?|mln|billions?|bn|trillion)\b)?"
    r"(?P<pct> ?(?:%|percent\b|per cent\b))?"
    r"(?![\d])"
)
_APOSTROPHES = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")
_ELISION = re.compile(r"^l['’ʼ`´]")
_TOKEN = re.compile(r"\d+\.\d+|[^\W_]+")
_NUMBER_TOKEN = re.compile(r"\d+(?:\.\d+)?")


class TypedVerdict(StrEnum):
    """How a typed answer compares to the expected one; CLOSE counts as wrong but earns a hint."""

    RIGHT = "right"
    CLOSE = "close"  # the bot says "close — check the spelling"
    WRONG = "wrong"

    @property
    def counts_as_right(self) -> bool:
        """Whether the answer is scored as right (only RIGHT is)."""
        return self is TypedVerdict.RIGHT


def _fold(text: str) -> str:
    """Case, accents and compatibility forms folded away (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def _canonical_number(match: re.Match[str]) -> str:
    """One spelling per number: no thousands separators, point decimals, scale words applied."""
    whole = re.sub(r"[ ,.]", "", match.group("int"))
    frac = match.group("frac") or ""
    scale = match.group("scale")
    if scale:
        # Multiply by shifting the decimal point, in text, so any length of digits is exact.
        shift = _SCALES[scale]
        whole, frac = whole + frac[:shift].ljust(shift, "0"), frac[shift:]
    whole, frac = whole.lstrip("0") or "0", frac.rstrip("0")
    # A percent sign is part of how the number is written, not of its identity: "44" answers "44%".
    return f" {whole}.{frac} " if frac else f" {whole} "


def normalize_answer(text: str) -> str:
    """The form answers are compared in: folded, numbers canonical, no punctuation or article."""
    folded = _fold(text)
    folded = _ELISION.sub("", folded)
    folded = _NUMBER.sub(_canonical_number, folded)
    folded = _APOSTROPHES.sub("", folded)
    tokens = _TOKEN.findall(folded)
    if len(tokens) > 1 and tokens[0] in ARTICLES:
        tokens = tokens[1:]
    return " ".join(tokens)


def _numbers(normalized: str) -> list[str]:
    return _NUMBER_TOKEN.findall(normalized)


def _is_near_miss(given: str, expected: str) -> bool:
    if fuzz.ratio(given, expected) >= CLOSE_RATIO:
        return True
    # One slip (including a swap of two letters) in a short word is still a near miss.
    short = SHORT_WORD_MIN <= len(expected) <= SHORT_WORD_MAX
    return short and OSA.distance(given, expected) <= 1


def grade_typed(given: str, expected: str) -> TypedVerdict:
    """RIGHT when equal once normalized, CLOSE for a near miss with the same numbers, else WRONG."""
    got, want = normalize_answer(given), normalize_answer(expected)
    if not got or not want:
        # Nothing comparable is left (only punctuation or symbols): fall back to the folded text.
        same = bool(_fold(given)) and _fold(given) == _fold(expected)
        return TypedVerdict.RIGHT if same else TypedVerdict.WRONG
    if got == want:
        return TypedVerdict.RIGHT
    if _numbers(got) != _numbers(want):
        # A number is either right or wrong: 4621 is not a spelling mistake for 4620.
        return TypedVerdict.WRONG
    if got.replace(" ", "") == want.replace(" ", ""):
        # Only word breaks differ: "anti party" for "Anti-Party", "destalinisation".
        return TypedVerdict.RIGHT
    return TypedVerdict.CLOSE if _is_near_miss(got, want) else TypedVerdict.WRONG


def grade_choice(chosen_index: int, right_index: int) -> bool:
    """Whether the tapped option is the right one."""
    return chosen_index == right_index
