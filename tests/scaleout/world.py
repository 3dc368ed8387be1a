"""The database a scale-out test starts from, arranged before any bot process runs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.cards.model import Card, Deck
from bot.core.learning_days import LearningDays
from bot.services.container import load_bundled_decks
from bot.storage.db import Database
from bot.storage.decks import sync_deck

QUIZ_DECK_CARDS = 120
STREAK = 3  # the streak reminder users would lose today


def quiz_deck(cards: int = QUIZ_DECK_CARDS) -> Deck:
    """A deck with more new questions than anyone answers in a test run."""
    return Deck(
        "Scale-out deck",
        tuple(
            Card(
                f"Term {n}", f"Term {n} is defined by fact number {n}.\nIt was noted in {1900 + n}."
            )
            for n in range(cards)
        ),
    )


async def prepare(db: Database, quizzers: Sequence[int], reminded: Sequence[int]) -> None:
    """Bundled decks loaded (as each process would), quizzers on a big deck in choice mode, and
    reminder users whose streak is at stake today, their reminder not due yet."""
    now = int(time.time())
    await load_bundled_decks(db, now)
    deck_id = await sync_deck(db, quiz_deck(), "scale-out-deck", None, now)
    # The learning day before today's (days start at 04:00): a streak kept then is at stake today.
    yesterday = (LearningDays.of("UTC").day_of(datetime.now(UTC)) - timedelta(days=1)).isoformat()
    async with db.transaction():
        # remind_offered = 1: no one-time reminder offer after a session, so every tap is followed
        # by exactly one message (the next question or the summary).
        await db.executemany(
            "INSERT INTO users (id, first_name, created_at, active_deck_id, session_size, "
            "new_per_day, question_mix, remind_offered) VALUES (?, ?, ?, ?, 10, 100000, 'choice', 1)",
            [(uid, f"Quizzer {uid}", now, deck_id) for uid in quizzers],
        )
        await db.executemany(
            "INSERT INTO users (id, first_name, created_at, timezone, remind_time, remind_offered, "
            "streak_current, streak_best, streak_last_day) "
            "VALUES (?, ?, ?, 'UTC', '18:30', 1, ?, ?, ?)",
            [(uid, f"Reminded {uid}", now, STREAK, STREAK, yesterday) for uid in reminded],
        )


async def make_reminders_due(db: Database, reminded: Sequence[int]) -> None:
    """Every reminder user's reminder falls due now (a minute ago)."""
    async with db.transaction():
        await db.executemany(
            "UPDATE users SET next_remind_at = ? WHERE id = ?",
            [(int(time.time()) - 60, uid) for uid in reminded],
        )
