"""The battle state machine: lobby, start, rounds, taps, deadlines, stop, restore after restart."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.battle import (
    BattleConfig,
    BattleState,
    CancelRound,
    CloseLobby,
    EditLobby,
    Effect,
    Finish,
    LobbyOutcome,
    Notice,
    Phase,
    Player,
    PostRound,
    RevealRound,
    RoundResult,
    RoundSpec,
    Toast,
    all_answered,
    answer,
    can_start,
    join,
    new_battle,
    next_wakeup,
    standings,
    start,
    starts_on_tick,
    stop,
    tick,
)
from bot.views.battle import toast_text

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ANN = Player(1, "Ann")  # the host
BOB = Player(2, "Bob")
CAT = Player(3, "Cat")
DAN = Player(4, "Dan")
CONFIG = BattleConfig(rounds=3, seconds=20)
# Right options: round 1 → B (1), round 2 → C (2), round 3 → A (0).
ROUNDS = [
    RoundSpec("choice:c1", "c1", 4, 1),
    RoundSpec("choice:c2", "c2", 4, 2),
    RoundSpec("cloze:c3", "c3", 4, 0),
]


def at(seconds: float) -> datetime:
    """T0 plus some seconds."""
    return T0 + timedelta(seconds=seconds)


def lobby(*players: Player) -> BattleState:
    """A lobby hosted by Ann, created at T0, that the given players joined at T0."""
    state = new_battle(ANN.user_id, ANN.name, CONFIG, T0)
    for player in players:
        state, _ = join(state, player, T0)
    return state


def in_round_one() -> BattleState:
    """Ann, Bob and Cat in round 1, opened at T0 + 5 s (deadline T0 + 25 s)."""
    state, _ = start(lobby(BOB, CAT), ANN.user_id, at(5), ROUNDS)
    return state


def toasts(effects: tuple[Effect, ...]) -> list[tuple[int, str]]:
    """The (user, text) of every toast, as the view words it."""
    return [(e.user_id, toast_text(e)) for e in effects if isinstance(e, Toast)]


def toast(user_id: int, text: str) -> Toast:
    """The toast to `user_id` that the view words as `text`."""
    for notice in Notice:
        for option in (None, 0, 1, 2, 3) if notice is Notice.LOCKED_IN else (None,):
            if toast_text(candidate := Toast(user_id, notice, option)) == text:
                return candidate
    raise AssertionError(f"no toast reads {text!r}")


def reveal_of(effects: tuple[Effect, ...]) -> RevealRound:
    """The single reveal among the effects."""
    (reveal,) = [e for e in effects if isinstance(e, RevealRound)]
    return reveal


def points_of(reveal: RevealRound) -> dict[str, int]:
    """Points per player name in a reveal."""
    return {r.name: r.points for r in reveal.results}


# --- lobby -------------------------------------------------------------------------------


def test_new_battle_is_a_lobby_with_the_host() -> None:
    state = new_battle(ANN.user_id, ANN.name, CONFIG, T0)
    assert state.phase is Phase.LOBBY
    assert state.players == (ANN,)
    assert state.lobby_deadline == at(60)
    assert state.round_no == 0
    assert next_wakeup(state) == at(60)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        new_battle(1, "Ann", CONFIG, datetime(2026, 5, 1, 12, 0))


def test_join_lists_the_player_and_throttles_lobby_edits() -> None:
    state = new_battle(ANN.user_id, ANN.name, CONFIG, T0)
    state, effects = join(state, BOB, at(1))
    assert effects == (toast(2, "You're in!"), EditLobby((ANN, BOB)))
    # A second join within 10 s is confirmed privately; the lobby edit waits.
    state, effects = join(state, CAT, at(4))
    assert effects == (toast(3, "You're in!"),)
    assert state.players == (ANN, BOB, CAT)
    assert next_wakeup(state) == at(11)
    assert tick(state, at(10.9)) == (state, ())
    state, effects = tick(state, at(11))
    assert effects == (EditLobby((ANN, BOB, CAT)),)
    assert tick(state, at(30)) == (state, ())  # nothing new to show


def test_joining_twice_changes_nothing() -> None:
    state = lobby(BOB)
    again, effects = join(state, BOB, at(2))
    assert again == state
    assert toasts(effects) == [(2, "You're already in")]


def test_host_cannot_start_alone() -> None:
    state = lobby()
    assert not can_start(state, ANN.user_id)
    same, effects = start(state, ANN.user_id, at(5), ROUNDS)
    assert same == state
    assert toasts(effects) == [(1, "A battle needs at least 2 players: ask someone to tap Join")]


def test_only_the_host_starts() -> None:
    state = lobby(BOB)
    assert not can_start(state, BOB.user_id)
    same, effects = start(state, BOB.user_id, at(5), ROUNDS)
    assert same == state
    assert toasts(effects) == [(2, "Only the host can start the battle")]


def test_host_start_closes_the_lobby_and_posts_round_one() -> None:
    state = lobby(BOB)
    assert can_start(state, ANN.user_id)
    state, effects = start(state, ANN.user_id, at(5), ROUNDS)
    assert effects == (
        CloseLobby((ANN, BOB), LobbyOutcome.STARTED),
        PostRound(1, 3, "choice:c1", 4, at(25)),
    )
    assert state.phase is Phase.ROUND_OPEN
    assert state.round_no == 1
    assert next_wakeup(state) == at(25)
    same, effects = start(state, ANN.user_id, at(6), ROUNDS)
    assert same == state
    assert toasts(effects) == [(1, "The battle has already started")]


def test_start_needs_rounds() -> None:
    with pytest.raises(ValueError):
        start(lobby(BOB), ANN.user_id, at(5), [])


def test_battle_has_at_most_the_configured_rounds_and_fewer_if_the_deck_is_small() -> None:
    many = [RoundSpec(f"choice:c{i}", f"c{i}", 4, 0) for i in range(8)]
    state, effects = start(lobby(BOB), ANN.user_id, at(5), many)
    assert len(state.rounds) == 3
    assert PostRound(1, 3, "choice:c0", 4, at(25)) in effects
    state, effects = start(lobby(BOB), ANN.user_id, at(5), many[:2])
    assert PostRound(1, 2, "choice:c0", 4, at(25)) in effects


def test_lobby_auto_starts_after_60_seconds_with_two_players() -> None:
    state = lobby(BOB)
    assert not starts_on_tick(state, at(59.9))
    assert tick(state, at(59.9), ROUNDS) == (state, ())
    assert starts_on_tick(state, at(60))
    state, effects = tick(state, at(60), ROUNDS)
    assert effects == (
        CloseLobby((ANN, BOB), LobbyOutcome.STARTED),
        PostRound(1, 3, "choice:c1", 4, at(80)),
    )


def test_lobby_closes_with_a_note_when_alone_after_60_seconds() -> None:
    state = lobby()
    assert not starts_on_tick(state, at(60))
    state, effects = tick(state, at(60))
    assert state.phase is Phase.STOPPED
    assert effects == (CloseLobby((ANN,), LobbyOutcome.NOT_ENOUGH_PLAYERS),)
    assert next_wakeup(state) is None


def test_tap_in_the_lobby_does_nothing() -> None:
    state = lobby(BOB)
    same, effects = answer(state, BOB, 1, 0, at(3))
    assert same == state
    assert toasts(effects) == [(2, "That question is not open")]


# --- rounds --------------------------------------------------------------------------------


def test_first_tap_counts_and_is_confirmed_privately() -> None:
    state, effects = answer(in_round_one(), BOB, 1, 1, at(9))
    assert effects == (toast(2, "Locked in: B"),)
    assert state.current is not None
    (locked,) = state.current.answers
    assert (locked.user_id, locked.option, locked.seconds, locked.correct) == (2, 1, 4.0, True)
    assert locked.points == 900  # 1000 × (1 − 4/40)


def test_double_tap_counts_once() -> None:
    state, _ = answer(in_round_one(), BOB, 1, 1, at(9))
    again, effects = answer(state, BOB, 1, 3, at(10))
    assert again == state
    assert effects == (toast(2, "You already answered"),)
    # The very same tap again (delivered twice, or taken over after a crash) hears what it did.
    same, effects = answer(state, BOB, 1, 1, at(10))
    assert same == state
    assert effects == (toast(2, "Locked in: B"),)


def test_round_closes_when_everyone_answered() -> None:
    state = in_round_one()
    state, _ = answer(state, ANN, 1, 1, at(5))  # instant, right
    state, _ = answer(state, BOB, 1, 0, at(7))  # wrong
    assert not all_answered(state)
    state, effects = answer(state, CAT, 1, 1, at(15))  # right, half time
    assert toasts(effects) == [(3, "Locked in: B")]
    assert reveal_of(effects) == RevealRound(
        1,
        "choice:c1",
        1,
        (
            RoundResult(1, "Ann", 1, 0.0, True, 1000),
            RoundResult(2, "Bob", 0, 2.0, False, 0),
            RoundResult(3, "Cat", 1, 10.0, True, 750),
        ),
    )
    assert state.phase is Phase.ROUND_REVEALED
    # The next round waits for the reveal pause and the minimum round cycle (opened at 5 s).
    assert next_wakeup(state) == at(19)
    assert tick(state, at(18.9)) == (state, ())
    state, effects = tick(state, at(19))
    assert effects == (PostRound(2, 3, "choice:c2", 4, at(39)),)
    assert state.phase is Phase.ROUND_OPEN


def test_deadline_closes_the_round_and_non_answerers_score_nothing() -> None:
    state, _ = answer(in_round_one(), BOB, 1, 1, at(25 - 0.001))
    assert tick(state, at(24.999)) == (state, ())
    state, effects = tick(state, at(25))
    reveal = reveal_of(effects)
    assert points_of(reveal) == {"Ann": 0, "Bob": 500, "Cat": 0}
    assert reveal.results[0] == RoundResult(1, "Ann", None, None, False, 0)
    assert next_wakeup(state) == at(29)  # 4 s to read the reveal


def test_tap_after_the_deadline_is_times_up_and_closes_the_round() -> None:
    state, effects = answer(in_round_one(), BOB, 1, 1, at(25))
    assert toasts(effects) == [(2, "Time's up")]
    assert points_of(reveal_of(effects)) == {"Ann": 0, "Bob": 0, "Cat": 0}
    assert state.phase is Phase.ROUND_REVEALED


def test_tap_on_a_revealed_round_is_times_up() -> None:
    state, _ = tick(in_round_one(), at(25))
    same, effects = answer(state, BOB, 1, 1, at(26))
    assert same == state
    assert effects == (toast(2, "Time's up"),)


def test_tap_on_an_earlier_round_does_not_count_in_the_current_one() -> None:
    state, _ = tick(in_round_one(), at(25))
    state, _ = tick(state, at(29))
    assert state.round_no == 2
    same, effects = answer(state, BOB, 1, 2, at(30))
    assert same == state
    assert effects == (toast(2, "Time's up"),)


@pytest.mark.parametrize(("round_no", "option"), [(0, 1), (2, 1), (99, 1), (-1, 1)])
def test_tap_on_an_unknown_round_changes_nothing(round_no: int, option: int) -> None:
    state = in_round_one()
    same, effects = answer(state, BOB, round_no, option, at(6))
    assert same == state
    assert effects == (toast(2, "That question is not open"),)


@pytest.mark.parametrize("option", [-1, 4, 63])
def test_tap_on_an_option_the_round_does_not_have_changes_nothing(option: int) -> None:
    state = in_round_one()
    same, effects = answer(state, BOB, 1, option, at(6))
    assert same == state
    assert effects == (toast(2, "That is not one of the options"),)


def test_a_tap_from_someone_who_did_not_join_joins_them_and_counts() -> None:
    state, effects = answer(in_round_one(), DAN, 1, 1, at(5))
    assert effects == (toast(4, "Locked in: B"),)
    assert state.players[-1] == DAN
    state, effects = tick(state, at(25))
    assert points_of(reveal_of(effects)) == {"Ann": 0, "Bob": 0, "Cat": 0, "Dan": 1000}


def test_joining_mid_battle_adds_a_player_who_must_answer_before_an_early_close() -> None:
    state, effects = join(in_round_one(), DAN, at(6))
    assert effects == (toast(4, "You're in!"),)  # no lobby edit once the battle runs
    for player in (ANN, BOB, CAT):
        state, _ = answer(state, player, 1, 1, at(7))
    assert state.phase is Phase.ROUND_OPEN
    state, effects = answer(state, DAN, 1, 1, at(8))
    assert points_of(reveal_of(effects))["Dan"] == 925


def play_round(
    state: BattleState, round_no: int, taps: dict[Player, tuple[int, float]]
) -> tuple[BattleState, tuple[Effect, ...]]:
    """Open round `round_no` if needed, apply taps (option, seconds after opening), close it."""
    if state.phase is Phase.ROUND_REVEALED:
        assert state.next_round_at is not None
        state, _ = tick(state, state.next_round_at)
    assert state.round_no == round_no
    assert state.current is not None
    opened = state.current.opened_at
    effects: tuple[Effect, ...] = ()
    for player, (option, seconds) in taps.items():
        state, effects = answer(
            state, player, round_no, option, opened + timedelta(seconds=seconds)
        )
    if state.phase is Phase.ROUND_OPEN:
        state, effects = tick(state, state.played[-1].deadline)
    return state, effects


def test_full_battle_with_streaks_and_podium() -> None:
    state = in_round_one()
    # Round 1 (B right): Ann instant, Bob wrong, Cat at half time.
    state, effects = play_round(state, 1, {ANN: (1, 0), BOB: (0, 2), CAT: (1, 10)})
    assert points_of(reveal_of(effects)) == {"Ann": 1000, "Bob": 0, "Cat": 750}
    # Round 2 (C right): Ann right again (+100 streak), Bob right, Cat does not answer.
    state, effects = play_round(state, 2, {ANN: (2, 10), BOB: (2, 4)})
    assert points_of(reveal_of(effects)) == {"Ann": 850, "Bob": 900, "Cat": 0}
    # Round 3 (A right): all right; Ann +200, Bob +100, Cat's streak was reset by the miss.
    state, effects = play_round(state, 3, {ANN: (0, 20 - 1e-6), BOB: (0, 0), CAT: (0, 1)})
    assert points_of(reveal_of(effects)) == {"Ann": 700, "Bob": 1100, "Cat": 975}
    assert state.phase is Phase.FINISHED
    assert next_wakeup(state) is None
    (finish,) = [e for e in effects if isinstance(e, Finish)]
    assert not finish.stopped
    table = [(s.medal, s.name, s.points, s.right) for s in finish.standings.table]
    assert table == [("🥇", "Ann", 2550, 3), ("🥈", "Bob", 2000, 2), ("🥉", "Cat", 1725, 2)]
    assert finish.standings.fastest is not None
    assert (finish.standings.fastest.name, finish.standings.fastest.seconds) == ("Ann", 0.0)
    # Taps and joins after the end change nothing.
    assert answer(state, BOB, 3, 0, at(500)) == (state, (toast(2, "This battle is over"),))
    assert join(state, DAN, at(500)) == (state, (toast(4, "This battle is over"),))
    assert tick(state, at(500)) == (state, ())


# --- stop ----------------------------------------------------------------------------------


def test_stop_in_the_lobby_closes_it() -> None:
    state, effects = stop(lobby(BOB), at(10))
    assert state.phase is Phase.STOPPED
    assert effects == (CloseLobby((ANN, BOB), LobbyOutcome.STOPPED),)


def test_stop_mid_round_cancels_the_round_and_gives_standings_so_far() -> None:
    state = in_round_one()
    state, _ = play_round(state, 1, {ANN: (0, 1), BOB: (1, 2), CAT: (1, 10)})
    state, _ = tick(state, state.next_round_at or T0)
    state, _ = answer(state, ANN, 2, 2, state.played[-1].opened_at)  # would be 1000 + 0
    state, effects = stop(state, at(40))
    assert state.phase is Phase.STOPPED
    assert effects[0] == CancelRound(2, "choice:c2")
    finish = effects[1]
    assert isinstance(finish, Finish)
    assert finish.stopped
    assert finish.standings.rounds_played == 1
    assert [(s.name, s.points) for s in finish.standings.table] == [
        ("Bob", 950),
        ("Cat", 750),
        ("Ann", 0),
    ]
    assert stop(state, at(41)) == (state, ())


def test_stop_between_rounds_finishes_with_the_revealed_rounds() -> None:
    state, _ = play_round(in_round_one(), 1, {BOB: (1, 0)})
    state, effects = stop(state, at(27))
    assert len(effects) == 1
    assert isinstance(effects[0], Finish)
    assert [(s.name, s.points) for s in effects[0].standings.podium] == [
        ("Bob", 1000),
        ("Ann", 0),
        ("Cat", 0),
    ]


# --- storage round trip and restart --------------------------------------------------------


def stored(state: BattleState) -> BattleState:
    """The state after a trip through JSON, as the database would keep it."""
    return BattleState.from_dict(json.loads(json.dumps(state.to_dict())))


def test_every_phase_survives_json() -> None:
    states = [lobby(BOB), in_round_one()]
    state, _ = answer(in_round_one(), BOB, 1, 1, at(6.123456))
    states.append(state)
    state, _ = tick(state, at(25))
    states.append(state)
    states.append(stop(state, at(26))[0])
    state, _ = join(new_battle(1, "Ann", CONFIG, T0), BOB, at(1))
    states.append(join(state, CAT, at(2))[0])  # a pending lobby edit
    for state in states:
        assert stored(state) == state


def test_restart_mid_round_before_the_deadline_continues_with_the_time_left() -> None:
    state, _ = answer(in_round_one(), BOB, 1, 1, at(6))
    restored = stored(state)
    assert next_wakeup(restored) == at(25)
    assert tick(restored, at(20)) == (restored, ())
    # The same tap delivered again after the restart is not scored twice.
    same, effects = answer(restored, BOB, 1, 1, at(21))
    assert same == restored
    assert toasts(effects) == [(2, "Locked in: B")]
    restored, _ = answer(restored, ANN, 1, 1, at(21))
    restored, effects = answer(restored, CAT, 1, 0, at(22))
    assert points_of(reveal_of(effects)) == {"Ann": 600, "Bob": 975, "Cat": 0}


def test_restart_after_the_deadline_reveals_at_once() -> None:
    state, _ = answer(in_round_one(), BOB, 1, 1, at(6))
    restored = stored(state)
    restored, effects = tick(restored, at(300))
    assert points_of(reveal_of(effects)) == {"Ann": 0, "Bob": 975, "Cat": 0}
    # The next round comes after a reveal pause from now, not in the past.
    assert next_wakeup(restored) == at(304)
    restored, effects = tick(restored, at(304))
    assert effects == (PostRound(2, 3, "choice:c2", 4, at(324)),)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("players"),
        lambda d: d.update(v=99),
        lambda d: d.update(phase="dancing"),
        lambda d: d.update(created_at="2026-05-01T12:00:00"),  # naive
        lambda d: d.update(players=[[1]]),
    ],
)
def test_damaged_state_is_refused(damage: object) -> None:
    data = in_round_one().to_dict()
    assert callable(damage)
    damage(data)
    with pytest.raises(ValueError):
        BattleState.from_dict(data)


# --- pacing for Telegram's 20 messages a minute per group ----------------------------------

MESSAGE_KINDS = (EditLobby, CloseLobby, PostRound, RevealRound, CancelRound, Finish)


def test_fastest_possible_ten_round_battle_stays_under_twenty_messages_a_minute() -> None:
    config = BattleConfig(rounds=10, seconds=10)
    state = new_battle(1, "Ann", config, T0)
    sent: list[datetime] = [T0]  # the lobby message itself
    now = T0
    players = [Player(i, f"P{i}") for i in range(2, 12)]

    def apply(result: tuple[BattleState, tuple[Effect, ...]]) -> BattleState:
        sent.extend(now for e in result[1] if isinstance(e, MESSAGE_KINDS))
        return result[0]

    specs = [RoundSpec(f"choice:c{i}", f"c{i}", 4, 0) for i in range(10)]
    for second in range(1, 60):  # someone joins every few seconds; the sweep ticks every second
        now = at(second)
        if second % 5 == 0 and players:
            state = apply(join(state, players.pop(), now))
        state = apply(tick(state, now, specs))
    now = at(60)
    state = apply(tick(state, now, specs))
    while not state.is_over:
        now += timedelta(seconds=0.5)
        state = apply(tick(state, now))
        if state.phase is Phase.ROUND_OPEN:
            for player in state.players:  # everyone answers at once: the round closes at once
                state = apply(answer(state, player, state.round_no, 0, now))
    assert state.phase is Phase.FINISHED
    worst = max(sum(1 for s in sent if t <= s < t + timedelta(seconds=60)) for t in sent)
    assert worst <= 20
    assert len(sent) > 20  # the battle as a whole sent more than one minute's allowance


def test_forgetting_a_player_keeps_their_seat_answers_and_points_under_no_name() -> None:
    state, _ = answer(in_round_one(), BOB, 1, 1, at(7))
    state, _ = answer(state, ANN, 1, 0, at(8))
    state, _ = answer(state, CAT, 1, 1, at(9))  # all in: round 1 revealed
    before = standings(state)

    forgotten = state.forgetting(BOB.user_id, -77).forgetting(ANN.user_id, -78)

    assert [(p.user_id, p.name) for p in forgotten.players] == [(-78, ""), (-77, ""), (3, "Cat")]
    assert forgotten.host_id == -78
    assert [a.user_id for a in forgotten.played[0].answers] == [-77, -78, 3]
    after = standings(forgotten)
    assert [(s.points, s.right) for s in after.table] == [(s.points, s.right) for s in before.table]
    assert [s.name for s in after.table] == ["", "Cat", ""]
    assert BattleState.from_dict(json.loads(json.dumps(forgotten.to_dict()))) == forgotten
    assert state.forgetting(DAN.user_id, -79) == state  # not in it: nothing changes
