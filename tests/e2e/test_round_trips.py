"""Database round trips per quiz answer, counted through the real handlers.

aiosqlite runs every call on the connection's thread (about 150 µs each), so the number of
calls per update, not the SQL, sets the database's share of an answer. Every thread hop is
counted here — a cursor's fetch or close costs a hop just like an execute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.storage.db import Database
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import OnScreen, shown_question

ANSWER_LIMIT = 3  # read the question, write the review, remember the next question's message


@dataclass
class RoundTrips:
    """Every call made on the connection's thread, with the SQL it ran (if any)."""

    calls: list[str] = field(default_factory=list)
    observer: asyncio.Task[Any] | None = None

    def reset(self) -> None:
        """Forget what was counted so far; the calling task's own queries are not counted."""
        self.calls.clear()
        self.observer = asyncio.current_task()

    @property
    def statements(self) -> list[str]:
        """The SQL statements among the calls, first words only."""
        return [c for c in self.calls if not c.startswith("<")]


def count_round_trips(db: Database, monkeypatch: pytest.MonkeyPatch) -> RoundTrips:
    """Wrap the connection so that every hop the bot makes onto its thread is recorded.

    Every Connection and Cursor method of aiosqlite (execute, execute_fetchall, executemany,
    executescript, commit, fetchone, close …) goes through `Connection._execute`. Calls from
    the task that last reset the counter (the test checking the database) are left out.
    """
    counted = RoundTrips()
    original: Callable[..., Awaitable[Any]] = db.conn._execute

    async def counting(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if asyncio.current_task() is counted.observer:
            return await original(fn, *args, **kwargs)
        sql = next((a for a in args if isinstance(a, str)), None)
        name = getattr(fn, "__name__", repr(fn))
        counted.calls.append(" ".join(sql.split())[:60] if sql else f"<{name}>")
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(db.conn, "_execute", counting)
    return counted


async def start_quiz(bot: RunningBot, user: SandboxUser, mix: str) -> OnScreen:
    """Open a session of one question mix and wait until its first question is on screen."""
    await user.send("/start")
    await user.wait_for(lambda m: "Quizmaster" in m.text)
    await bot.services.db.execute("UPDATE users SET question_mix = ? WHERE id = ?", (mix, user.id))
    await user.send("/quiz")
    await user.wait_for(lambda m: m.text.startswith("Question 1/") and bool(m.buttons))
    return await shown_question(bot.services, user.id)


async def next_question_shown(
    sandbox: SandboxServer, bot: RunningBot, user: SandboxUser, number: int
) -> SandboxMessage:
    """Wait for question `number`, for the bot to record its message, and for quiet."""
    question = await user.wait_for(lambda m: m.text.startswith(f"Question {number}/"))
    await shown_question(bot.services, user.id)
    await sandbox.settle(quiet=0.05)
    return question


@pytest.fixture
async def trips(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> RoundTrips:
    """The round-trip counter on the running bot's connection."""
    return count_round_trips(bot.services.db, monkeypatch)


async def test_a_choice_tap_costs_three_round_trips(
    sandbox: SandboxServer, bot: RunningBot, trips: RoundTrips
) -> None:
    alice = sandbox.user("Alice")
    on_screen = await start_quiz(bot, alice, "choice")
    assert on_screen.right_label is not None
    await sandbox.settle(quiet=0.05)
    trips.reset()
    assert await alice.tap(on_screen.right_label) == "✅ Right!"
    await next_question_shown(sandbox, bot, alice, 2)
    assert len(trips.calls) <= ANSWER_LIMIT, trips.calls
    assert [c.split()[0] for c in trips.statements] == ["SELECT", "INSERT", "UPDATE"]


async def test_show_answer_then_a_grade_cost_two_then_three_round_trips(
    sandbox: SandboxServer, bot: RunningBot, trips: RoundTrips
) -> None:
    alice = sandbox.user("Alice")
    on_screen = await start_quiz(bot, alice, "selfgraded")
    assert on_screen.kind == "recall"
    await sandbox.settle(quiet=0.05)
    trips.reset()
    await alice.tap("Show answer")
    await alice.wait_for(lambda m: "Good" in m.labels)
    await sandbox.settle(quiet=0.05)
    # read the question, mark it revealed
    assert len(trips.calls) <= 2, trips.calls
    trips.reset()
    await alice.tap("Good")
    await next_question_shown(sandbox, bot, alice, 2)
    assert len(trips.calls) <= ANSWER_LIMIT, trips.calls


async def test_a_typed_answer_costs_three_round_trips(
    sandbox: SandboxServer, bot: RunningBot, trips: RoundTrips
) -> None:
    alice = sandbox.user("Alice")
    await start_quiz(bot, alice, "typed")
    await sandbox.settle(quiet=0.05)
    row = await bot.services.db.fetchone(
        """SELECT q.answer FROM quiz_sessions s
             JOIN session_items i ON i.session_id = s.id AND i.position = s.position
             JOIN questions q ON q.id = i.question_id
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (alice.id,),
    )
    assert row is not None
    trips.reset()
    await alice.send(row[0])
    await next_question_shown(sandbox, bot, alice, 2)
    assert len(trips.calls) <= ANSWER_LIMIT, trips.calls
    outcome = await bot.services.db.fetchone(
        "SELECT outcome FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert outcome is not None and outcome[0] == "right"


async def test_every_answer_of_a_session_stays_within_the_limit(
    sandbox: SandboxServer, bot: RunningBot, trips: RoundTrips
) -> None:
    alice = sandbox.user("Alice")
    on_screen = await start_quiz(bot, alice, "choice")
    per_answer: list[int] = []
    for number in range(2, 11):
        await sandbox.settle(quiet=0.05)
        trips.reset()
        assert on_screen.right_label is not None
        await alice.tap(on_screen.right_label)
        await next_question_shown(sandbox, bot, alice, number)
        per_answer.append(len(trips.calls))
        on_screen = await shown_question(bot.services, alice.id)
    assert per_answer == [ANSWER_LIMIT] * 9
    # The last answer: read, write, and (once per user, ever) claim the reminder offer.
    await sandbox.settle(quiet=0.05)
    trips.reset()
    assert on_screen.right_label is not None
    await alice.tap(on_screen.right_label)
    await alice.wait_for(lambda m: "Remind me every day" in m.text)
    await sandbox.settle(quiet=0.05)
    assert len(trips.calls) <= ANSWER_LIMIT, trips.calls


async def test_write_transactions_begin_immediate(
    sandbox: SandboxServer, bot: RunningBot, trips: RoundTrips
) -> None:
    # sqlite3 opens no implicit (DEFERRED) transactions of its own on this connection
    assert bot.services.db.conn.isolation_level is None
    trips.reset()
    alice = sandbox.user("Alice")
    on_screen = await start_quiz(bot, alice, "choice")  # the session is a multi-statement write
    assert on_screen.right_label is not None
    await alice.tap(on_screen.right_label)
    await next_question_shown(sandbox, bot, alice, 2)
    begins = [c for c in trips.statements if c.upper().startswith("BEGIN")]
    assert begins, trips.calls
    assert set(begins) == {"BEGIN IMMEDIATE"}
