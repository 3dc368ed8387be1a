"""Battle points: the speed formula rounded half up, the streak bonus, late and wrong answers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.battle import MAX_POINTS, points_for, speed_points, streak_bonus


@pytest.mark.parametrize(
    ("t", "round_seconds", "expected"),
    [
        (0.0, 20, 1000),  # instant
        (0.02, 20, 1000),  # t/T = 0.001 → 999.5 rounds up (banker's rounding would say 1000 too)
        (0.06, 20, 999),  # t/T = 0.003 → 998.5 rounds up; Python's round() gives 998
        (0.1, 20, 998),  # 997.5 → 998 (round() would also give 998: both agree on even)
        (0.14, 20, 997),  # 996.5 → 997; round() gives 996
        (5.0, 20, 875),
        (10.0, 20, 750),  # t/T = 0.5
        (1.0, 3, 833),  # 833.33…
        (2.0, 3, 667),  # 666.66…
        (20.0, 20, 500),  # at the bell
        (-1.0, 20, 1000),  # a clock a little behind is clamped to instant
        (99.0, 20, 500),  # clamped to the bell
    ],
)
def test_speed_points_table(t: float, round_seconds: int, expected: int) -> None:
    assert speed_points(t, round_seconds) == expected


def test_half_up_differs_from_builtin_round() -> None:
    assert round(998.5) == 998
    assert speed_points(0.06, 20) == 999


@pytest.mark.parametrize(
    ("correct", "t", "streak_before", "expected"),
    [
        (True, 0.0, 0, (1000, 1)),  # instant, first right answer: no bonus
        (True, 10.0, 0, (750, 1)),  # mid
        (True, 20.0, 0, (500, 1)),  # at the bell
        (True, 10.0, 1, (850, 2)),  # second in a row: +100
        (True, 10.0, 2, (950, 3)),
        (True, 0.0, 5, (1500, 6)),  # +500, the cap
        (True, 0.0, 9, (1500, 10)),  # still +500
        (True, 20.5, 3, (0, 0)),  # late: not scored, streak gone like a missed round
        (False, 0.0, 0, (0, 0)),
        (False, 1.0, 7, (0, 0)),  # wrong resets the streak
        (False, 25.0, 2, (0, 0)),
    ],
)
def test_points_for_table(
    correct: bool, t: float, streak_before: int, expected: tuple[int, int]
) -> None:
    assert points_for(correct, t, 20, streak_before) == expected


@pytest.mark.parametrize(("streak", "bonus"), [(0, 0), (1, 100), (4, 400), (5, 500), (50, 500)])
def test_streak_bonus(streak: int, bonus: int) -> None:
    assert streak_bonus(streak) == bonus


@pytest.mark.parametrize(
    ("t", "round_seconds"), [(1.0, 0), (1.0, -5), (math.nan, 20), (1.0, math.inf)]
)
def test_bad_times_are_refused(t: float, round_seconds: float) -> None:
    with pytest.raises(ValueError):
        points_for(True, t, round_seconds, 0)
    with pytest.raises(ValueError):
        points_for(False, t, round_seconds, 0)


@given(
    correct=st.booleans(),
    t=st.floats(min_value=-5, max_value=100, allow_nan=False),
    round_seconds=st.integers(min_value=10, max_value=60),
    streak=st.integers(min_value=0, max_value=100),
)
def test_points_stay_in_range(correct: bool, t: float, round_seconds: int, streak: int) -> None:
    points, new_streak = points_for(correct, t, round_seconds, streak)
    assert 0 <= points <= MAX_POINTS == 1500
    if correct and t <= round_seconds:
        assert points >= 500
        assert new_streak == streak + 1
    else:
        assert (points, new_streak) == (0, 0)


@given(
    t1=st.floats(min_value=0, max_value=60, allow_nan=False),
    t2=st.floats(min_value=0, max_value=60, allow_nan=False),
)
def test_faster_never_earns_less(t1: float, t2: float) -> None:
    fast, slow = sorted((t1, t2))
    assert speed_points(fast, 60) >= speed_points(slow, 60)
