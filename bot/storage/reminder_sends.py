"""The reminder outbox: reminders decided and claimed, waiting to be sent, each taken under a lease.

A row is written in the same transaction as the claim that decided it (bot.storage.reminders), so
a decided reminder can no longer be lost between the decision and the send. A sender takes rows
with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so concurrent senders take disjoint rows;
SQLite has one writer, and its conditional UPDATE is atomic), sends them, and records each
outcome once Telegram has answered. Rows whose lease has passed without an outcome (their sender
died) are taken again by any sender. Lease times are wall-clock milliseconds; `created_at` and
`done_at` are the bot's clock, in unix seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.db import Database, Row

SENT = "sent"
BLOCKED = "blocked"
FAILED = "failed"
EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class PendingSend:
    """One reminder to send, with what its message says."""

    user_id: int
    local_day: str
    due_count: int
    streak: int
    studied_today: bool
    created_at: int
    attempts: int = 0


def _pending(row: Row) -> PendingSend:
    return PendingSend(
        user_id=int(row[0]),
        local_day=str(row[1]),
        due_count=int(row[2]),
        streak=int(row[3]),
        studied_today=bool(row[4]),
        created_at=int(row[5]),
        attempts=int(row[6]),
    )


async def add(db: Database, sends: Sequence[PendingSend]) -> None:
    """Queue reminders (call inside the claim's transaction); a user's second one for the same
    local day is ignored."""
    await db.executemany(
        "INSERT INTO reminder_sends (user_id, local_day, due_count, streak, studied_today, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, local_day) DO NOTHING",
        [
            (s.user_id, s.local_day, s.due_count, s.streak, int(s.studied_today), s.created_at)
            for s in sends
        ],
    )


async def take(
    db: Database, owner: str, limit: int, now_ms: int, lease_ms: int
) -> list[PendingSend]:
    """Lease up to `limit` pending reminders, oldest first: never sent, and free or expired."""
    if db.dialect == "postgres":
        rows = await db.fetchall(
            """UPDATE reminder_sends AS s
                   SET lease_owner = ?, lease_until = ?, attempts = s.attempts + 1
                  FROM (SELECT user_id, local_day FROM reminder_sends
                         WHERE outcome IS NULL AND (lease_until IS NULL OR lease_until <= ?)
                         ORDER BY created_at, user_id LIMIT ?
                           FOR UPDATE SKIP LOCKED) AS t
                 WHERE s.user_id = t.user_id AND s.local_day = t.local_day
             RETURNING s.user_id, s.local_day, s.due_count, s.streak, s.studied_today,
                       s.created_at, s.attempts""",
            (owner, now_ms + lease_ms, now_ms, limit),
        )
    else:
        rows = await db.fetchall(
            """UPDATE reminder_sends
                   SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
                 WHERE (user_id, local_day) IN (
                       SELECT user_id, local_day FROM reminder_sends
                        WHERE outcome IS NULL AND (lease_until IS NULL OR lease_until <= ?)
                        ORDER BY created_at, user_id LIMIT ?)
             RETURNING user_id, local_day, due_count, streak, studied_today, created_at,
                       attempts""",
            (owner, now_ms + lease_ms, now_ms, limit),
        )
    taken = [_pending(r) for r in rows]
    # RETURNING follows no ORDER BY: oldest decisions go out first.
    return sorted(taken, key=lambda s: (s.created_at, s.user_id))


async def finish(
    db: Database, owner: str, user_id: int, local_day: str, outcome: str, now: int
) -> bool:
    """Record a reminder's outcome; False when `owner` had lost its lease (another sender took
    the row after it expired, and may send it too)."""
    changed = await db.execute(
        "UPDATE reminder_sends SET outcome = ?, done_at = ?, lease_owner = NULL, lease_until = NULL "
        "WHERE user_id = ? AND local_day = ? AND lease_owner = ? AND outcome IS NULL",
        (outcome, now, user_id, local_day, owner),
    )
    return changed == 1


async def lease_owners(db: Database) -> set[str]:
    """The senders holding leases on reminders not sent yet."""
    rows = await db.fetchall(
        "SELECT DISTINCT lease_owner FROM reminder_sends "
        "WHERE outcome IS NULL AND lease_owner IS NOT NULL"
    )
    return {str(r[0]) for r in rows}


async def release_owner(db: Database, owner: str) -> int:
    """Free every unsent reminder `owner` holds (a sender known to be dead); how many."""
    return await db.execute(
        "UPDATE reminder_sends SET lease_owner = NULL, lease_until = NULL "
        "WHERE lease_owner = ? AND outcome IS NULL",
        (owner,),
    )


async def pending_count(db: Database) -> int:
    """Reminders decided but not sent (or given up) yet."""
    row = await db.fetchone("SELECT COUNT(*) FROM reminder_sends WHERE outcome IS NULL")
    return 0 if row is None else int(row[0])


async def cleanup(db: Database, created_before: int) -> int:
    """Delete finished rows decided before `created_before` (unix seconds); how many went."""
    return await db.execute(
        "DELETE FROM reminder_sends WHERE created_at < ? AND outcome IS NOT NULL",
        (created_before,),
    )
