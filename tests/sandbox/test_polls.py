"""Quiz polls in the sandbox: sendPoll with Telegram's limits, stopPoll, and votes that reach the
bot as poll_answer updates (with no chat)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox.api_polls import vote
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer


async def quiz(bot: Bot, chat_id: int, **overrides: Any) -> Any:
    """Send a quiz poll with valid defaults, some of them overridden."""
    fields: dict[str, Any] = {
        "question": "Capital of France?",
        "options": ["Paris", "Rome", "Madrid"],
        "type": "quiz",
        "is_anonymous": False,
        "correct_option_ids": [0],
    }
    fields.update(overrides)
    return await bot.send_poll(chat_id, **fields)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"question": "q" * 301}, "poll question length must not exceed 300"),
        ({"options": ["only"]}, "poll must have at least 2 option"),
        ({"options": [str(i) for i in range(11)]}, "poll can't have more than 10 options"),
        ({"options": ["o" * 101, "b"]}, "poll options length must not exceed 100"),
        ({"correct_option_ids": [3]}, "wrong correct option id specified"),
        ({"explanation": "e" * 201}, "explanation is too long"),
    ],
)
async def test_polls_beyond_telegrams_limits_are_refused(
    bot: Bot, server: SandboxServer, alice: SandboxUser, overrides: dict[str, Any], message: str
) -> None:
    group = server.group("Quiz club", members=[alice])
    with pytest.raises(BadRequest) as caught:
        await quiz(bot, group.id, **overrides)
    assert caught.value.message.lower() == message  # PTB capitalises the first letter


async def test_a_vote_arrives_as_a_poll_answer_and_a_stopped_poll_takes_no_more(
    bot: Bot, server: SandboxServer, alice: SandboxUser, bob: SandboxUser
) -> None:
    group = server.group("Quiz club", members=[alice, bob])
    sent = await quiz(bot, group.id, explanation="Paris it is")
    assert sent.poll is not None and sent.poll.type == "quiz"
    assert sent.poll.correct_option_ids == (0,)
    vote(server, alice.record, sent.poll.id, [1])
    (update,) = await bot.get_updates()
    answer = update.poll_answer
    assert answer is not None and answer.user is not None
    assert (answer.poll_id, answer.user.id, answer.option_ids) == (sent.poll.id, alice.id, (1,))
    assert update.effective_chat is None
    with pytest.raises(AssertionError):
        vote(server, alice.record, sent.poll.id, [0])  # a quiz takes one vote each
    stopped = await bot.stop_poll(group.id, sent.message_id)
    assert stopped.is_closed and stopped.total_voter_count == 1
    with pytest.raises(BadRequest, match=r"(?i)poll has already been closed"):
        await bot.stop_poll(group.id, sent.message_id)
    with pytest.raises(AssertionError):
        vote(server, bob.record, sent.poll.id, [0])
