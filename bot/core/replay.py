"""Review history brought from elsewhere (Anki), replayed through FSRS into schedules.

Each card's reviews are applied oldest first, starting from a new card, with fuzzing off so the
same history always gives the same schedule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.learning_days import LearningDays
from bot.core.scheduling import DEFAULT_RETENTION, Grade, ReviewState
from bot.core.scheduling import replay as replay_answers


@dataclass(frozen=True, slots=True)
class PastReview:
    """One review of a card at `reviewed_at` (UTC) rated 1 Again … 4 Easy."""

    card: str  # any key that identifies the card (the deck's card key)
    reviewed_at: datetime
    rating: int


@dataclass(frozen=True, slots=True)
class Replayed:
    """A card's schedule after its whole history, and how many reviews built it."""

    state: ReviewState
    reviews: int


def replay(
    history: Iterable[PastReview],
    desired_retention: float = DEFAULT_RETENTION,
    days: LearningDays | None = None,
) -> dict[str, Replayed]:
    """The schedule each reviewed card ends with, by card key; ratings outside 1–4 are skipped.
    With `days`, elapsed time and due days are the learner's learning days, as Anki counts them."""
    by_card: dict[str, list[PastReview]] = defaultdict(list)
    for past in history:
        if 1 <= past.rating <= 4:
            by_card[past.card].append(past)
    result: dict[str, Replayed] = {}
    for card, reviews in by_card.items():
        # A stable sort: reviews logged in the same instant keep the order they came in.
        reviews.sort(key=lambda past: past.reviewed_at)
        answers = [(past.reviewed_at, Grade(past.rating)) for past in reviews]
        state = replay_answers(answers, desired_retention, fuzz=False, days=days)
        assert state is not None
        result[card] = Replayed(state, len(reviews))
    return result
