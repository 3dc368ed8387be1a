"""The labelled set of pasted decks in tests/fixtures/pastes/: each paste and the split it should get.

Each `NAME.txt` is a paste as copied from a flashcard website; `NAME.json` beside it records the
expected title, the exact front lines in order (each card's back is every line up to the next
front), the lines that must be dropped (a last front whose back was cut off), the exact warnings,
and the fronts of the cards the parser is known to misread (each must be named by a guess
warning). The unit test and `bench/bench_paste_split.py` both read the set through this module.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.cards.formats.text import parse_flashcard_text
from bot.cards.model import Card, Deck

PASTES = Path(__file__).resolve().parent / "fixtures" / "pastes"
_COUNT_LINE = re.compile(r"^\(\d[\d,]* cards\)$")


@dataclass(frozen=True, slots=True)
class LabelledPaste:
    """One paste of the set and what reading it must give."""

    name: str
    text: str
    title: str
    cards: tuple[Card, ...]
    warnings: tuple[str, ...]
    misread: tuple[str, ...]  # fronts of the expected cards the parser gets wrong


def expected_cards(text: str, fronts: list[str], skipped: list[str]) -> tuple[Card, ...]:
    """The cards a careful reader cuts from the paste's body at `fronts`, leaving out `skipped`."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    body = [line for line in lines[1:] if not _COUNT_LINE.match(line)]
    cards: list[tuple[str, list[str]]] = []
    for line in body:
        if line in skipped:
            continue
        if len(cards) < len(fronts) and line == fronts[len(cards)]:
            cards.append((line, []))
        else:
            cards[-1][1].append(line)
    assert [front for front, _ in cards] == fronts, "a front is missing from the paste"
    return tuple(Card(front, "\n".join(back)) for front, back in cards)


def labelled_pastes(folder: Path = PASTES) -> list[LabelledPaste]:
    """Every paste of the set (or of another folder laid out alike), by name."""
    found: list[LabelledPaste] = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        label = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        cards = expected_cards(text, label["fronts"], label.get("skipped", []))
        found.append(
            LabelledPaste(
                path.stem,
                text,
                label["title"],
                cards,
                tuple(label["warnings"]),
                tuple(label.get("misread", [])),
            )
        )
    return found


def cards_right(paste: LabelledPaste, deck: Deck) -> int:
    """How many of the expected cards the deck has exactly (front and back)."""
    return sum((Counter(paste.cards) & Counter(deck.cards)).values())


def misread(paste: LabelledPaste, deck: Deck) -> list[str]:
    """The fronts of the expected cards the deck does not have exactly."""
    return [card.front for card in paste.cards if card not in deck.cards]


def read(paste: LabelledPaste) -> Deck:
    """The deck the parser reads from the paste."""
    return parse_flashcard_text(paste.text)
