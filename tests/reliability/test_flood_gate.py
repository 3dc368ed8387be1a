"""The per-user flood gate and the memory of recent update ids (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.flood import FloodGate, RecentIds, Verdict


def test_a_burst_passes_then_one_warning_then_silence() -> None:
    gate = FloodGate(burst=3, rate=1.0)
    verdicts = [gate.check(1, 100.0) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN] + [Verdict.DROP] * 2


def test_credit_comes_back_with_time_and_the_warning_resets() -> None:
    gate = FloodGate(burst=2, rate=0.5)
    assert [gate.check(1, 0.0) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN]
    assert gate.check(1, 1.0) is Verdict.DROP  # half a token is not a message
    assert gate.check(1, 2.0) is Verdict.ALLOW  # one token after two seconds
    assert gate.check(1, 2.0) is Verdict.WARN  # a new flood is announced again


def test_one_flooder_does_not_spend_anyone_elses_budget() -> None:
    gate = FloodGate(burst=2, rate=1.0)
    for _ in range(50):
        gate.check(1, 10.0)
    assert gate.check(2, 10.0) is Verdict.ALLOW
    assert gate.check(2, 10.0) is Verdict.ALLOW


def test_a_clock_stepping_back_adds_no_credit() -> None:
    gate = FloodGate(burst=1, rate=1.0)
    assert gate.check(1, 100.0) is Verdict.ALLOW
    assert gate.check(1, 50.0) is Verdict.WARN
    assert gate.check(1, 100.5) is Verdict.DROP
    assert gate.check(1, 101.0) is Verdict.ALLOW


def test_the_least_recently_seen_user_is_forgotten_first() -> None:
    gate = FloodGate(burst=1, rate=0.001, max_users=2)
    gate.check(1, 0.0)
    gate.check(2, 0.0)
    gate.check(1, 0.0)  # user 1 is now the most recent (and out of credit)
    gate.check(3, 0.0)  # evicts user 2
    assert len(gate) == 2
    assert gate.check(2, 0.0) is Verdict.ALLOW  # a forgotten user starts afresh
    assert gate.check(1, 0.0) is Verdict.ALLOW  # evicted meanwhile by user 2's return


@pytest.mark.parametrize(("burst", "rate", "users"), [(0, 1.0, 1), (1, 0.0, 1), (1, 1.0, 0)])
def test_nonsense_settings_are_refused(burst: int, rate: float, users: int) -> None:
    with pytest.raises(ValueError):
        FloodGate(burst, rate, users)


@given(
    burst=st.integers(1, 20),
    rate=st.floats(0.1, 5.0),
    steps=st.lists(st.floats(0.0, 3.0), max_size=80),
)
def test_never_more_than_burst_plus_refill_pass(
    burst: int, rate: float, steps: list[float]
) -> None:
    gate = FloodGate(burst, rate)
    now, passed = 0.0, 0
    for step in steps:
        now += step
        passed += gate.check(7, now) is Verdict.ALLOW
    assert passed <= burst + now * rate + 1e-9


def test_recent_ids_spot_a_repeat_and_forget_the_oldest() -> None:
    seen = RecentIds(size=3)
    assert [seen.add(n) for n in (1, 2, 1, 3, 4)] == [True, True, False, True, True]
    assert len(seen) == 3
    assert seen.add(1) is True  # forgotten: the oldest went first
    assert seen.add(4) is False
