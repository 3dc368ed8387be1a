"""A group's own settings: the deck its battles and daily question use, and copying it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards.model import Card, Deck
from bot.storage.db import Database
from bot.storage.decks import sync_deck


@dataclass(frozen=True, slots=True)
class GroupDeck:
    """The deck a group plays: its id, title and size; `lost` names a chosen deck since deleted."""

    deck_id: int
    title: str
    cards: int
    chosen: bool  # an admin chose it (False: the bundled default)
    lost: str | None = None  # the title of the chosen deck its owner deleted


async def _deck(db: Database, deck_id: int) -> tuple[str, int] | None:
    row = await db.fetchone(
        """SELECT d.title,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0)
             FROM decks d WHERE d.id = ?""",
        (deck_id,),
    )
    return (str(row[0]), int(row[1])) if row is not None else None


async def group_deck(db: Database, chat_id: int, default_deck_id: int) -> GroupDeck:
    """The deck the group plays now: the chosen one, else the default (saying if one was lost)."""
    row = await db.fetchone(
        "SELECT deck_id, deck_title FROM group_settings WHERE chat_id = ?", (chat_id,)
    )
    if row is not None and row[0] is not None:
        found = await _deck(db, int(row[0]))
        if found is not None:
            return GroupDeck(int(row[0]), found[0], found[1], True)
    lost = str(row[1]) if row is not None and row[0] is None and row[1] else None
    found = await _deck(db, default_deck_id)
    title, cards = found if found is not None else ("", 0)
    return GroupDeck(default_deck_id, title, cards, False, lost)


async def group_deck_id(db: Database, chat_id: int) -> int | None:
    """The id of the deck an admin chose for the group, if it still exists."""
    row = await db.fetchone("SELECT deck_id FROM group_settings WHERE chat_id = ?", (chat_id,))
    return int(row[0]) if row is not None and row[0] is not None else None


async def choose_group_deck(db: Database, chat_id: int, deck_id: int | None, title: str) -> None:
    """Store the group's deck (None: back to the bundled default)."""
    await db.execute(
        """INSERT INTO group_settings (chat_id, deck_id, deck_title) VALUES (?, ?, ?)
           ON CONFLICT (chat_id) DO UPDATE SET deck_id = excluded.deck_id,
                                               deck_title = excluded.deck_title""",
        (chat_id, deck_id, title if deck_id is not None else None),
    )


async def migrate_group(db: Database, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup: its deck, daily question settings and days follow it.

    Idempotent (both service messages and a ChatMigrated error may report the move); settings
    already under the new id are kept. The old chat's messages stay behind: an open question is
    closed with a message of its own in the new chat (its poll there cannot be stopped).
    """
    async with db.transaction():
        moved = await db.execute(
            """UPDATE group_settings SET chat_id = ? WHERE chat_id = ?
                  AND NOT EXISTS (SELECT 1 FROM group_settings WHERE chat_id = ?)""",
            (new_chat_id, old_chat_id, new_chat_id),
        )
        moved += await db.execute(
            """UPDATE daily_questions SET chat_id = ?, message_id = NULL, thread_id = NULL
                WHERE chat_id = ? AND NOT EXISTS (
                    SELECT 1 FROM daily_questions n WHERE n.chat_id = ? AND n.day = daily_questions.day)""",
            (new_chat_id, old_chat_id, new_chat_id),
        )
    return moved > 0


async def deck_for_copy(db: Database, deck_id: int) -> Deck | None:
    """The live cards of a stored deck as a Deck, to store again as someone's own."""
    title = await db.fetchone("SELECT title FROM decks WHERE id = ?", (deck_id,))
    if title is None:
        return None
    rows = await db.fetchall(
        """SELECT front, back, reverse, front_html, back_html, front_media FROM cards
            WHERE deck_id = ? AND retired = 0 ORDER BY position, id""",
        (deck_id,),
    )
    cards = tuple(Card(str(r[0]), str(r[1]), bool(r[2]), r[3], r[4], r[5]) for r in rows)
    return Deck(str(title[0]), cards)


async def store_copy(db: Database, deck: Deck, slug: str, user_id: int, now: int) -> int:
    """Store `deck` as the user's own under `slug` (the media it names are stored already)."""
    return await sync_deck(db, deck, slug, user_id, now)
