"""End-to-end fixtures: the sandbox Bot API on 127.0.0.1 and the real bot polling it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.app import build_application, start_polling, stop_polling
from bot.clock import ManualClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox.server import SandboxServer
from bot.services.container import Services

TOKEN = "123456789:TEST-token-for-the-sandbox-0000000"


@dataclass
class RunningBot:
    """A bot process-in-a-task: start, stop, restart, and reach its services."""

    settings: Settings
    clock: ManualClock
    app: Any = field(default=None, repr=False)  # PTB's repr shows the token
    restarts: int = field(default=0)

    async def start(self) -> None:
        """Build a fresh Application (as a new process would) and start polling."""
        self.app = build_application(
            self.settings, clock=self.clock, fuzz=False, sweep_interval=None
        )
        await start_polling(self.app, poll_timeout=1)

    async def stop(self) -> None:
        """Stop polling and close the database."""
        if self.app is not None:
            await stop_polling(self.app)
            self.app = None

    async def restart(self) -> None:
        """Stop and start again: nothing may live only in memory."""
        await self.stop()
        self.restarts += 1
        await self.start()

    @property
    def services(self) -> Services:
        """The running bot's services."""
        runtime: Runtime = self.app.bot_data
        return runtime.services


@pytest.fixture
async def sandbox(
    request: pytest.FixtureRequest, clock: ManualClock
) -> AsyncIterator[SandboxServer]:
    """A sandbox Bot API server on a free port.

    Tests marked `telegram_limits` get it on the bot's clock, answering floods with 429.
    """
    if request.node.get_closest_marker("telegram_limits"):
        server = SandboxServer(
            token=TOKEN, host="127.0.0.1", port=0, clock=clock, enforce_limits=True
        )
    else:
        server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(
    sandbox: SandboxServer, database_url: str, clock: ManualClock
) -> AsyncIterator[RunningBot]:
    """The real bot, polling the sandbox, with a manual clock, on a fresh database: a SQLite
    file, then a PostgreSQL schema (each e2e test runs on both; see tests/conftest.py)."""
    settings = Settings(
        bot_token=TOKEN,
        bot_api_url=sandbox.base_url,
        database_url=database_url,
        log_level="DEBUG",
    )
    running = RunningBot(settings, clock)
    await running.start()
    yield running
    await running.stop()
