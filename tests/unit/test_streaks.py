"""Streaks in local days: counting, freezes earned, spent and capped, and what /streak shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.streaks import (
    MAX_FREEZES,
    DayCounted,
    FreezeEarned,
    FreezeUsed,
    Streak,
    StreakLost,
    StreakView,
    record_study,
    view_streak,
)
from bot.core.timezones import local_date

D0 = date(2026, 3, 1)


def day(n: int) -> date:
    """The n-th day after D0."""
    return D0 + timedelta(days=n)


def study_days(days: list[int], start: Streak | None = None) -> Streak:
    """The streak after studying on each listed day offset, in order."""
    streak = start or Streak()
    for n in days:
        streak = record_study(streak, day(n)).streak
    return streak


def test_first_study_starts_a_streak_of_one() -> None:
    update = record_study(Streak(), D0)
    assert update.streak == Streak(current=1, best=1, last_day=D0)
    assert update.events == (DayCounted(current=1, new_best=True),)


def test_second_review_the_same_day_changes_nothing() -> None:
    once = record_study(Streak(), D0).streak
    again = record_study(once, D0)
    assert again.streak == once
    assert again.events == ()


def test_consecutive_days_increment() -> None:
    assert study_days([0, 1, 2]) == Streak(current=3, best=3, last_day=day(2))


def test_missing_a_day_without_freeze_resets_then_today_counts_as_one() -> None:
    before = study_days([0, 1, 2])
    update = record_study(before, day(4))
    assert update.streak == Streak(current=1, best=3, last_day=day(4))
    assert update.events == (
        StreakLost(lost_streak=3, missed_days=1),
        DayCounted(current=1, new_best=False),
    )


@pytest.mark.parametrize(
    ("length", "freezes"),
    [(6, 0), (7, 1), (13, 1), (14, 2), (20, 2), (21, 2), (28, 2)],
)
def test_one_freeze_per_seven_days_capped_at_two(length: int, freezes: int) -> None:
    streak = study_days(list(range(length)))
    assert streak.current == length
    assert streak.freezes == freezes


def test_freeze_earned_event_on_the_seventh_day_and_not_when_capped() -> None:
    six = study_days(list(range(6)))
    assert record_study(six, day(6)).events == (
        DayCounted(current=7, new_best=True),
        FreezeEarned(streak_days=7, held=1),
    )
    twenty = study_days(list(range(20)))
    assert twenty.freezes == MAX_FREEZES
    assert record_study(twenty, day(20)).events == (DayCounted(current=21, new_best=True),)


def test_a_freeze_saves_a_twelve_day_streak() -> None:
    twelve = study_days(list(range(12)))  # days 0..11, one freeze earned on day 6
    assert (twelve.current, twelve.freezes) == (12, 1)
    update = record_study(twelve, day(13))  # day 12 missed
    assert update.events == (
        FreezeUsed(count=1, saved_streak=12, days=(day(12),)),
        DayCounted(current=13, new_best=True),
    )
    assert update.streak == Streak(
        current=13, best=13, last_day=day(13), freezes=0, frozen_days=(day(12),)
    )


def test_two_missed_days_need_two_freezes() -> None:
    fourteen = study_days(list(range(14)))
    assert fourteen.freezes == 2
    update = record_study(fourteen, day(16))  # days 14 and 15 missed
    assert update.events[0] == FreezeUsed(count=2, saved_streak=14, days=(day(14), day(15)))
    assert (update.streak.current, update.streak.freezes) == (15, 0)


def test_two_missed_days_with_one_freeze_lose_the_streak_and_keep_the_freeze() -> None:
    seven = study_days(list(range(7)))
    assert seven.freezes == 1
    update = record_study(seven, day(9))  # days 7 and 8 missed
    assert update.events[0] == StreakLost(lost_streak=7, missed_days=2)
    assert update.streak == Streak(current=1, best=7, last_day=day(9), freezes=1)


def test_frozen_days_do_not_count_towards_the_next_freeze() -> None:
    seven = study_days(list(range(7)))  # one freeze held
    after = study_days([8, 9, 10, 11, 12, 13], seven)  # day 7 frozen; 13 counted days
    assert (after.current, after.freezes) == (13, 0)
    assert after.frozen_days == (day(7),)
    assert record_study(after, day(14)).streak.freezes == 1  # the 14th counted day


def test_best_is_kept_after_a_reset() -> None:
    streak = study_days([0, 1, 2, 3, 10, 11])
    assert (streak.current, streak.best) == (2, 4)


def test_a_day_before_the_last_one_changes_nothing() -> None:
    # After moving west, the local date can fall back by one.
    streak = study_days([0, 1])
    assert record_study(streak, day(0)).streak == streak


def test_local_midnight_decides_the_day() -> None:
    # 23:30 and 00:30 New York time are different local days although only an hour apart,
    # while 23:30 and 00:30 UTC are the same New York day.
    zone = "America/New_York"
    evening = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)  # 23:30 on 2 March in New York
    after_midnight = evening + timedelta(hours=1)  # 00:30 on 3 March
    streak = record_study(Streak(), local_date(evening, zone)).streak
    streak = record_study(streak, local_date(after_midnight, zone)).streak
    assert streak.current == 2
    same_day = record_study(Streak(), local_date(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), zone))
    assert record_study(same_day.streak, local_date(evening, zone)).events == ()


def test_midnight_in_a_far_east_zone_differs_from_utc() -> None:
    zone = "Pacific/Kiritimati"  # UTC+14
    first = datetime(2026, 12, 31, 9, 59, tzinfo=UTC)  # 23:59 on 31 Dec local
    second = datetime(2026, 12, 31, 10, 1, tzinfo=UTC)  # 00:01 on 1 Jan local
    streak = record_study(Streak(), local_date(first, zone)).streak
    assert record_study(streak, local_date(second, zone)).streak.current == 2


@pytest.mark.parametrize(
    ("studied", "today", "expected"),
    [
        # never studied
        ([], 0, StreakView(0, 0, 0, False, False, 0, 0)),
        # studied today: done, not at risk
        ([0, 1, 2], 2, StreakView(3, 3, 0, True, False, 0, 0)),
        # studied yesterday: the streak stands but is at risk today
        ([0, 1, 2], 3, StreakView(3, 3, 0, False, True, 0, 0)),
        # missed yesterday without a freeze: already lost
        ([0, 1, 2], 4, StreakView(0, 3, 0, False, False, 0, 3)),
        # missed yesterday with a freeze: kept, one freeze pending
        (list(range(7)), 8, StreakView(7, 7, 1, False, True, 1, 0)),
        # missed two days with one freeze: lost
        (list(range(7)), 9, StreakView(0, 7, 1, False, False, 0, 7)),
        # missed two days with two freezes: kept, two pending
        (list(range(14)), 16, StreakView(14, 14, 2, False, True, 2, 0)),
    ],
)
def test_view_streak(studied: list[int], today: int, expected: StreakView) -> None:
    streak = study_days(studied)
    assert view_streak(streak, day(today)) == expected
    assert study_days(studied) == streak  # viewing never changes the streak


def test_view_agrees_with_record_on_whether_the_streak_survives() -> None:
    seven = study_days(list(range(7)))
    for gap_days in (1, 2, 3):
        today = day(6 + gap_days + 1)
        view = view_streak(seven, today)
        recorded = record_study(seven, today).streak
        assert recorded.current == view.current + 1


def test_to_dict_round_trips() -> None:
    streak = study_days([*range(12), 13])
    assert Streak.from_dict(streak.to_dict()) == streak
    assert Streak.from_dict(Streak().to_dict()) == Streak()


@given(st.lists(st.integers(0, 60), max_size=40))
def test_invariants_for_any_study_pattern(offsets: list[int]) -> None:
    streak = Streak()
    for n in sorted(offsets):
        before = streak
        streak = record_study(streak, day(n)).streak
        assert 0 <= streak.freezes <= MAX_FREEZES
        assert 1 <= streak.current <= streak.best
        assert streak.best >= before.best
        assert streak.current <= (n - sorted(offsets)[0]) + 1
        assert all((frozen - D0).days not in offsets for frozen in streak.frozen_days)
