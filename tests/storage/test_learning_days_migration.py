"""m017 on a database with progress: every stored schedule is kept as it was (nothing studied is
rescheduled by surprise), the learner's day starts at 4 am, and their next answer is scheduled on
learning days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.core.learning_days import LearningDays
from bot.core.scheduling import Grade, review
from bot.services.container import load_bundled_decks
from bot.services.reviewing import Reviewer, make_review, to_stored
from bot.storage.db import open_database
from bot.storage.migrations import MIGRATIONS

ALICE = 7
STUDIED = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)  # 22:30 in Paris


async def test_schedules_stored_before_learning_days_are_kept_and_move_on_at_the_next_answer(
    database_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect = "postgres" if database_url.startswith("postgres") else "sqlite"
    every = MIGRATIONS[dialect]
    monkeypatch.setitem(MIGRATIONS, dialect, [m for m in every if m[0] != "m017_learning_days"])
    db = await open_database(database_url)
    try:
        deck = (await load_bundled_decks(db, int(STUDIED.timestamp())))["khrushchev-reforms"]
        question = await db.fetchone(
            "SELECT q.id, q.card_id FROM questions q JOIN cards c ON c.id = q.card_id "
            "WHERE c.deck_id = ? ORDER BY q.id LIMIT 1",
            (deck,),
        )
        assert question is not None
        # Progress as the bot stored it before: due at the time of day it was studied.
        before = review(review(None, Grade.GOOD, STUDIED, fuzz=False), Grade.GOOD, STUDIED)
        stored = to_stored(before)
        await db.execute(
            "INSERT INTO users (id, first_name, created_at, timezone) VALUES (?, 'A', 0, ?)",
            (ALICE, "Europe/Paris"),
        )
        await db.execute(
            """INSERT INTO review_states (user_id, question_id, deck_id, card_id, state, step,
                   stability, difficulty, due, last_review, reps, lapses)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (ALICE, question[0], deck, question[1], stored.state, stored.step, stored.stability,
             stored.difficulty, stored.due, stored.last_review, stored.reps, stored.lapses),
        )  # fmt: skip
        monkeypatch.setitem(MIGRATIONS, dialect, every)
        assert "m017_learning_days" in await db.migrate()
        row = await db.fetchone(
            "SELECT r.due, r.stability, u.day_start_hour FROM review_states r "
            "JOIN users u ON u.id = r.user_id WHERE r.user_id = ?",
            (ALICE,),
        )
        assert row is not None and (row[0], row[1]) == (stored.due, stored.stability)
        assert row[2] == 4
        # The next answer, at 21:00 Paris on 3 March: two learning days on, one 24-hour period.
        now = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
        who = Reviewer(ALICE, question[0], deck, question[1], stored, "Europe/Paris", 0.9, 0, 0,
                       None, 0, 4)  # fmt: skip
        done = make_review(who, Grade.GOOD, True, "good", None, now, session_id=None,
                           position=None, duration_ms=None, fuzz=False)  # fmt: skip
        paris = LearningDays.of("Europe/Paris")
        assert done.today.isoformat() == "2026-03-03"
        assert done.after.due == paris.start_of(paris.day_of(done.after.due))
        assert done.after.stability != review(before, Grade.GOOD, now, fuzz=False).stability
    finally:
        await db.close()
