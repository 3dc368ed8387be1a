"""Replaying review history through FSRS: per card, oldest first, exactly as reviews here would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.replay import PastReview, replay
from bot.core.scheduling import Grade, ReviewState, review

T = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)


def by_hand(ratings: list[tuple[int, int]], retention: float = 0.9) -> ReviewState | None:
    """The state reached by calling review() in order: (days after T, rating) pairs."""
    state = None
    for days, rating in ratings:
        state = review(state, Grade(rating), T + timedelta(days=days), retention, fuzz=False)
    return state


def test_a_cards_history_gives_the_state_reviews_here_would_have_given() -> None:
    history = [PastReview("a", T + timedelta(days=d), r) for d, r in [(0, 3), (3, 3), (10, 1)]]
    result = replay(history)
    assert set(result) == {"a"}
    assert result["a"].reviews == 3
    assert result["a"].state == by_hand([(0, 3), (3, 3), (10, 1)])
    assert result["a"].state.reps == 3
    assert result["a"].state.lapses == 1
    assert result["a"].state.last_review == T + timedelta(days=10)


def test_reviews_are_sorted_per_card_and_cards_kept_apart() -> None:
    shuffled = [
        PastReview("b", T + timedelta(days=5), 4),
        PastReview("a", T + timedelta(days=3), 2),
        PastReview("b", T, 1),
        PastReview("a", T, 3),
    ]
    result = replay(shuffled)
    assert result["a"].state == by_hand([(0, 3), (3, 2)])
    assert result["b"].state == by_hand([(0, 1), (5, 4)])
    assert (result["a"].reviews, result["b"].reviews) == (2, 2)


@pytest.mark.parametrize("rating", [0, 5, -1])
def test_ratings_outside_one_to_four_are_skipped(rating: int) -> None:
    result = replay([PastReview("a", T, 3), PastReview("a", T + timedelta(days=1), rating)])
    assert result["a"].reviews == 1
    assert result["a"].state == by_hand([(0, 3)])
    assert replay([PastReview("c", T, rating)]) == {}


def test_the_desired_retention_shapes_the_intervals() -> None:
    history = [PastReview("a", T + timedelta(days=d), 3) for d in (0, 1, 5, 20)]
    strict = replay(history, desired_retention=0.95)["a"].state
    relaxed = replay(history, desired_retention=0.8)["a"].state
    assert strict == by_hand([(0, 3), (1, 3), (5, 3), (20, 3)], 0.95)
    assert strict.due < relaxed.due
