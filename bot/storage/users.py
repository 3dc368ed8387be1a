"""Users and their settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.learning_days import DEFAULT_START_HOUR, LearningDays
from bot.storage.db import Database, Row

USER_COLUMNS = """id, first_name, active_deck_id, timezone, session_size, new_per_day, question_mix,
    desired_retention, streak_current, streak_best, streak_last_day, streak_freezes,
    day_start_hour"""


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as stored: settings and the cached streak."""

    id: int
    first_name: str
    active_deck_id: int | None
    timezone: str
    session_size: int
    new_per_day: int
    question_mix: str
    desired_retention: float
    streak_current: int
    streak_best: int
    streak_last_day: date | None
    streak_freezes: int
    day_start_hour: int = DEFAULT_START_HOUR  # their learning day starts at this local hour

    @property
    def days(self) -> LearningDays:
        """The user's learning days: their time zone, their day's start hour."""
        return LearningDays.of(self.timezone, self.day_start_hour)

    @classmethod
    def from_row(cls, row: Row) -> UserRecord:
        """Build from a row selected with USER_COLUMNS."""
        last = row[10]
        return cls(
            id=row[0],
            first_name=row[1],
            active_deck_id=row[2],
            timezone=row[3],
            session_size=row[4],
            new_per_day=row[5],
            question_mix=row[6],
            desired_retention=row[7],
            streak_current=row[8],
            streak_best=row[9],
            streak_last_day=date.fromisoformat(last) if last else None,
            streak_freezes=row[11],
            day_start_hour=row[12],
        )


async def upsert_user(db: Database, user_id: int, first_name: str, now: int) -> UserRecord:
    """Create the user on first contact (or refresh their name) and return the stored record.

    Any contact also makes a user who had blocked the bot active again.
    """
    row = await db.fetchone(
        f"""INSERT INTO users (id, first_name, created_at) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, active = 1
            RETURNING {USER_COLUMNS}""",
        (user_id, first_name[:128], now),
    )
    assert row is not None
    return UserRecord.from_row(row)


async def get_user(db: Database, user_id: int) -> UserRecord | None:
    """The stored user, or None for someone never seen."""
    row = await db.fetchone(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", (user_id,))
    return UserRecord.from_row(row) if row else None
