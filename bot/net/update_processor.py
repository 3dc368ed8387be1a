"""Concurrent update processing that keeps each chat's updates in arrival order."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Coroutine, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

_LOGGER = logging.getLogger(__name__)


def ordering_key(update: object) -> Hashable | None:
    """The key whose updates must run one after another: chat, else user, else the update itself.

    A private chat's id equals its user's id, so a user's inline queries and their private-chat
    messages share one key; group ids are negative and never collide with user ids.
    Objects that are not updates (custom queue items) get no key and run unordered.
    """
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return ("update", update.update_id)


def _discard(awaitable: Awaitable[Any]) -> None:
    """Close a queued coroutine that will never run, so it is not reported as never awaited."""
    if isinstance(awaitable, Coroutine):
        awaitable.close()


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Process updates of different chats concurrently and those of one chat strictly in order.

    The first update of an idle chat runs at once and then drains whatever arrived for that chat
    meanwhile. A later update of a busy chat is only queued, and its call returns at once: a
    queued update never holds one of the `max_concurrent_updates` slots while waiting for its
    turn, so a chat with many queued updates cannot starve the others or deadlock. At most one
    slot per chat is used, and a chat's entry is deleted as soon as its queue is empty.
    """

    __slots__ = ("_queues",)

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        """Allow at most `max_concurrent_updates` updates to run at the same time."""
        super().__init__(max_concurrent_updates)
        self._queues: dict[Hashable, deque[Awaitable[Any]]] = {}

    @property
    def busy_chats(self) -> int:
        """How many chats (or users) have an update running or waiting."""
        return len(self._queues)

    @property
    def queued_updates(self) -> int:
        """How many updates wait behind their chat's running update."""
        return sum(len(queue) for queue in self._queues.values())

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` now if its chat is idle, else queue it behind the chat's running one."""
        key = ordering_key(update)
        if key is None:
            await coroutine
            return
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(coroutine)
            return
        # No await between the lookup above and this line: the check-and-claim is atomic.
        self._queues[key] = queue = deque()
        error: Exception | None = None
        try:
            try:
                await coroutine
            except Exception as exc:
                # Held back until the chat's queue is drained, so one failure stalls nobody.
                error = exc
            while queue:
                queued = queue.popleft()
                try:
                    await queued
                except Exception:
                    # Its own process_update call has long returned; all we can do is log.
                    _LOGGER.exception("Processing a queued update of chat %s failed", key)
        finally:
            del self._queues[key]
            while queue:  # only when cancelled: the rest will never run
                _discard(queue.popleft())
        if error is not None:
            raise error

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Drop updates still queued (normally none: Application.stop waits for them)."""
        for queue in self._queues.values():
            while queue:
                _discard(queue.popleft())
