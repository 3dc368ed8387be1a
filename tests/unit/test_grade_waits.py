"""What each grade button says it will do, and that the answer does exactly that: the intervals
come from the same scheduling call, with the same seeded fuzz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.learning_days import LearningDays
from bot.core.scheduling import Grade, fuzzed, review, waits
from bot.views.quiz import wait_text

DAYS = LearningDays.of("UTC")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_new_card_shows_ankis_first_steps_and_easy_in_days() -> None:
    shown = waits(None, NOW, 0.9, fuzz=False, days=DAYS, seed=1)
    assert [wait_text(w) for w in shown] == ["1m", "6m", "10m", "8d"]


def test_every_grade_gives_what_its_button_showed_fuzz_and_all() -> None:
    first = review(None, Grade.GOOD, NOW, fuzz=False, days=DAYS)
    graduated = review(first, Grade.GOOD, first.due, fuzz=False, days=DAYS)
    later = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)
    for seed in range(40):
        shown = waits(graduated, later, 0.9, fuzz=True, days=DAYS, seed=seed)
        for grade, wait in zip(Grade, shown, strict=True):
            after = review(graduated, grade, later, 0.9, fuzz=True, days=DAYS, seed=seed)
            if wait < timedelta(days=1):
                assert after.due == later + wait
            else:
                assert DAYS.between(later, after.due) == wait.days
    # The fuzz moves Good over several days across seeds, not by chance within one seed.
    goods = {waits(graduated, later, 0.9, True, DAYS, seed)[2] for seed in range(40)}
    assert len(goods) > 1


@pytest.mark.parametrize(
    ("interval", "factor", "expected"),
    [(1, 0.99, 1), (2, 0.5, 2), (3, 0.0, 2), (3, 0.999, 4), (10, 0.0, 8), (10, 0.999, 12),
     (100, 0.0, 93), (100, 0.999, 107), (36_500, 0.9999, 36_500), (36_500, 0.0, 34_673)],
)  # fmt: skip
def test_fuzz_stays_in_its_range(interval: int, factor: float, expected: int) -> None:
    assert fuzzed(interval, factor) == expected


@pytest.mark.parametrize(
    ("wait", "label"),
    [(timedelta(seconds=20), "1m"), (timedelta(minutes=10), "10m"), (timedelta(hours=2), "2h"),
     (timedelta(days=4), "4d"), (timedelta(days=45), "1.5mo"), (timedelta(days=60), "2mo"),
     (timedelta(days=800), "2.2y")],
)  # fmt: skip
def test_waits_read_as_anki_writes_them(wait: timedelta, label: str) -> None:
    assert wait_text(wait) == label
