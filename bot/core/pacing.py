"""A sliding-window send pacer: never more than `limit` sends in ANY window of `window` seconds.

A leaky bucket (aiolimiter, PTB's AIORateLimiter) starts full and lets about twice the limit
through in the first second of a broadcast, which is what earns 429s from Telegram. This pacer
remembers the start times of the last `limit` sends and lets a new one start only once the
oldest of them is at least `window` seconds old, so every window, whatever its start, holds at
most `limit` sends. Time is a plain float (a monotonic clock in seconds) passed in by the caller.
"""

from __future__ import annotations

from collections import deque


class SlidingWindowPacer:
    """Paces send starts so that no `window`-second interval contains more than `limit` of them.

    Guarantee, for the recorded start times t0 ≤ t1 ≤ …: t[i + limit] >= t[i] + window.
    Concurrent senders take turns under one lock: sleep `delay_for(clock())` until it is 0,
    `record(clock())`, release the lock, then send. Waiting inside the lock keeps slots in
    order, and re-checking after each sleep lets a `pause_until` that arrived meanwhile hold
    everyone.
    """

    def __init__(self, limit: int = 30, window: float = 1.0) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if not window > 0:
            raise ValueError("window must be positive")
        self.limit = limit
        self.window = window
        self._starts: deque[float] = deque(maxlen=limit)
        self._paused_until = float("-inf")

    @property
    def paused_until(self) -> float:
        """The instant before which nothing may be sent (after a 429), or -inf."""
        return self._paused_until

    def delay_for(self, now: float) -> float:
        """Seconds to wait from `now` before the next send may start (0.0 if it may start now)."""
        earliest = self._paused_until
        if len(self._starts) == self.limit:
            earliest = max(earliest, self._starts[0] + self.window)
        return max(0.0, earliest - now)

    def record(self, now: float) -> None:
        """Note that a send started at `now`; start times must not go backwards."""
        if self._starts and now < self._starts[-1]:
            raise ValueError("send times must not go backwards")
        self._starts.append(now)

    def pause_until(self, until: float) -> None:
        """Hold every send until `until` (a 429's `retry_after` added to now); never shortens."""
        self._paused_until = max(self._paused_until, until)
