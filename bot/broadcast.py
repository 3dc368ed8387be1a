"""Paced sends to many chats: never more than 30 starts in any second, 429s honoured, blocks noted.

PTB's own AIORateLimiter bursts to about twice the limit in the first second of a broadcast and
drops a message on 429 unless told to retry, so broadcasts go through this sender instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.core.pacing import SlidingWindowPacer
from bot.net.retry import caller_handles_429

log = logging.getLogger(__name__)

GLOBAL_LIMIT = 30  # messages per second, Telegram's broadcast limit
# Telegram counts arrivals, the pacer counts starts. A burst of 30 starts takes tens of
# milliseconds to land, which was enough to earn 429s against the sandbox; 3 starts per 0.105 s
# still means at most 30 in ANY one-second window (ten such windows cover it), with 5% slack.
BURST = 3
BURST_WINDOW = 0.105
CONCURRENCY = 8  # sends in flight at once, so slow round trips do not cut the rate
MAX_RETRIES = 5


class Delivery(StrEnum):
    """What became of one message."""

    SENT = "sent"
    BLOCKED = "blocked"  # 403: the user blocked the bot (or the chat is gone for good)
    FAILED = "failed"  # anything else; logged, not retried (it may have arrived)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One HTML message for one chat."""

    chat_id: int
    text: str
    keyboard: InlineKeyboardMarkup | None = None


# Told each message's outcome as soon as it is known: (its index in the batch, the outcome).
ResultHook = Callable[[int, Delivery], Awaitable[None]]


@dataclass
class BroadcastStats:
    """Counts since the sender was made."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retry_after: int = 0  # 429 answers received (each was retried)


def retry_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class BroadcastSender:
    """Sends messages to many chats through one shared sliding-window pacer.

    `monotonic` and `sleep` are injectable so tests can run the pacing in compressed time.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        limit: int = BURST,
        window: float = BURST_WINDOW,
        concurrency: int = CONCURRENCY,
        max_retries: int = MAX_RETRIES,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.pacer = SlidingWindowPacer(limit, window)
        self.concurrency = max(1, concurrency)
        self.max_retries = max_retries
        self.stats = BroadcastStats()
        self.in_flight = 0
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = asyncio.Lock()

    async def _take_slot(self) -> None:
        # Waiting inside the lock keeps slots in order; re-checking after every sleep lets a
        # 429 pause that arrived meanwhile hold everyone.
        async with self._lock:
            while (delay := self.pacer.delay_for(self._monotonic())) > 0:
                await self._sleep(delay)
            self.pacer.record(self._monotonic())

    async def send(self, message: Outgoing) -> Delivery:
        """Send one message, waiting for its slot; a 429 pauses every send, then retries it."""
        attempts = 0
        while True:
            await self._take_slot()
            self.in_flight += 1
            try:
                # The pacer pauses every send on a 429, so the 429 must reach it at once.
                with caller_handles_429():
                    await self.bot.send_message(
                        message.chat_id,
                        message.text,
                        parse_mode=ParseMode.HTML,
                        reply_markup=message.keyboard,
                        disable_web_page_preview=True,
                    )
            except RetryAfter as exc:
                # Telegram refused it, so it was not delivered: retrying cannot duplicate it.
                self.stats.retry_after += 1
                self.pacer.pause_until(self._monotonic() + retry_seconds(exc))
                attempts += 1
                if attempts <= self.max_retries:
                    continue
                log.warning("giving up on chat %s after %d 429s", message.chat_id, attempts)
                self.stats.failed += 1
                return Delivery.FAILED
            except Forbidden as exc:
                log.info("chat %s refuses messages: %s", message.chat_id, exc.message)
                self.stats.blocked += 1
                return Delivery.BLOCKED
            except TelegramError as exc:
                log.warning("send to chat %s failed: %s", message.chat_id, exc.message)
                self.stats.failed += 1
                return Delivery.FAILED
            finally:
                self.in_flight -= 1
            self.stats.sent += 1
            return Delivery.SENT

    async def send_all(
        self, messages: Sequence[Outgoing], on_result: ResultHook | None = None
    ) -> list[Delivery]:
        """Send every message (several in flight, all paced); results in the same order.

        `on_result(index, delivery)` is awaited as soon as each message's fate is known, so a
        caller can record it before the next one goes out rather than after the whole batch.
        """
        results: list[Delivery] = [Delivery.FAILED] * len(messages)
        indexes = iter(range(len(messages)))

        async def worker() -> None:
            for i in indexes:
                try:
                    results[i] = await self.send(messages[i])
                except Exception:
                    # One broken message must not stop the rest of the broadcast.
                    log.exception("send to chat %s crashed", messages[i].chat_id)
                    self.stats.failed += 1
                if on_result is not None:
                    try:
                        await on_result(i, results[i])
                    except Exception:
                        log.exception("recording the send to chat %s failed", messages[i].chat_id)

        workers = min(self.concurrency, len(messages))
        await asyncio.gather(*(worker() for _ in range(workers)))
        return results
