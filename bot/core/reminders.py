"""Daily reminder times: parse what the user types, find the next firing instant, decide to send.

One reminder per local day at a wall-clock time in the user's zone. Across daylight-saving changes:
- a time that does not exist that day (the spring-forward gap) fires shifted forward by the gap
  length: 01:30 in London on the day clocks jump 01:00 → 02:00 fires at 02:30 BST;
- a time that happens twice (the fall-back overlap) fires once, at its first occurrence.
The sweep stores `next_reminder_utc(...)` per user, and after each decision stores
`next_after_decision(...)`, which always moves to a later local day, so no day gets two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.core.timezones import local_date, zone_for

MAX_LATENESS = timedelta(hours=3)
MAX_TIME_INPUT_CHARS = 16


_TIME_RE = re.compile(
    r"^(?:"
    r"(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2})|\s*h)?"  # 18:30, 6.30, 18h30, 18h, 18
    r"|(?P<hhmm>\d{3,4})"  # 0730, 730, 1830
    r")\s*(?P<ampm>[ap])?(?:\.?\s*m\.?)?$",  # am/pm, a.m., p.m.
    re.ASCII,  # \d means 0-9 only
)


class UnreadableTime(ValueError):
    """Text that is not a time of day (bot.views.reminders.TIME_HELP tells the user what works)."""


class Action(StrEnum):
    """What the reminder sweep does with one due reminder."""

    SEND = "send"
    SKIP_NOT_NEEDED = "skip_not_needed"  # studied today, or nothing due and no streak at stake
    SKIP_TOO_LATE = "skip_too_late"  # more than 3 hours late (the bot was down) or day over
    SKIP_ALREADY_SENT = "skip_already_sent"  # this local day already had its reminder
    NOT_YET = "not_yet"  # asked before the scheduled instant: leave it alone


@dataclass(frozen=True, slots=True)
class Decision:
    """The sweep's verdict for one user's reminder."""

    action: Action

    @property
    def send(self) -> bool:
        """Whether to send the reminder now."""
        return self.action is Action.SEND

    @property
    def reschedule(self) -> bool:
        """Whether to store `next_after_decision(...)` as the user's next reminder time."""
        return self.action is not Action.NOT_YET


def parse_remind_time(text: str) -> time:
    """Read a time of day like `18:30`, `6:30pm`, `18h30` or `0730`; else raise UnreadableTime."""
    cleaned = text.strip().casefold()
    if not cleaned or len(cleaned) > MAX_TIME_INPUT_CHARS:
        raise UnreadableTime("not a time of day")
    match = _TIME_RE.match(cleaned)
    if match is None:
        raise UnreadableTime("not a time of day")
    if match["hhmm"] is not None:
        digits = match["hhmm"]
        hour, minute = int(digits[:-2]), int(digits[-2:])
    else:
        hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = match["ampm"]
    if ampm is None and cleaned.endswith("m"):
        raise UnreadableTime("not a time of day")  # a bare "m" suffix is neither am nor pm
    if ampm is not None:
        if not 1 <= hour <= 12:
            raise UnreadableTime("not a time of day")
        hour = hour % 12 + (12 if ampm == "p" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UnreadableTime("not a time of day")
    return time(hour, minute)


def occurrence_utc(day: date, local_time: time, zone_name: str) -> datetime:
    """The UTC instant the reminder for local date `day` fires (see the module notes on DST)."""
    # fold=0 is PEP 495's "earlier" reading: the first of two repeated times, and for a time in a
    # gap, the offset from before the jump, i.e. the wall time shifted forward by the gap length.
    wall = datetime.combine(day, local_time.replace(tzinfo=None, fold=0))
    return wall.replace(tzinfo=zone_for(zone_name)).astimezone(UTC)


def next_reminder_utc(after_utc: datetime, local_time: time, zone_name: str) -> datetime:
    """The first reminder instant strictly after `after_utc`; one instant per local date."""
    if after_utc.tzinfo is None:
        raise ValueError("after_utc must be tz-aware")
    start = local_date(after_utc, zone_name)
    # A day before covers a gap shift that lands past midnight; a few days after cover dates a
    # zone skipped entirely (Samoa skipped 2011-12-30).
    for offset in range(-1, 4):
        candidate = occurrence_utc(start + timedelta(days=offset), local_time, zone_name)
        if candidate > after_utc:
            return candidate
    raise AssertionError("no reminder instant within four days")  # pragma: no cover


def reminder_decision(
    now_utc: datetime,
    scheduled_utc: datetime,
    *,
    studied_today: bool,
    due_count: int,
    streak_at_risk: bool,
    last_sent_local_day: date | None,
    local_today: date,
    scheduled_local_day: date | None = None,
) -> Decision:
    """Decide whether a due reminder is sent or skipped, and why.

    Facts about the user are keyword-only so that a swapped flag cannot pass silently.
    `local_today` is the user's local date at `now_utc`. `scheduled_local_day`, the local date
    of `scheduled_utc`, is optional; when given, a late reminder whose local day has already
    ended is skipped as too late instead of spending the new day's reminder.
    """
    if now_utc < scheduled_utc:
        return Decision(Action.NOT_YET)
    if last_sent_local_day is not None and last_sent_local_day >= local_today:
        return Decision(Action.SKIP_ALREADY_SENT)
    if now_utc - scheduled_utc > MAX_LATENESS:
        return Decision(Action.SKIP_TOO_LATE)
    if scheduled_local_day is not None and scheduled_local_day < local_today:
        return Decision(Action.SKIP_TOO_LATE)
    if studied_today or (due_count <= 0 and not streak_at_risk):
        return Decision(Action.SKIP_NOT_NEEDED)
    return Decision(Action.SEND)


def next_after_decision(
    now_utc: datetime, scheduled_utc: datetime, local_time: time, zone_name: str
) -> datetime:
    """The next reminder instant to store after deciding on the one at `scheduled_utc`.

    Always a later local day than the decided one: never before `now_utc`, and never a second
    firing on a day that already had its decision (for example, the repeated hour in autumn).
    """
    after = max(now_utc, scheduled_utc)
    candidate = next_reminder_utc(after, local_time, zone_name)
    decided_day = local_date(scheduled_utc, zone_name)
    while local_date(candidate, zone_name) <= decided_day:
        candidate = next_reminder_utc(candidate, local_time, zone_name)
    return candidate
