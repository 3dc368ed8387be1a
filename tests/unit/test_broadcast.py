"""The paced sender with a fake Bot in compressed time: windows, 429 pauses, blocks, failures."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.broadcast import BroadcastSender, Delivery, Outgoing


class VirtualTime:
    """Seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class FakeBot:
    """Records what arrives when; `fail` maps a chat id to exceptions to raise, in order."""

    def __init__(self, time: VirtualTime, fail: dict[int, list[Exception]] | None = None) -> None:
        self.time = time
        self.fail = fail or {}
        self.delivered: list[tuple[float, int]] = []
        self.attempts: list[tuple[float, int]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.attempts.append((self.time.now, chat_id))
        await asyncio.sleep(0)
        errors = self.fail.get(chat_id)
        if errors:
            raise errors.pop(0)
        self.delivered.append((self.time.now, chat_id))


def sender_for(bot: FakeBot, time: VirtualTime, **kwargs: Any) -> BroadcastSender:
    return BroadcastSender(
        bot,  # type: ignore[arg-type]
        monotonic=time.monotonic,
        sleep=time.sleep,
        **kwargs,
    )


def most_in_any_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times))


async def test_no_window_of_one_second_holds_more_than_thirty_starts() -> None:
    time = VirtualTime()
    bot = FakeBot(time)
    results = await sender_for(bot, time).send_all([Outgoing(n, "hi") for n in range(300)])
    assert results == [Delivery.SENT] * 300
    starts = [t for t, _ in bot.attempts]
    assert most_in_any_window(starts) == 30
    assert sorted(chat for _, chat in bot.delivered) == list(range(300))


async def test_a_429_pauses_every_send_and_the_message_arrives_exactly_once() -> None:
    time = VirtualTime()
    bot = FakeBot(time, fail={5: [RetryAfter(7)]})
    sender = sender_for(bot, time, concurrency=1)
    results = await sender.send_all([Outgoing(n, "hi") for n in range(10)])
    assert results == [Delivery.SENT] * 10
    assert [chat for _, chat in bot.delivered].count(5) == 1
    refused_at = next(t for t, chat in bot.attempts if chat == 5)
    after = [t for t, chat in bot.attempts[6:]]
    assert all(t >= refused_at + 7 for t in after)
    assert sender.stats.retry_after == 1 and sender.stats.sent == 10


async def test_a_blocked_chat_is_reported_and_not_retried() -> None:
    time = VirtualTime()
    bot = FakeBot(time, fail={2: [Forbidden("Forbidden: bot was blocked by the user")]})
    sender = sender_for(bot, time)
    results = await sender.send_all([Outgoing(n, "hi") for n in range(4)])
    assert results == [Delivery.SENT, Delivery.SENT, Delivery.BLOCKED, Delivery.SENT]
    assert [chat for _, chat in bot.attempts].count(2) == 1


async def test_other_errors_fail_that_message_only() -> None:
    time = VirtualTime()
    bot = FakeBot(time, fail={0: [BadRequest("Chat not found")]})
    sender = sender_for(bot, time)
    results = await sender.send_all([Outgoing(n, "hi") for n in range(3)])
    assert results == [Delivery.FAILED, Delivery.SENT, Delivery.SENT]
    assert (sender.stats.sent, sender.stats.failed) == (2, 1)


async def test_endless_429s_give_up_after_the_retry_limit() -> None:
    time = VirtualTime()
    bot = FakeBot(time, fail={0: [RetryAfter(1) for _ in range(10)]})
    sender = sender_for(bot, time, max_retries=2)
    assert await sender.send_all([Outgoing(0, "hi")]) == [Delivery.FAILED]
    assert len(bot.attempts) == 3 and bot.delivered == []
