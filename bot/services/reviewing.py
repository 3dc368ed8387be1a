"""One answer as a review: the FSRS step, the streak step, and the row that records both.

Shared by the private quiz and group battles, so an answer counts the same wherever it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core.learning_days import DEFAULT_START_HOUR, LearningDays
from bot.core.scheduling import Grade, ReviewState, answer_seed, review
from bot.core.streaks import Streak, StreakUpdate, record_study
from bot.services.unixtime import from_unix, unix
from bot.storage.battles import ReviewerRow
from bot.storage.quiz import ReviewWrite, StoredState


def to_state(stored: StoredState | None) -> ReviewState | None:
    """A stored schedule as the core's ReviewState (None stays None: a new question)."""
    if stored is None:
        return None
    return ReviewState(
        state=stored.state,
        step=stored.step,
        stability=stored.stability,
        difficulty=stored.difficulty,
        due=from_unix(stored.due),
        last_review=from_unix(stored.last_review) if stored.last_review is not None else None,
        reps=stored.reps,
        lapses=stored.lapses,
    )


def to_stored(state: ReviewState) -> StoredState:
    """The core's ReviewState as stored (unix seconds)."""
    return StoredState(
        state=state.state,
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=unix(state.due),
        last_review=unix(state.last_review) if state.last_review else None,
        reps=state.reps,
        lapses=state.lapses,
    )


@dataclass(frozen=True, slots=True)
class Reviewer:
    """Who answers which question, with their schedule for it and their streak, as stored."""

    user_id: int
    question_id: int
    deck_id: int
    card_id: int
    state: StoredState | None
    timezone: str
    desired_retention: float
    streak_current: int
    streak_best: int
    streak_last_day: str | None
    streak_freezes: int
    day_start_hour: int = DEFAULT_START_HOUR
    parameters: tuple[float, ...] | None = None  # their own FSRS parameters; None: the defaults


def stored_reviewer(row: ReviewerRow, question_id: int, deck_id: int, card_id: int) -> Reviewer:
    """The reviewer a group answer (a battle round, the daily question) writes for, as stored."""
    return Reviewer(
        user_id=row.user_id,
        question_id=question_id,
        deck_id=deck_id,
        card_id=card_id,
        state=row.state,
        timezone=row.timezone,
        desired_retention=row.desired_retention,
        streak_current=row.streak_current,
        streak_best=row.streak_best,
        streak_last_day=row.streak_last_day,
        streak_freezes=row.streak_freezes,
        day_start_hour=row.day_start_hour,
        parameters=row.parameters,
    )


@dataclass(frozen=True, slots=True)
class Reviewed:
    """An answer worked out: the row to insert, the new schedule and the streak change."""

    write: ReviewWrite
    after: ReviewState
    streak: StreakUpdate
    today: date


def next_seed(user_id: int, question_id: int, previous: ReviewState | None) -> int:
    """The fuzz seed of a user's next answer to a question from the schedule it starts from:
    the grade buttons, the answer and a later "I was right" all draw the same interval."""
    return answer_seed(user_id, question_id, previous.reps if previous else 0)


def make_review(
    who: Reviewer,
    grade: Grade,
    correct: bool | None,
    outcome: str,
    given: str | None,
    now: datetime,
    *,
    session_id: int | None,
    position: int | None,
    duration_ms: int | None,
    fuzz: bool,
    keep_prior: bool = False,
) -> Reviewed:
    """Schedule the answer with FSRS (the user's own parameters, if they use them) on the
    user's learning days and count that day in their streak (bot.core.learning_days: the day
    starts at their start hour, local time).

    With `keep_prior`, the review row keeps the schedule it started from, so that the answer can
    later be counted as right instead ("I was right").
    """
    previous = to_state(who.state)
    days = LearningDays.of(who.timezone, who.day_start_hour)
    seed = next_seed(who.user_id, who.question_id, previous)
    after = review(previous, grade, now, who.desired_retention, fuzz, days, seed, who.parameters)
    today = days.day_of(now)
    streak = Streak(
        current=who.streak_current,
        best=who.streak_best,
        last_day=date.fromisoformat(who.streak_last_day) if who.streak_last_day else None,
        freezes=who.streak_freezes,
    )
    update = record_study(streak, today)
    new_streak = update.streak
    write = ReviewWrite(
        user_id=who.user_id,
        question_id=who.question_id,
        deck_id=who.deck_id,
        card_id=who.card_id,
        session_id=session_id,
        position=position,
        rating=int(grade),
        correct=correct,
        outcome=outcome,
        given=given,
        reviewed_at=unix(now),
        duration_ms=duration_ms,
        local_day=today.isoformat(),
        first_review=previous is None,
        state=to_stored(after),
        streak_current=new_streak.current,
        streak_best=new_streak.best,
        streak_freezes=new_streak.freezes,
        prior=who.state,
        keep_prior=keep_prior,
    )
    return Reviewed(write=write, after=after, streak=update, today=today)
