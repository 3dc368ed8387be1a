"""Pasted flashcard text: a "... Flashcards" title, an optional "(N cards)" line, then the cards.

Cards come either in an explicit form people type (`Q:`/`A:` prefixes, `front<TAB>back` or
`front :: back` lines, blank lines between cards) or as copied from a flashcard website: a front
line followed by its back lines with nothing marking where the next card starts. That last form
is split by `text_split.best_split` (line scores plus an exact search).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.cards.formats.text_split import Line, margins, read_split
from bot.cards.model import MAX_CARDS, Card, Deck, DeckError
from bot.cards.problems import Problem, Value
from bot.cards.validate import (
    Place,
    build_deck,
    check_cards,
    nul_warning,
    too_many_cards,
    without_nul,
)

DEFAULT_TITLE = "Pasted flashcards"
# A line whose other reading is worth less than this (in the splitter's log-odds units, about 7
# to 1) is a guess, and the card it decides is named in a warning.
GUESS_MARGIN = 2.0
# A text of this many lines that cannot be read was surely meant as flashcards.
MANY_LINES = 3
FRONT_SHOWN_CHARS = 40
# An unmarked text is split as a whole; at most this many filled lines are searched (about eight
# a card at the card limit; the search takes about 0.1 ms a line).
MAX_SPLIT_LINES = 8 * MAX_CARDS

_TITLE_SUFFIX = re.compile(r"[\s\-–—|:]*\bflash\s?cards?\s*$", re.IGNORECASE)
_COUNT_LINE = re.compile(
    r"^\(?\s*(\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d+)\s+(?:flash\s?)?(?:cards?|terms?)\s*\)?$",
    re.IGNORECASE,
)
_QA = re.compile(r"^\s*(q|question|a|answer)\s*[:：]\s?(.*)$", re.IGNORECASE)
# "Q: Capital of Italy? A: Rome" on one line (also with " / " or " | " before the A:). The answer
# marker must be a capital "A:" or "Answer:" after a space, so that "a:" inside a question stays.
_QA_ONE_LINE = re.compile(
    r"^(\s*(?i:q|question)\s*[:：].*?)(?:\s+|\s*[/|]\s*)((?:A|Answer|ANSWER)\s*[:：].*)$"
)
_DOUBLE_COLON = re.compile(r"(?<!\{\{c\d)(?<!\{\{c\d\d)::")

Placed = tuple[Card, Place]


@dataclass(frozen=True, slots=True)
class _Source:
    """The paste cut into its parts: title, announced count and the numbered body lines."""

    title: str | None
    expected: int | None
    body: list[tuple[int, str]]  # (1-based line number, text); blank lines kept as ""


@dataclass(frozen=True, slots=True)
class TextDeck:
    """A deck read from text, and whether its cards were marked out explicitly.

    Explicit means `Q:`/`A:` lines, `front<TAB>back` or `front :: back`: each card says where it
    starts and ends, so even a single one is surely meant as a card.
    """

    deck: Deck
    explicit: bool


def parse_flashcard_text(
    text: str, where: str = "pasted text", default_title: str = DEFAULT_TITLE
) -> Deck:
    """Read pasted flashcards; the title defaults to `default_title` when the paste has none."""
    return read_flashcard_text(text, where, default_title).deck


def looks_like_flashcards(text: str) -> bool:
    """Whether a text looks meant as flashcards (several lines, or a card or title marker).

    Decides whether a text that could not be read deserves a reason rather than a shrug.
    """
    filled = [line.strip() for line in text.splitlines() if line.strip()]
    return len(filled) >= MANY_LINES or any(
        _QA.match(line)
        or "\t" in line
        or _DOUBLE_COLON.search(line)
        or _TITLE_SUFFIX.search(line)
        or _COUNT_LINE.match(line)
        for line in filled
    )


def read_flashcard_text(
    text: str, where: str = "pasted text", default_title: str = DEFAULT_TITLE
) -> TextDeck:
    """Read pasted flashcards, telling whether they came in an explicit form."""
    # PostgreSQL cannot store a NUL character: they go, and the preview says so.
    text, nul = without_nul(text)
    source = _read_source(text, where)
    title = source.title
    body = source.body
    found = _explicit_cards(body, where)
    if found is None and title is None:
        # Without a "Flashcards" title line the first line may still be a title above an
        # explicit form ("Spanish verbs" above tab-separated lines).
        first = next(i for i, (_, line) in enumerate(body) if line)
        found = _explicit_cards(body[first + 1 :], where)
        if found is not None:
            title = body[first][1]
    warnings: list[Problem] = [nul_warning(nul)] if nul else []
    if found is not None:
        placed, explicit = found
    else:
        placed, explicit = _split_cards(body, source.expected, warnings, where), False
    if source.expected is not None and len(placed) != source.expected:
        got = len(placed)
        if got < source.expected:
            warnings.append(Problem("paste_cut_short", {"expected": source.expected, "got": got}))
        else:
            warnings.append(
                Problem("paste_count_differs", {"expected": source.expected, "got": got})
            )
    cards = check_cards(placed, where)
    return TextDeck(build_deck(title or default_title, cards, warnings, where=where), explicit)


def _read_source(text: str, where: str) -> _Source:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = [(n, line.rstrip()) for n, line in enumerate(lines, start=1)]
    numbered = [(n, line if line.strip() else "") for n, line in numbered]
    filled = [i for i, (_, line) in enumerate(numbered) if line]
    if not filled:
        raise DeckError.of("text_empty", where)
    first = filled[0]
    head = numbered[first][1].strip()
    second = numbered[filled[1]][1].strip() if len(filled) > 1 else ""
    count_match = _COUNT_LINE.match(second)
    title: str | None = None
    expected: int | None = None
    start = first
    if _COUNT_LINE.match(head):
        expected, start = _count(head), first + 1
    elif _TITLE_SUFFIX.search(head) or count_match:
        title = _TITLE_SUFFIX.sub("", head).strip() or None
        start = first + 1
        if count_match:
            expected, start = _count(second), filled[1] + 1
    body = numbered[start:]
    if not any(line for _, line in body):
        raise DeckError.of("title_without_cards", where, place="line", at=numbered[first][0])
    return _Source(title, expected, body)


def _count(line: str) -> int | None:
    match = _COUNT_LINE.match(line)
    assert match is not None
    value = int(re.sub(r"\D", "", match.group(1)))
    return value or None


def _explicit_cards(
    body: Sequence[tuple[int, str]], where: str
) -> tuple[list[Placed], bool] | None:
    """The cards of an explicit form and whether they are marked (Q:/A:, tab, ::) rather than
    set apart by blank lines; None if the body is in no such form; DeckError if it is but broken."""
    filled = [(n, line) for n, line in body if line]
    if not filled:
        return None
    if _qa_side(filled[0][1]) == "q":
        return _qa_cards(filled, where), True
    if all("\t" in line for _, line in filled):
        return _pair_cards(filled, where, "\t", "front<TAB>back"), True
    if all(_DOUBLE_COLON.search(line) for _, line in filled):
        return _pair_cards(filled, where, "::", "front :: back"), True
    blocks = _block_cards(body)
    return None if blocks is None else (blocks, False)


def _qa_side(line: str) -> str | None:
    match = _QA.match(line)
    return match.group(1)[0].lower() if match else None


def _qa_cards(filled: Sequence[tuple[int, str]], where: str) -> list[Placed]:
    filled = [part for numbered in filled for part in _qa_parts(*numbered)]
    cards: list[Placed] = []
    front: list[str] = []
    back: list[str] = []
    side: list[str] | None = None
    start = 0

    def close() -> None:
        if not back:
            raise DeckError.of("q_without_a", where, place="line", at=start)
        if len(cards) >= MAX_CARDS:
            raise too_many_cards(where, ("line", start))
        cards.append((Card("\n".join(front), "\n".join(back)), ("line", start)))

    for number, line in filled:
        match = _QA.match(line)
        if match and match.group(1)[0].lower() == "q":
            if side is not None:
                close()
            front, back, start = [match.group(2)], [], number
            side = front
        elif match:
            if side is not front:
                raise DeckError.of("a_without_q", where, place="line", at=number)
            back = [match.group(2)]
            side = back
        else:
            assert side is not None  # the first filled line is a Q: line
            side.append(line.strip())
    close()
    return cards


def _qa_parts(number: int, line: str) -> list[tuple[int, str]]:
    """A question and its answer on one line become two lines (of the same number)."""
    match = _QA_ONE_LINE.match(line)
    return [(number, match[1]), (number, match[2])] if match else [(number, line)]


def _pair_cards(
    filled: Sequence[tuple[int, str]], where: str, separator: str, shape: str
) -> list[Placed]:
    cards: list[Placed] = []
    for number, line in filled:
        if len(cards) >= MAX_CARDS:
            raise too_many_cards(where, ("line", number))
        if separator == "::":
            parts = _DOUBLE_COLON.split(line, maxsplit=1)
        else:
            parts = line.split(separator)
            while len(parts) > 2 and not parts[-1].strip():
                parts.pop()
            if len(parts) != 2:
                raise DeckError.of(
                    "wrong_line_fields",
                    where,
                    place="line",
                    at=number,
                    shape=shape,
                    found=len(parts),
                )
        cards.append((Card(parts[0].strip(), parts[1].strip()), ("line", number)))
    return cards


def _block_cards(body: Sequence[tuple[int, str]]) -> list[Placed] | None:
    """Cards separated by blank lines: each block is front + back lines (or blocks alternate)."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in body:
        if line:
            blocks[-1].append((number, line.strip()))
        elif blocks[-1]:
            blocks.append([])
    blocks = [block for block in blocks if block]
    if len(blocks) < 2:
        return None
    if all(len(block) >= 2 for block in blocks):
        return [
            (Card(block[0][1], "\n".join(text for _, text in block[1:])), ("line", block[0][0]))
            for block in blocks
        ]
    if all(len(block) == 1 for block in blocks) and len(blocks) % 2 == 0:
        return [
            (Card(blocks[i][0][1], blocks[i + 1][0][1]), ("line", blocks[i][0][0]))
            for i in range(0, len(blocks), 2)
        ]
    return None


def _split_cards(
    body: Sequence[tuple[int, str]], expected: int | None, warnings: list[Problem], where: str
) -> list[Placed]:
    lines: list[Line] = []
    after_blank = False
    for number, text in body:
        if not text:
            after_blank = bool(lines)
            continue
        if len(lines) >= MAX_SPLIT_LINES:
            # The split searches the whole text at once: its size is bounded before it starts.
            raise DeckError.of(
                "too_many_lines",
                where,
                place="line",
                at=number,
                limit=MAX_SPLIT_LINES,
                cards=MAX_CARDS,
            )
        stripped = text.lstrip()
        lines.append(Line(stripped, number, after_blank, len(text) - len(stripped)))
        after_blank = False
    reading = read_split(lines, expected)
    split = reading.split
    stop = len(lines) - 1 if split.dangling else len(lines)
    ends = [*split.fronts[1:], stop][: len(split.fronts)]
    cards: list[Placed] = []
    for start, end in zip(split.fronts, ends, strict=True):
        back = "\n".join(" " * ln.indent + ln.text for ln in lines[start + 1 : end])
        cards.append((Card(lines[start].text, back), ("line", lines[start].number)))
    unsure = [m < GUESS_MARGIN for m in margins(reading.scores, split, expected)]
    warnings += _guesses(lines, split.fronts, ends, unsure)
    if split.dangling:
        last = lines[-1]
        warnings.append(
            Problem(
                "last_line_no_back", {"place": "line", "at": last.number, "text": _clip(last.text)}
            )
        )
    return cards


def _guesses(
    lines: Sequence[Line], fronts: Sequence[int], ends: Sequence[int], unsure: Sequence[bool]
) -> list[Problem]:
    """One warning per card whose split was a guess, naming the card and the line in doubt."""
    found: list[Problem] = []
    for number, (start, end) in enumerate(zip(fronts, ends, strict=True), start=1):
        front = lines[start]
        card: dict[str, Value] = {
            "card": number,
            "line": front.number,
            "text": _clip(front.text, FRONT_SHOWN_CHARS),
        }
        if unsure[start]:
            found.append(Problem("guessed_new_card", card))
            continue
        # A back line in doubt right before the next card's front in doubt is the same question
        # (which of the two starts that card), asked there.
        doubtful = [
            i
            for i in range(start + 1, end)
            if unsure[i] and not (i + 1 == end < len(unsure) and unsure[end])
        ]
        if doubtful:
            line = lines[doubtful[0]]
            found.append(
                Problem(
                    "guessed_back_line",
                    {
                        **card,
                        "doubt_line": line.number,
                        "doubt_text": _clip(line.text, FRONT_SHOWN_CHARS),
                    },
                )
            )
    return found


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
