"""Every /stats figure from a fixture review log and fixture schedules, with fixed datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.learning_days import LearningDays
from bot.core.scheduling import ReviewState
from bot.core.stats import LoggedReview, StatsFigures, compute_stats, heatmap_start

ZONE = "America/New_York"  # UTC-5 until DST starts on Sunday 8 March 2026, then UTC-4
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # Wednesday 4 March, 10:00 in New York
LEARNING, REVIEW, RELEARNING = 1, 2, 3


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def schedule(state: int, due: datetime, interval: timedelta) -> ReviewState:
    """A stored schedule: due `interval` after its last review."""
    return ReviewState(state, None, 10.0, 5.0, due, due - interval, 3, 0)


def mature(due: datetime = NOW) -> ReviewState:
    return schedule(REVIEW, due, timedelta(days=30))


def young(due: datetime = NOW) -> ReviewState:
    return schedule(REVIEW, due, timedelta(days=5))


REVIEWS = [
    # today (local) and before the now: 09:00, 00:30, and exactly now
    LoggedReview(utc(2026, 3, 4, 14, 0), 1, 3, mature()),
    LoggedReview(utc(2026, 3, 4, 5, 30), 2, 1, None),
    LoggedReview(NOW, 3, 2, young()),
    # 23:30 on 3 March in New York though 4 March in UTC: yesterday
    LoggedReview(utc(2026, 3, 4, 4, 30), 4, 1, mature()),
    # the 30-day window is (now - 30 days, now]: the first is in, the second is out
    LoggedReview(utc(2026, 2, 2, 16, 0), 5, 4, mature()),
    LoggedReview(utc(2026, 2, 2, 15, 0), 6, 1, mature()),
    # mature means Review with an interval of at least 21 days
    LoggedReview(utc(2026, 2, 20, 12, 0), 7, 3, schedule(REVIEW, NOW, timedelta(days=21))),
    LoggedReview(utc(2026, 2, 21, 12, 0), 8, 1, schedule(REVIEW, NOW, timedelta(hours=503))),
    LoggedReview(utc(2026, 2, 25, 12, 0), 9, 1, schedule(RELEARNING, NOW, timedelta(days=40))),
    # the heatmap's first local day (Monday 8 September 2025, 01:00 EDT) and the evening before it
    LoggedReview(utc(2025, 9, 8, 5, 0), 10, 3, None),
    LoggedReview(utc(2025, 9, 8, 3, 0), 11, 3, None),
    # after now: not counted anywhere
    LoggedReview(utc(2026, 3, 5, 10, 0), 12, 3, mature()),
]

STATES = [
    None,
    None,
    None,
    schedule(LEARNING, NOW - timedelta(hours=1), timedelta(minutes=10)),  # overdue
    schedule(RELEARNING, NOW + timedelta(minutes=10), timedelta(minutes=10)),
    young(utc(2026, 3, 5, 4, 59)),  # 23:59 today
    young(utc(2026, 3, 5, 5, 0)),  # midnight: tomorrow
    mature(utc(2026, 3, 9, 4, 30)),  # 00:30 EDT on Monday 9 March (a fixed UTC-5 would say the 8th)
    mature(utc(2026, 3, 10, 16, 0)),  # the 7th day counting today
    mature(utc(2026, 3, 11, 16, 0)),  # the 8th day
    mature(utc(2026, 3, 18, 3, 59)),  # 23:59 on the 14th day
    mature(utc(2026, 3, 18, 4, 0)),  # beyond the forecast
    mature(utc(2026, 1, 1, 0, 0)),  # long overdue
]


@pytest.fixture(scope="module")
def figures() -> StatsFigures:
    return compute_stats(REVIEWS, STATES, NOW, LearningDays.of(ZONE, 0), 0.85)


def test_today_counts_local_day_reviews_and_accuracy(figures: StatsFigures) -> None:
    assert figures.today == date(2026, 3, 4)
    assert (figures.today_reviews, figures.today_right) == (3, 2)
    assert figures.today_accuracy == pytest.approx(2 / 3)


def test_due_now_today_and_this_week(figures: StatsFigures) -> None:
    assert (figures.due_now, figures.due_today, figures.due_week) == (2, 4, 7)


def test_new_learning_young_mature(figures: StatsFigures) -> None:
    assert (figures.new, figures.learning, figures.young, figures.mature) == (3, 2, 2, 6)
    assert figures.total_questions == len(STATES)


def test_true_retention_counts_reviews_of_questions_mature_before_them(
    figures: StatsFigures,
) -> None:
    # in: today 09:00 (right), yesterday 23:30 (wrong), 2 Feb 16:00 (right), exactly 21 days (right)
    assert (figures.retention_reviews, figures.retention_right) == (4, 3)
    assert figures.true_retention == pytest.approx(0.75)
    assert figures.desired_retention == 0.85


def test_heatmap_counts_reviews_per_local_day_over_26_weeks(figures: StatsFigures) -> None:
    start = date(2025, 9, 8)
    assert figures.heatmap_start == start
    assert len(figures.daily_counts) == 26 * 7 - 4  # Thursday to Sunday of this week are to come

    def on(day: date) -> int:
        return figures.daily_counts[(day - start).days]

    assert on(start) == 1
    assert on(date(2026, 2, 2)) == 2
    assert on(date(2026, 2, 20)) == on(date(2026, 2, 21)) == on(date(2026, 2, 25)) == 1
    assert on(date(2026, 3, 3)) == 1
    assert on(date(2026, 3, 4)) == 3
    assert figures.heatmap_reviews == 10


def test_forecast_buckets_by_local_day_with_overdue_in_today(figures: StatsFigures) -> None:
    assert figures.forecast == (4, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1)


def test_no_history_gives_zeros_and_no_ratios() -> None:
    figures = compute_stats([], [None, None], NOW, LearningDays.of("UTC", 0), 0.9)
    assert figures.today_accuracy is None
    assert figures.true_retention is None
    assert figures.new == 2
    assert figures.is_empty
    assert figures.daily_counts == (0,) * (26 * 7 - 4)


def test_a_due_question_alone_is_not_empty() -> None:
    assert not compute_stats([], [young(NOW)], NOW, LearningDays.of("UTC", 0), 0.9).is_empty


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 3, 2), date(2025, 9, 8)),  # a Monday
        (date(2026, 3, 8), date(2025, 9, 8)),  # the Sunday of the same week
        (date(2026, 3, 9), date(2025, 9, 15)),  # the next Monday
        (date(2024, 2, 29), date(2023, 9, 4)),  # a leap day, a Thursday
    ],
)
def test_heatmap_starts_on_the_monday_25_weeks_back(today: date, start: date) -> None:
    assert heatmap_start(today) == start
    assert start.weekday() == 0


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        compute_stats([], [], datetime(2026, 3, 4, 15, 0), LearningDays.of("UTC", 0), 0.9)
