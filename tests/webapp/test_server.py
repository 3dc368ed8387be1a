"""The Mini App's server over real HTTP, beside the real bot: who gets in, what every response
tells the browser, what the page may fetch."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.server import SandboxServer
from bot.storage.users import get_user
from bot.webapp.context import WebUser
from bot.webapp.init_data import sign_init_data
from bot.webapp.server import (
    CONTENT_SECURITY_POLICY,
    MAX_JSON_BYTES,
    WebAppServer,
    start_webapp,
    stop_webapp,
)
from tests.e2e.conftest import TOKEN, RunningBot

OTHER_TOKEN = "987654321:TEST-token-for-the-sandbox-0000000"
ANNA = WebUser(7001, "Anna", "de")


@dataclass
class MiniApp:
    """The bot, its Mini App listening on 127.0.0.1, and an HTTP client."""

    bot: RunningBot
    server: WebAppServer
    clock: ManualClock
    http: aiohttp.ClientSession

    def init_data(self, user: WebUser = ANNA, token: str = TOKEN, age: int = 0) -> str:
        """What Telegram would hand the page for `user`, signed `age` seconds ago."""
        return sign_init_data(user, token, int(self.clock.now().timestamp()) - age)

    async def call(
        self,
        method: str,
        path: str,
        init_data: str | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Call `path` (under /app/); status, parsed JSON (or text) and headers."""
        sent = dict(headers or {})
        if init_data is not None:
            sent["Authorization"] = f"tma {init_data}"
        url = self.server.base_url + path.removeprefix("/")
        async with self.http.request(method, url, data=body, headers=sent) as response:
            text = await response.text()
            parsed = json.loads(text) if response.content_type == "application/json" else text
            return response.status, parsed, response.headers


@pytest.fixture
async def mini_app(database_url: str, clock: ManualClock) -> AsyncIterator[MiniApp]:
    """The sandbox, the bot polling it on a fresh database (SQLite, then PostgreSQL), and the
    Mini App beside it."""
    sandbox = SandboxServer(token=TOKEN, host="127.0.0.1", port=0)
    await sandbox.start()
    settings = Settings(
        bot_token=TOKEN,
        bot_api_url=sandbox.base_url,
        database_url=database_url,
        log_level="DEBUG",
    )
    bot = RunningBot(settings, clock)
    await bot.start()
    server = await start_webapp(bot.app, TOKEN, "127.0.0.1:0", clock)
    assert server is not None
    async with aiohttp.ClientSession() as http:
        yield MiniApp(bot, server, clock, http)
    await stop_webapp(server)
    await bot.stop()
    await sandbox.stop()


async def test_a_valid_session_names_the_person_in_their_language(mini_app: MiniApp) -> None:
    status, body, headers = await mini_app.call("GET", "api/session", mini_app.init_data())
    assert status == 200
    assert body["user"] == {"id": ANNA.id, "first_name": "Anna"}
    assert body["locale"] == "de"  # Telegram's language: the bot has no stored one for her
    assert body["strings"]["webapp.unavailable"] == "Dieser Bereich ist gerade nicht verfügbar."
    assert body["chat"] is False  # she never wrote to the bot
    assert headers["Cache-Control"] == "no-store"
    # She is known to the bot from now on.
    assert await get_user(mini_app.bot.services.db, ANNA.id) is not None


async def test_the_stored_language_wins_over_telegrams(mini_app: MiniApp) -> None:
    from bot.storage.languages import choose_language

    await mini_app.bot.services.users.touch(ANNA.id, "Anna")
    await choose_language(mini_app.bot.services.db, ANNA.id, "es")
    status, body, _headers = await mini_app.call("GET", "api/session", mini_app.init_data())
    assert status == 200
    assert (body["locale"], body["chat"]) == ("es", True)
    assert body["strings"]["webapp.close"] == "Cerrar"


@pytest.mark.parametrize(
    "case", ["no header", "forged", "expired", "other token", "not tma", "future"]
)
async def test_refused_initdata_gets_401_and_writes_nothing(mini_app: MiniApp, case: str) -> None:
    good = mini_app.init_data()
    init_data = {
        "no header": None,
        "forged": good.replace("Anna", "Eve"),
        "expired": mini_app.init_data(age=86400 + 1),
        "other token": mini_app.init_data(token=OTHER_TOKEN),
        "not tma": None,
        "future": mini_app.init_data(age=-301),
    }[case]
    headers = {"Authorization": f"Bearer {good}"} if case == "not tma" else {}
    status, body, response_headers = await mini_app.call(
        "GET", "api/session", init_data, headers=headers
    )
    assert status == 401
    code = "expired" if case == "expired" else "unauthorized"
    assert body["error"]["code"] == code
    assert "bot" in body["error"]["message"]  # a sentence saying where to open it from
    assert response_headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert await get_user(mini_app.bot.services.db, ANNA.id) is None


async def test_a_refusal_speaks_the_browsers_language(mini_app: MiniApp) -> None:
    headers = {"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"}
    status, body, _ = await mini_app.call("GET", "api/session", headers=headers)
    assert status == 401
    assert body["error"]["message"].startswith("Відкрийте")


async def test_a_write_must_be_json(mini_app: MiniApp) -> None:
    status, body, _ = await mini_app.call(
        "POST", "api/decks", mini_app.init_data(), body=b"title=x"
    )
    assert status == 415
    assert body["error"]["code"] == "unsupported_media_type"
    assert body["error"]["message"] == "Die Seite muss ihre Daten als JSON senden."
    assert await get_user(mini_app.bot.services.db, ANNA.id) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
async def test_a_cross_site_write_is_refused(mini_app: MiniApp, headers: dict[str, str]) -> None:
    status, body, _ = await mini_app.call(
        "POST",
        "api/decks",
        mini_app.init_data(),
        body=b'{"title": "x"}',
        headers={"Content-Type": "application/json", **headers},
    )
    assert status == 403
    assert body["error"]["code"] == "cross_site"
    assert await get_user(mini_app.bot.services.db, ANNA.id) is None


async def test_a_same_origin_write_passes_the_guard(mini_app: MiniApp) -> None:
    origin = mini_app.server.base_url.removesuffix("/app/")
    status, body, _ = await mini_app.call(
        "POST",
        "api/nothing-here",
        mini_app.init_data(),
        body=b"{}",
        headers={
            "Content-Type": "application/json",
            "Origin": origin,
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert body["error"]["message"] == "Hier gibt es nichts."  # in her language


async def test_a_body_over_64_kb_is_refused_with_a_sentence(mini_app: MiniApp) -> None:
    big = json.dumps({"title": "x" * MAX_JSON_BYTES}).encode()
    status, body, _ = await mini_app.call(
        "POST",
        "api/decks",
        mini_app.init_data(),
        body=big,
        headers={"Content-Type": "application/json"},
    )
    assert status == 413
    assert body["error"]["code"] == "too_large"
    assert body["error"]["message"]


async def test_unknown_api_paths_and_methods_answer_json(mini_app: MiniApp) -> None:
    status, body, _ = await mini_app.call("GET", "api/nope", mini_app.init_data())
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body, _ = await mini_app.call(
        "PUT",
        "api/session",
        mini_app.init_data(),
        body=b"{}",
        headers={"Content-Type": "application/json"},
    )
    assert (status, body["error"]["code"]) == (405, "method_not_allowed")


async def test_the_shell_page_and_its_assets(mini_app: MiniApp) -> None:
    status, page, headers = await mini_app.call("GET", "")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="static/app.js"></script>' in page
    for name, kind in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("telegram-web-app.js", "text/javascript; charset=utf-8"),
    ]:
        status, _text, headers = await mini_app.call("GET", f"static/{name}")
        assert (status, headers["Content-Type"]) == (200, kind), name
        assert headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["", "static/app.js", "api/session", "static/missing.js"])
async def test_security_headers_on_every_response(mini_app: MiniApp, path: str) -> None:
    _status, _body, headers = await mini_app.call("GET", path, mini_app.init_data())
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    "path",
    [
        "static/../server.py",
        "static/..%2Fserver.py",
        "static/%2E%2E%2Fserver.py",
        "static/..%5Cserver.py",
        "static/.hidden",
        "static/__init__.py",
        "static/server.py",
    ],
)
async def test_nothing_but_the_static_files_is_served(mini_app: MiniApp, path: str) -> None:
    url = mini_app.server.base_url + path
    async with mini_app.http.get(url) as response:  # aiohttp keeps the path as written
        text = await response.text()
    assert response.status == 404
    assert "import" not in text


async def test_an_unbindable_port_is_logged_and_nothing_is_served(
    mini_app: MiniApp, clock: ManualClock
) -> None:
    taken = f"127.0.0.1:{mini_app.server.port}"
    assert await start_webapp(mini_app.bot.app, TOKEN, taken, clock) is None
    assert await start_webapp(mini_app.bot.app, TOKEN, None, clock) is None
