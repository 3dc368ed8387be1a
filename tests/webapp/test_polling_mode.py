"""Polling mode serves the Mini App on WEBAPP_LISTEN when WEBAPP_URL is set, from a real bot
process; a taken port costs the Mini App, not the bot."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.server import SandboxServer
from bot.webapp.context import WebUser
from bot.webapp.init_data import sign_init_data
from tests.e2e.conftest import TOKEN
from tests.reliability.process import BotProcess, launch


@pytest.fixture
async def telegram() -> AsyncIterator[SandboxServer]:
    """A sandbox Bot API server on a free port."""
    server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0)
    await server.start()
    yield server
    await server.stop()


def free_port() -> int:
    """A port nothing listens on (for a moment)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def polling_bot(telegram: SandboxServer, tmp_path: Path, port: int) -> BotProcess:
    """A bot process polling the sandbox, its Mini App at 127.0.0.1:`port`."""
    return await launch(
        tmp_path / "bot.log",
        BOT_TOKEN=TOKEN,
        BOT_API_URL=telegram.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        METRICS_LISTEN="off",
        WEBAPP_URL=f"http://127.0.0.1:{port}/app/",
        WEBAPP_LISTEN=f"127.0.0.1:{port}",
    )


async def logged(process: BotProcess, line: str) -> bool:
    """Whether `line` shows up in the process's log within half a minute."""
    deadline = time.monotonic() + 30
    while line not in process.log:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def test_a_polling_bot_serves_its_mini_app(telegram: SandboxServer, tmp_path: Path) -> None:
    port = free_port()
    process = await polling_bot(telegram, tmp_path, port)
    try:
        assert await logged(process, f"serving the Mini App on 127.0.0.1:{port}/app/"), process.log
        init_data = sign_init_data(WebUser(42, "Ola"), TOKEN, int(time.time()))
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/app/") as page:
                assert page.status == 200
            headers = {"Authorization": f"tma {init_data}"}
            url = f"http://127.0.0.1:{port}/app/api/session"
            async with http.get(url, headers=headers) as session:
                assert session.status == 200
                assert (await session.json())["user"]["first_name"] == "Ola"
    finally:
        process.terminate()
        assert await process.exit_code() == 0


async def test_a_taken_port_does_not_stop_the_bot(telegram: SandboxServer, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        polls = telegram.calls["getUpdates"]
        process = await polling_bot(telegram, tmp_path, port)
        try:
            line = f"the Mini App is not served: cannot listen on 127.0.0.1:{port}"
            assert await logged(process, line), process.log
            assert await telegram.wait_until(
                lambda: telegram.calls["getUpdates"] > polls + 1, timeout=30
            )
        finally:
            process.terminate()
            assert await process.exit_code() == 0
