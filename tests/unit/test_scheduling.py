"""FSRS wrapper: exact states for fixed times with fuzzing off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.scheduling import Grade, review

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_new_question_answered_good_comes_back_after_the_second_learning_step() -> None:
    state = review(None, Grade.GOOD, T0, fuzz=False)
    assert state.state == 1 and state.step == 1
    assert state.due == T0 + timedelta(minutes=10)
    assert state.stability == pytest.approx(2.3065)
    assert (state.reps, state.lapses) == (1, 0)


def test_good_answers_grow_the_interval_and_again_counts_a_lapse() -> None:
    first = review(None, Grade.GOOD, T0, fuzz=False)
    graduated = review(first, Grade.GOOD, first.due, fuzz=False)
    assert graduated.state == 2
    assert graduated.due == datetime(2026, 1, 7, 9, 10, tzinfo=UTC)
    third = review(graduated, Grade.GOOD, graduated.due, fuzz=False)
    assert third.due == datetime(2026, 1, 18, 9, 10, tzinfo=UTC)
    assert third.interval_days == pytest.approx(11.0)
    lapsed = review(third, Grade.AGAIN, third.due, fuzz=False)
    assert lapsed.state == 3
    assert lapsed.due == third.due + timedelta(minutes=10)
    assert (lapsed.reps, lapsed.lapses) == (4, 1)


def test_easy_on_a_new_question_skips_learning() -> None:
    state = review(None, Grade.EASY, T0, fuzz=False)
    assert state.state == 2
    assert state.due == datetime(2026, 1, 13, 9, 0, tzinfo=UTC)


def test_lower_desired_retention_gives_longer_intervals() -> None:
    first = review(None, Grade.EASY, T0, fuzz=False)
    strict = review(first, Grade.GOOD, first.due, desired_retention=0.95, fuzz=False)
    relaxed = review(first, Grade.GOOD, first.due, desired_retention=0.8, fuzz=False)
    assert relaxed.due > strict.due


def test_review_is_pure() -> None:
    first = review(None, Grade.GOOD, T0, fuzz=False)
    again = review(None, Grade.GOOD, T0, fuzz=False)
    assert first == again


@pytest.mark.parametrize(
    "when",
    [datetime(2026, 1, 5, 9, 0), datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=2)))],
)
def test_times_must_be_utc(when: datetime) -> None:
    with pytest.raises(ValueError, match="UTC"):
        review(None, Grade.GOOD, when, fuzz=False)
