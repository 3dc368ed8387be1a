"""`live`: the sandbox Bot API, the bot on each backend and its Mini App server, with an HTTP client
that calls the Mini App's API as a sandbox person opening it now (a freshly signed initData).

The browser tests' fixtures (`chromium_path`, `chromium`, `mini_app`, `page`) come from
`tests.webapp.browser` and are made available to every module here."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from bot.webapp.context import WebUser
from bot.webapp.init_data import sign_init_data
from bot.webapp.server import WebAppServer, start_webapp, stop_webapp
from tests.e2e.conftest import TOKEN, RunningBot
from tests.webapp.browser import chromium, chromium_path, mini_app, page  # noqa: F401 (fixtures)


@dataclass
class Live:
    """The sandbox, the bot, its Mini App and an HTTP client."""

    sandbox: SandboxServer
    bot: RunningBot
    server: WebAppServer
    clock: ManualClock
    http: aiohttp.ClientSession

    async def call(
        self,
        person: SandboxUser,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any, bytes]:
        """Call /app/api`path` as `person` opening the Mini App now, with `body` as JSON (or the
        bytes `raw` as `content_type`); the status, the JSON answered (or None) and its bytes."""
        user = WebUser(person.id, person.record.first_name, "en")
        init_data = sign_init_data(user, TOKEN, int(self.clock.now().timestamp()))
        headers = {"Authorization": f"tma {init_data}"}
        data = raw
        if method != "GET":
            headers["Content-Type"] = content_type
            if data is None:
                data = json.dumps(body if body is not None else {}).encode()
        url = self.server.base_url + "api" + path
        async with self.http.request(method, url, data=data, headers=headers) as response:
            answered = await response.read()
            parsed = json.loads(answered) if response.content_type == "application/json" else None
            return response.status, parsed, answered


@pytest.fixture
async def live(database_url: str, clock: ManualClock) -> AsyncIterator[Live]:
    """The sandbox, the bot on `database_url` and its Mini App on a free port, all started."""
    sandbox = SandboxServer(token=TOKEN, host="127.0.0.1", port=0)
    await sandbox.start()
    settings = Settings(
        bot_token=TOKEN, bot_api_url=sandbox.base_url, database_url=database_url, log_level="DEBUG"
    )
    bot = RunningBot(settings, clock)
    await bot.start()
    server = await start_webapp(bot.app, TOKEN, "127.0.0.1:0", clock)
    assert server is not None
    try:
        async with aiohttp.ClientSession() as http:
            yield Live(sandbox, bot, server, clock, http)
    finally:
        await stop_webapp(server)
        await bot.stop()
        await sandbox.stop()
