"""Reminder settings, the sweep's indexed due query, and claims that make each send at most once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.learning_days import DEFAULT_START_HOUR
from bot.storage.db import Database

# 4 bound values per claim: well under SQLite's 32,766 variables per statement.
CLAIMS_PER_STATEMENT = 1000

DUE_SQL = """
SELECT u.id, u.timezone, u.remind_time, u.next_remind_at, u.last_remind_day,
       u.streak_current, u.streak_best, u.streak_last_day, u.streak_freezes,
       (SELECT COUNT(*) FROM review_states r
         WHERE r.user_id = u.id AND r.deck_id = COALESCE(u.active_deck_id, ?) AND r.due <= ?),
       u.day_start_hour
  FROM users u
 WHERE u.next_remind_at IS NOT NULL AND u.next_remind_at <= ?
 ORDER BY u.next_remind_at
 LIMIT ?"""


@dataclass(frozen=True, slots=True)
class ReminderSetting:
    """A user's reminder as stored: local time (None = off), zone, next firing instant."""

    user_id: int
    timezone: str
    remind_time: str | None
    next_remind_at: int | None
    active: bool


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder the sweep must decide on, with the facts the decision needs."""

    user_id: int
    timezone: str
    remind_time: str
    next_remind_at: int
    last_remind_day: date | None
    streak_current: int
    streak_best: int
    streak_last_day: date | None
    streak_freezes: int
    due_count: int
    day_start_hour: int = DEFAULT_START_HOUR


@dataclass(frozen=True, slots=True)
class Claim:
    """Move a reminder from `old_at` to `next_at`; `sent_day` is set when this one is sent."""

    user_id: int
    old_at: int
    next_at: int
    sent_day: str | None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


async def get_setting(db: Database, user_id: int) -> ReminderSetting | None:
    """The user's reminder setting, or None for someone never seen."""
    row = await db.fetchone(
        "SELECT id, timezone, remind_time, next_remind_at, active FROM users WHERE id = ?",
        (user_id,),
    )
    if row is None:
        return None
    return ReminderSetting(row[0], row[1], row[2], row[3], bool(row[4]))


async def set_reminder(
    db: Database, user_id: int, remind_time: str | None, next_at: int | None
) -> None:
    """Store a reminder time and its next instant (both None turns it off); the offer is spent."""
    await db.execute(
        "UPDATE users SET remind_time = ?, next_remind_at = ?, remind_offered = 1 WHERE id = ?",
        (remind_time, next_at, user_id),
    )


async def set_timezone(db: Database, user_id: int, zone: str, next_at: int | None) -> None:
    """Store a new time zone with the reminder instant recomputed for it (None if no reminder)."""
    await db.execute(
        "UPDATE users SET timezone = ?, next_remind_at = ? WHERE id = ?", (zone, next_at, user_id)
    )


async def offer_zone(db: Database, user_id: int) -> str | None:
    """The user's time zone while they were never offered a reminder and have none set; else
    None."""
    row = await db.fetchone(
        "SELECT timezone FROM users WHERE id = ? AND remind_offered = 0 AND remind_time IS NULL",
        (user_id,),
    )
    return str(row[0]) if row is not None else None


async def mark_offered(db: Database, user_id: int) -> None:
    """Record that the user was offered a reminder: never again."""
    await db.execute("UPDATE users SET remind_offered = 1 WHERE id = ?", (user_id,))


async def due_reminders(
    db: Database, now: int, default_deck_id: int, limit: int
) -> list[DueReminder]:
    """Reminders due at `now`, oldest first, at most `limit` (one range scan of the index)."""
    rows = await db.fetchall(DUE_SQL, (default_deck_id, now, now, limit))
    return [
        DueReminder(
            user_id=row[0],
            timezone=row[1],
            remind_time=row[2],
            next_remind_at=row[3],
            last_remind_day=_day(row[4]),
            streak_current=row[5],
            streak_best=row[6],
            streak_last_day=_day(row[7]),
            streak_freezes=row[8],
            due_count=row[9],
            day_start_hour=row[10],
        )
        for row in rows
        # A reminder without a time cannot be rescheduled; it is cleared by `set_reminder`.
        if row[2] is not None
    ]


async def claim(db: Database, claims: Sequence[Claim]) -> set[int]:
    """Advance each reminder only if still at `old_at`; returns the user ids whose claim won.

    One UPDATE per chunk: a reminder another sweep (or a setting change) already moved is left
    alone, so a restart or a second process can never decide the same instant twice.
    """
    won: set[int] = set()
    if db.dialect == "postgres":
        # One statement whatever the number: the claims travel as four typed arrays.
        rows = await db.fetchall(
            """UPDATE users
                  SET next_remind_at = c.next_at,
                      last_remind_day = COALESCE(c.sent_day, users.last_remind_day)
                 FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[])
                      AS c(user_id, old_at, next_at, sent_day)
                WHERE users.id = c.user_id AND users.next_remind_at = c.old_at
            RETURNING users.id""",
            (
                [c.user_id for c in claims],
                [c.old_at for c in claims],
                [c.next_at for c in claims],
                [c.sent_day for c in claims],
            ),
        )
        return {int(row[0]) for row in rows}
    for start in range(0, len(claims), CLAIMS_PER_STATEMENT):
        chunk = claims[start : start + CLAIMS_PER_STATEMENT]
        values = ", ".join("(?, ?, ?, ?)" for _ in chunk)
        params: list[object] = []
        for c in chunk:
            params += [c.user_id, c.old_at, c.next_at, c.sent_day]
        rows = await db.fetchall(
            f"""WITH c(user_id, old_at, next_at, sent_day) AS (VALUES {values})
                UPDATE users
                   SET next_remind_at = c.next_at,
                       last_remind_day = COALESCE(c.sent_day, users.last_remind_day)
                  FROM c
                 WHERE users.id = c.user_id AND users.next_remind_at = c.old_at
                RETURNING users.id""",
            params,
        )
        won.update(row[0] for row in rows)
    return won


async def deactivate(db: Database, user_ids: Sequence[int]) -> None:
    """Users who blocked the bot: reminders off and marked inactive until they write again."""
    for start in range(0, len(user_ids), CLAIMS_PER_STATEMENT):
        chunk = list(user_ids[start : start + CLAIMS_PER_STATEMENT])
        marks = ", ".join("?" for _ in chunk)
        await db.execute(
            f"UPDATE users SET active = 0, remind_time = NULL, next_remind_at = NULL "
            f"WHERE id IN ({marks})",
            chunk,
        )
