"""FSRS scheduling of questions: one review in, the next state out, nothing mutated."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from functools import lru_cache

from fsrs import Card, Rating, Scheduler, State

from bot.core.learning_days import LearningDays

DEFAULT_RETENTION = 0.9
MATURE_DAYS = 21
# FSRS's 21 weights (a learner's own: bot.core.personal_parameters); None means FSRS's defaults.
Parameters = tuple[float, ...]


class Grade(IntEnum):
    """The four answers of a self-graded question (FSRS ratings)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True, slots=True)
class ReviewState:
    """Where one user stands with one question, as stored between reviews."""

    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int

    @property
    def interval_days(self) -> float:
        """Days from the last review to the due date (0 for a question never reviewed)."""
        if self.last_review is None:
            return 0.0
        return (self.due - self.last_review).total_seconds() / 86400

    @property
    def is_mature(self) -> bool:
        """A review-state question whose interval is at least 21 days."""
        return self.state == State.Review and self.interval_days >= MATURE_DAYS


def _require_utc(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() != UTC.utcoffset(None):
        raise ValueError("scheduling needs tz-aware UTC datetimes")
    # FSRS accepts only datetime.timezone.utc itself, not an equivalent tzinfo.
    return when.astimezone(UTC)


@lru_cache(maxsize=256)
def _scheduler(desired_retention: float, parameters: Parameters | None = None) -> Scheduler:
    # FSRS's own fuzz draws from the process's shared random state; ours (`fuzzed`) is seeded,
    # so the interval a grade button shows is the one the answer gets.
    if parameters is None:
        return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
    return Scheduler(
        parameters=parameters, desired_retention=desired_retention, enable_fuzzing=False
    )


# Anki's fuzz (and FSRS's): up to 15 % of the days from 2.5 to 7, 10 % to 20, 5 % beyond, plus 1.
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))
MAX_INTERVAL_DAYS = 36500


def fuzzed(interval_days: int, factor: float) -> int:
    """An interval moved within its fuzz range by `factor` (0 ≤ factor < 1: the range's start
    to its end), so that cards learnt together spread over nearby days. Under 2.5 days: as is."""
    if interval_days < 2.5:
        return interval_days
    delta = 1.0 + sum(
        f * max(min(float(interval_days), end) - start, 0.0) for start, end, f in _FUZZ_RANGES
    )
    high = min(round(interval_days + delta), MAX_INTERVAL_DAYS)
    low = min(max(2, round(interval_days - delta)), high)
    return min(int(low + factor * (high - low + 1)), high)


def _fsrs_card(state: ReviewState) -> Card:
    # The id only matters to FSRS's own review logs, which are not kept.
    return Card(
        card_id=1,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=_require_utc(state.due),
        last_review=_require_utc(state.last_review) if state.last_review else None,
    )


def review(
    previous: ReviewState | None,
    grade: Grade,
    now: datetime,
    desired_retention: float = DEFAULT_RETENTION,
    fuzz: bool = True,
    days: LearningDays | None = None,
    seed: int | None = None,
    parameters: Parameters | None = None,
) -> ReviewState:
    """The state after answering with `grade` at `now` (previous None means a new question).

    `parameters` are the FSRS weights to schedule with (a learner's own), None for FSRS's defaults.

    A review-state interval is fuzzed (`fuzzed`) by a factor drawn from `seed` (the same seed,
    the same interval: what a grade button shows is what the answer gets), or at random.

    With `days`, time is counted as Anki counts it (bot.core.learning_days): FSRS sees the
    learning days since the last review as its elapsed days, and a question that moves to (or
    stays in) the review state falls due at the start of its due day. Without, elapsed time is
    24-hour periods and the due time keeps the review's time of day.
    """
    now = _require_utc(now)
    scheduler = _scheduler(round(desired_retention, 4), parameters)
    if previous is None:
        card = Card(card_id=1, due=now)
        reps, lapses = 0, 0
    else:
        card = _fsrs_card(previous)
        reps, lapses = previous.reps, previous.lapses
        if days is not None and previous.last_review is not None:
            # FSRS counts whole 24-hour periods since last_review: put it exactly as many
            # periods back as there are learning days between the two reviews.
            elapsed = days.between(previous.last_review, now)
            card.last_review = now - timedelta(days=elapsed)
    after, _log = scheduler.review_card(card, Rating(int(grade)), now)
    due = after.due
    if after.state == State.Review:
        interval = round((after.due - now) / timedelta(days=1))
        if fuzz:
            interval = fuzzed(interval, random.Random(seed).random())
        if days is not None:
            due = days.start_of(days.day_of(now) + timedelta(days=interval))
        else:
            due = now + timedelta(days=interval)
    lapsed = previous is not None and previous.state == State.Review and grade == Grade.AGAIN
    return ReviewState(
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=due,
        last_review=now,
        reps=reps + 1,
        lapses=lapses + (1 if lapsed else 0),
    )


def answer_seed(user_id: int, question_id: int, reps: int) -> int:
    """The fuzz seed of a user's next answer to a question: the same until that answer is made,
    so every preview of it (the grade buttons) and the answer itself agree."""
    return (user_id * 1_000_003 + question_id) * 10_007 + reps


def waits(
    previous: ReviewState | None,
    now: datetime,
    desired_retention: float,
    fuzz: bool,
    days: LearningDays,
    seed: int,
    parameters: Parameters | None = None,
) -> tuple[timedelta, ...]:
    """How long each grade (Again, Hard, Good, Easy) would put the question away if answered at
    `now`: a learning step in minutes, a review in whole learning days."""
    result: list[timedelta] = []
    for grade in Grade:
        after = review(previous, grade, now, desired_retention, fuzz, days, seed, parameters)
        if after.state == State.Review:
            result.append(timedelta(days=max(1, days.between(now, after.due))))
        else:
            result.append(after.due - now)
    return tuple(result)


def replay(
    answers: Iterable[tuple[datetime, Grade]],
    desired_retention: float = DEFAULT_RETENTION,
    fuzz: bool = True,
    days: LearningDays | None = None,
    parameters: Parameters | None = None,
) -> ReviewState | None:
    """The state after a history of answers, reviewed in order (None for no answers)."""
    state: ReviewState | None = None
    for at, grade in answers:
        state = review(state, grade, at, desired_retention, fuzz, days, parameters=parameters)
    return state
