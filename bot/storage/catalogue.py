"""What the starter catalogue needs of the database: the catalogue decks a user has added, and
whether they are new here."""

from __future__ import annotations

from bot.storage.db import Database

# A user's copy of catalogue deck `x` is stored under the slug `catalogue/x`: an imported deck's
# slug is words and dashes only (bot.cards.upload.deck_slug), so the two never meet.
SLUG_PREFIX = "catalogue/"


def copy_slug(catalogue_slug: str) -> str:
    """The slug a user's copy of a catalogue deck is stored under."""
    return SLUG_PREFIX + catalogue_slug


async def added_decks(db: Database, user_id: int) -> dict[str, tuple[int, int]]:
    """The catalogue decks the user holds a copy of: (deck id, live cards) by catalogue slug."""
    rows = await db.fetchall(
        """SELECT d.slug, d.id,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0)
             FROM decks d WHERE d.owner_id = ? AND d.slug LIKE 'catalogue/%'""",
        (user_id,),
    )
    return {str(row[0]).removeprefix(SLUG_PREFIX): (int(row[1]), int(row[2])) for row in rows}


async def is_newcomer(db: Database, user_id: int) -> bool:
    """Whether the user has neither a deck of their own nor a single answer yet."""
    row = await db.fetchone(
        """SELECT NOT EXISTS (SELECT 1 FROM decks WHERE owner_id = ?)
              AND NOT EXISTS (SELECT 1 FROM reviews WHERE user_id = ?)""",
        (user_id, user_id),
    )
    return bool(row[0]) if row is not None else True
