"""The bot as a real process: a second poller, SIGTERM, and kill -9 in the middle of things."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.learning_days import LearningDays
from bot.exit_codes import EXIT_CONFLICT, EXIT_OK
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from tests.reliability.process import BotProcess, query, spawn, write
from tests.token_scan import leaks_in

CONFLICT_LINE = "another bot process is polling with this token (409 Conflict)"


@pytest.fixture
async def processes(tmp_path: Path) -> AsyncIterator[list[BotProcess]]:
    """Processes a test starts; any left running are killed at the end, and their output scanned."""
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.reap()
    for process in started:
        # The processes log at DEBUG: not a line of it may show the token.
        assert not leaks_in(process.log), f"the token leaked into {process.log_path.name}"


def right_label(database: Path, user: SandboxUser) -> str:
    """The right button of the user's open choice question."""
    rows = query(
        database,
        """SELECT i.options ->> i.right_index FROM quiz_sessions s
             JOIN session_items i ON i.session_id = s.id AND i.position = s.position
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (user.id,),
    )
    assert rows and rows[0][0] is not None
    return str(rows[0][0])


def reviews(database: Path, user: SandboxUser) -> int:
    """How many answers of the user the database holds."""
    return int(
        str(query(database, "SELECT COUNT(*) FROM reviews WHERE user_id = ?", (user.id,))[0][0])
    )


def integrity(database: Path) -> str:
    """SQLite's verdict on the whole file."""
    return str(query(database, "PRAGMA integrity_check")[0][0])


async def test_a_second_poller_stops_the_first_with_one_clear_line_and_its_exit_code(
    sandbox: SandboxServer, tmp_path: Path, processes: list[BotProcess]
) -> None:
    first = await spawn(sandbox, tmp_path / "bot.sqlite3", tmp_path / "first.log")
    processes.append(first)
    second = await spawn(sandbox, tmp_path / "bot.sqlite3", tmp_path / "second.log")
    processes.append(second)
    # Telegram ends the older long poll with 409 Conflict: the first process stops at once,
    # without one more getUpdates that would knock the second one off in turn.
    assert await first.exit_code(within=20) == EXIT_CONFLICT
    assert first.log.count(CONFLICT_LINE) == 1
    assert "Traceback" not in first.log
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=10)
    assert second.proc.returncode is None
    second.terminate()
    assert await second.exit_code() == EXIT_OK
    assert CONFLICT_LINE not in second.log
    assert "Traceback" not in second.log


async def test_sigterm_lets_the_update_in_flight_finish_then_exits(
    sandbox: SandboxServer, tmp_path: Path, processes: list[BotProcess]
) -> None:
    bot = await spawn(sandbox, tmp_path / "bot.sqlite3", tmp_path / "bot.log")
    processes.append(bot)
    alice = sandbox.user("Alice")
    sandbox.faults.delay("sendMessage", 2.0)
    sends = sandbox.calls["sendMessage"]
    await alice.send("/start")
    assert await sandbox.wait_until(lambda: sandbox.calls["sendMessage"] > sends, timeout=10)
    bot.terminate()  # while the greeting is still on its way
    assert await bot.exit_code(within=15) == 0
    greeting = await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=1)
    assert "Hi Alice" in greeting.text
    assert "Traceback" not in bot.log


@pytest.mark.parametrize("stalled", ["editMessageText", "sendMessage"])
async def test_kill_9_mid_answer_loses_nothing_and_the_quiz_goes_on(
    sandbox: SandboxServer, tmp_path: Path, processes: list[BotProcess], stalled: str
) -> None:
    database = tmp_path / "bot.sqlite3"
    bot = await spawn(sandbox, database, tmp_path / "bot.log")
    processes.append(bot)
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=10)
    write(database, "UPDATE users SET question_mix = 'choice' WHERE id = ?", (alice.id,))
    await alice.send("/quiz")
    first = await alice.wait_for(lambda m: m.text.startswith("Question 1/"), timeout=10)
    # Hold the reply to the answer at the sandbox, then kill the process mid-answer.
    sandbox.faults.delay(stalled, 60.0)
    calls = sandbox.calls[stalled]
    await alice.tap(right_label(database, alice), message=first, timeout=10)
    assert await sandbox.wait_until(lambda: sandbox.calls[stalled] > calls, timeout=10)
    bot.kill9()
    await bot.proc.wait()

    assert integrity(database) == "ok"
    assert reviews(database, alice) == 1  # the answer was written before any reply went out
    assert [m for m in alice.messages if m.text.startswith("Question 2/")] == []

    again = await spawn(sandbox, database, tmp_path / "again.log")
    processes.append(again)
    # What the killed process owed (the reveal, the next question) was written with the answer:
    # the new process delivers it by itself, and answers nothing twice. The tap itself, stored in
    # the inbox and never marked done, is handled again and finds its question answered.
    second = await alice.wait_for(lambda m: m.text.startswith("Question 2/"), timeout=15)
    reveal = await alice.wait_for(lambda m: m.message_id == first.message_id, timeout=10)
    assert "Right!" in reveal.text and not reveal.buttons
    assert reviews(database, alice) == 1
    await alice.tap(right_label(database, alice), message=second, timeout=10)
    await alice.wait_for(lambda m: m.text.startswith("Question 3/"), timeout=10)
    assert len([m for m in alice.messages if m.text.startswith("Question 2/")]) == 1
    assert reviews(database, alice) == 2
    rows = query(
        database,
        "SELECT COUNT(*), COUNT(DISTINCT position) FROM reviews WHERE user_id = ?",
        (alice.id,),
    )
    assert rows[0] == (2, 2)
    assert "Traceback" not in bot.log + again.log


async def test_kill_9_mid_reminder_sweep_never_sends_a_reminder_twice(
    sandbox: SandboxServer, tmp_path: Path, processes: list[BotProcess]
) -> None:
    database = tmp_path / "bot.sqlite3"
    bot = await spawn(sandbox, database, tmp_path / "bot.log")
    processes.append(bot)
    carol, dave = sandbox.user("Carol"), sandbox.user("Dave")
    for person in (carol, dave):
        await person.send("/remind 18:30")
        await person.wait_for(lambda m: "every day at" in m.text, timeout=10)
    now = datetime.now(UTC)
    # The learning day before today's (days start at 04:00, so before 04:00 UTC the calendar's
    # yesterday is still today's learning day, whose streak is not at stake).
    yesterday = (LearningDays.of("UTC").day_of(now) - timedelta(days=1)).isoformat()
    stake = "UPDATE users SET streak_current = 3, streak_best = 3, streak_last_day = ?, "
    sends = sandbox.calls["sendMessage"]
    sandbox.faults.delay("sendMessage", 60.0)
    write(
        database,
        stake + "next_remind_at = ?, timezone = 'UTC' WHERE id = ?",
        (yesterday, int(now.timestamp()) - 60, carol.id),
    )
    # The sweep (every 5 s) picks Carol up; her reminder stalls at the sandbox; kill -9.
    assert await sandbox.wait_until(lambda: sandbox.calls["sendMessage"] > sends, timeout=15)
    bot.kill9()
    await bot.proc.wait()
    assert integrity(database) == "ok"

    # Dave's reminder falls due for the restarted process: once it arrives, a sweep has run.
    write(
        database,
        stake + "next_remind_at = ?, timezone = 'UTC' WHERE id = ?",
        (yesterday, int(now.timestamp()) - 60, dave.id),
    )
    again = await spawn(sandbox, database, tmp_path / "again.log")
    processes.append(again)
    await dave.wait_for(lambda m: "daily review" in m.text, timeout=20)
    # Carol's would have been in the same paced batch as Dave's; give its send time to land.
    await asyncio.sleep(1.0)
    carols = [m for m in carol.messages if "daily review" in m.text]
    assert len(carols) <= 1  # lost at worst (the claim was made), never twice
    assert len([m for m in dave.messages if "daily review" in m.text]) == 1
    assert integrity(database) == "ok"
