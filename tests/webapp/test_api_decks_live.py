"""The decks API through the real Mini App server beside the real bot (sandbox Bot API, both
backends): a signed initData edits a deck card by card, the edit is what /quiz then asks, and the
deck sent to the chat is the file the download gives."""

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


@dataclass
class Live:
    """The sandbox, the bot, its Mini App and an HTTP client."""

    sandbox: SandboxServer
    bot: RunningBot
    server: WebAppServer
    clock: ManualClock
    http: aiohttp.ClientSession

    async def call(
        self, person: SandboxUser, method: str, path: str, body: Any = None
    ) -> tuple[int, Any, bytes]:
        """Call /app/api`path` as `person` opening the Mini App now; status, JSON (or None), bytes."""
        user = WebUser(person.id, person.record.first_name, "en")
        init_data = sign_init_data(user, TOKEN, int(self.clock.now().timestamp()))
        headers = {"Authorization": f"tma {init_data}"}
        data = None
        if method != "GET":
            headers["Content-Type"] = "application/json"
            data = json.dumps(body if body is not None else {}).encode()
        url = self.server.base_url + "api" + path
        async with self.http.request(method, url, data=data, headers=headers) as response:
            raw = await response.read()
            parsed = json.loads(raw) if response.content_type == "application/json" else None
            return response.status, parsed, raw


@pytest.fixture
async def live(database_url: str, clock: ManualClock) -> AsyncIterator[Live]:
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


async def test_a_deck_edited_in_the_mini_app_is_what_quiz_asks_and_what_the_chat_gets(
    live: Live,
) -> None:
    ann = live.sandbox.user("Ann")
    await ann.send("/start")
    await ann.wait_for(lambda m: "Quizmaster" in m.text)
    status, made, _ = await live.call(ann, "POST", "/decks", {"title": "Greetings"})
    assert status == 201, made
    deck_id = made["deck"]["id"]
    status, added, _ = await live.call(
        ann, "POST", f"/decks/{deck_id}/cards", {"front": "hola", "back": "hello"}
    )
    assert status == 201, added
    card = added["card"]
    status, edited, _ = await live.call(
        ann,
        "PUT",
        f"/decks/{deck_id}/cards/{card['id']}",
        {
            "front": "¡hola!",
            "back": "hello there",
            "was": {"front": "hola", "back": "hello"},
            "keep_schedule": True,
        },
    )
    assert status == 200 and edited["schedule"] == "kept" and edited["card"]["id"] == card["id"]
    status, used, _ = await live.call(ann, "POST", f"/decks/{deck_id}/use")
    assert status == 200 and used["deck"]["active"] is True
    await ann.send("/quiz")
    question = await ann.wait_for(lambda m: m.text.startswith("Question 1/"))
    assert "¡hola!" in question.text
    # The deck sent into the chat is the file the download gives.
    status, _json, downloaded = await live.call(ann, "GET", f"/decks/{deck_id}/export")
    assert status == 200 and b"hello there" in downloaded
    status, sent, _ = await live.call(ann, "POST", f"/decks/{deck_id}/export")
    assert (status, sent) == (200, {"sent": True})
    document = (await ann.wait_for(lambda m: m.document is not None)).document
    assert document is not None and document.data == downloaded
    assert document.filename == "Greetings.csv"


async def test_sending_to_a_chat_never_opened_says_so(live: Live) -> None:
    ben = live.sandbox.user("Ben")
    status, made, _ = await live.call(ben, "POST", "/decks", {"title": "Mine"})
    assert status == 201, made
    status, refused, _ = await live.call(ben, "POST", f"/decks/{made['deck']['id']}/export")
    assert status == 409 and refused["error"]["code"] == "no_chat"
    assert "/start" in refused["error"]["message"]
