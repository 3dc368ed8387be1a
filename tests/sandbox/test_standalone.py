"""The sandbox runs as its own process; a bot and a test driver reach it over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
from telegram import Bot

from bot.sandbox.control import SandboxControl

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "42:SUBPROCESS-token"


async def test_a_sandbox_process_serves_a_bot_and_a_driver() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.sandbox", "--token", TOKEN,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base_url = (await asyncio.wait_for(process.stdout.readline(), 20)).decode().strip()
        assert base_url.startswith("http://127.0.0.1:")
        async with (
            aiohttp.ClientSession() as session,
            Bot(TOKEN, base_url=base_url + "/bot") as bot,
        ):
            control = SandboxControl(base_url, session)
            person = await control.call("users", first_name="Eve")
            await control.call("send", user_id=person["id"], text="/start")
            (update,) = await bot.get_updates()
            assert update.message is not None and update.message.text == "/start"
            await bot.send_message(person["id"], "<b>hello</b>", parse_mode="HTML")
            (shown,) = await control.call("messages", chat_id=person["id"])
            assert (shown["text"], shown["html"]) == ("hello", "<b>hello</b>")
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
