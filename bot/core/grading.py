"""Grading answers: typed answers compared as a teacher would, and the check of a tapped option.

A typed answer is RIGHT when, once both sides are normalized, it equals the expected answer or one of
the question's accepted alternatives (the key part of a multi-part back, its other glosses, a year
alone for a date …, see `bot.cards.answers`). Normalizing folds away what a teacher ignores:

- case, accents and letters people type without their mark (ł đ ø æ œ ß ı þ ð ħ);
- punctuation, quotes, hyphens against spaces ("anti party" = "Anti-Party"), apostrophes;
- a leading article (en, fr, de, es) or the "to" of a verb ("drink" = "to drink");
- how a number is written: 12000 = 12,000 = 12 000 = twelve thousand, 3 million = 3,000,000,
  1917-24 = 1917-1924 = 1917 to 1924, 1/50 = 1 in 50 = 1 out of 50, 44 = 44%.

Around a number, filler words ("in 1953", "about 4,620", "c. 1066") and one unit word right after it
("12,000 km", "4620 prisoners") do not matter, on either side. Several parts given at once ("hello,
greetings") are right when each of them is. A number or year is right or wrong, never "close".

CLOSE (graded as wrong, with a hint) is kept for a misspelling of the same words: the same numbers,
the same number of words, and each differing word long enough to tell, starting with the same letter
and one slip away (two in words of ten letters or more). "Austria" is not a misspelling of
"Australia", nor "Iraq" of "Iran".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import OSA

# Leading words that do not change the answer (en, fr, de, es articles; the "to" of an infinitive);
# stripped only when other words follow.
ARTICLES = frozenset(
    {"the", "a", "an", "to"}
    | {"le", "la", "les", "l", "un", "une", "des", "du"}
    | {"der", "die", "das", "den", "dem", "ein", "eine", "einen", "einem", "einer"}
    | {"el", "los", "las", "una", "unos", "unas"}
)
# Words that may stand around a number without changing it: "in 1953", "about 4,620", "1066 AD".
NUMBER_FILLERS = frozenset(
    {"in", "on", "at", "by", "of", "from", "since", "around", "about", "approximately", "roughly"}
    | {"nearly", "almost", "over", "some", "circa", "c", "ca", "approx", "year", "the"}
    | {"ad", "ce", "it", "was", "is", "its", "there", "were", "are", "exactly", "just", "and"}
)
# Letters that do not decompose into a base letter and a mark, folded as people type them.
_LETTER_FOLDS = str.maketrans(
    {
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "þ": "th",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
        "ſ": "s",
        "ƒ": "f",
    }
)

_SCALES = {
    "hundred": 2,
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
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+(?![\d])|\d{1,3}(?:\.\d{3}){2,}|\d+)"
    r"(?:[.,](?P<frac>\d+))?"
    r"(?: ?(?P<scale>hundred|thousand|millions?|mln|billions?|bn|trillion)\b)?"
    r"(?P<pct> ?(?:%|percent\b|per cent\b))?"
    r"(?![\d])"
)
# A range of years with the second one shortened: 1917-24, 1939–45.
_SHORT_RANGE = re.compile(r"\b(1\d|20)(\d\d)\s*[-–—]\s*(\d\d)\b(?![-–—]?\d)")
# "to", "till" or a dash between two numbers is a range; "in", "out of", "/" or ":" a ratio.
_RANGE_SEPARATOR = re.compile(r"(?<=\d)\s*(?:[-–—]|\bto\b|\btill\b|\buntil\b)\s*(?=\d)")
_RATIO_SEPARATOR = re.compile(r"(?<=\d)\s*(?:/|\bin\b|\bout of\b|:)\s*(?=\d)")
_APOSTROPHES = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")
_ELISION = re.compile(r"^l['’ʼ`´]")
_TOKEN = re.compile(r"\d+\.\d+|[^\W_]+")
_NUMBER_TOKEN = re.compile(r"^\d+(?:\.\d+)?$")
# Parts given at once: "hello, greetings", "to drink; to have".
_GIVEN_PARTS = re.compile(r"\s*(?:[,;/]|\s[-–—]\s|\bor\b|\band\b)\s*")

_UNITS_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_NUMBER_WORD = re.compile(
    r"\b(?:(?:" + "|".join([*_TENS_WORDS, *_UNITS_WORDS, "hundred", "thousand", "million", "billion", "and"])
    + r")(?:[\s-]+|\b))+",
)  # fmt: skip

UNIT_WORDS = 3  # words that may follow a number as its unit: "343 metres per second"
# Spelling slips allowed per word: one, or two in words this long.
LONG_WORD = 10
CACHED_ANSWER_CHARS = 200  # answers up to this long are remembered once normalised
SHORT_WORD_MIN = 4


class TypedVerdict(StrEnum):
    """How a typed answer compares to the expected one; CLOSE counts as wrong but earns a hint."""

    RIGHT = "right"
    CLOSE = "close"  # the bot says "close — check the spelling" and shows where it differs
    WRONG = "wrong"

    @property
    def counts_as_right(self) -> bool:
        """Whether the answer is scored as right (only RIGHT is)."""
        return self is TypedVerdict.RIGHT


def fold(text: str) -> str:
    """Case, accents, special letters and compatibility forms folded away; spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.translate(_LETTER_FOLDS)).strip()


def _words_value(words: str) -> int | None:
    """The value of English number words ("twenty-five", "three thousand"); None if not a number."""
    total = current = 0
    seen = False
    for word in re.split(r"[\s-]+", words.strip()):
        if not word or word == "and":
            continue
        if word in _UNITS_WORDS:
            current += _UNITS_WORDS[word]
        elif word in _TENS_WORDS:
            current += _TENS_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:  # thousand, million
            total += max(current, 1) * 10 ** _SCALES[word]
            current = 0
        seen = True
    return total + current if seen else None


def _number_words_to_digits(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        phrase = match.group(0)
        core = phrase.strip(" -")
        if core in ("and", "") or core.startswith("and ") or core.endswith(" and"):
            return phrase
        if core.split()[0] in _SCALES and text[: match.start()].rstrip()[-1:].isdigit():
            return phrase  # "3 million": the scale of a number in digits, read with it later
        value = _words_value(core)
        if value is None:
            return phrase
        return f" {value} "

    return _NUMBER_WORD.sub(replace, text)


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


def _expand_short_range(match: re.Match[str]) -> str:
    century, start, end = match.group(1), match.group(2), match.group(3)
    first = int(century + start)
    second = int(century + end)
    if second < first:  # 1998-02 crosses a century
        second += 100
    return f"{first} to {second}"


# Month names, folded: a month beside a year is part of a date's value.
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Short forms people type for the long ones an answer may spell out (and back).
_TOKEN_FOLDS = {
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
    "st": "saint",
    "mt": "mount",
}


def normalize_answer(text: str) -> str:
    """The form answers are compared in: folded, numbers canonical, no punctuation or article."""
    # Every session start normalises each question's answer and options again: the same few
    # thousand short strings, so they are remembered (long ones, rare, are not kept).
    return _normalized(text) if len(text) <= CACHED_ANSWER_CHARS else _normalize(text)


@lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    folded = fold(text)
    folded = _ELISION.sub("", folded)
    folded = _SHORT_RANGE.sub(_expand_short_range, folded)
    folded = _number_words_to_digits(folded)
    folded = _NUMBER.sub(_canonical_number, folded)
    folded = _RATIO_SEPARATOR.sub(" per ", folded)
    folded = _RANGE_SEPARATOR.sub(" to ", folded)
    folded = _APOSTROPHES.sub("", folded)
    tokens = [_TOKEN_FOLDS.get(token, token) for token in _TOKEN.findall(folded)]
    tokens = _day_month_order(tokens)
    while len(tokens) > 1 and tokens[0] in ARTICLES:
        tokens = tokens[1:]
    return " ".join(tokens)


_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")


def _day_month_order(tokens: list[str]) -> list[str]:
    """Dates in one order: "march 5 1953" and "5th march 1953" both read "5 march 1953"."""
    out = [_ORDINAL.sub(r"\1", token) for token in tokens]
    for i in range(len(out) - 1):
        month, day = out[i], out[i + 1]
        if month in MONTHS and day.isdigit() and 1 <= int(day) <= 31 and len(day) <= 2:
            following = out[i + 2] if i + 2 < len(out) else ""
            if following.isdigit() and len(following) >= 3:
                out[i], out[i + 1] = day, month
    return out


def _numbers(normalized: str) -> list[str]:
    return [token for token in normalized.split() if _NUMBER_TOKEN.match(token)]


def _number_core(normalized: str) -> tuple[list[str], list[str]] | None:
    """(numbers, other words) of an answer that is a number with fillers and a unit, else None.

    Fillers ("in", "about", "AD" …) may stand anywhere; up to two other words may follow a number
    (a unit or what is counted: "12000 km", "4620 Communist prisoners"); "to" and "per" join two
    numbers.
    """
    tokens = normalized.split()
    numbers: list[str] = []
    others: list[str] = []
    unit_room = 0
    for index, token in enumerate(tokens):
        if _NUMBER_TOKEN.match(token) or token in MONTHS:
            numbers.append(token)  # a month is part of a date's value: "in February 1956"
            unit_room = UNIT_WORDS if token not in MONTHS else 0
            continue
        joins = index + 1 < len(tokens) and bool(_NUMBER_TOKEN.match(tokens[index + 1]))
        if token in ("to", "per") and numbers and joins:
            numbers.append(token)
            unit_room = 0
            continue
        if token in NUMBER_FILLERS and not (unit_room and token in _UNIT_OF):
            continue  # "c" after a number is Celsius, before one it is circa
        if unit_room:
            others.append(token)
            unit_room -= 1
            continue
        return None
    if not numbers or numbers[-1] in ("to", "per"):
        return None
    return numbers, others


# A unit's spellings, so "343 metres per second" answers "343 m/s" (words that say nothing of
# the unit, like "per" and "degrees", are left out).
_UNIT_NAMES = {
    "kilometre": ("km", "kilometer", "kilometers", "kilometres", "kms"),
    "metre": ("m", "meter", "meters", "metres"),
    "centimetre": ("cm", "centimeter", "centimeters", "centimetres"),
    "millimetre": ("mm", "millimeter", "millimeters", "millimetres"),
    "kilogram": ("kg", "kilo", "kilos", "kilograms", "kilogramme", "kilogrammes"),
    "gram": ("g", "grams", "gramme", "grammes"),
    "second": ("s", "sec", "secs", "seconds"),
    "minute": ("min", "mins", "minutes"),
    "hour": ("h", "hr", "hrs", "hours"),
    "mile": ("mi", "miles"),
    "celsius": ("c", "centigrade"),
    "fahrenheit": ("f",),
    "litre": ("l", "liter", "liters", "litres"),
}
_UNIT_OF = {alias: name for name, aliases in _UNIT_NAMES.items() for alias in (name, *aliases)}
_SILENT_UNIT_WORDS = frozenset({"per", "degrees", "degree", "a", "an"})


def _units(words: Sequence[str]) -> list[str]:
    return [_UNIT_OF.get(word, word) for word in words if word not in _SILENT_UNIT_WORDS]


def _same_number(given: str, expected: str) -> bool:
    """Both are the same number (or range, ratio) written with fillers or a unit around it."""
    got, want = _number_core(given), _number_core(expected)
    if got is None or want is None or got[0] != want[0]:
        return False
    wanted = _units(want[1])
    if not wanted:
        return True  # nothing to check a unit against: "12,000 km" answers "12000"
    # A unit given must be one the answer names (misspelt at most); leaving it out is fine.
    return all(any(_word_slip(unit, other) for other in wanted) for unit in _units(got[1]))


def _equal(given: str, expected: str) -> bool:
    if given == expected:
        return True
    if _numbers(given) == _numbers(expected) and given.replace(" ", "") == expected.replace(
        " ", ""
    ):
        # Only word breaks differ: "anti party" for "Anti-Party", "destalinisation".
        return True
    return _same_number(given, expected)


def _alternatives(expected: str, accepted: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for text in (expected, *accepted):
        norm = normalize_answer(text)
        if norm and norm not in seen:
            seen.append(norm)
    return seen


def _word_slip(given: str, expected: str) -> bool:
    """One word misspelt: long enough to tell, same first letter, one or two edits away."""
    if given == expected:
        return True
    if _NUMBER_TOKEN.match(given) or _NUMBER_TOKEN.match(expected):
        return False
    if min(len(given), len(expected)) < SHORT_WORD_MIN or given[0] != expected[0]:
        return False
    if len(expected) == SHORT_WORD_MIN and given[-1] != expected[-1]:
        return False  # "Iraq" is not "Iran" misspelt
    allowed = 2 if len(expected) >= LONG_WORD else 1
    if abs(len(given) - len(expected)) > allowed:
        return False
    return OSA.distance(given, expected) <= allowed


def _is_near_miss(given: str, expected: str) -> bool:
    if _numbers(given) != _numbers(expected):
        # A number is either right or wrong: 4621 is not a spelling mistake for 4620.
        return False
    got, want = given.split(), expected.split()
    if len(got) != len(want):
        return False
    return all(_word_slip(g, w) for g, w in zip(got, want, strict=True))


def _grade_one(got: str, alternatives: Sequence[str]) -> TypedVerdict:
    if any(_equal(got, alt) for alt in alternatives):
        return TypedVerdict.RIGHT
    if any(_is_near_miss(got, alt) for alt in alternatives):
        return TypedVerdict.CLOSE
    return TypedVerdict.WRONG


def _same_parts(parts: Sequence[str], expected: str) -> bool:
    wanted = [normalize_answer(p) for p in _GIVEN_PARTS.split(expected) if p and p.strip()]
    return len(wanted) > 1 and sorted(parts) == sorted(w for w in wanted if w)


def grade_typed(given: str, expected: str, accepted: Iterable[str] = ()) -> TypedVerdict:
    """RIGHT when it matches the answer or an accepted alternative, CLOSE for a misspelling, else WRONG."""
    got = normalize_answer(given)
    alternatives = _alternatives(expected, accepted)
    if not got or not alternatives:
        # Nothing comparable is left (only punctuation or symbols): fall back to the folded text.
        same = bool(fold(given)) and fold(given) == fold(expected)
        return TypedVerdict.RIGHT if same else TypedVerdict.WRONG
    verdict = _grade_one(got, alternatives)
    if verdict is not TypedVerdict.WRONG:
        return verdict
    # Several parts at once ("hello, greetings"): each must be right; one slip makes it close.
    parts = [normalize_answer(p) for p in _GIVEN_PARTS.split(given) if p and p.strip()]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return verdict
    if _same_parts(parts, expected):
        return TypedVerdict.RIGHT  # a list in another order: "Latvia, Estonia, Lithuania"
    verdicts = [_grade_one(part, alternatives) for part in parts]
    if all(v is TypedVerdict.RIGHT for v in verdicts):
        return TypedVerdict.RIGHT
    if all(v is not TypedVerdict.WRONG for v in verdicts):
        return TypedVerdict.CLOSE
    return TypedVerdict.WRONG


@dataclass(frozen=True, slots=True)
class SpellingHint:
    """The answer a near miss was close to, cut into pieces that match what was typed or not."""

    pieces: tuple[tuple[str, bool], ...]  # (text, differs from what was typed)


def spelling_hint(given: str, expected: str, accepted: Iterable[str] = ()) -> SpellingHint | None:
    """Where a CLOSE answer differs from the alternative it nearly matched, letter by letter."""
    got = normalize_answer(given)
    best = next((t for t in (expected, *accepted) if _is_near_miss(got, normalize_answer(t))), None)
    if best is None:
        return None
    first_word = best.split(maxsplit=1)
    if (
        len(first_word) == 2
        and fold(first_word[0]) in ARTICLES
        and fold(given).split()[:1] != [fold(first_word[0])]
    ):
        best = first_word[1]  # "drinc" for "to drink": the "to" was fine to leave out
    typed, target = fold(given), fold(best)
    # Marks go on the answer as written when folding kept its letters in place (accents dropped),
    # else on the folded form, which is what was compared.
    shown = best if len(target) == len(best) else target
    marked = [False] * len(target)
    matcher = difflib.SequenceMatcher(None, typed, target, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # Letters typed that the answer lacks: mark the letters around where they were put.
        start, end = (j1, j2) if j1 < j2 else (max(j1 - 1, 0), min(j1 + 1, len(target)))
        for j in range(start, end):
            marked[j] = True
    pieces: list[tuple[str, bool]] = []
    for char, differs in zip(shown, marked, strict=True):
        if pieces and pieces[-1][1] == differs:
            pieces[-1] = (pieces[-1][0] + char, differs)
        else:
            pieces.append((char, differs))
    return SpellingHint(tuple(pieces))


def grade_choice(chosen_index: int, right_index: int) -> bool:
    """Whether the tapped option is the right one."""
    return chosen_index == right_index
