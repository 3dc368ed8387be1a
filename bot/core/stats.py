"""The figures of /stats, computed from plain data: a review log, schedules, a time zone, a now.

Definitions (what each number means, precisely):

- *Today* is the user's local calendar day at `now`; a review belongs to the local day of its
  instant in the user's current time zone.
- *Right* means an FSRS rating of 2 or more (Hard, Good, Easy); a wrong choice or typed answer
  is stored as Again (1). Today's accuracy is right reviews / reviews today.
- *Due now*: questions whose due time is at or before `now`. *Due today*: due before the end of
  the local day (overdue ones included). *Due this week*: due before the end of the 7th local
  day counting today (today + the next 6 days). The 14-day forecast counts due questions per local
  day, today first, with everything overdue counted into today — so due today is `forecast[0]`
  and due this week is the sum of its first 7 days.
- *New*: questions of the deck the user never answered. *Learning*: in FSRS Learning or
  Relearning. *Young*: in Review with an interval under 21 days. *Mature*: in Review with an
  interval of at least 21 days (`ReviewState.is_mature`).
- *True retention (30 days)*: of the reviews in the 30 days up to `now` (`now - 30 days < at <=
  now`) whose question was mature just BEFORE the review, the share rated right. Reviews of
  young, learning or new questions are left out: they measure learning, not retention.
- *Activity heatmap*: reviews per local day over 26 whole weeks (Monday to Sunday, the current
  week last), from `heatmap_start` to today; days after today are not counted.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import State

from bot.core.learning_days import LearningDays
from bot.core.scheduling import ReviewState

HEATMAP_WEEKS = 26
FORECAST_DAYS = 14
WEEK_DAYS = 7
RETENTION_WINDOW = timedelta(days=30)
RIGHT_RATING = 2


@dataclass(frozen=True, slots=True)
class LoggedReview:
    """One answer from the review log, with the question's schedule just before it."""

    at: datetime  # tz-aware UTC
    question_id: int
    rating: int  # 1 Again … 4 Easy
    before: ReviewState | None  # None: the question was new


@dataclass(frozen=True, slots=True)
class StatsFigures:
    """Every number /stats shows, plus the series the chart draws."""

    today: date
    today_reviews: int
    today_right: int
    due_now: int
    due_today: int
    due_week: int
    new: int
    learning: int
    young: int
    mature: int
    retention_reviews: int
    retention_right: int
    desired_retention: float
    heatmap_start: date
    daily_counts: tuple[int, ...]  # reviews per local day, heatmap_start … today
    forecast: tuple[int, ...]  # due questions per local day, today … today + 13

    @property
    def today_accuracy(self) -> float | None:
        """Share of today's reviews answered right, or None with no review today."""
        return self.today_right / self.today_reviews if self.today_reviews else None

    @property
    def true_retention(self) -> float | None:
        """Share of mature reviews in the last 30 days answered right, or None without any."""
        return self.retention_right / self.retention_reviews if self.retention_reviews else None

    @property
    def heatmap_reviews(self) -> int:
        """Reviews in the heatmap's 26 weeks."""
        return sum(self.daily_counts)

    @property
    def total_questions(self) -> int:
        """Questions of the deck: new + learning + young + mature."""
        return self.new + self.learning + self.young + self.mature

    @property
    def is_empty(self) -> bool:
        """Nothing to draw: no review in 26 weeks and nothing due in the next 14 days."""
        return self.heatmap_reviews == 0 and sum(self.forecast) == 0


def heatmap_start(today: date) -> date:
    """The Monday 25 weeks before the Monday of `today`'s week: the heatmap's first day."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(weeks=HEATMAP_WEEKS - 1)


def day_bounds(learning_days: LearningDays, first: date, days: int) -> list[float]:
    """The starts of `days` learning days from `first`, and the end of the last, as unix seconds.

    A review's day is found by bisection in these bounds, which is both DST-correct and far
    cheaper than converting every review to the local zone.
    """
    return [learning_days.start_of(first + timedelta(days=i)).timestamp() for i in range(days + 1)]


def daily_counts(
    moments: Iterable[datetime], first: date, days: int, learning_days: LearningDays
) -> list[int]:
    """How many of `moments` fall in each of `days` learning days from `first` (others: none)."""
    bounds = day_bounds(learning_days, first, days)
    counts = [0] * days
    for moment in moments:
        at = moment.timestamp()
        if bounds[0] <= at < bounds[-1]:
            counts[bisect_right(bounds, at) - 1] += 1
    return counts


def due_forecast(
    dues: Iterable[datetime], today: date, days: int, learning_days: LearningDays
) -> list[int]:
    """Questions falling due on each of `days` learning days from `today`, overdue ones counted
    today; those due later are left out."""
    # Buckets are compared as instants so DST-length days are counted right.
    ends = day_bounds(learning_days, today, days)[1:]
    forecast = [0] * days
    for due in dues:
        index = bisect_right(ends, due.timestamp())
        if index < days:
            forecast[index] += 1
    return forecast


def _is_right(rating: int) -> bool:
    return rating >= RIGHT_RATING


def compute_stats(
    reviews: Sequence[LoggedReview],
    states: Sequence[ReviewState | None],
    now: datetime,
    learning_days: LearningDays,
    desired_retention: float,
) -> StatsFigures:
    """The /stats figures for one user: `reviews` is their log, `states` one entry per question
    of the deck (None for a question never answered); days are the user's learning days."""
    if now.tzinfo is None:
        raise ValueError("compute_stats needs a tz-aware now")
    today = learning_days.day_of(now)
    start = heatmap_start(today)
    days = (today - start).days + 1
    bounds = day_bounds(learning_days, start, days)
    daily = [0] * days
    today_reviews = today_right = 0
    retention_reviews = retention_right = 0
    window_start = now - RETENTION_WINDOW
    for r in reviews:
        if r.at > now:
            continue
        at = r.at.timestamp()
        if bounds[0] <= at < bounds[-1]:
            index = bisect_right(bounds, at) - 1
            daily[index] += 1
            if index == days - 1:
                today_reviews += 1
                today_right += _is_right(r.rating)
        if r.at > window_start and r.before is not None and r.before.is_mature:
            retention_reviews += 1
            retention_right += _is_right(r.rating)

    due_now = new = learning = young = mature = 0
    for s in states:
        if s is None:
            new += 1
            continue
        if s.state == State.Review:
            if s.is_mature:
                mature += 1
            else:
                young += 1
        else:
            learning += 1
        if s.due <= now:
            due_now += 1
    forecast = due_forecast(
        [s.due for s in states if s is not None], today, FORECAST_DAYS, learning_days
    )

    return StatsFigures(
        today=today,
        today_reviews=today_reviews,
        today_right=today_right,
        due_now=due_now,
        due_today=forecast[0],
        due_week=sum(forecast[:WEEK_DAYS]),
        new=new,
        learning=learning,
        young=young,
        mature=mature,
        retention_reviews=retention_reviews,
        retention_right=retention_right,
        desired_retention=desired_retention,
        heatmap_start=start,
        daily_counts=tuple(daily),
        forecast=tuple(forecast),
    )
