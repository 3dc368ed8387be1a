"""A user's settings: one column at a time, and the decks they may choose from."""

from __future__ import annotations

from bot.storage.db import Database
from bot.storage.decks import DeckInfo

# The only columns a settings change may write (the name goes into SQL, so it is checked here).
SETTING_COLUMNS = frozenset(
    {
        "session_size",
        "new_per_day",
        "question_mix",
        "desired_retention",
        "active_deck_id",
        "day_start_hour",
        "fsrs_defaults",
    }
)


async def save_setting(
    db: Database, user_id: int, column: str, value: int | float | str, close_session_at: int | None
) -> bool:
    """Store one setting; with `close_session_at`, also finish the user's open quiz session so
    the next /quiz is built with the new setting. False when the user does not exist."""
    if column not in SETTING_COLUMNS:
        raise ValueError(f"not a setting: {column!r}")
    async with db.transaction():
        changed = (
            await db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, user_id)) == 1
        )
        if changed and close_session_at is not None:
            await db.execute(
                "UPDATE quiz_sessions SET finished_at = ? WHERE user_id = ? AND finished_at IS NULL",
                (close_session_at, user_id),
            )
    return changed


async def choosable_decks(db: Database, user_id: int) -> list[DeckInfo]:
    """The bundled decks and the user's own, bundled first, each by title."""
    rows = await db.fetchall(
        """SELECT d.id, d.slug, d.title, d.owner_id,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0)
             FROM decks d WHERE d.owner_id IS NULL OR d.owner_id = ?
            ORDER BY d.owner_id IS NOT NULL, d.title, d.id""",
        (user_id,),
    )
    return [DeckInfo(r[0], r[1], r[2], r[3], r[4]) for r in rows]
