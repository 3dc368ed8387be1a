"""Per-user flood control: a token bucket each, and a note to the flooder only once per flood.

Pure: the caller passes the time in (unix seconds, or any monotonic seconds) and keeps the gate.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    """What to do with one update from a user."""

    ALLOW = "allow"  # handle it
    WARN = "warn"  # drop it, and tell the user once that they are going too fast
    DROP = "drop"  # drop it quietly (they were told already)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class FloodGate:
    """Lets each user spend `burst` updates at once, refilled at `rate` per second.

    Past the budget, updates are dropped: the first dropped one is WARN, the rest DROP until the
    user has a token again. At most `max_users` buckets are kept; the least recently seen user's
    is forgotten first (a forgotten user simply starts with a full bucket).
    """

    def __init__(self, burst: int = 12, rate: float = 1.0, max_users: int = 50_000) -> None:
        """A gate with `burst` updates of credit, refilled at `rate` per second."""
        if burst < 1 or rate <= 0 or max_users < 1:
            raise ValueError("burst and max_users must be at least 1 and rate positive")
        self.burst = burst
        self.rate = rate
        self.max_users = max_users
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def check(self, user_id: int, now: float) -> Verdict:
        """Spend one token of `user_id` at time `now` if there is one."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
            self._buckets[user_id] = bucket
            if len(self._buckets) > self.max_users:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(user_id)
            # A clock that steps back (or two sources of time) must never add credit.
            elapsed = max(now - bucket.at, 0.0)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.at = max(bucket.at, now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def __len__(self) -> int:
        """How many users the gate remembers."""
        return len(self._buckets)


class RecentIds:
    """A bounded set of recently seen ids (e.g. update ids), oldest forgotten first."""

    def __init__(self, size: int = 10_000) -> None:
        """Remember at most `size` ids."""
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._seen: OrderedDict[int, None] = OrderedDict()

    def add(self, item: int) -> bool:
        """Remember `item`; False when it was already remembered (a duplicate)."""
        if item in self._seen:
            return False
        self._seen[item] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True

    def __len__(self) -> int:
        """How many ids are remembered."""
        return len(self._seen)
