"""Injected faults reach PTB as Telegram's failures would, without side effects."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from tests.sandbox.conftest import TOKEN

# PTB 22 warns that RetryAfter.retry_after will become a timedelta; the number is what we check.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_429_carries_retry_after_and_delivers_nothing(
    bot: Bot, server: SandboxServer, alice: SandboxUser
) -> None:
    server.faults.error("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "hi")
    assert caught.value.retry_after == 7
    assert alice.messages == []
    await bot.send_message(alice.id, "hi")
    assert [m.text for m in alice.messages] == ["hi"]
    assert server.calls["sendMessage"] == 2
    server.faults.error("sendMessage", 429)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "hi")
    assert caught.value.retry_after == 1


async def test_rules_match_methods_case_insensitively_and_can_skip_calls(
    bot: Bot, server: SandboxServer, alice: SandboxUser
) -> None:
    server.faults.error("SENDMESSAGE", 403, skip=1, times=2)
    await bot.send_message(alice.id, "one")
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(alice.id, "lost")
    await bot.send_message(alice.id, "two")
    assert [m.text for m in alice.messages] == ["one", "two"]
    assert server.faults.pending == 0


@pytest.mark.parametrize("fault", ["drop", "http_status"])
async def test_network_failures_deliver_nothing(
    bot: Bot, server: SandboxServer, alice: SandboxUser, fault: str
) -> None:
    getattr(server.faults, fault)("*")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "hi")
    assert alice.messages == []


async def test_drop_after_apply_loses_only_the_answer(
    bot: Bot, server: SandboxServer, alice: SandboxUser
) -> None:
    server.faults.drop_after_apply("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "sent once")
    assert [m.text for m in alice.messages] == ["sent once"]


async def test_a_delay_longer_than_the_timeout_times_out_without_effect(
    server: SandboxServer, alice: SandboxUser
) -> None:
    request = HTTPXRequest(read_timeout=0.1)
    async with Bot(TOKEN, base_url=server.base_url + "/bot", request=request) as slow:
        server.faults.delay("sendMessage", 0.3)
        with pytest.raises(TimedOut):
            await slow.send_message(alice.id, "late")
        await server.settle(quiet=0.05)
        assert alice.messages == []
        server.faults.delay("sendMessage", 0.05)
        await slow.send_message(alice.id, "slow but fine")
    assert [m.text for m in alice.messages] == ["slow but fine"]


async def test_latency_applies_to_every_call(bot: Bot, server: SandboxServer) -> None:
    server.faults.latency = 0.01
    await bot.get_me()
    server.faults.clear()
    assert server.faults.latency == 0.0
    assert server.calls["getMe"] == 2  # one from Bot.initialize()
