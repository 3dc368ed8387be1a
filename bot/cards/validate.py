"""Rules every deck obeys, whatever format it came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.cards.model import (
    MAX_CARDS,
    MAX_SIDE_CHARS,
    MAX_TITLE_CHARS,
    Card,
    Deck,
    DeckError,
    normalize_front,
)


def clean_text(text: str) -> str:
    """Trim each line's trailing spaces and the whole text's blank edges; keep inner line breaks."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def check_sides(card: Card, where: str) -> None:
    """Raise a DeckError naming `where` if a side is empty or longer than the limit."""
    for side, value in (("front", card.front), ("back", card.back)):
        if not value:
            raise DeckError(f"{where}: the {side} is empty")
        if len(value) > MAX_SIDE_CHARS:
            raise DeckError(
                f"{where}: the {side} is {len(value)} characters long (at most {MAX_SIDE_CHARS})"
            )


def check_cards(cards: Iterable[tuple[Card, str]], where: str) -> list[Card]:
    """Cleaned cards; raise naming the place (e.g. "line 12") of an empty or too long side or a repeat."""
    checked: list[Card] = []
    seen: dict[str, str] = {}
    for raw, place in cards:
        if len(checked) >= MAX_CARDS:
            # Raised as soon as the card beyond the limit comes: a reader feeding cards one by
            # one stops reading there.
            raise DeckError(too_many_cards(where, place))
        card = replace(raw, front=clean_text(raw.front), back=clean_text(raw.back))
        check_sides(card, f"{where}: {place}")
        key = normalize_front(card.front)
        if key in seen:
            raise DeckError(f"{where}: {place}: the front {card.front!r} repeats {seen[key]}")
        seen[key] = place
        checked.append(card)
    return checked


def build_deck(
    title: str, cards: Iterable[Card], warnings: Iterable[str] = (), where: str = "deck"
) -> Deck:
    """A validated deck: non-empty sides within limits, unique fronts; errors name the card and field."""
    title = " ".join(title.split())
    if not title:
        raise DeckError(f"{where}: the deck has no title")
    if len(title) > MAX_TITLE_CHARS:
        raise DeckError(f"{where}: the title is longer than {MAX_TITLE_CHARS} characters")
    listed = list(cards)
    if len(listed) > MAX_CARDS:
        raise DeckError(too_many_cards(where, f"card {MAX_CARDS + 1}"))
    # PostgreSQL cannot store a NUL character in text: whatever a reader left is removed here.
    nul = title.count("\0") + sum(c.front.count("\0") + c.back.count("\0") for c in listed)
    notes = list(warnings)
    if nul:
        title = title.replace("\0", "")
        listed = [
            Card(c.front.replace("\0", ""), c.back.replace("\0", ""), c.reverse) for c in listed
        ]
        notes.append(nul_warning(nul))
    checked = check_cards(((c, f"card {n}") for n, c in enumerate(listed, start=1)), where)
    if not checked:
        raise DeckError(f"{where}: the deck has no cards")
    return Deck(title, tuple(checked), tuple(notes))


def too_many_cards(where: str, place: str) -> str:
    """The reason a deck over the card limit is refused, naming where reading stopped."""
    return (
        f"{where}: more than {MAX_CARDS:,} cards (the limit): reading stopped at {place}; "
        "split the deck"
    )


def nul_warning(count: int) -> str:
    """The warning for NUL characters removed from a deck (no database can store them in text)."""
    return f"{count:,} NUL characters (invisible, \\0) removed: they cannot be stored"


def without_nul(text: str) -> tuple[str, int]:
    """The text without NUL characters, and how many there were."""
    count = text.count("\0")
    return (text.replace("\0", ""), count) if count else (text, 0)
