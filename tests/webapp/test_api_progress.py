"""The progress API over HTTP on each backend: the page's figures as JSON, and Review now, which
starts a quiz in the person's chat or refuses cards that are not theirs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.unixtime import unix
from bot.storage import decks as deck_store
from bot.storage.db import Database
from bot.webapp import api_progress
from bot.webapp.context import BOT_APP, WEB_USER, WebUser
from tests.storage.progress_bench import ALICE, NOW, WORDS, Bench, make_bench, utc
from tests.webapp.conftest import Live

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def app_for(bench: Bench, user: WebUser) -> web.Application:
    """The progress routes, with `user` as the checked person (the server's middleware's part)."""

    @web.middleware
    async def as_user(request: web.Request, handler: Handler) -> web.StreamResponse:
        request[WEB_USER] = user
        return await handler(request)

    app = web.Application(middlewares=[as_user])
    services = SimpleNamespace(progress=bench.progress, deliverer=None)
    app[BOT_APP] = SimpleNamespace(bot_data=SimpleNamespace(services=services))
    api_progress.add_routes(app)
    return app


@pytest.fixture
async def bench(db: Database) -> Bench:
    return await make_bench(db)


@pytest.fixture
async def client(bench: Bench) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(app_for(bench, WebUser(ALICE, "Alice", "en")))) as made:
        yield made


async def call(
    client: TestClient[Any, Any], method: str, path: str, body: object = None
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body)
    headers = {"Content-Type": "application/json"}
    async with client.request(method, path, data=data, headers=headers) as response:
        return response.status, await response.json()


async def sessions(db: Database) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM quiz_sessions")
    assert row is not None
    return int(row[0])


async def test_progress_is_the_year_the_month_the_decks_and_the_hardest_cards(
    bench: Bench, client: TestClient[Any, Any]
) -> None:
    house, dog = bench.cards[:2]
    await bench.review(house, utc(2026, 3, 2, 8, 59), 1, lapses=2, difficulty=6.04, due=NOW)
    await bench.review(dog, utc(2026, 3, 2, 9, 30), 3, due=NOW + timedelta(days=2))
    status, body = await call(client, "GET", "/app/api/progress")
    assert status == 200
    assert len(body["heatmap"]) == 365
    assert body["heatmap"][-2:] == [
        {"day": "2026-03-01", "reviews": 1},
        {"day": "2026-03-02", "reviews": 1},
    ]
    assert body["forecast"][:4] == [
        {"day": "2026-03-02", "due": 1},
        {"day": "2026-03-03", "due": 0},
        {"day": "2026-03-04", "due": 1},
        {"day": "2026-03-05", "due": 0},
    ]
    assert body["decks"] == [
        {"id": bench.deck_id, "title": "Words", "retention": 0.5, "reviews": 2, "due": 1}
    ]
    assert body["hardest"] == [
        {
            "card_id": house,
            "deck_id": bench.deck_id,
            "deck_title": "Words",
            "front": "la casa",
            "lapses": 2,
            "difficulty": 6.0,
        },
        {
            "card_id": dog,
            "deck_id": bench.deck_id,
            "deck_title": "Words",
            "front": "el perro",
            "lapses": 0,
            "difficulty": 5.0,
        },
    ]


async def test_review_starts_a_quiz_owed_to_her_chat(
    bench: Bench, client: TestClient[Any, Any]
) -> None:
    status, body = await call(client, "POST", "/app/api/review", {"card_ids": bench.cards[:3]})
    assert (status, body) == (200, {"started": True})
    owed = await bench.db.fetchall(
        "SELECT payload FROM outbox WHERE chat_id = ? AND kind = 'quiz.item'", (ALICE,)
    )
    assert [json.loads(r[0])["position"] for r in owed] == [0]
    row = await bench.db.fetchone(
        "SELECT size, chat_id FROM quiz_sessions WHERE user_id = ?", (ALICE,)
    )
    assert row is not None and tuple(row) == (3, ALICE)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"card_ids": []},
        {"card_ids": list(range(1, 22))},
        {"card_ids": ["1"]},
        {"card_ids": [True]},
        [1],
    ],
)
async def test_review_of_anything_but_1_to_20_card_ids_is_a_bad_request(
    bench: Bench, client: TestClient[Any, Any], body: object
) -> None:
    status, answer = await call(client, "POST", "/app/api/review", body)
    assert status == 400 and answer["error"]["code"] == "bad_request"
    assert answer["error"]["message"] == "Pick from 1 to 20 cards to review."
    assert await sessions(bench.db) == 0


async def test_review_of_another_persons_card_is_forbidden_and_starts_nothing(
    bench: Bench, client: TestClient[Any, Any]
) -> None:
    async with TestClient(TestServer(app_for(bench, WebUser(1002, "Bob")))) as bob:
        status, body = await call(bob, "POST", "/app/api/review", {"card_ids": [bench.cards[0]]})
    assert status == 403
    assert body["error"] == {
        "code": "not_yours",
        "message": "One of these cards is not in your decks.",
    }
    assert await sessions(bench.db) == 0


async def test_review_of_a_card_without_a_question_is_unprocessable(
    bench: Bench, client: TestClient[Any, Any]
) -> None:
    await bench.db.execute("UPDATE cards SET retired = 1 WHERE id = ?", (bench.cards[0],))
    status, body = await call(client, "POST", "/app/api/review", {"card_ids": [bench.cards[0]]})
    assert status == 422 and body["error"]["code"] == "no_question"
    assert await sessions(bench.db) == 0


async def test_review_for_someone_without_a_chat_with_the_bot_is_a_conflict(
    bench: Bench, client: TestClient[Any, Any]
) -> None:
    await bench.db.execute("DELETE FROM chat_languages WHERE chat_id = ?", (ALICE,))
    status, body = await call(client, "POST", "/app/api/review", {"card_ids": [bench.cards[0]]})
    assert status == 409
    assert body["error"] == {
        "code": "no_chat",
        "message": "Open a chat with the bot first (send it /start): the quiz is asked there.",
    }
    assert await sessions(bench.db) == 0


# ---- through the real Mini App server, beside the real bot ----------------------------------


async def test_review_now_through_the_server_asks_the_first_picked_card_in_the_chat(
    live: Live,
) -> None:
    ann, ben = live.sandbox.user("Ann"), live.sandbox.user("Ben")
    for person in (ann, ben):
        await person.send("/start")
        await person.wait_for(lambda m: "Quizmaster" in m.text)
    db = live.bot.services.db
    deck_id = await deck_store.sync_deck(db, WORDS, "words", ann.id, unix(live.clock.now()))
    rows = await db.fetchall("SELECT id FROM cards WHERE deck_id = ? ORDER BY position", (deck_id,))
    table, cat = int(rows[3][0]), int(rows[2][0])
    status, body, _ = await live.call(ben, "POST", "/review", {"card_ids": [table]})
    assert status == 403 and body["error"]["code"] == "not_yours"
    status, body, _ = await live.call(ann, "POST", "/review", {"card_ids": [table, cat]})
    assert (status, body) == (200, {"started": True})
    question = await ann.wait_for(lambda m: m.text.startswith("Question 1/2"))
    assert "la mesa" in question.text or "the table" in question.text
    status, progress, _ = await live.call(ann, "GET", "/progress")
    assert status == 200
    assert [(d["title"], d["reviews"], d["retention"]) for d in progress["decks"]] == [
        ("Words", 0, None)
    ]
    assert not [m for m in ben.messages if m.text.startswith("Question")]
