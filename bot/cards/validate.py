"""Rules every deck obeys, whatever format it came from."""

from __future__ import annotations

from collections.abc import Iterable

from bot.cards.model import MAX_CARDS, MAX_SIDE_CHARS, MAX_TITLE_CHARS, Card, Deck, DeckError
from bot.cards.questions import normalize_front


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
        card = Card(clean_text(raw.front), clean_text(raw.back))
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
        raise DeckError(f"{where}: more than {MAX_CARDS} cards; split the deck")
    checked = check_cards(((c, f"card {n}") for n, c in enumerate(listed, start=1)), where)
    if not checked:
        raise DeckError(f"{where}: the deck has no cards")
    return Deck(title, tuple(checked), tuple(warnings))
