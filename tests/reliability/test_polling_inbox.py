"""Polling through the inbox: an update is stored before Telegram forgets it, so a restart handles
what was in hand or fetched, and nothing that was done."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import polling
from bot.app import poller_of
from bot.sandbox.server import SandboxServer
from bot.storage import inbox
from bot.storage.db import Database, DatabaseTimeout, open_database
from tests.e2e.conftest import RunningBot
from tests.reliability.helpers import message_update, redeliver
from tests.reliability.process import BotProcess, query, spawn

HELP = "What I can do"
STREAK = "Current streak"


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """Processes a test starts; any left running are killed at the end."""
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.reap()


def inbox_rows(database: Path) -> dict[int, tuple[int, bool]]:
    """Each stored update: how many times its handling began, and whether it is done."""
    rows = query(database, "SELECT update_id, attempts, done_at FROM inbox")
    return {int(str(u)): (int(str(a)), d is not None) for u, a, d in rows}


async def all_done(database: Path, within: float = 5.0) -> dict[int, tuple[int, bool]]:
    """The inbox once every row is done (the done mark follows the last reply)."""
    async with asyncio.timeout(within):
        while True:
            rows = inbox_rows(database)
            if all(done for _, done in rows.values()):
                return rows
            # Written by another process: nothing here could be waited on instead.
            await asyncio.sleep(0.05)


async def test_kill_9_mid_update_leaves_it_and_those_fetched_behind_it_to_the_restart(
    sandbox: SandboxServer, tmp_path: Path, processes: list[BotProcess]
) -> None:
    database = tmp_path / "bot.sqlite3"
    bot = await spawn(sandbox, database, tmp_path / "bot.log")
    processes.append(bot)
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=10)
    # The reply to /help is held at the sandbox: the process is in the middle of that update.
    sandbox.faults.delay("sendMessage", 60.0)
    sends = sandbox.calls["sendMessage"]
    in_hand = sandbox.world.next_update_id
    await alice.send("/help")
    assert await sandbox.wait_until(lambda: sandbox.calls["sendMessage"] > sends, timeout=10)
    # /streak is fetched, stored, and waits behind /help in Alice's chat.
    behind = sandbox.world.next_update_id
    await alice.send("/streak")

    def telegram_forgot_both() -> bool:
        # The next getUpdates named a higher offset: only the inbox still has them.
        return all(u.update_id > behind for u in sandbox.world.updates)

    assert await sandbox.wait_until(telegram_forgot_both, timeout=15)
    rows = inbox_rows(database)
    assert rows[in_hand] == (1, False) and rows[behind] == (0, False)
    bot.kill9()
    await bot.proc.wait()
    assert [m for m in alice.messages if HELP in m.text or STREAK in m.text] == []

    again = await spawn(sandbox, database, tmp_path / "again.log")
    processes.append(again)
    await alice.wait_for(lambda m: STREAK in m.text, timeout=15)
    # In order, each once: the /help begun by the killed process is handled again from the start.
    replies = [m.text for m in alice.messages if HELP in m.text or STREAK in m.text]
    assert len(replies) == 2 and HELP in replies[0] and STREAK in replies[1]
    rows = await all_done(database)
    assert rows[in_hand] == (2, True) and rows[behind] == (1, True)
    assert "handled again: the process that had it stopped before finishing" in again.log
    assert "Traceback" not in bot.log + again.log


async def test_an_update_done_before_a_restart_is_not_handled_again(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    update_id = sandbox.world.next_update_id
    hello = await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await sandbox.settle()
    await bot.stop()
    # Telegram hands /start out again, as after a crash before its offset was confirmed; the new
    # process remembers no update ids, and /start is not idempotent (it greets every time).
    redeliver(sandbox, message_update(sandbox, update_id, hello))
    await bot.start()
    assert await sandbox.wait_until(lambda: sandbox.unfetched() == 0, timeout=5)
    await sandbox.settle()
    assert len(alice.messages) == 1
    row = await bot.services.db.fetchone(
        "SELECT attempts, done_at IS NOT NULL FROM inbox WHERE update_id = ?", (update_id,)
    )
    assert row is not None and (row[0], bool(row[1])) == (1, True)
    # The batch fetched again was still confirmed: Telegram does not hand it out a third time.
    poller = poller_of(bot.app)
    assert poller is not None and poller.offset == update_id + 1


async def test_an_update_stored_but_not_handled_is_handled_by_the_next_start(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await bot.stop()
    # A process stored /help, confirmed it to Telegram, and died before handling it.
    update_id = sandbox.world.next_update_id
    await alice.send("/help")
    update = sandbox.world.updates.pop()
    assert update.update_id == update_id
    db = await open_database(bot.settings.database_url)
    try:
        await inbox.store(db, update_id, alice.id, json.dumps(update.to_json()), 0)
    finally:
        await db.close()
    await bot.start()  # nothing to fetch: the start takes the stored update over at once
    await alice.wait_for(lambda m: HELP in m.text, timeout=5)
    await sandbox.settle()
    assert len([m for m in alice.messages if HELP in m.text]) == 1
    assert await inbox.pending_count(bot.services.db) == 0


def at_telegram(sandbox: SandboxServer, update_id: int) -> bool:
    """Whether Telegram still keeps the update (no getUpdates confirmed it yet)."""
    return any(u.update_id == update_id for u in sandbox.world.updates)


async def inbox_row(bot: RunningBot, update_id: int) -> tuple[int, bool] | None:
    """The stored update's attempts and whether it is done, or None if it was never stored."""
    row = await bot.services.db.fetchone(
        "SELECT attempts, done_at IS NOT NULL FROM inbox WHERE update_id = ?", (update_id,)
    )
    return None if row is None else (int(row[0]), bool(row[1]))


async def test_while_the_store_fails_updates_go_to_the_handlers_and_are_confirmed_once_handled(
    sandbox: SandboxServer, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "STORE_RETRY_EVERY", 0.2)
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    original = inbox.store
    failing = True

    async def store(db: Database, update_id: int, key: int, payload: str, now: int) -> bool:
        if failing:
            raise DatabaseTimeout("the database did not answer")
        return await original(db, update_id, key, payload, now)

    monkeypatch.setattr(inbox, "store", store)
    # The reply is held at the sandbox: the handlers have /help in hand, not stored.
    sandbox.faults.delay("sendMessage", 1.0)
    sends = sandbox.calls["sendMessage"]
    help_id = sandbox.world.next_update_id
    await alice.send("/help")
    assert await sandbox.wait_until(lambda: sandbox.calls["sendMessage"] > sends, timeout=5)
    poller = poller_of(bot.app)
    assert poller is not None and poller.bypassing
    assert at_telegram(sandbox, help_id)  # not confirmed while its handlers run
    await alice.wait_for(lambda m: HELP in m.text, timeout=5)
    # Handled: the next getUpdates confirms it, though it was never stored.
    assert await sandbox.wait_until(lambda: not at_telegram(sandbox, help_id), timeout=5)
    assert await inbox_row(bot, help_id) is None
    # The database takes updates again: the next one goes through the inbox.
    failing = False
    assert await sandbox.wait_until(lambda: not poller.bypassing, timeout=5)
    streak_id = sandbox.world.next_update_id
    await alice.send("/streak")
    await alice.wait_for(lambda m: STREAK in m.text, timeout=5)
    await sandbox.settle()
    assert await inbox_row(bot, streak_id) == (1, True)
    assert len([m for m in alice.messages if HELP in m.text]) == 1


async def test_a_store_that_lands_after_its_update_went_to_the_handlers_runs_nothing_twice(
    sandbox: SandboxServer, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "HAND_OVER_AFTER", 0.2)
    monkeypatch.setattr(polling, "STORE_RETRY_EVERY", 60.0)  # only the late store writes the row
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    original = inbox.store

    async def late(db: Database, update_id: int, key: int, payload: str, now: int) -> bool:
        async def later() -> bool:
            await asyncio.sleep(0.5)
            return await original(db, update_id, key, payload, now)

        # Called off by the poller, and committed all the same (a statement already sent).
        return await asyncio.shield(asyncio.ensure_future(later()))

    monkeypatch.setattr(inbox, "store", late)
    # The row lands while the handlers still have /help: the dispatcher waits for them.
    sandbox.faults.delay("sendMessage", 1.5)
    help_id = sandbox.world.next_update_id
    await alice.send("/help")
    await alice.wait_for(lambda m: HELP in m.text, timeout=5)

    async def row_done() -> tuple[int, bool]:
        async with asyncio.timeout(5):
            while True:
                row = await inbox_row(bot, help_id)
                if row is not None and row[1]:
                    return row
                # The dispatcher's takeover finds the row within a second: nothing to wait on.
                await asyncio.sleep(0.05)

    # Marked done without being begun: the dispatcher never ran it.
    assert await row_done() == (0, True)
    await sandbox.settle()
    assert len([m for m in alice.messages if HELP in m.text]) == 1
