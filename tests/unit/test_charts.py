"""The /stats picture: a valid PNG of phone-friendly size for empty, small and year-long histories."""

from __future__ import annotations

import itertools
import random
import struct
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.learning_days import LearningDays
from bot.core.scheduling import ReviewState
from bot.core.stats import LoggedReview, StatsFigures, compute_stats
from bot.views.charts import level_edges, render_png

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def history(days: int, per_day: int, seed: int = 3) -> StatsFigures:
    rng = random.Random(seed)
    reviews = [
        LoggedReview(NOW - timedelta(days=rng.random() * days), i, rng.choice((1, 3, 3, 4)), None)
        for i in range(days * per_day)
    ]
    states: list[ReviewState | None] = [
        ReviewState(2, None, 9.0, 5.0, NOW + timedelta(hours=rng.random() * 400), NOW, 2, 0)
        for _ in range(days * 2)
    ]
    return compute_stats(
        reviews, [*states, None, None], NOW, LearningDays.of("Europe/Berlin", 0), 0.9
    )


@pytest.mark.parametrize(
    "figures",
    [
        compute_stats([], [None] * 20, NOW, LearningDays.of("UTC", 0), 0.9),
        history(days=3, per_day=4),
        history(days=365, per_day=40),
    ],
    ids=["empty", "small", "year-long"],
)
async def test_the_chart_is_a_phone_sized_png(figures: StatsFigures) -> None:
    data = await render_png(figures)
    assert png_size(data) == (1200, 900)
    assert 20_000 <= len(data) <= 1_000_000
    assert data.endswith(b"IEND\xaeB`\x82")


async def test_an_empty_history_is_a_different_picture_from_a_real_one() -> None:
    empty = await render_png(compute_stats([], [], NOW, LearningDays.of("UTC", 0), 0.9))
    small = await render_png(history(days=3, per_day=4))
    assert empty != small


@given(st.integers(min_value=0, max_value=100_000))
def test_colour_levels_are_strictly_increasing_and_cover_the_peak(peak: int) -> None:
    edges = level_edges(peak)
    assert len(edges) == 6
    assert edges[:2] == [0, 1]
    assert all(a < b for a, b in itertools.pairwise(edges))
    assert edges[-1] > peak
