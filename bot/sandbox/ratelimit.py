"""Telegram's flood limits: every bot message and edit is recorded; violations are listed."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
PRIVATE_RATE = 1.0  # messages per second, sustained
PRIVATE_BURST = 5  # a short burst into one private chat is tolerated


@dataclass(frozen=True)
class SendRecord:
    """One message (`kind="message"`) or edit (`kind="edit"`) the bot made."""

    at: datetime
    chat_id: int
    chat_type: str
    method: str
    kind: str


@dataclass(frozen=True)
class RateViolation:
    """A stretch of time in which the bot broke one of Telegram's limits."""

    rule: str  # "global", "group" or "private"
    chat_id: int | None
    start: datetime
    end: datetime
    count: int
    limit: str


def _seconds(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds()


def _window_violations(
    records: list[SendRecord], window: float, limit: int, rule: str, chat_id: int | None
) -> list[RateViolation]:
    """Sliding windows of `window` seconds holding more than `limit` messages, merged."""
    found: list[RateViolation] = []
    first = 0
    for last, record in enumerate(records):
        while _seconds(records[first].at, record.at) >= window:
            first += 1
        count = last - first + 1
        if count <= limit:
            continue
        start = records[first].at
        if found and found[-1].end >= start:
            prev = found[-1]
            found[-1] = RateViolation(
                rule, chat_id, prev.start, record.at, max(prev.count, count), prev.limit
            )
        else:
            text = f"more than {limit} messages in {window:g}s"
            found.append(RateViolation(rule, chat_id, start, record.at, count, text))
    return found


def _bucket(records: Iterable[SendRecord]) -> tuple[float, datetime | None, list[SendRecord]]:
    """Run the private-chat token bucket; (tokens left, last time, messages sent with none)."""
    tokens = float(PRIVATE_BURST)
    last: datetime | None = None
    over: list[SendRecord] = []
    for record in records:
        if last is not None:
            tokens = min(PRIVATE_BURST, tokens + _seconds(last, record.at) * PRIVATE_RATE)
        last = record.at
        if tokens >= 1:
            tokens -= 1
        else:
            over.append(record)
    return tokens, last, over


class RateBook:
    """The record of everything the bot sent, judged against Telegram's limits."""

    def __init__(self) -> None:
        self.records: list[SendRecord] = []

    def record(self, at: datetime, chat_id: int, chat_type: str, method: str, kind: str) -> None:
        """Note one delivered message or edit."""
        self.records.append(SendRecord(at, chat_id, chat_type, method, kind))

    def _messages(self, chat_id: int | None = None) -> list[SendRecord]:
        return [
            r
            for r in self.records
            if r.kind == "message" and (chat_id is None or r.chat_id == chat_id)
        ]

    def violations(self) -> list[RateViolation]:
        """Every window in which a limit was exceeded, in time order."""
        messages = sorted(self._messages(), key=lambda r: r.at)
        found = _window_violations(messages, 1.0, GLOBAL_PER_SECOND, "global", None)
        chats = sorted({(r.chat_id, r.chat_type) for r in messages})
        for chat_id, chat_type in chats:
            own = [r for r in messages if r.chat_id == chat_id]
            if chat_type in ("group", "supergroup"):
                found += _window_violations(own, 60.0, GROUP_PER_MINUTE, "group", chat_id)
            elif chat_type == "private":
                _, _, over = _bucket(own)
                for record in over:
                    if found and found[-1].rule == "private" and found[-1].chat_id == chat_id:
                        prev = found[-1]
                        found[-1] = RateViolation(
                            "private", chat_id, prev.start, record.at, prev.count + 1, prev.limit
                        )
                    else:
                        limit = f"about {PRIVATE_RATE:g} message/s after a burst of {PRIVATE_BURST}"
                        found.append(
                            RateViolation("private", chat_id, record.at, record.at, 1, limit)
                        )
        return sorted(found, key=lambda v: (v.start, v.rule))

    def retry_after(self, now: datetime, chat_id: int, chat_type: str) -> int | None:
        """Seconds to wait before one more message may go out now, or None if it may."""
        recent = [r for r in self._messages() if _seconds(r.at, now) < 1.0]
        if len(recent) >= GLOBAL_PER_SECOND:
            return 1
        own = self._messages(chat_id)
        if chat_type in ("group", "supergroup"):
            window = [r for r in own if _seconds(r.at, now) < 60.0]
            if len(window) >= GROUP_PER_MINUTE:
                oldest = min(r.at for r in window)
                return max(1, math.ceil(60.0 - _seconds(oldest, now)))
        elif chat_type == "private" and own:
            tokens, last, _ = _bucket(own)
            assert last is not None
            tokens = min(PRIVATE_BURST, tokens + _seconds(last, now) * PRIVATE_RATE)
            if tokens < 1:
                return max(1, math.ceil((1 - tokens) / PRIVATE_RATE))
        return None
