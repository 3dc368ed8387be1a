"""Invariants of any battle, whatever players tap and whenever the clock ticks."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import event as hyp_event
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.battle import (
    MAX_POINTS,
    BattleConfig,
    BattleState,
    Effect,
    Finish,
    Phase,
    Player,
    RevealRound,
    RoundSpec,
    answer,
    join,
    new_battle,
    standings,
    start,
    stop,
    tick,
)

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SPECS = [RoundSpec(f"choice:c{i}", f"c{i}", 4, i % 4) for i in range(5)]
PLAYERS = [Player(i, f"P{i}") for i in range(1, 6)]

tap = st.tuples(st.just("answer"), st.integers(1, 5), st.integers(-1, 1), st.integers(0, 4))
# Taps and ticks dominate, as in a real battle; a stop ends most sequences, so it stays rare.
event = st.one_of(
    tap,
    tap,
    tap,
    st.tuples(st.just("tick")),
    st.tuples(st.just("tick")),
    st.tuples(st.just("join"), st.integers(1, 5)),
    st.tuples(st.just("start"), st.integers(1, 2)),
    st.sampled_from([("stop",), ("tick",), ("tick",), ("tick",), ("tick",)]),
)


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.floats(min_value=0, max_value=6, allow_nan=False), event),
        min_size=30,
        max_size=120,
    ),
    rounds=st.integers(3, 5),
    players=st.integers(1, 3),
    started=st.booleans(),
)
def test_battle_invariants(
    steps: list[tuple[float, tuple[object, ...]]], rounds: int, players: int, started: bool
) -> None:
    state = new_battle(1, "P1", BattleConfig(rounds=rounds, seconds=10), T0)
    for player in PLAYERS[1:players]:
        state, _ = join(state, player, T0)
    if started:
        state, _ = start(state, 1, T0, SPECS)
    now = T0
    revealed_points: Counter[int] = Counter()
    last_round = 0
    for delay, (kind, *args) in steps:
        now += timedelta(seconds=delay)
        effects: tuple[Effect, ...]
        if kind == "join":
            state, effects = join(state, PLAYERS[int(str(args[0])) - 1], now)
        elif kind == "start":
            state, effects = start(state, int(str(args[0])), now, SPECS)
        elif kind == "answer":
            user, offset, option = (int(str(a)) for a in args)
            state, effects = answer(state, PLAYERS[user - 1], state.round_no + offset, option, now)
        elif kind == "tick":
            state, effects = tick(state, now, SPECS)
        else:
            state, effects = stop(state, now)

        for effect in effects:
            if isinstance(effect, RevealRound):
                for result in effect.results:
                    revealed_points[result.user_id] += result.points
            if isinstance(effect, Finish):
                assert effect.standings == standings(state)
        assert state.round_no >= last_round
        last_round = state.round_no
        for play in state.played:
            assert len({a.user_id for a in play.answers}) == len(play.answers)
            assert all(0 <= a.points <= MAX_POINTS for a in play.answers)
            assert all(0 <= a.seconds < 10 for a in play.answers)
        assert len({p.user_id for p in state.players}) == len(state.players)
        assert BattleState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
        # The total is the sum of the rounds revealed so far.
        totals = {s.user_id: s.points for s in standings(state).table}
        assert {u: p for u, p in totals.items() if p} == {
            u: p for u, p in revealed_points.items() if p
        }
    hyp_event(f"ended {state.phase.value} after round {state.round_no}")
    if state.phase is Phase.FINISHED:
        assert all(p.revealed_at is not None for p in state.played)
