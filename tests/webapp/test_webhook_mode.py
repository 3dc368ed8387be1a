"""Webhook mode serves the Mini App under /app on the webhook's own listener when WEBAPP_URL is
set, and nothing there when it is not."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.sandbox.server import SandboxServer
from bot.webapp.context import WebUser
from bot.webapp.init_data import sign_init_data
from bot.webapp.server import CONTENT_SECURITY_POLICY
from tests.e2e.conftest import TOKEN
from tests.webhook.conftest import HookedBot, webhook_settings


@pytest.fixture
async def telegram() -> AsyncIterator[SandboxServer]:
    """A sandbox Bot API server that POSTs updates to the registered webhook."""
    server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0, webhook_delivery=True)
    await server.start()
    yield server
    await server.stop()


async def hooked_bot(
    telegram: SandboxServer, tmp_path: Path, clock: ManualClock, webapp: bool
) -> HookedBot:
    """The bot in webhook mode, with or without a Mini App address."""
    settings = webhook_settings(telegram, tmp_path / "bot.sqlite3")
    if webapp:
        url = f"http://{settings.webhook_listen}/app/"
        settings = dataclasses.replace(settings, webapp_url=url)
    running = HookedBot(settings, clock)
    await running.start()
    return running


async def test_the_mini_app_is_served_beside_the_webhook(
    telegram: SandboxServer, tmp_path: Path, clock: ManualClock
) -> None:
    running = await hooked_bot(telegram, tmp_path, clock, webapp=True)
    try:
        status, page = await running.get("/app/")
        assert status == 200 and "static/app.js" in page
        init_data = sign_init_data(WebUser(42, "Ola"), TOKEN, int(clock.now().timestamp()))
        url = f"{running.base}/app/api/session"
        async with running.http.get(url, headers={"Authorization": f"tma {init_data}"}) as got:
            assert got.status == 200
            assert got.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
            assert (await got.json())["user"] == {"id": 42, "first_name": "Ola"}
        # The webhook's own pages carry none of the Mini App's headers.
        async with running.http.get(f"{running.base}/healthz") as health:
            assert health.status == 200
            assert "Content-Security-Policy" not in health.headers
    finally:
        await running.stop()


async def test_without_an_address_nothing_is_served_at_app(
    telegram: SandboxServer, tmp_path: Path, clock: ManualClock
) -> None:
    running = await hooked_bot(telegram, tmp_path, clock, webapp=False)
    try:
        status, _page = await running.get("/app/")
        assert status == 404
    finally:
        await running.stop()
