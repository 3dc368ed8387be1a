"""Battle points: speed-weighted points for a right answer plus a capped answer-streak bonus."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

MAX_BASE_POINTS = 1000
STREAK_STEP = 100
MAX_STREAK_BONUS = 500
MAX_POINTS = MAX_BASE_POINTS + MAX_STREAK_BONUS


def _exact(value: float) -> Decimal:
    # The float's shortest repr is the number people read (0.02, not 0.0200000000000000004),
    # so a ratio of exactly 0.001 lands on 999.5 and rounds up as the formula promises.
    return Decimal(repr(value))


def speed_points(answer_seconds: float, round_seconds: float) -> int:
    """`round(1000 × (1 − (t/T)/2))` half up, t clamped to [0, T]: 1000 instant, 500 at the bell."""
    if not (math.isfinite(answer_seconds) and math.isfinite(round_seconds)):
        raise ValueError("answer and round times must be finite")
    if round_seconds <= 0:
        raise ValueError(f"round time must be positive, got {round_seconds}")
    t = min(max(_exact(answer_seconds), Decimal(0)), _exact(round_seconds))
    raw = MAX_BASE_POINTS - Decimal(MAX_BASE_POINTS) * t / (2 * _exact(round_seconds))
    return int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def streak_bonus(streak_before: int) -> int:
    """+100 for each right answer in a row before this one, at most +500."""
    return min(STREAK_STEP * max(streak_before, 0), MAX_STREAK_BONUS)


def points_for(
    correct: bool, answer_seconds: float, round_seconds: float, streak_before: int
) -> tuple[int, int]:
    """(points, new streak) for one answer.

    A wrong answer earns 0 and resets the streak. A late answer (t > T) earns 0 and resets the
    streak like a missed round: the round closes at its deadline, so it was never in time.
    """
    if answer_seconds > round_seconds or not correct:
        # Validate the times even when they do not score, so bad input never passes silently.
        speed_points(min(answer_seconds, round_seconds), round_seconds)
        return 0, 0
    return speed_points(answer_seconds, round_seconds) + streak_bonus(streak_before), (
        max(streak_before, 0) + 1
    )
