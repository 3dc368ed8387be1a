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
from bot.cards.problems import Note, Problem

# A repeated front is quoted this far in the refusal.
FRONT_QUOTED_CHARS = 200


def clean_text(text: str) -> str:
    """Trim each line's trailing spaces and the whole text's blank edges; keep inner line breaks."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


# Where a card is in what it was read from: ("line", 12), ("card", 3), ("row", 5), ("note", 7).
Place = tuple[str, int]


def check_sides(card: Card, where: str, place: Place) -> None:
    """Raise a DeckError naming the file and place if a side is empty or longer than the limit."""
    for side, value in (("front", card.front), ("back", card.back)):
        if not value:
            raise DeckError.of("side_empty", where, place=place[0], at=place[1], side=side)
        if len(value) > MAX_SIDE_CHARS:
            raise DeckError.of(
                "side_too_long",
                where,
                place=place[0],
                at=place[1],
                side=side,
                length=len(value),
                limit=MAX_SIDE_CHARS,
            )


def check_cards(cards: Iterable[tuple[Card, Place]], where: str) -> list[Card]:
    """Cleaned cards; raise naming the place (e.g. line 12) of an empty or too long side or a repeat."""
    checked: list[Card] = []
    seen: dict[str, Place] = {}
    for raw, place in cards:
        if len(checked) >= MAX_CARDS:
            # Raised as soon as the card beyond the limit comes: a reader feeding cards one by
            # one stops reading there.
            raise too_many_cards(where, place)
        card = replace(raw, front=clean_text(raw.front), back=clean_text(raw.back))
        check_sides(card, where, place)
        key = normalize_front(card.front)
        if key in seen:
            first = seen[key]
            raise DeckError.of(
                "front_repeats",
                where,
                place=place[0],
                at=place[1],
                front=card.front[:FRONT_QUOTED_CHARS],
                first_place=first[0],
                first_at=first[1],
            )
        seen[key] = place
        checked.append(card)
    return checked


def build_deck(
    title: str, cards: Iterable[Card], warnings: Iterable[Problem] = (), where: str = "deck"
) -> Deck:
    """A validated deck: non-empty sides within limits, unique fronts; errors name the card and field."""
    title = " ".join(title.split())
    if not title:
        raise DeckError.of("no_title", where)
    if len(title) > MAX_TITLE_CHARS:
        raise DeckError.of("title_too_long", where, limit=MAX_TITLE_CHARS)
    listed = list(cards)
    if len(listed) > MAX_CARDS:
        raise too_many_cards(where, ("card", MAX_CARDS + 1))
    # PostgreSQL cannot store a NUL character in text: whatever a reader left is removed here.
    nul = title.count("\0") + sum(c.front.count("\0") + c.back.count("\0") for c in listed)
    notes: list[Note] = list(warnings)
    if nul:
        title = title.replace("\0", "")
        listed = [
            Card(c.front.replace("\0", ""), c.back.replace("\0", ""), c.reverse) for c in listed
        ]
        notes.append(nul_warning(nul))
    checked = check_cards(((c, ("card", n)) for n, c in enumerate(listed, start=1)), where)
    if not checked:
        raise DeckError.of("no_cards", where)
    return Deck(title, tuple(checked), tuple(notes))


def too_many_cards(where: str, place: Place) -> DeckError:
    """The refusal of a deck over the card limit, naming where reading stopped."""
    return DeckError.of("too_many_cards", where, limit=MAX_CARDS, place=place[0], at=place[1])


def nul_warning(count: int) -> Problem:
    """The warning for NUL characters removed from a deck (no database can store them in text)."""
    return Problem("nul_removed", {"count": count})


def without_nul(text: str) -> tuple[str, int]:
    """The text without NUL characters, and how many there were."""
    count = text.count("\0")
    return (text.replace("\0", ""), count) if count else (text, 0)
