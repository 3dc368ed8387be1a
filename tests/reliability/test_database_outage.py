"""A database server that stops answering (the network path dies, connections stay open) leaves
nobody waiting: each person is told within seconds to try again, and all is well once it is back."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.server import SandboxServer
from bot.storage import postgres
from bot.views.texts import DATABASE_SLOW, DATABASE_SLOW_TOAST
from tests.backends import fresh_schema, postgres_url_or_skip
from tests.e2e.conftest import TOKEN, RunningBot
from tests.reliability.tcp_proxy import FreezableProxy

PEOPLE = 15


def through(url: str, port: int) -> str:
    """`url` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    auth = f"{netloc[0]}@" if len(netloc) == 2 else ""
    return urlunsplit(parts._replace(netloc=f"{auth}127.0.0.1:{port}"))


@pytest.fixture
async def proxied_bot(
    sandbox: SandboxServer, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[RunningBot, FreezableProxy]]:
    """The bot on a fresh PostgreSQL schema reached through a proxy the test can freeze."""
    # Short limits keep the test quick; the defaults are what README states.
    monkeypatch.setattr(postgres, "STATEMENT_TIMEOUT", 2.0)
    monkeypatch.setattr(postgres, "ACQUIRE_TIMEOUT", 1.0)
    async with fresh_schema(await postgres_url_or_skip()) as url:
        target = urlsplit(url)
        proxy = FreezableProxy(target.hostname or "127.0.0.1", target.port or 5432)
        await proxy.start()
        settings = Settings(
            bot_token=TOKEN,
            bot_api_url=sandbox.base_url,
            database_url=through(url, proxy.port),
            log_level="DEBUG",
        )
        running = RunningBot(settings, clock)
        await running.start()
        try:
            yield running, proxy
        finally:
            proxy.thaw()
            await running.stop()
            await proxy.stop()


async def test_everyone_hears_to_try_again_and_the_bot_carries_on_after(
    sandbox: SandboxServer, proxied_bot: tuple[RunningBot, FreezableProxy]
) -> None:
    bot, proxy = proxied_bot
    people = [sandbox.user(f"Person {n}") for n in range(PEOPLE)]
    await people[0].send("/quiz")
    question = await people[0].wait_for(lambda m: m.text.startswith("Question 1/"))
    proxy.freeze()
    started = time.monotonic()
    for person in people[1:]:
        await person.send("/quiz")
    tap = asyncio.create_task(people[0].tap(question.labels[0], message=question))
    for person in people[1:]:
        await person.wait_for(lambda m: m.text == DATABASE_SLOW, timeout=15)
    assert await asyncio.wait_for(tap, 15) == DATABASE_SLOW_TOAST
    waited = time.monotonic() - started
    assert waited < 15, f"the last person heard after {waited:.1f} s"
    # Back again: the same people quiz as if nothing happened.
    proxy.thaw()
    for person in people[1:4]:
        sent = await person.send("/quiz")
        await person.wait_for(lambda m: m.text.startswith("Question 1/"), since=sent, timeout=15)
    assert bot.app is not None


async def test_a_sqlite_file_locked_by_another_process_gets_the_same_answer(
    sandbox: SandboxServer, clock: ManualClock, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    settings = Settings(
        bot_token=TOKEN,
        bot_api_url=sandbox.base_url,
        database_url=f"sqlite:///{database}",
        log_level="DEBUG",
    )
    bot = RunningBot(settings, clock)
    await bot.start()
    alice = sandbox.user("Alice")
    other = sqlite3.connect(database, timeout=1, isolation_level=None)
    try:
        await alice.send("/start")
        await alice.wait_for(lambda m: "Quizmaster" in m.text)
        other.execute("BEGIN IMMEDIATE")  # another process writing and not letting go
        sent = await alice.send("/quiz")
        await alice.wait_for(lambda m: m.text == DATABASE_SLOW, since=sent, timeout=15)
        other.execute("ROLLBACK")
        again = await alice.send("/quiz")
        await alice.wait_for(lambda m: m.text.startswith("Question 1/"), since=again, timeout=15)
    finally:
        other.close()
        await bot.stop()
