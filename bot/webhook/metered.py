"""Where the metrics are taken: around each update's handling and each Bot API call attempt."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, BaseRateLimiter

from bot.handlers.reminder_sweep import reminder_sender
from bot.webhook.metrics import Metrics

# The update being handled by the current task, and the tasks its non-blocking handlers started.
_STARTED: ContextVar[tuple[object, list[asyncio.Task[Any]]] | None] = ContextVar(
    "tasks_started_for_update", default=None
)


@contextmanager
def tasks_started_for(update: object) -> Iterator[list[asyncio.Task[Any]]]:
    """Collect the tasks `Application.create_task` starts for `update` within the block."""
    started: list[asyncio.Task[Any]] = []
    token = _STARTED.set((update, started))
    try:
        yield started
    finally:
        _STARTED.reset(token)


# The HTTP status Telegram answered, as PTB's exception tells it; the rest is the network's doing.
_ERROR_CODES: tuple[tuple[type[TelegramError], str], ...] = (
    (RetryAfter, "429"),
    (ChatMigrated, "400"),
    (Forbidden, "403"),
    (Conflict, "409"),
    (InvalidToken, "401"),
    (EndPointNotFound, "404"),
    (TimedOut, "timeout"),
    (BadRequest, "400"),
)


def outcome_of(error: BaseException | None) -> str:
    """The outcome label of a call: `ok`, Telegram's error code, `timeout` or `network`."""
    if error is None:
        return "ok"
    for kind, label in _ERROR_CODES:
        if isinstance(error, kind):
            return label
    return "network"


class MeteredApplication(Application):  # type: ignore[type-arg]
    """The stock Application, timing and counting every update it handles."""

    def __init__(self, *, metrics: Metrics, **kwargs: Any) -> None:
        """Take `metrics` besides ApplicationBuilder's usual arguments."""
        super().__init__(**kwargs)
        self.metrics = metrics
        # The reminder sender counts its deliveries; the counter reads that count.
        metrics.count_reminders(lambda: float(reminder_sender(self).stats.sent))

    async def process_update(self, update: object) -> None:
        """Handle the update as usual; record it and its handling time, whatever happens."""
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            self.metrics.update_done(update, time.perf_counter() - started)

    def create_task(
        self, coroutine: Any, update: object | None = None, *, name: str | None = None
    ) -> asyncio.Task[Any]:
        """Start a task as usual; one started for the update `tasks_started_for` watches is noted
        (a non-blocking handler's), so the inbox marks the update done only when it has ended."""
        task: asyncio.Task[Any] = super().create_task(coroutine, update, name=name)
        watched = _STARTED.get()
        if watched is not None and update is not None and update is watched[0]:
            watched[1].append(task)
        return task


class MeteredRateLimiter(BaseRateLimiter[int]):
    """Wraps the bot's rate limiter, which sees every Bot API call but getUpdates, attempt by attempt.

    The callback it hands on is one single attempt, so a call retried after a 429 counts the 429
    and then the success.
    """

    __slots__ = ("inner", "metrics")

    def __init__(self, inner: BaseRateLimiter[int], metrics: Metrics) -> None:
        """Meter the calls that go through `inner`."""
        self.inner = inner
        self.metrics = metrics

    async def initialize(self) -> None:
        """Initialise the wrapped limiter."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the wrapped limiter down."""
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Let the wrapped limiter make the call, recording each attempt's outcome."""
        metrics = self.metrics

        async def attempt(*a: Any, **kw: Any) -> Any:
            try:
                result = await callback(*a, **kw)
            except Exception as exc:
                metrics.api_call(endpoint, outcome_of(exc))
                raise
            metrics.api_call(endpoint, "ok")
            return result

        return await self.inner.process_request(
            attempt, args, kwargs, endpoint, data, rate_limit_args
        )
