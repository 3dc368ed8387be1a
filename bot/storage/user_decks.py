"""The decks one user can study: bundled ones and their own; switching and deleting."""

from __future__ import annotations

from bot.storage.db import Database
from bot.storage.decks import DeckInfo


async def decks_of(db: Database, user_id: int) -> tuple[list[DeckInfo], int | None]:
    """The bundled decks then the user's own (each by title), and the user's active deck id."""
    # lower() rather than COLLATE NOCASE, which PostgreSQL lacks: on SQLite both fold ASCII only
    # and then compare bytes, so the order there is what NOCASE gave.
    rows = await db.fetchall(
        """SELECT d.id, d.slug, d.title, d.owner_id,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0),
                  (SELECT active_deck_id FROM users WHERE id = ?), d.both_ways
             FROM decks d WHERE d.owner_id IS NULL OR d.owner_id = ?
            ORDER BY d.owner_id IS NOT NULL, lower(d.title), d.id""",
        (user_id, user_id),
    )
    decks = [DeckInfo(r[0], r[1], r[2], r[3], r[4], bool(r[6])) for r in rows]
    active = rows[0][5] if rows else None
    return decks, active


async def set_active_deck(db: Database, user_id: int, deck_id: int, now: int) -> bool:
    """Make a bundled or own deck the user's active one and close their open quiz session.

    Schedules are per question, so each deck's progress stays where it was. False (nothing
    changed) when the deck is neither bundled nor the user's.
    """
    async with db.transaction():
        changed = await db.execute(
            """UPDATE users SET active_deck_id = ?
                WHERE id = ? AND EXISTS (SELECT 1 FROM decks
                                          WHERE id = ? AND (owner_id IS NULL OR owner_id = ?))""",
            (deck_id, user_id, deck_id, user_id),
        )
        if changed != 1:
            return False
        await db.execute(
            """UPDATE quiz_sessions SET finished_at = ?
                WHERE user_id = ? AND finished_at IS NULL AND deck_id != ?""",
            (now, user_id, deck_id),
        )
    return True


async def delete_owned_deck(db: Database, user_id: int, deck_id: int) -> str | None:
    """Delete one of the user's decks with its cards, questions, schedules and sessions.

    The user's active deck falls back to the default (active_deck_id is set to NULL by the
    foreign key). Its share links go with it; decks others added from it stay theirs, as copies
    that follow nothing any more (deck_sources.source_deck_id is set to NULL, migration m024).
    Returns the deleted deck's title, or None if it was not theirs.
    """
    row = await db.fetchone(
        "DELETE FROM decks WHERE id = ? AND owner_id = ? RETURNING title", (deck_id, user_id)
    )
    return str(row[0]) if row is not None else None
