"""`python -m bot run --webhook` as a real process: serves, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import TOKEN
from tests.reliability.process import launch
from tests.webhook.conftest import SECRET, free_port


async def test_webhook_process_answers_then_stops_cleanly_on_sigterm(
    hooked: SandboxServer, tmp_path: Path
) -> None:
    port = free_port()
    log_path = tmp_path / "bot.log"
    bot = await launch(
        log_path,
        "--webhook",
        BOT_TOKEN=TOKEN,
        BOT_API_URL=hooked.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        LOG_LEVEL="DEBUG",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )
    proc = bot.proc
    try:
        assert await hooked.wait_until(lambda: hooked.webhook.url is not None, timeout=30)
        alice = hooked.user("Alice")
        await alice.send("/start")
        welcome = await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=15)
        assert "Hi Alice" in welcome.text
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
            assert (await response.json())["database"] == "ok"
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "webhook registered" in log
    assert "stopping: finishing the updates in hand" in log
    assert log.rstrip().endswith("stopped")
    assert SECRET not in log
    assert "Traceback" not in log
    # Telegram keeps the webhook, and with it the updates that arrive while the bot is down.
    assert hooked.webhook.url == f"http://127.0.0.1:{port}/hook"
    assert hooked.calls["deleteWebhook"] == 0
