"""The ways into the Mini App: the Manage decks button under /decks, the bot's menu button, and
offline, the sandbox playing Telegram (web_app buttons, the menu button, the signed launch)."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.server import SandboxServer
from bot.sandbox.terminal import run_terminal
from bot.webapp.init_data import check_init_data
from tests.e2e.conftest import TOKEN, RunningBot

REPO = Path(__file__).resolve().parents[2]
APP_URL = "https://quiz.example.org/app/"
MANAGE = "🗂 Manage decks"


@pytest.fixture
async def telegram() -> AsyncIterator[SandboxServer]:
    """A sandbox Bot API server on a free port."""
    server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0)
    await server.start()
    yield server
    await server.stop()


def settings_for(telegram: SandboxServer, tmp_path: Path, webapp_url: str | None) -> Settings:
    """A bot on the sandbox, on a SQLite file, with or without a Mini App address."""
    return Settings(
        bot_token=TOKEN,
        bot_api_url=telegram.base_url,
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        webapp_url=webapp_url,
    )


async def call(telegram: SandboxServer, method: str, **params: Any) -> dict[str, Any]:
    """A Bot API call to the sandbox, as any bot makes it; the JSON answer."""
    url = f"{telegram.base_url}/bot{TOKEN}/{method}"
    async with aiohttp.ClientSession() as http, http.post(url, json=params) as response:
        answer: dict[str, Any] = await response.json()
        return answer


async def test_decks_offers_the_mini_app_when_the_bot_has_one(
    telegram: SandboxServer, tmp_path: Path, clock: ManualClock
) -> None:
    bot = RunningBot(settings_for(telegram, tmp_path, APP_URL), clock)
    await bot.start()
    try:
        anna = telegram.user("Anna")
        await anna.send("/decks")
        listing = await anna.wait_for(lambda m: "Your decks" in m.text)
        assert listing.web_apps == {MANAGE: APP_URL}
        # In a group, /decks points to the private chat: no Mini App button there (Telegram
        # refuses them outside private chats).
        group = telegram.group("Study", members=[anna])
        await anna.send("/decks", chat=group)
        pointer = await anna.wait_for(lambda m: bool(m.text), chat=group)
        assert not pointer.web_apps
    finally:
        await bot.stop()


async def test_without_an_address_decks_has_no_such_button_and_the_menu_is_left_alone(
    telegram: SandboxServer, tmp_path: Path, clock: ManualClock
) -> None:
    bot = RunningBot(settings_for(telegram, tmp_path, None), clock)
    await bot.start()
    try:
        anna = telegram.user("Anna")
        await anna.send("/decks")
        listing = await anna.wait_for(lambda m: "Your decks" in m.text)
        assert MANAGE not in listing.labels and not listing.web_apps
        assert telegram.calls["setChatMenuButton"] == 0
    finally:
        await bot.stop()


async def test_the_menu_button_opens_the_mini_app_and_is_set_once(
    telegram: SandboxServer, tmp_path: Path, clock: ManualClock
) -> None:
    bot = RunningBot(settings_for(telegram, tmp_path, APP_URL), clock)
    await bot.start()
    try:
        answer = await call(telegram, "getChatMenuButton")
        assert answer["result"] == {"type": "web_app", "text": "Decks", "web_app": {"url": APP_URL}}
        await bot.restart()  # read first: what is already there is not set again
        assert telegram.calls["setChatMenuButton"] == 1
        moved = "https://elsewhere.example.org/app/"
        await bot.stop()
        bot.settings = dataclasses.replace(bot.settings, webapp_url=moved)
        await bot.start()
        assert telegram.calls["setChatMenuButton"] == 2
        assert (await call(telegram, "getChatMenuButton"))["result"]["web_app"]["url"] == moved
    finally:
        await bot.stop()


async def test_the_sandbox_refuses_web_app_buttons_as_telegram_does(
    telegram: SandboxServer,
) -> None:
    anna = telegram.user("Anna", started=True)
    group = telegram.group("Study", members=[anna])

    def button(url: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "Open", "web_app": {"url": url}}]]}

    sent = await call(
        telegram, "sendMessage", chat_id=anna.id, text="x", reply_markup=button(APP_URL)
    )
    assert sent["ok"], sent
    local = await call(
        telegram, "sendMessage", chat_id=anna.id, text="x",
        reply_markup=button("http://127.0.0.1:8088/app/"),
    )  # fmt: skip
    assert local["ok"]  # offline play serves the Mini App on this machine
    plain = await call(
        telegram, "sendMessage", chat_id=anna.id, text="x",
        reply_markup=button("http://quiz.example.org/app/"),
    )  # fmt: skip
    assert not plain["ok"] and "Only HTTPS links are allowed" in plain["description"]
    in_group = await call(
        telegram, "sendMessage", chat_id=group.id, text="x", reply_markup=button(APP_URL)
    )
    assert in_group == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: BUTTON_TYPE_INVALID",
    }


async def test_tapping_the_button_in_the_terminal_prints_a_signed_launch_address(
    telegram: SandboxServer, tmp_path: Path, clock: ManualClock
) -> None:
    app_url = "http://127.0.0.1:8088/app/"
    bot = RunningBot(settings_for(telegram, tmp_path, app_url), clock)
    await bot.start()
    try:
        anna = telegram.user("Anna", language_code="es")
        out = io.StringIO()
        await run_terminal(
            telegram, anna, stdin=io.StringIO("/decks\n"), stdout=out, settle_quiet=0.05
        )
        shown = re.search(r"\[(\d+)\.(\d+)\] 🗂 Gestionar mazos", out.getvalue())  # in her language
        assert shown is not None, out.getvalue()
        out = io.StringIO()
        # A new terminal: its bare number taps the newest message's button.
        await run_terminal(
            telegram, anna, stdin=io.StringIO(f"{shown.group(2)}\n"), stdout=out, settle_quiet=0.05
        )
        url = re.search(r"http://127\.0\.0\.1:8088/app/#\S+", out.getvalue())
        assert url is not None, out.getvalue()
        assert "Anna" in out.getvalue()
        fragment = parse_qs(urlsplit(url.group(0)).fragment)
        init_data = fragment["tgWebAppData"][0]
        person = check_init_data(init_data, TOKEN, int(telegram.world.clock.now().timestamp()))
        assert (person.id, person.first_name, person.language_code) == (anna.id, "Anna", "es")
    finally:
        await bot.stop()


async def test_make_run_prints_where_to_open_the_mini_app(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env["PYTHONPATH"] = str(REPO)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        await asyncio.wait_for(process.stdout.readuntil(b"Mini App: open "), 30)
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        url = line.split()[0]
        assert re.fullmatch(
            r"http://127\.0\.0\.1:\d+/app/#tgWebAppData=\S+&tgWebAppVersion=8\.0"
            r"&tgWebAppPlatform=web",
            url,
        ), line
        init_data = unquote(urlsplit(url).fragment.split("&")[0].removeprefix("tgWebAppData="))
        base = url.split("#")[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(base) as page:
                assert page.status == 200
            headers = {"Authorization": f"tma {init_data}"}
            async with http.get(base + "api/session", headers=headers) as session:
                assert session.status == 200, await session.text()
                assert (await session.json())["user"]["first_name"] in line
        process.stdin.write(b":quit\n")
        await process.stdin.drain()
        await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
