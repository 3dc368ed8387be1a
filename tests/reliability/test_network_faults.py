"""Network faults between the bot and Telegram: nothing lost, nothing applied or shown twice."""

from __future__ import annotations

import logging

import pytest

from bot.sandbox.server import SandboxServer
from bot.views.texts import CONNECTION_TROUBLE
from tests.e2e.conftest import RunningBot
from tests.reliability.helpers import problems, questions, quiz_with, review_count, right_option

TROUBLE = CONNECTION_TROUBLE[:40]


async def test_polling_survives_dropped_connections_and_bad_gateways(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    sandbox.faults.drop("getUpdates")
    sandbox.faults.http_status("getUpdates", 502)
    sandbox.faults.error("getUpdates", 500)
    assert await sandbox.wait_until(lambda: sandbox.faults.pending == 0, timeout=15)
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    assert len(alice.messages) == 1


async def test_updates_whose_batch_was_lost_are_fetched_again_and_handled_once(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await bot.stop()
    # The first poll after the restart hands out the batch and loses the answer; then a 502.
    sandbox.faults.drop_after_apply("getUpdates")
    sandbox.faults.http_status("getUpdates", 502)
    await alice.send("/start")
    await alice.send("/quiz")
    await bot.start()
    await alice.wait_for(lambda m: m.text.startswith("Question 1/"), timeout=15)
    await sandbox.settle()
    assert sandbox.faults.pending == 0
    assert len([m for m in alice.messages if "Quizmaster" in m.text]) == 1
    assert len(questions(alice, 1)) == 1
    sessions = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM quiz_sessions WHERE user_id = ?", (alice.id,)
    )
    assert sessions is not None and sessions[0] == 1


async def test_lost_answers_to_a_tap_are_retried_and_each_reply_arrives_once(
    sandbox: SandboxServer, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    label = await right_option(bot, alice)
    # Each reply to the tap fails once before Telegram acted on it.
    sandbox.faults.drop("answerCallbackQuery")
    sandbox.faults.drop("editMessageText")
    sandbox.faults.http_status("sendMessage", 502)
    with caplog.at_level(logging.INFO):
        toast = await alice.tap(label, message=question, timeout=10)
        await alice.wait_for(lambda m: m.text.startswith("Question 2/"), timeout=10)
        await sandbox.settle()
    assert toast == "✅ Right!"
    reveal = next(m for m in alice.messages if m.message_id == question.message_id)
    assert reveal.edited and not reveal.buttons
    assert len(questions(alice, 2)) == 1
    assert not [m for m in alice.messages if TROUBLE in m.text]
    assert await review_count(bot, alice) == 1
    assert sandbox.faults.pending == 0
    assert problems(caplog.records) == []


async def test_replies_that_arrived_before_the_connection_died_are_not_sent_again(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    label = await right_option(bot, alice)
    # Telegram acts on each call, then the connection dies before the bot hears back.
    sandbox.faults.drop_after_apply("answerCallbackQuery")
    sandbox.faults.drop_after_apply("editMessageText")
    sandbox.faults.drop_after_apply("sendMessage")
    toast = await alice.tap(label, message=question, timeout=10)
    notice = await alice.wait_for(lambda m: TROUBLE in m.text, timeout=10)
    await sandbox.settle()
    assert toast == "✅ Right!"
    # the next question arrived once: a send whose fate is unknown is never repeated
    assert len(questions(alice, 2)) == 1
    assert len([m for m in alice.messages if TROUBLE in m.text]) == 1
    assert await review_count(bot, alice) == 1
    # /quiz picks up the open question, and answering it goes on as usual
    await alice.send("/quiz")
    again = await alice.wait_for(lambda m: m.text.startswith("Question 2/"), since=notice)
    await alice.tap(await right_option(bot, alice), message=again)
    await alice.wait_for(lambda m: m.text.startswith("Question 3/"))
    assert await review_count(bot, alice) == 2


async def test_a_next_question_lost_on_the_way_is_resumed_by_quiz(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    sandbox.faults.drop("sendMessage")
    await alice.tap(await right_option(bot, alice), message=question)
    notice = await alice.wait_for(lambda m: TROUBLE in m.text, timeout=10)
    assert questions(alice, 2) == []
    assert await review_count(bot, alice) == 1
    await alice.send("/quiz")
    second = await alice.wait_for(lambda m: m.text.startswith("Question 2/"), since=notice)
    await alice.tap(await right_option(bot, alice), message=second)
    await alice.wait_for(lambda m: m.text.startswith("Question 3/"))
    assert await review_count(bot, alice) == 2


async def test_an_edit_that_times_out_is_made_again(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    # Longer than the bot's 5 s read timeout: the bot gives up, Telegram does nothing.
    sandbox.faults.delay("editMessageText", 6.0)
    await alice.tap(await right_option(bot, alice), message=question)
    await alice.wait_for(lambda m: m.message_id == question.message_id and m.edited, timeout=15)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"), timeout=5)
    assert len(questions(alice, 2)) == 1
    assert await review_count(bot, alice) == 1


@pytest.mark.parametrize("method", ["sendMessage", "editMessageText", "answerCallbackQuery"])
async def test_a_429_is_waited_out_and_the_reply_arrives_exactly_once(
    sandbox: SandboxServer, bot: RunningBot, method: str
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    sandbox.faults.error(method, 429, retry_after=1)
    toast = await alice.tap(await right_option(bot, alice), message=question, timeout=10)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"), timeout=10)
    await sandbox.settle()
    assert toast == "✅ Right!"
    assert sandbox.faults.pending == 0
    assert len(questions(alice, 2)) == 1
    reveal = next(m for m in alice.messages if m.message_id == question.message_id)
    assert reveal.edited and not reveal.buttons
    assert await review_count(bot, alice) == 1


async def test_a_429_on_a_command_reply_delays_it_but_loses_nothing(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    sandbox.faults.error("sendMessage", 429, retry_after=1, times=2)
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=10)
    await sandbox.settle()
    assert len(alice.messages) == 1
    assert sandbox.calls["sendMessage"] == 3
