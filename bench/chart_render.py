"""Time the /stats chart: render time and PNG size for an empty, a small and a year-long history.

Run: `.venv/bin/python -m bench.chart_render`
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from bot.core.learning_days import LearningDays
from bot.core.scheduling import ReviewState
from bot.core.stats import LoggedReview, compute_stats
from bot.views.charts import draw

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
RUNS = 10


def history(days: int, per_day: int) -> tuple[list[LoggedReview], list[ReviewState | None]]:
    """`days` of review log with `per_day` reviews a day, and a deck of matching size."""
    rng = random.Random(1)
    reviews = [
        LoggedReview(NOW - timedelta(days=rng.random() * days), i, rng.choice((1, 3, 3, 4)), None)
        for i in range(days * per_day)
    ]
    states: list[ReviewState | None] = [
        ReviewState(2, None, 9.0, 5.0, NOW + timedelta(hours=rng.random() * 400), NOW, 2, 0)
        for _ in range(days * 2)
    ]
    return reviews, states


def main() -> None:
    """Print median render time and PNG size per history."""
    for name, days, per_day in [("empty", 0, 0), ("small", 3, 4), ("year-long", 365, 40)]:
        reviews, states = history(days, per_day)
        started = time.perf_counter()
        fig = compute_stats(reviews, states, NOW, LearningDays.of("Europe/Berlin", 0), 0.9)
        compute_ms = (time.perf_counter() - started) * 1000
        draw(fig)  # warm-up: font cache and imports
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            png = draw(fig)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:>10}: figures {compute_ms:6.1f} ms, render median {statistics.median(times):6.1f} ms"
            f" (min {min(times):.1f}), PNG {len(png) / 1024:.1f} KB"
        )


if __name__ == "__main__":
    main()
