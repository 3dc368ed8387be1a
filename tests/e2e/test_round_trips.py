"""Database round trips per quiz answer, counted through the real handlers on both backends.

Each statement the bot sends is a round trip: to the connection's thread on SQLite (aiosqlite
runs every call there, about 150 µs each), over the socket to the server on PostgreSQL. So the
number of statements per update, not the SQL, sets the database's share of an answer. They are
counted where every storage module meets the backend, the `Database` methods, with a transaction's
BEGIN and COMMIT counted as the round trips they are. On SQLite every hop onto the thread is also
counted (a cursor's fetch or close costs a hop just like an execute), and held to the same limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.storage.db import Database
from bot.storage.sqlite import SqliteDatabase
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import OnScreen, shown_question

# Read the chat's language (bot.handlers.language: stored, so every process speaks it; the
# delivery to the same chat reuses it).
LANGUAGE_TRIPS = 1
# Read the question; write the answer with what it owes the chat (BEGIN, review, intents, COMMIT).
WRITE_TRIPS = 5
TAKE_TRIPS = 1  # take the chat's owed intents
REVEAL_TRIPS = 2  # the question's message edited: read the question with its answer, mark it done
ASK_TRIPS = 3  # the next question: read it, note its message, mark it done
SUMMARY_TRIPS = 4  # the summary: read the session and when the next question falls due, note, done
OFFER_TRIPS = 3  # the reminder offer, once per user ever: read it, note it made, mark it done
ANSWER_LIMIT = LANGUAGE_TRIPS + WRITE_TRIPS + TAKE_TRIPS + REVEAL_TRIPS + ASK_TRIPS
# Set while a counted call runs in a task: calls it makes itself (PostgreSQL's fetchone reads
# through fetchall) are part of it, and a transaction's own statements are counted one by one.
_inside: ContextVar[bool] = ContextVar("round-trip-inside", default=False)
_in_transaction: ContextVar[asyncio.Task[Any] | None] = ContextVar(
    "round-trip-transaction", default=None
)
# Set while the application runs an update's handlers (and in the tasks they start): the inbox's
# own statements around them (store, chat lease, begin, done mark) are counted apart.
_handling: ContextVar[bool] = ContextVar("round-trip-handling", default=False)
# Per update, whatever its handlers do: store it, take the chat, read the chat's pending updates,
# count the attempt, mark it done, give the chat back, look for updates stored meanwhile.
INBOX_TRIPS = 7


@dataclass
class RoundTrips:
    """Every statement sent to the database, with its SQL, and (SQLite) every thread hop."""

    calls: list[str] = field(default_factory=list)
    hops: list[str] | None = None
    observer: asyncio.Task[Any] | None = None
    handlers_only: bool = True

    def reset(self) -> None:
        """Forget what was counted so far; the calling task's own queries are not counted."""
        self.calls.clear()
        if self.hops is not None:
            self.hops.clear()
        self.observer = asyncio.current_task()

    def counts(self) -> bool:
        """Whether the current task's calls are counted (the bot's, not the checking test's;
        the handlers' only, unless `handlers_only` is off)."""
        if asyncio.current_task() is self.observer:
            return False
        return _handling.get() or not self.handlers_only

    @property
    def statements(self) -> list[str]:
        """The SQL statements among the calls, first words only."""
        return [c for c in self.calls if not c.startswith("<")]

    def assert_within(self, limit: int) -> None:
        """At most `limit` round trips, and on SQLite at most as many thread hops."""
        assert len(self.calls) <= limit, "\n".join(self.calls)
        if self.hops is not None:
            assert len(self.hops) <= limit, self.hops


def _short(sql: str) -> str:
    return " ".join(sql.split())[:60]


def count_round_trips(db: Database, monkeypatch: pytest.MonkeyPatch) -> RoundTrips:
    """Wrap the database's methods so that every statement the bot sends is recorded.

    Calls from the task that last reset the counter (the test checking the database) are left out.
    """
    counted = RoundTrips()

    def wrap(name: str) -> None:
        original: Callable[..., Awaitable[Any]] = getattr(db, name)

        async def counting(sql: str, *args: Any) -> Any:
            if _inside.get() or not counted.counts():
                return await original(sql, *args)
            counted.calls.append(_short(sql))
            token = _inside.set(True)
            try:
                return await original(sql, *args)
            finally:
                _inside.reset(token)

        monkeypatch.setattr(db, name, counting)

    for name in ("fetchone", "fetchall", "execute", "executemany"):
        wrap(name)

    open_transaction = db.transaction

    @asynccontextmanager
    async def counting_transaction() -> AsyncIterator[None]:
        task = asyncio.current_task()
        if _in_transaction.get() is task or not counted.counts():
            async with open_transaction():  # a nested one joins the outer one: no round trip
                yield
            return
        token = _in_transaction.set(task)
        counted.calls.append("<begin>")
        try:
            async with open_transaction():
                yield
        except BaseException:
            counted.calls.append("<rollback>")
            raise
        else:
            counted.calls.append("<commit>")
        finally:
            _in_transaction.reset(token)

    monkeypatch.setattr(db, "transaction", counting_transaction)
    if isinstance(db, SqliteDatabase):
        counted.hops = count_thread_hops(db, counted, monkeypatch)
    return counted


def count_thread_hops(
    db: SqliteDatabase, counted: RoundTrips, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Record every hop onto the aiosqlite connection's thread (with its SQL, if any).

    Every Connection and Cursor method of aiosqlite (execute, execute_fetchall, executemany,
    executescript, commit, fetchone, close …) goes through `Connection._execute`.
    """
    hops: list[str] = []
    original: Callable[..., Awaitable[Any]] = db.conn._execute

    async def counting(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if counted.counts():
            sql = next((a for a in args if isinstance(a, str)), None)
            name = getattr(fn, "__name__", repr(fn))
            hops.append(_short(sql) if sql else f"<{name}>")
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(db.conn, "_execute", counting)
    return hops


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


def watch_handlers(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mark everything the application's handlers do, as opposed to the inbox around them."""
    original = bot.app.process_update

    async def handling(update: object) -> None:
        token = _handling.set(True)
        try:
            await original(update)
        finally:
            _handling.reset(token)

    monkeypatch.setattr(bot.app, "process_update", handling)


@pytest.fixture
async def trips(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> RoundTrips:
    """The round-trip counter of the handlers on the running bot's database."""
    watch_handlers(bot, monkeypatch)
    return count_round_trips(bot.services.db, monkeypatch)


async def test_the_inbox_costs_seven_round_trips_per_update(
    sandbox: SandboxServer, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = count_round_trips(bot.services.db, monkeypatch)
    everything.handlers_only = False
    alice = sandbox.user("Alice")
    on_screen = await start_quiz(bot, alice, "choice")
    assert on_screen.right_label is not None
    await sandbox.settle(quiet=0.05)
    everything.reset()
    assert await alice.tap(on_screen.right_label) == "✅ Right!"
    await next_question_shown(sandbox, bot, alice, 2)
    everything.assert_within(ANSWER_LIMIT + INBOX_TRIPS)
    inbox = [c for c in everything.statements if "inbox" in c or "chat_leases" in c]
    assert len(inbox) == INBOX_TRIPS, everything.calls


@pytest.fixture
def sqlite_only(database_url: str) -> None:
    """Skip (before the bot starts) a test of how the SQLite backend talks to its file."""
    if not database_url.startswith("sqlite:"):
        pytest.skip("BEGIN IMMEDIATE is how SQLite takes its write lock; not a PostgreSQL concern")


async def test_a_choice_tap_costs_twelve_round_trips(
    sandbox: SandboxServer, bot: RunningBot, trips: RoundTrips
) -> None:
    alice = sandbox.user("Alice")
    on_screen = await start_quiz(bot, alice, "choice")
    assert on_screen.right_label is not None
    await sandbox.settle(quiet=0.05)
    trips.reset()
    assert await alice.tap(on_screen.right_label) == "✅ Right!"
    await next_question_shown(sandbox, bot, alice, 2)
    trips.assert_within(ANSWER_LIMIT)
    assert [c.split()[:3] for c in trips.statements] == [
        ["SELECT", "language,", "chosen"],  # the chat's language
        ["SELECT", "s.id,", "s.user_id,"],  # the question
        ["INSERT", "INTO", "reviews"],  # the answer…
        ["INSERT", "INTO", "outbox"],  # …and what it owes, in one transaction
        ["UPDATE", "outbox", "SET"],  # taken for delivery
        ["SELECT", "s.id,", "s.user_id,"],  # the reveal, read with its answer, as it stands
        ["UPDATE", "outbox", "SET"],  # edited in: done
        ["SELECT", "s.id,", "s.user_id,"],  # the next question, as it stands
        ["UPDATE", "session_items", "SET"],  # sent: its message noted
        ["UPDATE", "outbox", "SET"],  # done
    ]


async def test_show_answer_then_a_grade_cost_nine_then_twelve_round_trips(
    sandbox: SandboxServer, bot: RunningBot, trips: RoundTrips
) -> None:
    alice = sandbox.user("Alice")
    on_screen = await start_quiz(bot, alice, "selfgraded")
    assert on_screen.kind == "recall"
    await sandbox.settle(quiet=0.05)
    trips.reset()
    await alice.tap("Show answer")
    await alice.wait_for(lambda m: any(x.startswith("Good") for x in m.labels))
    await sandbox.settle(quiet=0.05)
    # read the chat's language and the question, mark it revealed with the edit it owes (BEGIN,
    # UPDATE, INSERT, COMMIT), take the edit, read the question, mark the edit done
    trips.assert_within(9)
    trips.reset()
    await alice.tap("Good")
    await next_question_shown(sandbox, bot, alice, 2)
    trips.assert_within(ANSWER_LIMIT)


async def test_a_typed_answer_costs_twelve_round_trips(
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
    trips.assert_within(ANSWER_LIMIT)
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
    for number in range(2, 10):
        await sandbox.settle(quiet=0.05)
        trips.reset()
        assert on_screen.right_label is not None
        await alice.tap(on_screen.right_label)
        await next_question_shown(sandbox, bot, alice, number)
        per_answer.append(len(trips.calls))
        trips.assert_within(ANSWER_LIMIT)
        on_screen = await shown_question(bot.services, alice.id)
    assert per_answer == [ANSWER_LIMIT] * 8
    # The last answer: read, write, the reveal, the summary, and (once per user, ever) the
    # reminder offer.
    await sandbox.settle(quiet=0.05)
    trips.reset()
    assert on_screen.right_label is not None
    await alice.tap(on_screen.right_label)
    await alice.wait_for(lambda m: "Remind me every day" in m.text)
    await sandbox.settle(quiet=0.05)
    last = LANGUAGE_TRIPS + WRITE_TRIPS + TAKE_TRIPS + REVEAL_TRIPS + SUMMARY_TRIPS + OFFER_TRIPS
    trips.assert_within(last)
    assert len(trips.calls) == last, trips.calls


async def test_write_transactions_begin_immediate(
    sqlite_only: None, sandbox: SandboxServer, bot: RunningBot, trips: RoundTrips
) -> None:
    db = bot.services.db
    assert isinstance(db, SqliteDatabase) and trips.hops is not None
    # sqlite3 opens no implicit (DEFERRED) transactions of its own on this connection
    assert db.conn.isolation_level is None
    trips.reset()
    alice = sandbox.user("Alice")
    on_screen = await start_quiz(bot, alice, "choice")  # the session is a multi-statement write
    assert on_screen.right_label is not None
    await alice.tap(on_screen.right_label)
    await next_question_shown(sandbox, bot, alice, 2)
    begins = [c for c in trips.hops if c.upper().startswith("BEGIN")]
    assert begins, trips.hops
    assert set(begins) == {"BEGIN IMMEDIATE"}
