"""The battle state machine: pure transitions `(state, event) → (new state, effects)`.

Choices made here (the issue leaves them open):
- The host is the first player. Start (by the host only) and the 60 s auto-start both need 2
  players; a host tapping Start alone gets a toast saying so. Fewer than 2 at 60 s closes the lobby.
- A round is open for answers while `now < deadline`; a tap at or after the deadline is "Time's up"
  and closes the round if no tick did yet. A round also closes as soon as every player answered.
- A tap from someone who has not joined joins them and counts. Joining mid-battle is allowed.
- Not answering a round resets that player's answer streak, like a wrong answer.
- /stopbattle during an open round cancels that round (it does not count) and finishes with the
  standings of the revealed rounds.
- The next round opens `REVEAL_PAUSE` after a reveal but never sooner than `MIN_ROUND_CYCLE` after
  the previous round opened, and lobby edits are at most one per `LOBBY_EDIT_EVERY`: together they
  keep a battle under Telegram's 20 messages a minute per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.battle_config import BattleConfig
from bot.core.battle_effects import (
    CancelRound,
    CloseLobby,
    EditLobby,
    Effect,
    Finish,
    LobbyOutcome,
    Notice,
    PostRound,
    RevealRound,
    RoundResult,
    Toast,
)
from bot.core.battle_scoring import points_for
from bot.core.battle_standings import standings
from bot.core.battle_state import Answer, BattleState, Phase, Player, RoundPlay, RoundSpec, utc

LOBBY_WAIT = timedelta(seconds=60)
MIN_PLAYERS = 2
LOBBY_EDIT_EVERY = timedelta(seconds=10)
REVEAL_PAUSE = timedelta(seconds=4)
MIN_ROUND_CYCLE = timedelta(seconds=10)

Transition = tuple[BattleState, tuple[Effect, ...]]


def new_battle(host_id: int, host_name: str, config: BattleConfig, now: datetime) -> BattleState:
    """A lobby with the host as its first player, open for `LOBBY_WAIT`."""
    now = utc(now)
    return BattleState(
        config=config,
        host_id=host_id,
        created_at=now,
        lobby_deadline=now + LOBBY_WAIT,
        players=(Player(host_id, host_name),),
    )


def join(state: BattleState, player: Player, now: datetime) -> Transition:
    """Tap on Join: add the player; the lobby message is refreshed at most every 10 s."""
    now = utc(now)
    user_id = player.user_id
    if state.is_over:
        return state, (Toast(user_id, Notice.BATTLE_OVER),)
    if state.player(user_id) is not None:
        return state, (Toast(user_id, Notice.ALREADY_JOINED),)
    state = replace(state, players=(*state.players, player))
    effects: list[Effect] = [Toast(user_id, Notice.JOINED)]
    if state.phase is Phase.LOBBY:
        state, lobby = _lobby_edit(replace(state, lobby_dirty=True), now)
        effects.extend(lobby)
    return state, tuple(effects)


def can_start(state: BattleState, user_id: int) -> bool:
    """Whether `start` by this user would start the battle (so the caller picks questions first)."""
    return (
        state.phase is Phase.LOBBY
        and user_id == state.host_id
        and len(state.players) >= MIN_PLAYERS
    )


def starts_on_tick(state: BattleState, now: datetime) -> bool:
    """Whether `tick(now)` would auto-start the battle and so needs its rounds."""
    return (
        state.phase is Phase.LOBBY
        and utc(now) >= state.lobby_deadline
        and len(state.players) >= MIN_PLAYERS
    )


def start(
    state: BattleState, user_id: int, now: datetime, rounds: Sequence[RoundSpec]
) -> Transition:
    """Host taps Start: with 2+ players the first round is posted, otherwise a toast explains."""
    now = utc(now)
    if state.is_over:
        return state, (Toast(user_id, Notice.BATTLE_OVER),)
    if state.phase is not Phase.LOBBY:
        return state, (Toast(user_id, Notice.ALREADY_STARTED),)
    if user_id != state.host_id:
        return state, (Toast(user_id, Notice.ONLY_HOST_STARTS),)
    if len(state.players) < MIN_PLAYERS:
        return state, (Toast(user_id, Notice.NEED_PLAYERS),)
    return _begin(state, now, rounds)


def answer(
    state: BattleState, player: Player, round_no: int, option: int, now: datetime
) -> Transition:
    """A tap on option `option` of round `round_no`; only a player's first tap in a round counts."""
    now = utc(now)
    user_id = player.user_id
    if state.is_over:
        return state, (Toast(user_id, Notice.BATTLE_OVER),)
    if state.phase is Phase.LOBBY or not 1 <= round_no <= state.round_no:
        return state, (Toast(user_id, Notice.NOT_OPEN),)
    play = state.played[-1]
    if round_no < state.round_no or state.phase is Phase.ROUND_REVEALED:
        return state, (Toast(user_id, Notice.TIMES_UP),)
    if now >= play.deadline:
        # No tick closed the round yet; the late tap closes it, exactly as the tick would have.
        state, effects = _close(state, now)
        return state, (Toast(user_id, Notice.TIMES_UP), *effects)
    spec = state.rounds[round_no - 1]
    if not 0 <= option < spec.options:
        return state, (Toast(user_id, Notice.NOT_AN_OPTION),)
    earlier = play.answer_of(user_id)
    if earlier is not None:
        if earlier.option == option:
            # The same tap again (Telegram delivering it twice, another process taking it over
            # after a crash): the answer it recorded stands, and it hears what it did then.
            return state, (Toast(user_id, Notice.LOCKED_IN, option),)
        return state, (Toast(user_id, Notice.ALREADY_ANSWERED),)
    if state.player(user_id) is None:
        state = replace(state, players=(*state.players, player))
    seconds = max((now - play.opened_at).total_seconds(), 0.0)
    correct = option == spec.correct_option
    points, streak = points_for(
        correct, seconds, state.config.seconds, _streak_before(state, user_id)
    )
    return _record(state, Answer(user_id, option, seconds, correct, points, streak), now)


def all_answered(state: BattleState) -> bool:
    """Whether a round is open and every joined player has answered it."""
    if state.phase is not Phase.ROUND_OPEN:
        return False
    play = state.played[-1]
    return all(play.answer_of(p.user_id) is not None for p in state.players)


def tick(state: BattleState, now: datetime, rounds: Sequence[RoundSpec] = ()) -> Transition:
    """Time passes: flush a throttled lobby edit, auto-start or close the lobby, close a round
    at its deadline, or open the next round; `rounds` is needed only when `starts_on_tick`."""
    now = utc(now)
    if state.phase is Phase.LOBBY:
        if now >= state.lobby_deadline:
            if len(state.players) >= MIN_PLAYERS:
                return _begin(state, now, rounds)
            closed = replace(state, phase=Phase.STOPPED, lobby_dirty=False, ended_at=now)
            return closed, (CloseLobby(state.players, LobbyOutcome.NOT_ENOUGH_PLAYERS),)
        return _lobby_edit(state, now)
    if state.phase is Phase.ROUND_OPEN and now >= state.played[-1].deadline:
        return _close(state, now)
    if (
        state.phase is Phase.ROUND_REVEALED
        and state.next_round_at is not None
        and now >= state.next_round_at
    ):
        return _open_round(state, now)
    return state, ()


def stop(state: BattleState, now: datetime) -> Transition:
    """/stopbattle (permission is the caller's check): end now with the standings so far."""
    now = utc(now)
    if state.is_over:
        return state, ()
    stopped = replace(
        state, phase=Phase.STOPPED, lobby_dirty=False, next_round_at=None, ended_at=now
    )
    if state.phase is Phase.LOBBY:
        return stopped, (CloseLobby(state.players, LobbyOutcome.STOPPED),)
    effects: list[Effect] = []
    if state.phase is Phase.ROUND_OPEN:
        effects.append(CancelRound(state.round_no, state.rounds[state.round_no - 1].question_key))
    effects.append(Finish(standings(stopped), stopped=True))
    return stopped, tuple(effects)


def next_wakeup(state: BattleState) -> datetime | None:
    """When `tick` next has something to do (store it to sweep due battles), or None when over."""
    if state.phase is Phase.LOBBY:
        if state.lobby_dirty and state.lobby_edited_at is not None:
            return min(state.lobby_deadline, state.lobby_edited_at + LOBBY_EDIT_EVERY)
        return state.lobby_deadline
    if state.phase is Phase.ROUND_OPEN:
        return state.played[-1].deadline
    if state.phase is Phase.ROUND_REVEALED:
        return state.next_round_at
    return None


def _lobby_edit(state: BattleState, now: datetime) -> Transition:
    due = state.lobby_edited_at is None or now >= state.lobby_edited_at + LOBBY_EDIT_EVERY
    if not (state.lobby_dirty and due):
        return state, ()
    edited = replace(state, lobby_dirty=False, lobby_edited_at=now)
    return edited, (EditLobby(state.players),)


def _begin(state: BattleState, now: datetime, rounds: Sequence[RoundSpec]) -> Transition:
    if not rounds:
        raise ValueError("a battle needs at least one round to start")
    chosen = tuple(rounds[: state.config.rounds])
    started = replace(state, rounds=chosen, lobby_dirty=False)
    opened, effects = _open_round(started, now)
    return opened, (CloseLobby(state.players, LobbyOutcome.STARTED), *effects)


def _open_round(state: BattleState, now: datetime) -> Transition:
    spec = state.rounds[state.round_no]
    deadline = now + timedelta(seconds=state.config.seconds)
    opened = replace(
        state,
        phase=Phase.ROUND_OPEN,
        played=(*state.played, RoundPlay(opened_at=now, deadline=deadline)),
        next_round_at=None,
    )
    post = PostRound(opened.round_no, len(state.rounds), spec.question_key, spec.options, deadline)
    return opened, (post,)


def _streak_before(state: BattleState, user_id: int) -> int:
    # The streak lives on the previous round's answer; no answer there means no streak.
    if len(state.played) < 2:
        return 0
    previous = state.played[-2].answer_of(user_id)
    return 0 if previous is None else previous.streak


def _record(state: BattleState, new: Answer, now: datetime) -> Transition:
    play = state.played[-1]
    state = state.with_current(replace(play, answers=(*play.answers, new)))
    toast = Toast(new.user_id, Notice.LOCKED_IN, new.option)
    if all_answered(state):
        state, effects = _close(state, now)
        return state, (toast, *effects)
    return state, (toast,)


def reveal_of(state: BattleState, round_no: int) -> RevealRound:
    """The reveal of a closed round as the stored state tells it (every player, in join order)."""
    play = state.played[round_no - 1]
    spec = state.rounds[round_no - 1]
    results = []
    for player in state.players:
        given = play.answer_of(player.user_id)
        results.append(
            RoundResult(
                user_id=player.user_id,
                name=player.name,
                option=None if given is None else given.option,
                seconds=None if given is None else given.seconds,
                correct=given is not None and given.correct,
                points=0 if given is None else given.points,
            )
        )
    return RevealRound(round_no, spec.question_key, spec.correct_option, tuple(results))


def _close(state: BattleState, now: datetime) -> Transition:
    play = state.played[-1]
    reveal = reveal_of(state, state.round_no)
    state = state.with_current(replace(play, revealed_at=now))
    if state.round_no >= len(state.rounds):
        done = replace(state, phase=Phase.FINISHED, ended_at=now)
        return done, (reveal, Finish(standings(done), stopped=False))
    next_at = max(now + REVEAL_PAUSE, play.opened_at + MIN_ROUND_CYCLE)
    return replace(state, phase=Phase.ROUND_REVEALED, next_round_at=next_at), (reveal,)
