"""What a card's back answers: its parts, the key part a question asks for, and what else is right.

A back is often more than its answer: "hello, greetings", "(copula) to be", "Nikita Khrushchev in
1953", "1956 - at the Twentieth Party Congress", "Sino-Vietnamese word from 食單. menu". A teacher
asks for the key part and takes any of the others. The rules, in order:

- **Parts.** The back is cut at line breaks, sentence ends, ``;``, ``,`` (not inside a number),
  ``/`` (not between digits), spaced dashes and `` or ``, before a trailing "in YEAR", and around
  brackets, whose content is a part of its own. List markers ("1.", "-") are dropped.
- **Notes** are parts that say something about the word rather than answer: grammar and usage labels
  in brackets ("copula", "Northern Vietnam, polite"), etymologies ("Sino-Vietnamese word from 食單",
  "from Chinese 聲"), explanations (a part of eight words or more), "etc.", and parts written only in
  another script than the deck's answers (the 英 of "英 (United Kingdom)" in an English-glossed
  deck). Quoted glosses inside a note ("(“to wish/to pray”)") are parts again.
- **Key.** What the question asks for: after When / What year, the first date in the back; after
  How many / How much / What percentage, the first number; after Who, the first part shaped like a
  name; otherwise the first part that is not a note. A back that is one short part is its own key.
- **Accepted.** The whole back, every part that is not a label, each quoted gloss; for a date key,
  its year alone; for a person's name, the surname alone.
- **Lists.** A front that asks for several things ("Name the three…", "List…", "What are the two…")
  needs every part: the key is the whole list and nothing less is accepted.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.grading import normalize_answer

MAX_KEY_CHARS = 60  # a key longer than this is not "the part people type"
NOTE_WORDS = 8  # a part this long explains rather than answers

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_ERA = r"(?:\s?(?:AD|BC|BCE|CE|A\.D\.|B\.C\.))"
_YEAR = rf"(?:(?:c\.|ca\.|circa)\s?)?(?:\d{{1,4}}{_ERA}|\d{{3,4}}{_ERA}?)"
YEAR_TEXT = re.compile(rf"^(?:in\s+|the\s+year\s+)?{_YEAR}$", re.IGNORECASE)
DECADE_TEXT = re.compile(r"^(?:the\s+)?\d{3}0['’]?s$", re.IGNORECASE)
DATE_TEXT = re.compile(
    rf"^(?:on\s+|in\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}|{_MONTH},?\s+{_YEAR}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH})$",
    re.IGNORECASE,
)
RANGE_TEXT = re.compile(
    rf"^(?:from\s+|between\s+)?{_YEAR}\s*(?:[-–—]|to|until|till|and)\s*(?:\d{{2}}|{_YEAR})$",
    re.IGNORECASE,
)
PERCENT_TEXT = re.compile(
    r"^(?:about\s+|around\s+|over\s+|nearly\s+)?\d+(?:[.,]\d+)?\s?(?:%|per ?cent)$", re.IGNORECASE
)
FRACTION_TEXT = re.compile(r"^\d+\s*(?:/|in|out of|:)\s*\d+$", re.IGNORECASE)
NUMBER_TEXT = re.compile(
    r"^(?:about\s+|around\s+|over\s+|nearly\s+|approximately\s+|some\s+|c\.\s?)?"
    r"(?:\d{1,3}(?:[, ]\d{3})+|\d+)(?:[.,]\d+)?"
    r"(?:\s?(?:thousand|million|billion|trillion|bn|m|k))?(?:\s+[^\W\d_][\w-]*){0,2}$",
    re.IGNORECASE,
)
_YEAR_IN_TEXT = re.compile(rf"(?<![\d,.])(?:{_YEAR})(?![\d,])", re.IGNORECASE)
_DATE_IN_TEXT = re.compile(
    rf"(?<!\w)(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{3,4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{3,4}}|{_MONTH},?\s+\d{{3,4}}|\d{{3,4}}\s*[-–—]\s*(?:\d{{4}}|\d{{2}})(?!\d)|{_YEAR})(?![\d,])",
    re.IGNORECASE,
)
_NUMBER_IN_TEXT = re.compile(
    r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"(?:\s?(?:%|per ?cent|thousand|million|billion|trillion))?(?![\w,])",
    re.IGNORECASE,
)

# Question words and what they ask for.
_ASKS = (
    (re.compile(r"^(?:in\s+)?(?:what|which)\s+(?:year|decade|century|date|month|day)\b", re.I), "date"),
    (re.compile(r"^when\b", re.I), "date"),
    (re.compile(r"^how\s+(?:many|much)\b|^what\s+(?:number|amount)\b", re.I), "number"),
    (re.compile(r"^(?:what|which)\s+(?:percentage|proportion|share|fraction)\b", re.I), "number"),
    (re.compile(r"^how\s+(?:long|old|far|big|tall|high|large)\b", re.I), "number"),
    (re.compile(r"^(?:who|whom|whose)\b", re.I), "person"),
    (re.compile(r"^where\b", re.I), "place"),
    (re.compile(r"^why\b", re.I), "reason"),
    (re.compile(r"^how\b", re.I), "manner"),
    (re.compile(r"^(?:what|which)\b", re.I), "thing"),
    (re.compile(r"^(?:define|explain|describe|outline)\b", re.I), "explanation"),
)  # fmt: skip
_LIST_FRONT = re.compile(
    r"^(?:name|list|give|state|identify)\s+(?:the\s+|all\s+|any\s+)?"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|all)\b"
    r"|^list\b"
    r"|^(?:what|which|who)\s+(?:are|were)\s+(?:the\s+)?"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.IGNORECASE,
)

# Labels that say how a word is used, not what it means.
_LABEL_WORDS = frozenset(
    {"copula", "modal", "auxiliary", "transitive", "intransitive", "reflexive", "slang"}
    | {"formal", "informal", "literary", "polite", "colloquial", "vulgar", "archaic", "dated"}
    | {"rare", "obsolete", "figuratively", "figurative", "literally", "chiefly", "especially"}
    | {"northern", "southern", "central", "dialect", "dialects", "regional", "noun", "verb"}
    | {"adjective", "adverb", "pronoun", "preposition", "conjunction", "particle", "classifier"}
    | {"plural", "singular", "masculine", "feminine", "neuter", "countable", "uncountable"}
    | {"abbreviation", "idiomatic", "humorous", "derogatory", "honorific", "only", "fixed"}
    | {"expressions", "usually", "often", "sometimes", "mostly", "also", "esp", "lit"}
    | {"n", "v", "adj", "adv", "pl", "sg", "m", "f", "sb", "sth", "someone", "something"}
)
_NOTE_START = re.compile(
    r"^(?:(?:non-)?sino-\w+\s+(?:word|reading|character)|from\s+(?:chinese|french|english|latin|"
    r"greek|german|sanskrit|arabic|japanese|portuguese|dutch|spanish|middle|old|proto)|"
    r"synonym\b|(?:generally\s+|usually\s+|often\s+)?refers\s+to|(?:often|usually|mostly|generally|"
    r"commonly|sometimes|also)\s+used\b|similar\s+to\b|and\s|alternative\s+(?:form|spelling)\s+of|abbreviation\s+of|short\s+for|"
    r"see\b|cf\.?|e\.g\.?|i\.e\.?|lit\.|literally|compare\b|plural\s+of|past\s+(?:tense|participle)\s+of|"
    r"(?:\w+\s+)?reading\s+of|used\s+(?:in|to|for|as)\b)",
    re.IGNORECASE,
)  # fmt: skip
_QUOTED_GLOSS = re.compile(r"[“\"«]([^“”\"«»]{1,60})[”\"»]")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•–—·]|\d{1,2}[.)]|[a-z][)])\s+")
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_TRAILING_DATE = re.compile(
    rf"\s+(?=(?:in|on|from|since|c\.|circa)\s+(?:{_MONTH}\s+)?\d)|\s+(?=\({_YEAR}\)$)",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(
    r"\s*;\s*|(?<!\d),|,(?!\d)|(?<!\d)/|/(?!\d)|\s[-–—]\s|\s+or\s+"
    r"|(?:(?<=[^\W\d_]{2})|(?<=[\u2e80-\u9fff\uf900-\ufaff\uac00-\ud7af]))\.\s+(?=\S)"
)
# "ice as used for consumption": the gloss is the head, the rest qualifies it.
_QUALIFIER = re.compile(
    r"^(?P<head>\S+(?:\s\S+){0,2}?)\s+(?:as|used|especially|usually|which|that|who|when|where|"
    r"whose|being|made|consisting|composed|known|called|e\.g\.)\s",
    re.IGNORECASE,
)
_FRACTION_IN_TEXT = re.compile(r"(?<![\w.,])\d+\s*(?:/|\bin\b|\bout of\b)\s*\d+(?![\w,])", re.I)
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|de|da|di|van|von|der|den|la|le|bin|ibn|al-\w+)$")
_SCRIPT_LETTER = re.compile(r"[^\W\d_]")
_NAME_JOINERS = frozenset({"of", "and", "the", "for", "on", "upon", "in", "y", "du", "des", "del"})


class AnswerKind(StrEnum):
    """What sort of thing an answer is; wrong options are always of the same sort."""

    YEAR = "year"
    DECADE = "decade"
    DATE = "date"  # a day or month with or without its year: "5 March 1953", "October 1961"
    RANGE = "range"  # years from–to: "1917-24", "1939–1945"
    PERCENT = "percent"
    FRACTION = "fraction"
    NUMBER = "number"  # a count or measure, maybe with its unit: "4,620", "12,000 km"
    NAME = "name"  # capitalised words: a person, place or title
    FORMULA = "formula"  # LaTeX or a formula
    TEXT = "text"  # a word, phrase or sentence

    @property
    def numeric(self) -> bool:
        """Whether the kind is a number, year or date (compared by value, never "close")."""
        return self not in (AnswerKind.NAME, AnswerKind.FORMULA, AnswerKind.TEXT)


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a back: its text, whether it is a note, and whether it is a usage label."""

    text: str
    note: bool = False
    label: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """What a card answers: the key part asked for, its kind, and every answer taken as right."""

    key: str
    kind: AnswerKind
    accepted: tuple[str, ...]  # besides the key itself
    parts: tuple[Part, ...]
    asks: str | None  # what the front's question word asks for: date, number, person …
    is_list: bool  # the front asks for several things: every part is needed
    targeted: bool  # the key was found by what the front asks (a date for When …)
    clean: bool  # the key is an answer, not a note standing in for a missing one

    @property
    def typeable(self) -> bool:
        """Whether the key is short enough to ask for by typing."""
        return len(self.key) <= TYPED_MAX_CHARS and len(self.key.split()) <= TYPED_MAX_WORDS


TYPED_MAX_CHARS = 40
TYPED_MAX_WORDS = 6


_WHICH_NOUN = re.compile(r"^(?:in\s+|of\s+|to\s+)?(?:what|which)\s+(?P<noun>[a-z]+)\b", re.I)
_NOT_NOUNS = frozenset(
    {"is", "was", "are", "were", "did", "does", "do", "has", "have", "had", "can", "could"}
    | {"will", "would", "should", "shall", "may", "might", "must", "of", "the", "a", "an"}
)


def asks_for(front: str) -> str | None:
    """What the front's question word asks for (date, number, person, place, …), if it has one.

    "What" and "Which" before a noun ask for that sort of thing: "thing:country" for "Which
    country…", "thing:treaty" for "Which treaty…"; before a verb just "thing".
    """
    text = re.sub(r"^[\W\d_]+", "", strip_latex(front).strip())
    for pattern, asked in _ASKS:
        if pattern.match(text):
            if asked == "thing":
                noun = _WHICH_NOUN.match(text)
                if noun and noun.group("noun").lower() not in _NOT_NOUNS:
                    return f"thing:{noun.group('noun').lower().rstrip('s')}"
            return asked
    return None


_COUNTED_PLURAL = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|[2-9])\s+(?:[\w-]+\s+)?[a-z]+s\b", re.I
)


def asks_for_list(front: str) -> bool:
    """Whether the front asks for several things ("Name the three…", "List…", "…two aims?")."""
    text = strip_latex(front).strip()
    if _LIST_FRONT.match(text):
        return True
    asks = asks_for(text)
    return (asks is None or asks.startswith("thing")) and bool(_COUNTED_PLURAL.search(text))


_LATEX_SPAN = re.compile(
    r"\[\$\$?\].*?\[/\$\$?\]|\[latex\].*?\[/latex\]|\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$|\$[^$\n]+\$",
    re.DOTALL | re.IGNORECASE,
)
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\*?|\\.")


def latex_spans(text: str) -> list[tuple[int, int]]:
    """Where the text has LaTeX ([$]…[/$], [latex]…, \\(…\\), $…$): no blank or mask goes there."""
    return [m.span() for m in _LATEX_SPAN.finditer(text)]


def strip_latex(text: str) -> str:
    """The text with LaTeX markers and commands removed, braces dropped: words to compare by."""
    text = re.sub(r"\[/?\$\$?\]|\[/?latex\]|\\[()\[\]]", " ", text, flags=re.IGNORECASE)
    text = _LATEX_COMMAND.sub(" ", text)
    return " ".join(re.sub(r"[{}^_$]", " ", text).split())


def has_latex(text: str) -> bool:
    """Whether the text carries LaTeX."""
    return bool(_LATEX_SPAN.search(text)) or bool(re.search(r"\\[a-zA-Z]{2,}\{", text))


def script_of(text: str) -> str | None:
    """The writing system most of the text's letters belong to (LATIN, CJK, CYRILLIC …)."""
    counts: Counter[str] = Counter()
    for char in _SCRIPT_LETTER.findall(text):
        name = unicodedata.name(char, "")
        if name.startswith("CJK") or "HIRAGANA" in name or "KATAKANA" in name:
            counts["CJK"] += 1
        elif name:
            counts[name.split()[0]] += 1
    return counts.most_common(1)[0][0] if counts else None


def kind_of(text: str) -> AnswerKind:
    """What sort of answer a text is, from its shape alone."""
    plain = text.strip().rstrip(".").strip()
    if has_latex(plain):
        return AnswerKind.FORMULA
    checks = (
        (YEAR_TEXT, AnswerKind.YEAR),
        (DECADE_TEXT, AnswerKind.DECADE),
        (RANGE_TEXT, AnswerKind.RANGE),
        (DATE_TEXT, AnswerKind.DATE),
        (PERCENT_TEXT, AnswerKind.PERCENT),
        (FRACTION_TEXT, AnswerKind.FRACTION),
        (NUMBER_TEXT, AnswerKind.NUMBER),
    )
    for pattern, kind in checks:
        if pattern.match(plain):
            if kind is AnswerKind.YEAR and not _plausible_year(plain):
                return AnswerKind.NUMBER
            return kind
    if looks_like_name(plain):
        return AnswerKind.NAME
    return AnswerKind.TEXT


def _plausible_year(text: str) -> bool:
    digits = re.search(r"\d+", text)
    if digits is None:
        return False
    if re.search(r"BC|AD|CE|circa|c\.", text, re.IGNORECASE) or text.lower().startswith("in "):
        return True
    return 1000 <= int(digits.group(0)) <= 2099


def looks_like_name(text: str) -> bool:
    """Capitalised words (a person, place or title): "Nikita Khrushchev", "Canberra", "USSR"."""
    words = text.split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]  # "the Soviet Union"
    if not 1 <= len(words) <= 5 or not words[0][:1].isupper() or len(text) < 2:
        return False
    if any(ch.isdigit() for ch in text) or text.endswith(("?", "!")):
        return False
    # Lower-case joining words inside a name: "Treaty of Versailles", "Bay of Pigs".
    return all(
        _NAME_WORD.match(word) or (i > 0 and word in _NAME_JOINERS) for i, word in enumerate(words)
    ) and bool(_NAME_WORD.match(words[-1]))


def _is_label(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.casefold())
    return (
        bool(words) and len(words) <= 6 and sum(w in _LABEL_WORDS for w in words) * 2 >= len(words)
    )


_ENCLOSING_QUOTE = re.compile(r"(?<!\w)[‘“\"'«]|[’”\"'»](?!\w)")


def _clean(part: str) -> str:
    part = _LIST_MARKER.sub("", part).strip()
    part = _ENCLOSING_QUOTE.sub("", part)  # "the ‘cult of personality’" (not "Stalin’s")
    return part.strip(" .:;,!–—-").strip()


# A unit after a number holds a slash that does not separate: "343 m/s", "100 km/h".
_UNIT_SLASH = re.compile(r"(?<=\d)(\s?[^\W\d_]{1,3})/([^\W\d_]{1,3})\b")
_DIVISION = "∕"


def _cut(text: str) -> list[str]:
    pieces: list[str] = []
    for raw in text.splitlines():
        line = _LIST_MARKER.sub("", raw).strip()
        if not line:
            continue
        line = _UNIT_SLASH.sub(rf"\1{_DIVISION}\2", line)
        for piece in _SEPARATORS.split(line):
            pieces.extend(_split_trailing_date(piece))
    return [p.replace(_DIVISION, "/") for p in (_clean(piece) for piece in pieces) if p]


_SENTENCE_BREAK = re.compile(
    r"(?:(?<=[^\W\d_]{2})|(?<=[\u2e80-\u9fff\uf900-\ufaff\uac00-\ud7af)]))\.\s+(?=\S)"
)
# One-word alternatives inside a phrase: "a postsecondary/undergraduate student".
_SLASHED = re.compile(r"(?<!\d )(?<![\w/])([^\W\d_]+)/([^\W\d_]+)(?![\w/])")


def _split_trailing_date(piece: str) -> list[str]:
    """ "Nikita Khrushchev in 1953" → the name and its date; a sentence stays whole."""
    cut = _TRAILING_DATE.split(piece, maxsplit=1)
    if len(cut) == 2 and (looks_like_name(cut[0].strip()) or len(cut[0].split()) <= 2):
        return cut
    return [piece]


def split_parts(back: str, answer_script: str | None = None) -> list[Part]:
    """The parts of a back, in order, each marked as a note or a label where it is one.

    With `answer_script`, a bracket right after a part in that script qualifies it ("to obey
    (other's words)") and is a note no answer needs; after a part in another script it glosses
    it ("英 (United Kingdom)").
    """
    parts: list[Part] = []
    for line in back.splitlines():
        for sentence in _SENTENCE_BREAK.split(line.strip()):
            if sentence:
                parts.extend(_sentence_parts(sentence, answer_script))
    return parts


def _sentence_parts(sentence: str, answer_script: str | None) -> list[Part]:
    parts: list[Part] = []
    composition = False  # after "composed of": glosses of the pieces, not of the word
    position = 0
    for match in _BRACKETS.finditer(sentence):
        before = sentence[position : match.start()]
        plain = _plain_parts(before, composition)
        composition = composition or any(_COMPOSITION.match(p.text) for p in plain)
        parts.extend(plain)
        inner = match.group(1) if match.group(1) is not None else match.group(2) or ""
        # After an answer in the deck's own script, a bracket qualifies it ("water (feminine)");
        # after a note or a word in another script it glosses it ("英 (United Kingdom)").
        last = plain[-1] if plain else None
        last_script = script_of(last.text) if last is not None else None
        qualifies = (
            last is not None
            and not last.note
            and (answer_script is None or last_script in (None, answer_script))
        )
        parts.extend(_bracket_parts(inner, composition, qualifies=qualifies))
        position = match.end()
    parts.extend(_plain_parts(sentence[position:], composition))
    return parts


def _bracket_parts(inner: str, composition: bool, qualifies: bool) -> list[Part]:
    glosses = _QUOTED_GLOSS.findall(inner)
    if glosses:
        return [
            Part(text, note=composition or qualifies, label=qualifies)
            for gloss in glosses
            for text in _cut(gloss)
        ]
    return [Part(text, note=True, label=qualifies or _is_label(text)) for text in _cut(inner)]


_COMPOSITION = re.compile(r"^(?:composed|made up|formed)\s+(?:of|from)\b", re.IGNORECASE)


def _plain_parts(text: str, composition: bool = False) -> list[Part]:
    found: list[Part] = []
    for piece in _cut(_SLASHED.sub(_first_of_slash, text)):
        glosses = _QUOTED_GLOSS.findall(piece)
        if piece.lower().rstrip(".") in ("etc", "e.g", "i.e", "and so on"):
            found.append(Part(piece, note=True, label=True))
            continue
        if composition or _NOTE_START.match(piece) or _COMPOSITION.match(piece):
            found.append(Part(piece, note=True))
            found.extend(Part(t, note=composition) for gloss in glosses for t in _cut(gloss))
            continue
        qualified = _QUALIFIER.match(piece)
        if qualified and len(piece.split()) >= 4:
            # "ice as used for consumption": the head answers, the rest qualifies it.
            found.append(Part(qualified.group("head")))
            found.append(Part(piece, note=True))
            continue
        words = len(piece.split())
        note = words >= NOTE_WORDS
        single_label = words == 1 and piece.casefold() in _LABEL_WORDS
        found.append(Part(piece, note=note, label=single_label))
    for alternative in _SLASHED.finditer(text):
        # The other one-word alternative, in its phrase: "an undergraduate student".
        phrase = text[: alternative.start()] + alternative.group(2) + text[alternative.end() :]
        found.extend(Part(piece) for piece in _cut(phrase) if alternative.group(2) in piece)
    return found


def _first_of_slash(match: re.Match[str]) -> str:
    return match.group(1)


def is_note(text: str) -> bool:
    """Whether a text opens like a note about a word (an etymology, a cross-reference …)."""
    return bool(_NOTE_START.match(text.strip()) or _COMPOSITION.match(text.strip()))


def _answers(part: Part) -> bool:
    """Whether a part may be typed as an answer: no label, no etymology or explanation."""
    if part.label:
        return False
    explains = len(part.text.split()) >= NOTE_WORDS or bool(
        _NOTE_START.match(part.text) or _COMPOSITION.match(part.text)
    )
    return not (part.note and explains)


def _first(parts: Iterable[Part], test: object = None) -> Part | None:
    for part in parts:
        if test is None or (callable(test) and test(part)):
            return part
    return None


def _date_in(text: str) -> str | None:
    match = _DATE_IN_TEXT.search(text)
    return match.group(0).strip() if match else None


def _number_in(text: str) -> str | None:
    match = _FRACTION_IN_TEXT.search(text) or _NUMBER_IN_TEXT.search(text)
    return match.group(0).strip() if match else None


def _year_of(text: str) -> str | None:
    match = re.search(r"(?<!\d)\d{3,4}(?!\d)", text)
    return match.group(0) if match else None


def _surname(name: str) -> str | None:
    words = name.split()
    if len(words) < 2 or not all(_NAME_WORD.match(w) for w in words):
        return None
    last = words[-1]
    if last.endswith(".") or len(last) < 3 or last.lower() in ("jr", "sr", "ii", "iii"):
        return None
    return last


def analyse(front: str, back: str, answer_script: str | None = None) -> Answer:
    """The key part of `back` as an answer to `front`, its kind, and the alternatives accepted.

    `answer_script` is the writing system most of the deck's answers use; a part written only in
    another script is a note (the characters beside a gloss), unless nothing else is left.
    """
    parts = split_parts(back, answer_script)
    asks = asks_for(front)
    listed = asks_for_list(front)
    whole = " ".join(back.split())

    def foreign(part: Part) -> bool:
        script = script_of(part.text)
        return answer_script is not None and script is not None and script != answer_script

    answers = [p for p in parts if not p.note and not p.label and not foreign(p)]
    clean = bool(answers)
    # "một, hai, ba" → "1, 2, 3": a front listing several words wants each of them.
    listed = listed or (len(answers) > 1 and len(_cut(front)) == len(answers) and "," in front)
    if not answers:
        answers = [p for p in parts if not p.label and not foreign(p)] or [
            p for p in parts if not p.label
        ]

    key: str | None = None
    if listed and len(answers) > 1:
        key = whole
    elif asks == "date":
        key = _numeric_part(answers, (AnswerKind.DATE, AnswerKind.YEAR, AnswerKind.RANGE))
        key = key or _first_match(answers, parts, _date_in)
    elif asks == "number":
        key = _numeric_part(answers, (AnswerKind.NUMBER, AnswerKind.PERCENT, AnswerKind.FRACTION))
        key = key or _first_match(answers, parts, _number_in)
    elif asks == "person":
        name = _first(answers, lambda p: looks_like_name(p.text))
        key = name.text if name else None
    targeted = key is not None
    if key is None:
        first = answers[0] if answers else None
        key = first.text if first is not None else whole
    if len(parts) <= 1 and len(whole) <= MAX_KEY_CHARS and not asks:
        key = whole.rstrip(".") if whole.endswith(".") and whole.count(".") == 1 else whole
    kind = AnswerKind.FORMULA if has_latex(back) else kind_of(key)
    if kind.numeric:
        key = _APPROXIMATELY.sub("", key)  # "about 8 billion" asks "8 billion"
    if kind is AnswerKind.FORMULA:
        clean = False  # a formula cut at its commas is no answer to type or pick
    accepted: list[str] = []
    if not listed:
        accepted.extend(_short_forms(key, kind, asks))
        # Other parts of the back, of the key's sort: a date does not answer "Who…?".
        accepted.extend(
            p.text
            for p in parts
            if _answers(p) and p.text != key and kind_of(p.text).numeric == kind.numeric
        )
        for part in parts:
            accepted.extend(
                g for g in _QUOTED_GLOSS.findall(part.text) if kind_of(g).numeric == kind.numeric
            )
    accepted.append(whole)
    return Answer(
        key=key,
        kind=kind,
        accepted=_unique(accepted, key),
        parts=tuple(parts),
        asks=asks,
        is_list=listed and len(answers) > 1,
        targeted=targeted,
        clean=(clean or targeted) and kind is not AnswerKind.FORMULA,
    )


_NAMED_THING = re.compile(
    r"^(?:the\s+)?(?:treaty|battle|siege|congress|peace|council|edict|act|declaration|"
    r"conference|revolution|war|republic|kingdom|empire|duchy|bay|gulf|cape|lake|river|isle|"
    r"island|city|university)\s+of\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_INITIAL = re.compile(r"^[A-Z]\.?$")


def _short_forms(key: str, kind: AnswerKind, asks: str | None) -> list[str]:
    """What a teacher takes for the key: the year of a date, a surname, the name in "Treaty of X"."""
    forms: list[str] = []
    if kind is AnswerKind.DATE:
        year = _year_of(key)
        if year and year != key:
            forms.append(year)  # "1953" answers "When did Stalin die?" as well as "5 March 1953"
        day_dropped = re.sub(
            r"^\d{1,2}(?:st|nd|rd|th)?\s+|(?<=[a-z])\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?=\d{3,4})",
            " ",
            key,
            flags=re.I,
        ).strip()
        if day_dropped != key and _year_of(day_dropped):
            forms.append(day_dropped)  # "March 1953" for "5 March 1953"
    if kind is AnswerKind.NAME:
        named = _NAMED_THING.match(key)
        if named:
            forms.append(named.group("name"))  # "Versailles" for "the Treaty of Versailles"
        if asks == "person":
            surname = _surname(key)
            if surname:
                forms.append(surname)
            words = key.split()
            if len(words) >= 3 and all(_INITIAL.match(w) for w in words[1:-1]):
                forms.append(f"{words[0]} {words[-1]}")  # "John Kennedy" for "John F. Kennedy"
    return forms


_APPROXIMATELY = re.compile(
    r"^(?:about|around|approximately|approx\.?|roughly|some|nearly|almost|c\.|ca\.|circa|in|on|"
    r"by|since|the\s+year)\s+",
    re.IGNORECASE,
)


def _numeric_part(answers: Sequence[Part], kinds: Sequence[AnswerKind]) -> str | None:
    """The first part that is wholly a number or date of one of `kinds` ("872 days", "44%").

    "About", "in" and the like are dropped: the number is the fact ("about 8 billion", "in 1957").
    """
    for part in answers:
        if kind_of(part.text) in kinds:
            return _APPROXIMATELY.sub("", part.text)
    return None


def _first_match(answers: Sequence[Part], parts: Sequence[Part], find: object) -> str | None:
    assert callable(find)
    for group in (answers, parts):
        for part in group:
            found = find(part.text)
            if found:
                return str(found)
    return None


def _unique(texts: Iterable[str], key: str) -> tuple[str, ...]:
    seen = {normalize_answer(key)}
    kept: list[str] = []
    for text in texts:
        norm = normalize_answer(text)
        if norm and norm not in seen:
            seen.add(norm)
            kept.append(text)
    return tuple(kept)


def deck_answer_script(backs: Iterable[str]) -> str | None:
    """The writing system most of a deck's backs are written in (its answers' language)."""
    counts: Counter[str] = Counter()
    for back in backs:
        script = script_of(back)
        if script is not None:
            counts[script] += 1
    return counts.most_common(1)[0][0] if counts else None
