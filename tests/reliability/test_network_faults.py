"""Network faults between the bot and Telegram: nothing lost, nothing applied or shown twice."""

from __future__ import annotations

import asyncio
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


async def owed_again(bot: RunningBot) -> None:
    """Let the first backoff after an unknown outcome pass, then run the outbox's sweep once."""
    await asyncio.sleep(1.1)
    await bot.services.delivery().sweep()


async def test_a_question_whose_send_had_an_unknown_outcome_is_sent_again_once(
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
    first = await alice.wait_for(lambda m: m.text.startswith("Question 2/"), timeout=10)
    assert toast == "✅ Right!"
    # The bot cannot know the question arrived: it asks it again, once, and says nothing else.
    await owed_again(bot)
    await sandbox.settle()
    assert len(questions(alice, 2)) == 2
    assert [m for m in alice.messages if TROUBLE in m.text] == []
    await owed_again(bot)
    await sandbox.settle()
    assert len(questions(alice, 2)) == 2
    assert await review_count(bot, alice) == 1
    # Either copy answers it; both then show the reveal, and the quiz goes on.
    await alice.tap(await right_option(bot, alice), message=first)
    await alice.wait_for(lambda m: m.text.startswith("Question 3/"))
    await sandbox.settle()
    copies = [m for m in alice.messages if m.text.startswith("Question 2/")]
    assert len(copies) == 2 and not any(m.buttons for m in copies)
    assert await review_count(bot, alice) == 2


async def test_a_next_question_lost_on_the_way_is_sent_once_the_bot_api_answers(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    sandbox.faults.drop("sendMessage")
    await alice.tap(await right_option(bot, alice), message=question)
    await sandbox.settle()
    assert questions(alice, 2) == []
    assert await review_count(bot, alice) == 1
    await owed_again(bot)
    second = await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    await sandbox.settle()
    assert len(questions(alice, 2)) == 1
    assert [m for m in alice.messages if TROUBLE in m.text] == []
    await alice.tap(await right_option(bot, alice), message=second)
    await alice.wait_for(lambda m: m.text.startswith("Question 3/"))
    assert await review_count(bot, alice) == 2


async def test_a_reminder_offer_whose_send_was_lost_is_made_once_the_bot_api_answers(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await bot.services.db.execute(
        "UPDATE users SET session_size = 1, question_mix = 'choice' WHERE id = ?", (alice.id,)
    )
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/") and bool(m.buttons))
    # The answer's reveal is an edit, its summary the first send, the offer the second.
    # The connection dies before Telegram has it: the offer must not be taken as made.
    sandbox.faults.drop("sendMessage", skip=1)
    await alice.tap(await right_option(bot, alice), message=question)
    await alice.wait_for(lambda m: "Session complete" in m.text)
    await sandbox.settle()
    assert [m for m in alice.messages if "Remind me every day" in m.text] == []
    await owed_again(bot)
    await sandbox.settle()
    offers = [m for m in alice.messages if "Remind me every day at this time" in m.text]
    assert len(offers) == 1
    await owed_again(bot)
    await sandbox.settle()
    assert len([m for m in alice.messages if "Remind me every day" in m.text]) == 1


@pytest.mark.parametrize("timeouts", [2, 5])
async def test_consecutive_timeouts_on_a_send_still_end_with_the_question_asked(
    sandbox: SandboxServer, bot: RunningBot, timeouts: int
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    sandbox.faults.drop("sendMessage", times=timeouts)
    await alice.send("/quiz")
    deliverer = bot.services.delivery()
    deadline = asyncio.get_running_loop().time() + 20
    while not questions(alice, 1) and asyncio.get_running_loop().time() < deadline:
        # Each try waits out its backoff (1, 2, 4 … s): the test moves the wait to now instead.
        await bot.services.db.execute(
            "UPDATE outbox SET retry_at = 0 WHERE chat_id = ? AND outcome IS NULL", (alice.id,)
        )
        await deliverer.sweep()
        await sandbox.settle(quiet=0.05)
    await sandbox.settle()
    assert sandbox.faults.pending == 0  # every timeout was met
    assert len(questions(alice, 1)) == 1
    assert [m for m in alice.messages if TROUBLE in m.text] == []


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


async def test_a_30_second_bot_api_outage_ends_with_everyone_holding_their_next_question(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    people = [sandbox.user(f"Learner {n}") for n in range(5)]
    shown = {person.id: await quiz_with(bot, person, "choice") for person in people}
    labels = {person.id: await right_option(bot, person) for person in people}
    await sandbox.settle()
    # Everyone answers as the Bot API goes away for 30 s: the answers are in hand, nothing the
    # bot sends about them gets through.
    sandbox.faults.outage(30.0)
    taps = [
        asyncio.create_task(person.tap(labels[person.id], message=shown[person.id], timeout=90))
        for person in people
    ]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while loop.time() < deadline and not all(questions(person, 2) for person in people):
        await bot.services.delivery().sweep()  # every process does this each second
        await asyncio.sleep(0.5)
    for tap in taps:
        tap.cancel()  # a toast may have died in the outage: nobody waits for it any more
    await asyncio.gather(*taps, return_exceptions=True)
    await sandbox.settle()
    for person in people:
        assert len(questions(person, 2)) == 1, person.name
        first = next(m for m in person.messages if m.message_id == shown[person.id].message_id)
        assert "Right!" in first.text and not first.buttons
        assert await review_count(bot, person) == 1
    assert [m for p in people for m in p.messages if TROUBLE in m.text] == []
