"""The bot in webhook mode behind the sandbox: registration, a quiz end to end, /healthz, /metrics."""

from __future__ import annotations

import asyncio

import pytest

from bot.handlers.battle import sweep_battles
from bot.sandbox.server import SandboxServer
from bot.webhook import server as webhook_server
from tests.e2e.conftest import TOKEN
from tests.e2e.helpers import answer
from tests.webhook.conftest import SECRET, HookedBot
from tests.webhook.scrape import families, sample


async def test_the_webhook_is_registered_with_the_secret_and_allowed_updates(
    hooked: SandboxServer, hook: HookedBot
) -> None:
    registered = hooked.webhook
    assert registered.url == hook.settings.webhook_url
    assert registered.secret_token == SECRET
    assert registered.max_connections == 8
    assert registered.allowed_updates == [
        "message",
        "callback_query",
        "inline_query",
        "poll_answer",
    ]


async def test_a_quiz_is_answered_end_to_end_over_the_webhook(
    hooked: SandboxServer, hook: HookedBot
) -> None:
    alice = hooked.user("Alice")
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/9") and bool(m.buttons))
    await answer(alice, hook.services, right=True)
    await alice.wait_for(lambda m: m.message_id == question.message_id and not m.buttons)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/9"))
    row = await hook.services.db.fetchone(
        "SELECT COUNT(*) FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert row is not None and row[0] == 1
    # Every update came by webhook: the bot never polled.
    assert hooked.calls["getUpdates"] == 0
    assert hooked.webhook.last_error_message is None


async def test_healthz_reports_the_database_and_the_age_of_the_last_update(
    hooked: SandboxServer, hook: HookedBot
) -> None:
    status, body = await hook.get_json("/healthz")
    assert (status, body) == (
        200,
        {"status": "ok", "database": "ok", "last_update_age_seconds": None},
    )
    alice = hooked.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await hooked.settle()
    status, body = await hook.get_json("/healthz")
    assert status == 200
    assert body["database"] == "ok"
    assert 0 <= body["last_update_age_seconds"] < 30


async def test_healthz_answers_503_when_the_database_does_not_answer(
    hook: HookedBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_server, "HEALTH_TIMEOUT", 0.2)
    stuck = asyncio.Event()
    release = asyncio.Event()

    async def hold_the_database() -> None:
        # A write transaction that never ends, as a wedged disk or a runaway query would.
        async with hook.services.db.transaction():
            stuck.set()
            await release.wait()

    holder = asyncio.create_task(hold_the_database())
    await stuck.wait()
    try:
        status, body = await hook.get_json("/healthz")
    finally:
        release.set()
        await holder
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["database"] == "unreachable"
    status, _ = await hook.get_json("/healthz")
    assert status == 200


async def test_metrics_move_after_a_quiz_answer(hooked: SandboxServer, hook: HookedBot) -> None:
    status, before = await hook.get("/metrics")
    assert status == 200
    assert {
        "quizmaster_updates_processed",
        "quizmaster_update_seconds",
        "quizmaster_bot_api_calls",
        "quizmaster_bot_api_throttled",
        "quizmaster_reminders_sent",
        "quizmaster_battles_running",
        "quizmaster_webhook_requests",
    } <= families(before)
    assert sample(before, "quizmaster_bot_api_calls_total", method="setWebhook", outcome="ok") == 1
    assert sample(before, "quizmaster_updates_processed_total", kind="message") == 0

    alice = hooked.user("Alice")
    await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/9") and bool(m.buttons))
    await answer(alice, hook.services, right=True)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/9"))
    await hooked.settle()
    _, after = await hook.get("/metrics")
    taps = sample(after, "quizmaster_updates_processed_total", kind="callback_query")
    messages = sample(after, "quizmaster_updates_processed_total", kind="message")
    assert messages == 1
    assert taps >= 1  # one tap, or two for a self-graded card ("Show answer", then the grade)
    assert sample(after, "quizmaster_update_seconds_count") == messages + taps
    assert sample(after, "quizmaster_update_seconds_sum") > 0
    assert sample(after, "quizmaster_webhook_requests_total", status="200") == messages + taps
    assert (
        sample(after, "quizmaster_bot_api_calls_total", method="answerCallbackQuery", outcome="ok")
        == taps
    )
    assert sample(after, "quizmaster_bot_api_calls_total", method="sendMessage", outcome="ok") >= 2
    # The token is in every Bot API URL; none of it may reach a label.
    assert TOKEN.split(":")[1] not in after


async def test_429s_are_counted_by_method_and_the_retry_as_ok(
    hooked: SandboxServer, hook: HookedBot
) -> None:
    alice = hooked.user("Alice")
    hooked.faults.error("sendMessage", 429, retry_after=1)
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await hooked.settle()
    _, page = await hook.get("/metrics")
    assert sample(page, "quizmaster_bot_api_calls_total", method="sendMessage", outcome="429") == 1
    assert sample(page, "quizmaster_bot_api_throttled_total", method="sendMessage") == 1
    assert sample(page, "quizmaster_bot_api_calls_total", method="sendMessage", outcome="ok") == 1


async def test_running_battles_are_read_from_the_database(
    hooked: SandboxServer, hook: HookedBot
) -> None:
    alice, bob = hooked.user("Alice"), hooked.user("Bob")
    group = hooked.group("Revision club", members=[alice, bob], supergroup=True)
    _, page = await hook.get("/metrics")
    assert sample(page, "quizmaster_battles_running") == 0
    sent = await alice.send("/battle 3 20", chat=group)
    await group.wait_for(lambda m: "Revision battle" in m.text, since=sent)
    await hooked.settle()
    _, page = await hook.get("/metrics")
    assert sample(page, "quizmaster_battles_running") == 1
    await alice.send("/stopbattle", chat=group)
    await hooked.settle()
    await sweep_battles(hook.app)
    _, page = await hook.get("/metrics")
    assert sample(page, "quizmaster_battles_running") == 0
