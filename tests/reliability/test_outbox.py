"""The outbox's deliverer against the sandbox, on both backends: each intent once, in order, by
whoever may deliver it."""

from __future__ import annotations

import asyncio

from bot.outbox import intents
from bot.sandbox.server import SandboxServer
from bot.storage.outbox import Holder, Owed
from tests.e2e.conftest import RunningBot
from tests.reliability.helpers import questions, quiz_with, review_count

ELSEWHERE = Holder("another-host/4242/0000", 60_000)  # a live process of another machine


async def _open(bot: RunningBot, user_id: int) -> tuple[int, int, int]:
    """(session, position, right option) of the user's open question."""
    row = await bot.services.db.fetchone(
        """SELECT s.id, s.position, i.right_index FROM quiz_sessions s
             JOIN session_items i ON i.session_id = s.id AND i.position = s.position
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (user_id,),
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


async def test_deliveries_racing_for_one_chat_send_each_intent_once(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await quiz_with(bot, alice, "choice")
    session, position, right = await _open(bot, alice.id)
    # The answer and what it owes are written; three deliveries of this process go at once.
    await bot.services.quiz.choose(alice.id, session, position, right)
    deliverer = bot.services.delivery()
    await asyncio.gather(
        deliverer.deliver(alice.id), deliverer.deliver(alice.id), deliverer.sweep()
    )
    await sandbox.settle()
    assert len(questions(alice, 2)) == 1
    assert await review_count(bot, alice) == 1
    owed = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND outcome IS NULL", (alice.id,)
    )
    assert owed is not None and owed[0] == 0


async def test_intents_a_live_process_holds_are_left_to_it_until_its_hold_runs_out(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await quiz_with(bot, alice, "choice")
    session, position, _ = await _open(bot, alice.id)
    # Another process owes Alice a fresh copy of her question, and is alive.
    owed = Owed([intents.item_again(alice.id, session, position, 99)], ELSEWHERE)
    await owed.write(bot.services.db)
    deliverer = bot.services.delivery()
    await deliverer.deliver(alice.id)
    await deliverer.sweep()
    await sandbox.settle()
    assert len(questions(alice, 1)) == 1
    # Its hold runs out (it stalled, or died on another machine): any process delivers it.
    await bot.services.db.execute(
        "UPDATE outbox SET lease_until = 1 WHERE chat_id = ?", (alice.id,)
    )
    await deliverer.sweep()
    await sandbox.settle()
    assert len(questions(alice, 1)) == 2
    # Owed once: written again, it is not sent again.
    await owed.write(bot.services.db)
    await bot.services.db.execute(
        "UPDATE outbox SET lease_until = 1 WHERE chat_id = ?", (alice.id,)
    )
    await deliverer.sweep()
    await sandbox.settle()
    assert len(questions(alice, 1)) == 2


async def test_a_chat_blocked_meanwhile_records_the_intent_and_sends_nothing_more(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await quiz_with(bot, alice, "choice")
    session, position, right = await _open(bot, alice.id)
    # Answered while its question's delivery may still be noting the message: the answer owes the
    # question's message anew, and that earlier delivery cannot mark the newer one done.
    await bot.services.quiz.choose(alice.id, session, position, right)
    sandbox.faults.error("editMessageText", 403)
    sandbox.faults.error("sendMessage", 403)
    await bot.services.delivery().deliver(alice.id)
    rows = await bot.services.db.fetchall(
        "SELECT outcome FROM outbox WHERE chat_id = ? ORDER BY id", (alice.id,)
    )
    assert [r[0] for r in rows] == ["blocked", "blocked"]
    assert questions(alice, 2) == []
