"""Webhook fixtures: the sandbox delivering updates over HTTP to the real bot in webhook mode."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import build_application
from bot.clock import ManualClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox.server import SandboxServer
from bot.services.container import Services
from bot.webhook.metered import MeteredApplication
from bot.webhook.runner import WebhookServer, start_webhook, stop_webhook
from bot.webhook.server import SECRET_HEADER
from tests.e2e.conftest import TOKEN

SECRET = "hook-Secret_0123456789-abcdefXYZ"


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class HookedBot:
    """The bot serving its webhook, and an HTTP client to talk to it as anyone would."""

    settings: Settings
    clock: ManualClock
    server: WebhookServer | None = None
    http: aiohttp.ClientSession = field(init=False)

    @property
    def app(self) -> MeteredApplication:
        """The running application."""
        assert self.server is not None and isinstance(self.server.app, MeteredApplication)
        return self.server.app

    @property
    def services(self) -> Services:
        """The running bot's services."""
        runtime: Runtime = self.app.bot_data
        return runtime.services

    @property
    def base(self) -> str:
        """http://host:port of the listener."""
        return f"http://{self.settings.webhook_listen}"

    async def start(self) -> None:
        """Build the application as `python -m bot run --webhook` does and start serving."""
        app = build_application(self.settings, clock=self.clock, fuzz=False, sweep_interval=None)
        self.server = await start_webhook(app, self.settings)
        self.http = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Stop serving and close the client."""
        await self.http.close()
        if self.server is not None:
            await stop_webhook(self.server)
            self.server = None

    async def post(
        self,
        body: bytes,
        secret: str | None = SECRET,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        """POST `body` to the webhook URL (with `secret` in the header unless None); the status."""
        sent = {"Content-Type": "application/json", **(headers or {})}
        if secret is not None:
            sent[SECRET_HEADER] = secret
        assert self.settings.webhook_url is not None
        async with self.http.post(self.settings.webhook_url, data=body, headers=sent) as response:
            await response.read()
            return response.status

    async def get(self, path: str) -> tuple[int, str]:
        """GET a page of the listener; status and text."""
        async with self.http.get(self.base + path) as response:
            return response.status, await response.text()

    async def get_json(self, path: str) -> tuple[int, Any]:
        """GET a JSON page of the listener; status and parsed body."""
        async with self.http.get(self.base + path) as response:
            return response.status, await response.json()


@pytest.fixture
async def hooked(clock: ManualClock) -> AsyncIterator[SandboxServer]:
    """A sandbox Bot API server that POSTs updates to the registered webhook."""
    server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0, webhook_delivery=True)
    await server.start()
    yield server
    await server.stop()


def webhook_settings(
    sandbox: SandboxServer, database: Path | str, inbox_lease_seconds: int = 30
) -> Settings:
    """Settings of a bot in webhook mode on a free local port, behind `sandbox`; `database` is a
    SQLite file or a DATABASE_URL."""
    port = free_port()
    return Settings(
        bot_token=TOKEN,
        bot_api_url=sandbox.base_url,
        database_url=database if isinstance(database, str) else f"sqlite:///{database}",
        log_level="DEBUG",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret=SECRET,
        webhook_listen=f"127.0.0.1:{port}",
        webhook_max_connections=8,
        inbox_lease_seconds=inbox_lease_seconds,
    )


@pytest.fixture
async def hook(
    hooked: SandboxServer, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[HookedBot]:
    """The real bot in webhook mode behind the sandbox, on a fresh database file."""
    running = HookedBot(webhook_settings(hooked, tmp_path / "bot.sqlite3"), clock)
    await running.start()
    yield running
    await running.stop()
