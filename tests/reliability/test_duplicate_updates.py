"""The same update delivered twice — after a crash before its offset was confirmed — acts once."""

from __future__ import annotations

import asyncio

from telegram import Update as PtbUpdate

from bot.sandbox.server import SandboxServer
from bot.sandbox.world import Update
from bot.storage.db import open_database
from tests.e2e.conftest import RunningBot
from tests.reliability.helpers import (
    message_update,
    open_answer,
    questions,
    quiz_with,
    redeliver,
    review_count,
    right_option,
)


async def test_a_typed_answer_delivered_again_does_not_answer_the_next_question(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await quiz_with(bot, alice, "typed")
    update_id = sandbox.world.next_update_id
    typed = await alice.send(await open_answer(bot, alice))
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    await sandbox.settle()
    shown = len(alice.messages)
    await bot.stop()
    redeliver(sandbox, message_update(sandbox, update_id, typed))
    await bot.start()
    assert await sandbox.wait_until(lambda: sandbox.unfetched() == 0, timeout=5)
    await sandbox.settle()
    assert await review_count(bot, alice) == 1
    row = await bot.services.db.fetchone(
        "SELECT position FROM quiz_sessions WHERE user_id = ? AND finished_at IS NULL",
        (alice.id,),
    )
    assert row is not None and row[0] == 1  # question 2 is still waiting for its answer
    assert len(alice.messages) == shown  # and the duplicate got no reply
    # a real answer to question 2 still counts
    await alice.send(await open_answer(bot, alice))
    await alice.wait_for(lambda m: m.text.startswith("Question 3/"))
    assert await review_count(bot, alice) == 2


async def test_a_tap_delivered_again_after_a_restart_changes_nothing(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    label = await right_option(bot, alice)
    update_id = sandbox.world.next_update_id
    await alice.tap(label, message=question)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    await sandbox.settle()
    tap = next(u for u in sandbox.world.callbacks.values())
    payload = {
        "id": tap.id,
        "from": sandbox.world.users[alice.id].to_json(),
        "message": sandbox.world.message_json(
            sandbox.world.chats[alice.id].messages[tap.message_id]
        ),
        "chat_instance": "1",
        "data": tap.data,
    }
    await bot.stop()
    redeliver(sandbox, Update(update_id, "callback_query", payload))
    await bot.start()
    assert await sandbox.wait_until(lambda: sandbox.unfetched() == 0, timeout=5)
    await sandbox.settle()
    assert await review_count(bot, alice) == 1
    assert len(questions(alice, 2)) == 1


async def test_a_quiz_command_delivered_again_asks_nothing_twice(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await quiz_with(bot, alice, "choice")
    start_id = sandbox.world.next_update_id
    quiz = await alice.send("/quiz")  # resumes: shows question 1 again
    await alice.wait_for(lambda m: len(questions(alice, 1)) == 2)
    await sandbox.settle()
    await bot.stop()
    # The process died after the reply went out and before the update was marked done in the
    # inbox (the one window left): the restart runs it again, and Telegram hands it out again.
    db = await open_database(bot.settings.database_url)
    try:
        await db.execute("UPDATE inbox SET done_at = NULL WHERE update_id = ?", (start_id,))
    finally:
        await db.close()
    redeliver(sandbox, message_update(sandbox, start_id, quiz))
    await bot.start()
    # The resumed question is owed once per update: the same update again asks it no third time.
    await sandbox.settle(quiet=0.5)
    assert len(questions(alice, 1)) == 2
    sessions = await bot.services.db.fetchone(
        "SELECT COUNT(*), SUM(position) FROM quiz_sessions WHERE user_id = ?", (alice.id,)
    )
    assert sessions is not None and tuple(sessions) == (1, 0)  # the same session, nothing answered
    # the newest copy of the question is the one that works
    await alice.tap(await right_option(bot, alice))
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    assert await review_count(bot, alice) == 1


async def test_an_update_seen_twice_by_one_process_is_handled_once(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    update_id = sandbox.world.next_update_id
    hello = await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await sandbox.settle()
    # A webhook retry can hand the same update to the running process again.
    raw = message_update(sandbox, update_id, hello).to_json()
    await bot.app.update_queue.put(PtbUpdate.de_json(raw, bot.app.bot))
    guard = bot.app.bot_data.guard
    async with asyncio.timeout(5):
        while True:
            if guard.duplicates:
                break
            await asyncio.sleep(0.01)
    await sandbox.settle()
    assert len(alice.messages) == 1
