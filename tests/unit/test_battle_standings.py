"""Standings: totals, the fastest right answer, podium order and its tie-breakers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.battle import (
    Answer,
    BattleConfig,
    BattleState,
    Phase,
    Player,
    RoundPlay,
    RoundSpec,
    standings,
)

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PLAYERS = tuple(Player(i, name) for i, name in enumerate(["Ann", "Bob", "Cat", "Dan", "Eve"], 1))


def right(user_id: int, seconds: float, points: int) -> Answer:
    """A right answer worth `points`."""
    return Answer(user_id, 0, seconds, True, points, 1)


def wrong(user_id: int, seconds: float) -> Answer:
    """A wrong answer."""
    return Answer(user_id, 1, seconds, False, 0, 0)


def battle(*rounds: tuple[Answer, ...], open_last: bool = False) -> BattleState:
    """A battle of these revealed rounds (the last one still open if `open_last`)."""
    played = []
    for index, answers in enumerate(rounds):
        opened = T0 + timedelta(seconds=30 * index)
        revealed = None if open_last and index == len(rounds) - 1 else opened
        played.append(RoundPlay(opened, opened + timedelta(seconds=20), answers, revealed))
    return BattleState(
        config=BattleConfig(rounds=5, seconds=20),
        host_id=1,
        created_at=T0,
        lobby_deadline=T0,
        phase=Phase.ROUND_OPEN if open_last else Phase.FINISHED,
        players=PLAYERS,
        rounds=tuple(RoundSpec(f"q{i}", f"c{i}", 4, 0) for i in range(5)),
        played=tuple(played),
    )


def test_ties_are_broken_by_right_answers_then_total_time_then_join_order() -> None:
    state = battle(
        (
            right(1, 2.0, 900),  # Ann: 900 from one right answer
            right(2, 10.0, 450),  # Bob: 900 from two right answers → above Ann
            right(3, 1.0, 450),  # Cat: 900 from two right answers, faster than Bob → above Bob
            right(4, 2.0, 900),  # Dan: same as Ann in every way but joined later → below Ann
            wrong(5, 1.0),  # Eve: nothing
        ),
        (right(2, 1.0, 450), right(3, 1.0, 450)),
    )
    result = standings(state)
    assert [(s.place, s.medal, s.name, s.points, s.right) for s in result.table] == [
        (1, "🥇", "Cat", 900, 2),
        (2, "🥈", "Bob", 900, 2),
        (3, "🥉", "Ann", 900, 1),
        (4, "", "Dan", 900, 1),
        (5, "", "Eve", 0, 0),
    ]
    assert [s.name for s in result.podium] == ["Cat", "Bob", "Ann"]


def test_total_answer_time_counts_wrong_answers_too() -> None:
    state = battle(
        (right(1, 5.0, 800), right(2, 5.0, 800)),
        (wrong(1, 9.0), wrong(2, 1.0)),
    )
    assert [s.name for s in standings(state).table[:2]] == ["Bob", "Ann"]
    assert standings(state).table[0].answer_seconds == 6.0


def test_fastest_right_answer_ignores_wrong_ones_and_prefers_the_earlier_round() -> None:
    state = battle(
        (wrong(1, 0.1), right(2, 3.0, 900), right(3, 1.5, 950)),
        (right(4, 1.5, 950), right(5, 2.0, 900)),
    )
    fastest = standings(state).fastest
    assert fastest is not None
    assert (fastest.name, fastest.seconds, fastest.round_no) == ("Cat", 1.5, 1)


def test_no_right_answer_means_no_fastest() -> None:
    assert standings(battle((wrong(1, 1.0),))).fastest is None


def test_open_round_does_not_count() -> None:
    state = battle((right(1, 1.0, 950),), (right(2, 0.0, 1000),), open_last=True)
    result = standings(state)
    assert result.rounds_played == 1
    assert [(s.name, s.points) for s in result.table[:2]] == [("Ann", 950), ("Bob", 0)]


def test_podium_of_two_players_has_two_places() -> None:
    state = BattleState(
        config=BattleConfig(),
        host_id=1,
        created_at=T0,
        lobby_deadline=T0,
        players=PLAYERS[:2],
    )
    assert [s.medal for s in standings(state).podium] == ["🥇", "🥈"]
