"""Every Bot API call passes through here: 429s are waited out, safe calls retried after faults.

PTB retries `getUpdates` itself, but a send or an edit that fails inside a handler is raised into
the handler and the reply is lost. `ExtBot` hands every other call to its rate limiter, so this
`BaseRateLimiter` is the one place that sees them all and decides, per call, whether trying again
can never show the user something twice:

- 429 Too Many Requests: Telegram refused the call, so it did nothing; wait `retry_after`, retry.
- A call that changes nothing when repeated (edits, answers, reads, deletes, menus): retried after
  any network fault, with backoff. If the lost attempt had in fact been applied, the repeat gets
  a "not modified" / "already answered" / "not found" 400, which means done and is returned as such.
- A send (a new message): retried only when the fault proves nothing was sent — the connection
  was never made, the pool gave no slot, or a gateway answered 502/503/504 in Telegram's stead.
  A timeout or a dropped connection after the request went out may have delivered the message,
  and repeating it could show it twice, so that error reaches the handler (see errors.py).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.net.aiohttp_request import POOL_TIMEOUT_MESSAGE

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]

# Calls whose repetition cannot show the user anything twice.
IDEMPOTENT = frozenset(
    {
        "answerCallbackQuery",
        "deleteMessage",
        "deleteMessages",
        "deleteMyCommands",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageText",
        "getChat",
        "getChatAdministrators",
        "getChatMember",
        "getChatMemberCount",
        "getFile",
        "getMe",
        "getMyCommands",
        "getMyDescription",
        "getMyShortDescription",
        "sendChatAction",
        "setMyCommands",
        "setMyDescription",
        "setMyShortDescription",
    }
)
# A repeat of an applied call may be refused with one of these: the work is already done.
ALREADY_DONE = (
    "message is not modified",
    "query is too old",
    "message to delete not found",
)
# Errors that prove the request never reached the Bot API.
_NOT_SENT_PREFIXES = (
    "aiohttp.ClientConnectorError",
    "aiohttp.ClientConnectorDNSError",
    "Bad Gateway (502)",
    "Service Unavailable (503)",
    "Gateway Timeout (504)",
)


# Set while a caller that paces itself (the broadcast sender) wants 429s raised to it at once.
_OWN_429S: ContextVar[bool] = ContextVar("own_429s", default=False)


@contextmanager
def caller_handles_429() -> Iterator[None]:
    """Within this block, calls raise RetryAfter at once instead of waiting it out here."""
    token = _OWN_429S.set(True)
    try:
        yield
    finally:
        _OWN_429S.reset(token)


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def never_sent(exc: NetworkError) -> bool:
    """True when a network error proves the request was not delivered to the Bot API."""
    if isinstance(exc, BadRequest):
        return False
    if isinstance(exc, TimedOut):
        return exc.message == POOL_TIMEOUT_MESSAGE
    return exc.message.startswith(_NOT_SENT_PREFIXES)


class RetryingRateLimiter(BaseRateLimiter[int]):
    """Honours 429 `retry_after` on every call and retries what is safe to retry.

    `rate_limit_args`, when given to a bot method, is that call's own number of 429 retries;
    inside `caller_handles_429()` it is 0, so a self-pacing caller sees every 429 itself.
    """

    __slots__ = ("backoff", "max_backoff", "max_retry_after", "network_retries", "retries", "sleep")

    def __init__(
        self,
        retries: int = 3,
        network_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 4.0,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Retry 429s `retries` times and safe calls `network_retries` times (backoff doubling)."""
        self.retries = retries
        self.network_retries = network_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.sleep = sleep

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Make the call; wait out 429s and retry network faults where a repeat is harmless."""
        limit_429 = self.retries if rate_limit_args is None else rate_limit_args
        if _OWN_429S.get():
            limit_429 = 0
        seen_429 = 0
        faults = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if seen_429 >= limit_429 or wait > self.max_retry_after:
                    raise
                seen_429 += 1
                log.info("%s: 429, retrying in %.0f s", endpoint, wait)
                await self.sleep(wait)
            except BadRequest as exc:
                reason = exc.message.lower()
                # Only a repeat can meet these: the lost first attempt did the work.
                if faults and any(done in reason for done in ALREADY_DONE):
                    log.debug("%s: already applied before the fault (%s)", endpoint, exc.message)
                    return True
                # A tap answered already, or older than Telegram keeps it (an update delivered
                # again after a restart): there is nobody left to show the toast to.
                if endpoint == "answerCallbackQuery" and "query is too old" in reason:
                    log.debug("callback query expired before it was answered")
                    return True
                raise
            except NetworkError as exc:
                safe = endpoint in IDEMPOTENT or never_sent(exc)
                if not safe or faults >= self.network_retries:
                    raise
                delay = min(self.backoff * 2**faults, self.max_backoff)
                faults += 1
                log.info("%s: %s, retry %d in %.1f s", endpoint, exc.message, faults, delay)
                await self.sleep(delay)
