"""Per-card checks that name the source location (line, row, note) before `build_deck` runs.

`build_deck` enforces the same limits but can only say "card 7"; a user fixing a file needs the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.cards.model import MAX_SIDE_CHARS, Card, DeckError
from bot.cards.questions import normalize_front
from bot.cards.validate import clean_text


def check_cards(cards: Iterable[tuple[Card, str]], where: str) -> list[Card]:
    """Cleaned cards; raise naming the place (e.g. "line 12") of an empty or too long side or a repeat."""
    checked: list[Card] = []
    seen: dict[str, str] = {}
    for raw, place in cards:
        card = Card(clean_text(raw.front), clean_text(raw.back))
        check_sides(card, f"{where}: {place}")
        key = normalize_front(card.front)
        if key in seen:
            raise DeckError(f"{where}: {place}: the front {card.front!r} repeats {seen[key]}")
        seen[key] = place
        checked.append(card)
    return checked


def check_sides(card: Card, where: str) -> None:
    """Raise a DeckError naming `where` if a side is empty or longer than the limit."""
    for side, value in (("front", card.front), ("back", card.back)):
        if not value:
            raise DeckError(f"{where}: the {side} is empty")
        if len(value) > MAX_SIDE_CHARS:
            raise DeckError(
                f"{where}: the {side} is {len(value)} characters long (at most {MAX_SIDE_CHARS})"
            )


def title_from_filename(filename: str, fallback: str = "Imported deck") -> str:
    """A readable deck title from a file name: `spanish_verbs.csv` → `spanish verbs`."""
    stem = Path(filename.replace("\\", "/")).stem
    title = " ".join(stem.replace("_", " ").split())
    return title or fallback
