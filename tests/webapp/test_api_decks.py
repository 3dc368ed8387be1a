"""The decks API over HTTP (a small aiohttp app with the real routes and deck editor, on both
backends): JSON shapes, strict bodies, refusals in the reader's language, pictures and exports."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from telegram import InputFile
from telegram.error import Forbidden, NetworkError

from bot.cards.formats import read_deck_bytes
from bot.cards.formats.apkg_media import MediaFile
from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.services.container import load_bundled_decks
from bot.services.deck_editor import DeckEditor
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.users import upsert_user
from bot.views.i18n import using_locale
from bot.webapp import api_decks
from bot.webapp.context import BOT_APP, WEB_USER, WebUser
from tests.media import png_bytes

ALICE = WebUser(4001, "Alice", "en")
BOB = WebUser(4002, "Bob", "es")
JSON = {"Content-Type": "application/json"}


@dataclass
class FakeBot:
    """Records the documents the API has the bot send."""

    sent: list[tuple[int, InputFile]] = field(default_factory=list)
    failure: Exception | None = None  # what Telegram answers instead, if anything

    async def send_document(self, chat_id: int, document: InputFile) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append((chat_id, document))


@dataclass
class Api:
    """An HTTP client of the decks routes, acting as one person or another."""

    client: TestClient[web.Request, web.Application]
    bot: FakeBot
    default_deck: int
    db: Database

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        user: WebUser = ALICE,
        raw: bytes | None = None,
    ) -> tuple[int, Any]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {**JSON, "X-Test-User": str(user.id)}
        async with self.client.request(method, f"/app/api{path}", data=data, headers=headers) as r:
            text = await r.read()
            try:
                return r.status, json.loads(text)
            except ValueError:
                return r.status, text


def _as_user(users: dict[int, WebUser]) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        # Stands for the server's initData check: the person the request is for, in their language.
        user = users[int(request.headers["X-Test-User"])]
        request[WEB_USER] = user
        with using_locale(user.language_code):
            return await handler(request)

    return middleware


@pytest.fixture
async def api(db: Database, clock: ManualClock) -> AsyncIterator[Api]:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    default = ids["khrushchev-reforms"]
    for user in (ALICE, BOB):
        await upsert_user(db, user.id, user.first_name, 0)
    editor = DeckEditor(db, clock, default_deck_id=default)
    bot = FakeBot()
    app = web.Application(middlewares=[_as_user({ALICE.id: ALICE, BOB.id: BOB})])
    app[BOT_APP] = SimpleNamespace(
        bot=bot, bot_data=SimpleNamespace(services=SimpleNamespace(deck_editor=editor))
    )
    api_decks.add_routes(app)
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield Api(client, bot, default, db)
    finally:
        await client.close()


async def new_deck(api: Api, cards: list[tuple[str, str]]) -> int:
    status, made = await api.call("POST", "/decks", {"title": "Spanish"})
    assert status == 201, made
    deck_id = int(made["deck"]["id"])
    for front, back in cards:
        status, added = await api.call(
            "POST", f"/decks/{deck_id}/cards", {"front": front, "back": back}
        )
        assert status == 201, added
    return deck_id


async def test_a_deck_is_made_listed_renamed_and_deleted(api: Api) -> None:
    status, made = await api.call("POST", "/decks", {"title": "  Verbs "})
    assert status == 201
    deck = made["deck"]
    assert {k: deck[k] for k in ("title", "cards", "editable", "active", "follows", "bundled")} == {
        "title": "Verbs",
        "cards": 0,
        "editable": True,
        "active": False,
        "follows": False,
        "bundled": False,
    }
    status, listed = await api.call("GET", "/decks?q=VERB")
    assert status == 200 and [d["id"] for d in listed["decks"]] == [deck["id"]]
    status, everything = await api.call("GET", "/decks")
    assert everything["decks"][0]["id"] == deck["id"]
    assert any(d["bundled"] and d["active"] and not d["editable"] for d in everything["decks"])
    status, renamed = await api.call("PATCH", f"/decks/{deck['id']}", {"title": "Irregular verbs"})
    assert status == 200 and renamed["deck"]["title"] == "Irregular verbs"
    status, deleted = await api.call("DELETE", f"/decks/{deck['id']}")
    assert (status, deleted) == (200, {"ok": True})
    status, gone = await api.call("GET", f"/decks/{deck['id']}")
    assert status == 404 and gone["error"]["code"] == "not_found"


async def test_cards_are_added_paged_edited_moved_and_deleted(api: Api) -> None:
    deck_id = await new_deck(api, [("uno", "one"), ("dos", "two"), ("tres", "three")])
    status, page = await api.call("GET", f"/decks/{deck_id}/cards?offset=1&limit=1")
    assert status == 200 and (page["total"], page["offset"], page["limit"]) == (3, 1, 1)
    card = page["cards"][0]
    assert {k: card[k] for k in ("position", "front", "back", "picture")} == {
        "position": 1,
        "front": "dos",
        "back": "two",
        "picture": False,
    }
    path = f"/decks/{deck_id}/cards/{card['id']}"
    status, edited = await api.call(
        "PUT", path, {"front": "Dos", "back": "2", "was": {"front": "dos", "back": "two"}}
    )
    assert (
        status == 200 and edited["schedule"] == "unchanged" and edited["card"]["id"] == card["id"]
    )
    assert edited["stopped_following"] is False
    status, moved = await api.call("POST", f"{path}/move", {"position": 0})
    assert status == 200 and moved["ok"] is True
    status, page = await api.call("GET", f"/decks/{deck_id}/cards")
    assert [c["front"] for c in page["cards"]] == ["Dos", "uno", "tres"]
    status, found = await api.call("GET", f"/decks/{deck_id}/cards?q=TRÉS")
    assert [c["front"] for c in found["cards"]] == ["tres"]
    status, deleted = await api.call("DELETE", path)
    assert status == 200 and deleted["ok"] is True
    status, _gone = await api.call("GET", path)
    assert status == 404


async def test_a_stale_edit_gets_409_with_the_card_as_it_is(api: Api) -> None:
    deck_id = await new_deck(api, [("uno", "one")])
    status, page = await api.call("GET", f"/decks/{deck_id}/cards")
    path = f"/decks/{deck_id}/cards/{page['cards'][0]['id']}"
    was = {"front": "uno", "back": "one"}
    status, _ = await api.call("PUT", path, {"front": "uno", "back": "1", "was": was})
    assert status == 200
    status, stale = await api.call("PUT", path, {"front": "uno", "back": "I", "was": was})
    assert status == 409 and stale["error"]["code"] == "changed" and stale["error"]["message"]
    assert stale["card"]["back"] == "1"


async def test_invalid_input_gets_422_naming_the_field_in_the_readers_language(api: Api) -> None:
    deck_id = await new_deck(api, [("uno", "one")])
    status, refused = await api.call(
        "POST", f"/decks/{deck_id}/cards", {"front": "UNO", "back": "x"}
    )
    assert status == 422 and refused["error"]["field"] == "front"
    assert refused["error"]["reason"] == "duplicate"
    status, refused = await api.call(
        "POST", f"/decks/{deck_id}/cards", {"front": "dos", "back": " "}
    )
    assert status == 422 and (refused["error"]["field"], refused["error"]["reason"]) == (
        "back",
        "empty",
    )
    status, mine = await api.call("POST", "/decks", {"title": ""}, user=ALICE)
    assert status == 422 and mine["error"]["field"] == "title"
    assert mine["error"]["message"] == "The title is empty."
    status, bobs = await api.call("POST", "/decks", {"title": ""}, user=BOB)
    assert status == 422 and bobs["error"]["message"] not in ("", mine["error"]["message"])


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"front": "a"}',
        b'{"front": "a", "back": "b", "colour": "red"}',
        b'{"front": "a", "back": "b", "position": "3"}',
        b'{"front": "a", "back": "b", "position": true}',
        b'{"front": 1, "back": "b"}',
    ],
)
async def test_a_malformed_body_is_refused_and_changes_nothing(api: Api, raw: bytes) -> None:
    deck_id = await new_deck(api, [("uno", "one")])
    status, refused = await api.call("POST", f"/decks/{deck_id}/cards", raw=raw)
    assert status == 400 and refused["error"]["code"] == "bad_request"
    status, page = await api.call("GET", f"/decks/{deck_id}/cards")
    assert page["total"] == 1


async def test_another_persons_deck_is_403_and_a_bundled_one_is_read_only(api: Api) -> None:
    deck_id = await new_deck(api, [("uno", "one")])
    for method, path, body in [
        ("GET", f"/decks/{deck_id}", None),
        ("GET", f"/decks/{deck_id}/cards", None),
        ("GET", f"/decks/{deck_id}/export", None),
        ("PATCH", f"/decks/{deck_id}", {"title": "Mine"}),
        ("POST", f"/decks/{deck_id}/cards", {"front": "dos", "back": "two"}),
        ("DELETE", f"/decks/{deck_id}", None),
    ]:
        status, refused = await api.call(method, path, body, user=BOB)
        assert (status, refused["error"]["code"]) == (403, "not_yours"), (method, path)
    status, page = await api.call("GET", f"/decks/{deck_id}/cards")
    assert [c["front"] for c in page["cards"]] == ["uno"]
    bundled = api.default_deck
    status, read = await api.call("GET", f"/decks/{bundled}/cards?limit=100")
    assert status == 200 and read["total"] > 0
    status, refused = await api.call("POST", f"/decks/{bundled}/cards", {"front": "x", "back": "y"})
    assert (status, refused["error"]["code"]) == (403, "read_only")


async def test_use_makes_a_deck_active_and_refuses_an_empty_one(api: Api) -> None:
    status, empty = await api.call("POST", "/decks", {"title": "Empty"})
    status, refused = await api.call("POST", f"/decks/{empty['deck']['id']}/use", {})
    assert status == 422 and refused["error"]["code"] == "empty_deck"
    deck_id = await new_deck(api, [("uno", "one")])
    status, used = await api.call("POST", f"/decks/{deck_id}/use", {})
    assert status == 200 and used["deck"]["active"] is True


async def test_the_export_downloads_and_is_sent_to_the_chat_as_the_same_file(api: Api) -> None:
    deck_id = await new_deck(api, [("uno", "one"), ("dos, tres", 'two "and" three')])
    async with api.client.get(
        f"/app/api/decks/{deck_id}/export", headers={"X-Test-User": str(ALICE.id)}
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.content_type == "text/csv"
        downloaded = await response.read()
    deck = read_deck_bytes(downloaded, "Spanish.csv")
    assert [(c.front, c.back) for c in deck.cards] == [
        ("uno", "one"),
        ("dos, tres", 'two "and" three'),
    ]
    status, sent = await api.call("POST", f"/decks/{deck_id}/export", {})
    assert (status, sent) == (200, {"sent": True})
    [(chat_id, document)] = api.bot.sent
    assert chat_id == ALICE.id and document.input_file_content == downloaded
    assert document.filename == "Spanish.csv"


async def test_a_cards_picture_is_served_with_its_type(api: Api, clock: ManualClock) -> None:
    picture = png_bytes()
    digest = hashlib.sha256(picture).hexdigest()
    deck = Deck("Animals", (Card("cat", "a cat", front_media=digest), Card("dog", "a dog")))
    media = [MediaFile(digest, "photo", "image/png", picture)]
    deck_id = await sync_deck(api.db, deck, "animals", ALICE.id, 0, media)
    status, page = await api.call("GET", f"/decks/{deck_id}/cards")
    cat, dog = page["cards"]
    assert (cat["picture"], dog["picture"]) == (True, False)
    async with api.client.get(
        f"/app/api/decks/{deck_id}/cards/{cat['id']}/picture",
        headers={"X-Test-User": str(ALICE.id)},
    ) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert await response.read() == picture
    status, _none = await api.call("GET", f"/decks/{deck_id}/cards/{dog['id']}/picture")
    assert status == 404
    status, _refused = await api.call(
        "GET", f"/decks/{deck_id}/cards/{cat['id']}/picture", user=BOB
    )
    assert status == 403


async def test_a_file_telegram_could_not_take_says_to_try_again(api: Api) -> None:
    deck_id = await new_deck(api, [("uno", "one")])
    api.bot.failure = NetworkError("connection reset")
    status, refused = await api.call("POST", f"/decks/{deck_id}/export", {})
    assert status == 503 and refused["error"]["code"] == "not_sent"
    assert (
        refused["error"]["message"] == "The file could not be sent just now: try again in a moment."
    )
    api.bot.failure = Forbidden("bot was blocked by the user")
    status, refused = await api.call("POST", f"/decks/{deck_id}/export", {})
    assert status == 409 and refused["error"]["code"] == "no_chat"
    assert api.bot.sent == []
