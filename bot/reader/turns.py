"""Who reads when: one reading per person at a time, and a few readers per lane.

A person's readings take turns (a second file waits for the first), so one person sending many
files holds one reader at most and cannot starve anyone else; beyond a few waiting, more are
refused at once. Files and pastes have lanes of their own, each with its own readers, so a paste
(read in a few hundredths of a second) never waits behind a file that takes its full time. Both
locks are first come, first served.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Busy(Exception):
    """The person already has as many readings going and waiting as they may."""


class Turns:
    """Per-person turns and per-lane reader slots."""

    def __init__(self, lanes: dict[str, int], per_person: int) -> None:
        self.per_person = per_person
        self._lanes = {lane: asyncio.Semaphore(size) for lane, size in lanes.items()}
        self._people: dict[int, tuple[asyncio.Lock, int]] = {}

    def holding(self, owner: int) -> int:
        """How many readings of `owner` are going or waiting."""
        return self._people.get(owner, (None, 0))[1]

    @contextlib.asynccontextmanager
    async def person(self, owner: int) -> AsyncIterator[None]:
        """Wait for `owner`'s turn; raises Busy if they have `per_person` readings already."""
        lock, count = self._people.get(owner, (asyncio.Lock(), 0))
        if count >= self.per_person:
            raise Busy
        self._people[owner] = (lock, count + 1)
        try:
            async with lock:
                yield
        finally:
            lock, count = self._people[owner]
            if count <= 1:
                del self._people[owner]
            else:
                self._people[owner] = (lock, count - 1)

    @contextlib.asynccontextmanager
    async def slot(self, lane: str) -> AsyncIterator[None]:
        """Wait for a free reader in `lane`."""
        async with self._lanes[lane]:
            yield
