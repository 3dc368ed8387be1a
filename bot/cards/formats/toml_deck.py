"""The bundled, human-editable deck format: a TOML file with a title and a list of cards."""

from __future__ import annotations

import re
import tomllib

from bot.cards.model import MAX_CARDS, Card, Deck, DeckError
from bot.cards.validate import build_deck, too_many_cards

_CARD_TABLE = re.compile(r"^[ \t]*\[\[[ \t]*cards[ \t]*\]\]", re.MULTILINE)


def parse_toml_deck(text: str, where: str = "deck.toml") -> Deck:
    """Read a TOML deck (`title = "..."` and `[[cards]]` tables with `front` and `back`)."""
    # tomllib reads a document whole: the card tables are counted before it starts.
    for number, table in enumerate(_CARD_TABLE.finditer(text), start=1):
        if number > MAX_CARDS:
            line = text.count("\n", 0, table.start()) + 1
            raise too_many_cards(where, ("line", line))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeckError.of("toml_invalid", where, detail=str(exc)) from None
    title = data.get("title")
    if not isinstance(title, str):
        raise DeckError.of("toml_no_title", where)
    raw_cards = data.get("cards")
    if not isinstance(raw_cards, list):
        raise DeckError.of("toml_no_cards", where)
    cards: list[Card] = []
    for number, entry in enumerate(raw_cards, start=1):
        if not isinstance(entry, dict):
            raise DeckError.of("toml_card_not_table", where, place="card", at=number)
        unknown = sorted(set(entry) - {"front", "back"})
        if unknown:
            raise DeckError.of(
                "toml_unknown_field", where, place="card", at=number, name=unknown[0][:80]
            )
        front, back = entry.get("front"), entry.get("back")
        for side, value in (("front", front), ("back", back)):
            if not isinstance(value, str):
                raise DeckError.of("toml_side_not_text", where, place="card", at=number, name=side)
        assert isinstance(front, str) and isinstance(back, str)
        cards.append(Card(front, back))
    return build_deck(title, cards, where=where)


def _toml_string(value: str) -> str:
    if "\n" not in value:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    escaped = value.replace("\\", "\\\\").replace('"""', '""\\"')
    return f'"""\n{escaped}"""'


def dump_toml_deck(deck: Deck) -> str:
    """Write a deck in the TOML format `parse_toml_deck` reads back unchanged."""
    parts = [f"title = {_toml_string(deck.title)}\n"]
    for card in deck.cards:
        parts.append(
            f"\n[[cards]]\nfront = {_toml_string(card.front)}\nback = {_toml_string(card.back)}\n"
        )
    return "".join(parts)
