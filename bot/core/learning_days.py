"""Learning days: the day as Anki counts it, starting at a set hour of the learner's local time.

A review at 01:30 belongs to the day before when days start at 04:00, so a learner studying late
at night is still on "today". FSRS's elapsed time for a review is the number of learning days
between the last review and this one (not 24-hour periods), and a question in the review state
falls due at the start of its due day: it is due all that day, whatever the time of the review
that scheduled it. Learning and relearning steps stay in minutes.

    >>> from datetime import UTC, datetime
    >>> from zoneinfo import ZoneInfo
    >>> days = LearningDays(ZoneInfo("Europe/Paris"), start_hour=4)
    >>> days.day_of(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))  # 02:30 in Paris
    datetime.date(2026, 3, 1)
    >>> days.start_of(days.day_of(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.core.timezones import zone_for

DEFAULT_START_HOUR = 4  # Anki's default "next day starts at"


@dataclass(frozen=True, slots=True)
class LearningDays:
    """Days that start at `start_hour` (0–23) local time in `zone`."""

    zone: tzinfo
    start_hour: int = DEFAULT_START_HOUR

    @classmethod
    def of(cls, zone_name: str, start_hour: int = DEFAULT_START_HOUR) -> LearningDays:
        """A user's learning days from their stored time zone name and start hour."""
        return cls(zone_for(zone_name), start_hour)

    def __post_init__(self) -> None:
        if not 0 <= self.start_hour <= 23:
            raise ValueError(f"a day starts at an hour from 0 to 23, not {self.start_hour}")

    def day_of(self, when: datetime) -> date:
        """The learning day an instant belongs to."""
        if when.tzinfo is None:
            raise ValueError("learning days need tz-aware datetimes")
        local = when.astimezone(self.zone)
        return (local - timedelta(hours=self.start_hour)).date()

    def start_of(self, day: date) -> datetime:
        """The instant (UTC) a learning day starts: its start hour, local time."""
        local = datetime.combine(day, time(self.start_hour), tzinfo=self.zone)
        return local.astimezone(UTC)

    def between(self, earlier: datetime, later: datetime) -> int:
        """Learning days from `earlier` to `later` (0 on the same day; never negative)."""
        return max(0, (self.day_of(later) - self.day_of(earlier)).days)
