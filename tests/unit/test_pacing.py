"""The broadcast pacer: no window of any start holds more than the limit, at near-full speed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.pacing import SlidingWindowPacer


def send_when_allowed(pacer: SlidingWindowPacer, attempt: float) -> float:
    """Wait as the pacer says (re-checking after each wait), record the send, return its time."""
    now = attempt
    for _ in range(10):
        delay = pacer.delay_for(now)
        if delay == 0:
            pacer.record(now)
            return now
        now += delay
    raise AssertionError("the pacer kept asking to wait")


def max_in_any_window(starts: list[float], window: float) -> int:
    """The most sends in any half-open window [t, t + window); the worst one starts at a send."""
    return max(
        (sum(1 for s in starts if t <= s < t + window) for t in starts),
        default=0,
    )


def test_a_burst_is_spread_so_every_window_holds_at_most_the_limit() -> None:
    pacer = SlidingWindowPacer(limit=30, window=1.0)
    starts = [send_when_allowed(pacer, 0.0) for _ in range(90)]
    assert starts[:30] == [0.0] * 30
    assert starts[30:60] == [1.0] * 30
    assert starts[60:] == [2.0] * 30
    assert max_in_any_window(starts, 1.0) == 30


def test_unlike_a_leaky_bucket_the_first_second_holds_only_the_limit() -> None:
    pacer = SlidingWindowPacer(limit=30, window=1.0)
    starts = [send_when_allowed(pacer, i * 0.001) for i in range(200)]
    assert sum(1 for s in starts if s < 1.0) == 30


def test_the_next_slot_opens_when_the_oldest_send_leaves_the_window() -> None:
    pacer = SlidingWindowPacer(limit=3, window=1.0)
    for t in (0.0, 0.25, 0.5):
        pacer.record(t)
    assert pacer.delay_for(0.5) == 0.5
    assert pacer.delay_for(0.9) == pytest.approx(0.1)
    assert pacer.delay_for(1.0) == 0.0
    pacer.record(1.0)
    assert pacer.delay_for(1.0) == 0.25


def test_pause_holds_every_send_until_it_ends() -> None:
    pacer = SlidingWindowPacer(limit=30, window=1.0)
    pacer.record(0.0)
    pacer.pause_until(5.0)  # a 429 with retry_after=5
    assert pacer.paused_until == 5.0
    assert pacer.delay_for(1.0) == 4.0
    assert pacer.delay_for(5.0) == 0.0
    pacer.pause_until(3.0)  # an older, shorter retry_after does not shorten the pause
    assert pacer.delay_for(1.0) == 4.0


def test_sends_after_a_pause_are_still_paced() -> None:
    pacer = SlidingWindowPacer(limit=5, window=1.0)
    pacer.pause_until(2.0)
    starts = [send_when_allowed(pacer, 0.0) for _ in range(10)]
    assert starts == [2.0] * 5 + [3.0] * 5


def test_record_refuses_time_going_backwards() -> None:
    pacer = SlidingWindowPacer()
    pacer.record(2.0)
    with pytest.raises(ValueError, match="backwards"):
        pacer.record(1.0)


@pytest.mark.parametrize(("limit", "window"), [(0, 1.0), (-1, 1.0), (30, 0.0), (30, -1.0)])
def test_bad_settings_are_refused(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        SlidingWindowPacer(limit, window)


@given(
    st.integers(1, 40),
    st.sampled_from([1.0, 0.5, 3.0, 0.1]),
    st.lists(st.floats(0.0, 0.2, allow_nan=False), min_size=1, max_size=250),
    st.lists(st.tuples(st.integers(0, 249), st.floats(0.0, 3.0)), max_size=3),
)
def test_no_window_ever_holds_more_than_the_limit(
    limit: int, window: float, gaps: list[float], pauses: list[tuple[int, float]]
) -> None:
    pacer = SlidingWindowPacer(limit, window)
    pause_at = dict(pauses)
    now = 0.0
    starts: list[float] = []
    for i, gap in enumerate(gaps):
        now += gap
        if i in pause_at:
            pacer.pause_until(now + pause_at[i])
        now = send_when_allowed(pacer, now)
        starts.append(now)
    # The exact guarantee, in the same float arithmetic the pacer uses...
    assert all(starts[i + limit] >= starts[i] + window for i in range(len(starts) - limit))
    # ...and what it means: no window, whatever its start, holds more than `limit` sends.
    assert max_in_any_window(starts, window) <= limit


@given(st.integers(1, 60), st.sampled_from([1.0, 0.25, 2.0]))
def test_throughput_over_a_long_run_is_at_least_ninety_percent(limit: int, window: float) -> None:
    pacer = SlidingWindowPacer(limit, window)
    sends = limit * 50
    starts = [send_when_allowed(pacer, 0.0) for _ in range(sends)]
    elapsed = starts[-1] + window  # the last window is fully used once it ends
    assert sends / elapsed >= 0.9 * limit / window
