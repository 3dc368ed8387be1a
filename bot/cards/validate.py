"""Rules every deck obeys, whatever format it came from."""

from __future__ import annotations

from collections.abc import Iterable

from bot.cards.model import MAX_CARDS, MAX_SIDE_CHARS, MAX_TITLE_CHARS, Card, Deck, DeckError
from bot.cards.questions import normalize_front


def clean_text(text: str) -> str:
    """Trim each line's trailing spaces and the whole text's blank edges; keep inner line breaks."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def build_deck(
    title: str, cards: Iterable[Card], warnings: Iterable[str] = (), where: str = "deck"
) -> Deck:
    """A validated deck: non-empty sides within limits, unique fronts; errors name the card and field."""
    title = " ".join(title.split())
    if not title:
        raise DeckError(f"{where}: the deck has no title")
    if len(title) > MAX_TITLE_CHARS:
        raise DeckError(f"{where}: the title is longer than {MAX_TITLE_CHARS} characters")
    checked: list[Card] = []
    fronts: dict[str, int] = {}
    for number, raw in enumerate(cards, start=1):
        if number > MAX_CARDS:
            raise DeckError(f"{where}: more than {MAX_CARDS} cards; split the deck")
        card = Card(clean_text(raw.front), clean_text(raw.back))
        for side, value in (("front", card.front), ("back", card.back)):
            if not value:
                raise DeckError(f"{where}: card {number}: the {side} is empty")
            if len(value) > MAX_SIDE_CHARS:
                raise DeckError(
                    f"{where}: card {number}: the {side} is {len(value)} characters long "
                    f"(at most {MAX_SIDE_CHARS})"
                )
        key = normalize_front(card.front)
        if key in fronts:
            raise DeckError(
                f"{where}: card {number}: the front {card.front!r} repeats card {fronts[key]}"
            )
        fronts[key] = number
        checked.append(card)
    if not checked:
        raise DeckError(f"{where}: the deck has no cards")
    return Deck(title, tuple(checked), tuple(warnings))
