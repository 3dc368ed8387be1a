"""Telegram's flood limits are recorded on the server clock and, if asked, enforced."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from tests.sandbox.conftest import START, TickingClock

# PTB 22 warns that RetryAfter.retry_after will become a timedelta; the number is what we check.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_a_private_burst_is_tolerated_but_not_a_flood(
    bot: Bot, server: SandboxServer, alice: SandboxUser, clock: TickingClock
) -> None:
    for n in range(5):
        await bot.send_message(alice.id, f"m{n}")
    assert server.rate_violations() == []
    await bot.send_message(alice.id, "one too many")
    (violation,) = server.rate_violations()
    assert (violation.rule, violation.chat_id, violation.count) == ("private", alice.id, 1)
    clock.advance(1.0)
    await bot.send_message(alice.id, "after a second")
    assert len(server.rate_violations()) == 1


async def test_more_than_20_a_minute_into_a_group_is_a_violation(
    bot: Bot, server: SandboxServer, alice: SandboxUser, clock: TickingClock
) -> None:
    group = server.group("Battle", members=[alice])
    for _ in range(21):
        await bot.send_message(group.id, "round")
        clock.advance(2.0)
    (violation,) = server.rate_violations()
    assert (violation.rule, violation.chat_id, violation.count) == ("group", group.id, 21)
    assert violation.start == START
    clock.advance(60.0)
    sent = await bot.send_message(group.id, "calm again")
    await bot.edit_message_text("edits are recorded apart", group.id, sent.message_id)
    assert len(server.rate_violations()) == 1
    assert [r.kind for r in server.rates.records[-2:]] == ["message", "edit"]


async def test_more_than_30_a_second_overall_is_a_violation(
    bot: Bot, server: SandboxServer
) -> None:
    people = [server.user(f"P{n}", started=True) for n in range(31)]
    for person in people:
        await bot.send_message(person.id, "broadcast")
    rules = [v.rule for v in server.rate_violations()]
    assert rules == ["global"]


async def test_enforced_limits_answer_429_and_deliver_nothing(
    server: SandboxServer, bot: Bot, alice: SandboxUser, clock: TickingClock
) -> None:
    server.enforce_limits = True
    group = server.group("Battle", members=[alice])
    for _ in range(20):
        await bot.send_message(group.id, "round")
    clock.advance(15.0)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "too much")
    assert caught.value.retry_after == 45
    assert len(group.messages) == 20
    clock.advance(45.0)
    await bot.send_message(group.id, "fine now")
    assert server.rate_violations() == []
