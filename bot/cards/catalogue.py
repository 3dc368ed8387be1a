"""The starter catalogue: the bundled decks a user may add to their own (data/decks/catalogue/).

Each file is a TOML deck (bot.cards.formats.toml_deck) with three more fields at the top, read
here: `subject`, `source` and `licence`. scripts/build_catalogue.py writes them; the files, not the
packages they come from, are what the bot reads.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.cards.formats.toml_deck import parse_toml_deck
from bot.cards.model import Deck

# A mark per subject, so the catalogue's buttons read as groups (subjects as the decks name them).
SUBJECT_MARKS = {"Geography": "🌍", "Languages": "🗣", "Maths": "🔢", "Science": "🧪"}
OTHER_MARK = "📚"
MAX_SLUG_CHARS = 40  # a slug rides in callback data (bot.views.callbacks.MenuTap's argument)


def catalogue_folder() -> Path:
    """The catalogue's folder: `bot/decks/catalogue/` once installed, `data/decks/catalogue/` in a
    checkout (as bot.services.container.bundled_decks_folder finds the bundled decks)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "decks" / "catalogue"
    return installed if installed.is_dir() else package.parent / "data" / "decks" / "catalogue"


@dataclass(frozen=True, slots=True)
class CatalogueDeck:
    """One deck of the catalogue: what the catalogue shows of it, and its cards."""

    slug: str
    title: str
    subject: str
    source: str
    licence: str
    deck: Deck

    @property
    def mark(self) -> str:
        """The emoji of the deck's subject."""
        return SUBJECT_MARKS.get(self.subject, OTHER_MARK)

    @property
    def cards(self) -> int:
        """How many cards the deck has."""
        return len(self.deck.cards)


def read_catalogue_deck(path: Path) -> CatalogueDeck:
    """One catalogue file, its header fields and its cards."""
    text = path.read_text(encoding="utf-8")
    fields = tomllib.loads(text)
    deck = parse_toml_deck(text, where=path.name)
    return CatalogueDeck(
        slug=path.stem,
        title=deck.title,
        subject=str(fields.get("subject", "")),
        source=str(fields.get("source", "")),
        licence=str(fields.get("licence", "")),
        deck=deck,
    )


@cache
def catalogue_decks(folder: Path | None = None) -> tuple[CatalogueDeck, ...]:
    """Every catalogue deck, by subject then title (read once: the files ship with the bot)."""
    where = folder or catalogue_folder()
    decks = [read_catalogue_deck(path) for path in sorted(where.glob("*.toml"))]
    usable = [d for d in decks if len(d.slug) <= MAX_SLUG_CHARS]
    return tuple(sorted(usable, key=lambda d: (d.subject, d.title)))


def find_catalogue_deck(slug: str, folder: Path | None = None) -> CatalogueDeck | None:
    """The catalogue deck with this slug, if there is one."""
    return next((d for d in catalogue_decks(folder) if d.slug == slug), None)
