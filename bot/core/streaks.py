"""Daily streaks counted in the user's local days, with streak freezes that cover missed days.

Rules (all dates are the user's local calendar dates, see `bot.core.timezones.local_date`):
- A day counts when the user finishes at least one review that day; more reviews that day change
  nothing.
- Studying on the day after the last counted day adds one to the streak.
- Each missed day spends one held freeze automatically and keeps the streak; a frozen day keeps
  the streak alive but does not add to it. If the missed days outnumber the freezes held, the
  streak is lost: no freeze is spent, and today's study starts a new streak of 1.
- One freeze is earned each time the streak reaches a multiple of 7 (7, 14, 21 …); at most 2 are
  held, and held freezes survive a lost streak.
- `best` is the longest streak ever reached.
Values are immutable: `record_study` returns a new `Streak` plus events to tell the user about.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

FREEZE_EVERY_DAYS = 7
MAX_FREEZES = 2


@dataclass(frozen=True, slots=True)
class Streak:
    """A user's streak as stored: lengths in counted days, plus freezes held and freezes spent."""

    current: int = 0
    best: int = 0
    last_day: date | None = None  # the last local day that counted (studied, not frozen)
    freezes: int = 0  # held, 0..MAX_FREEZES
    frozen_days: tuple[date, ...] = ()  # days of the current streak that a freeze covered

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly dict for storage (dates as ISO strings)."""
        return {
            "current": self.current,
            "best": self.best,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "freezes": self.freezes,
            "frozen_days": [day.isoformat() for day in self.frozen_days],
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Streak:
        """The inverse of `to_dict`."""
        last_day = data.get("last_day")
        frozen = data.get("frozen_days") or []
        if not isinstance(frozen, list):
            raise ValueError("frozen_days must be a list")
        return cls(
            current=int(str(data.get("current", 0))),
            best=int(str(data.get("best", 0))),
            last_day=date.fromisoformat(str(last_day)) if last_day else None,
            freezes=int(str(data.get("freezes", 0))),
            frozen_days=tuple(date.fromisoformat(str(day)) for day in frozen),
        )


@dataclass(frozen=True, slots=True)
class DayCounted:
    """Today counted: the streak is now `current` days long; `new_best` if it beats the record."""

    current: int
    new_best: bool


@dataclass(frozen=True, slots=True)
class FreezeUsed:
    """`count` freezes covered the missed `days` and saved a streak of `saved_streak` days."""

    count: int
    saved_streak: int
    days: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class FreezeEarned:
    """A freeze was earned for reaching `streak_days`; `held` freezes are now held."""

    streak_days: int
    held: int


@dataclass(frozen=True, slots=True)
class StreakLost:
    """A streak of `lost_streak` days ended after `missed_days` missed days with too few freezes."""

    lost_streak: int
    missed_days: int


StreakEvent = DayCounted | FreezeUsed | FreezeEarned | StreakLost


@dataclass(frozen=True, slots=True)
class StreakUpdate:
    """The streak after a study day, and what happened, in the order it happened."""

    streak: Streak
    events: tuple[StreakEvent, ...]


@dataclass(frozen=True, slots=True)
class StreakView:
    """What /streak shows on a given local day; computing it never changes the stored streak."""

    current: int  # 0 when the streak is already lost
    best: int
    freezes: int  # held now, before any pending spend
    studied_today: bool
    at_risk: bool  # not studied today and current > 0
    freezes_pending: int  # freezes that will be spent to cover the days missed so far
    lost_streak: int  # the length of a streak that is already lost (0 if none)


def _missed_days(streak: Streak, today: date) -> int:
    """Whole local days strictly between the last counted day and `today` (0 if none or past)."""
    if streak.last_day is None or today <= streak.last_day:
        return 0
    return (today - streak.last_day).days - 1


def record_study(streak: Streak, today: date) -> StreakUpdate:
    """Count a finished review on local day `today`; spend freezes for missed days as needed."""
    last = streak.last_day
    # A second review the same day changes nothing; so does a day before the last counted one,
    # which happens when a user moves to a zone further west.
    if last is not None and today <= last:
        return StreakUpdate(streak, ())

    events: list[StreakEvent] = []
    missed = _missed_days(streak, today)
    current, freezes, frozen_days = streak.current, streak.freezes, streak.frozen_days
    if current == 0 or last is None:
        current, frozen_days = 1, ()
    elif missed == 0:
        current += 1
    elif missed <= freezes:
        days = tuple(last + timedelta(days=i) for i in range(1, missed + 1))
        events.append(FreezeUsed(count=missed, saved_streak=current, days=days))
        freezes -= missed
        frozen_days += days
        current += 1
    else:
        events.append(StreakLost(lost_streak=current, missed_days=missed))
        current, frozen_days = 1, ()

    best = max(streak.best, current)
    events.append(DayCounted(current=current, new_best=current > streak.best))
    if current % FREEZE_EVERY_DAYS == 0 and freezes < MAX_FREEZES:
        freezes += 1
        events.append(FreezeEarned(streak_days=current, held=freezes))

    new = replace(
        streak,
        current=current,
        best=best,
        last_day=today,
        freezes=freezes,
        frozen_days=frozen_days,
    )
    return StreakUpdate(new, tuple(events))


def view_streak(streak: Streak, today: date) -> StreakView:
    """The streak as it stands on local day `today`, counting freezes that missed days will use."""
    last = streak.last_day
    studied_today = last is not None and today <= last
    missed = _missed_days(streak, today)
    current, pending, lost = streak.current, 0, 0
    if missed > streak.freezes:
        current, lost = 0, streak.current
    else:
        pending = missed
    return StreakView(
        current=current,
        best=streak.best,
        freezes=streak.freezes,
        studied_today=studied_today,
        at_risk=not studied_today and current > 0,
        freezes_pending=pending,
        lost_streak=lost,
    )
