"""The webhook inbox: updates stored once by update_id, then handled in order chat by chat.

The receiving process stores an update before Telegram gets its 200; whichever process holds the
chat's lease (bot.storage.leases, table chat_leases) handles the chat's pending rows in update_id
order, marking each done. Times are wall-clock milliseconds, like the leases'.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database

# Handled rows are deleted in chunks, so one cleanup never holds the table for long.
CLEANUP_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class InboxRow:
    """A pending update: its id and the JSON Telegram sent."""

    update_id: int
    payload: str


async def store(db: Database, update_id: int, chat_key: int, payload: str, now_ms: int) -> bool:
    """Keep an update for handling; False when it was stored before (a redelivery)."""
    added = await db.execute(
        "INSERT INTO inbox (update_id, chat_key, payload, received_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (update_id) DO NOTHING",
        (update_id, chat_key, payload, now_ms),
    )
    return added == 1


async def pending(db: Database, chat_key: int, limit: int) -> list[InboxRow]:
    """The chat's pending updates, oldest update_id first (a range scan of inbox_pending)."""
    rows = await db.fetchall(
        "SELECT update_id, payload FROM inbox WHERE chat_key = ? AND done_at IS NULL "
        "ORDER BY update_id LIMIT ?",
        (chat_key, limit),
    )
    return [InboxRow(int(r[0]), str(r[1])) for r in rows]


async def has_pending(db: Database, chat_key: int) -> bool:
    """Whether the chat has any update left to handle."""
    row = await db.fetchone(
        "SELECT 1 FROM inbox WHERE chat_key = ? AND done_at IS NULL LIMIT 1", (chat_key,)
    )
    return row is not None


async def begin(db: Database, update_id: int) -> int | None:
    """Count one more handling of a pending update; its number (1 the first time), or None when
    the update is done already (another process finished it)."""
    row = await db.fetchone(
        "UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ? AND done_at IS NULL "
        "RETURNING attempts",
        (update_id,),
    )
    return None if row is None else int(row[0])


async def mark_done(db: Database, update_id: int, now_ms: int) -> None:
    """The update has been handled: it leaves the pending set for good."""
    await db.execute(
        "UPDATE inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL", (now_ms, update_id)
    )


async def orphaned_chats(db: Database, now_ms: int, limit: int) -> list[int]:
    """Chats with pending updates and no live lease: their drainer died, or was never started."""
    rows = await db.fetchall(
        """SELECT DISTINCT i.chat_key FROM inbox i
            WHERE i.done_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM chat_leases l
                               WHERE l.chat_key = i.chat_key AND l.expires_at > ?)
            LIMIT ?""",
        (now_ms, limit),
    )
    return [int(r[0]) for r in rows]


async def pending_count(db: Database) -> int:
    """How many stored updates wait to be handled, over all chats."""
    row = await db.fetchone("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL")
    return 0 if row is None else int(row[0])


async def cleanup(db: Database, done_before_ms: int) -> int:
    """Delete handled updates done before `done_before_ms`; how many went."""
    removed = 0
    while True:
        count = await db.execute(
            """DELETE FROM inbox WHERE update_id IN (
                   SELECT update_id FROM inbox
                    WHERE done_at IS NOT NULL AND done_at < ? LIMIT ?)""",
            (done_before_ms, CLEANUP_CHUNK),
        )
        removed += count
        if count < CLEANUP_CHUNK:
            return removed
