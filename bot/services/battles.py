"""Group battles over the database: every action loads the battle, runs the pure machine, and
writes the result compare-and-swap, so a retry, a double tap or a restart never counts twice."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from bot.cards.distractors import draw_options
from bot.clock import Clock
from bot.core import battle as core
from bot.core.battle import (
    MESSAGE_EFFECTS,
    BattleCandidate,
    BattleConfig,
    BattleState,
    CancelRound,
    CardMemory,
    Effect,
    Finish,
    LobbyOutcome,
    Notice,
    Phase,
    Player,
    PostRound,
    RevealRound,
    RoundSpec,
    Toast,
    reveal_of,
)
from bot.core.scheduling import Grade
from bot.services.reviewing import Reviewer, make_review
from bot.services.unixtime import unix
from bot.storage import battles as store
from bot.storage import decks as deck_store
from bot.storage.battles import (
    BattleRow,
    LeaderboardDelta,
    LeaderRow,
    NewRound,
    PlayerGone,
    RoundRow,
)
from bot.storage.db import Database
from bot.storage.quiz import ReviewWrite
from bot.storage.users import upsert_user

log = logging.getLogger(__name__)

# Telegram's GroupAnonymousBot: the sender of anonymous admins' messages, shared by every group.
ANONYMOUS_ADMIN_ID = 1087968824
MAX_TRIES = 5
# How long a claim on showing a battle message lasts unrenewed: the wait before another process
# takes over from one that died between a transition and its message. Well under a round's
# shortest 10 s, so a round posted by another process still has most of its time to be answered;
# the claimer renews it every POST_RENEW_EVERY while Telegram has the send (429s are waited out
# inside the call). OUTBOX_LEASE_SECONDS (a minute by default) would outlast the round itself.
POST_LEASE = timedelta(seconds=4)
POST_RENEW_EVERY = timedelta(seconds=1)
# A message still owed this long after its battle ended is given up: too late to mean anything.
GIVE_UP_AFTER = timedelta(minutes=10)


class View(IntEnum):
    """What a round's message shows, in order (stored in battle_rounds.view_owed/view_shown)."""

    NOTHING = 0
    QUESTION = 1  # the question with its answer buttons
    CLOSED = 2  # the reveal, or the cancel of a battle stopped while the round was open


@dataclass(frozen=True, slots=True)
class BattleInfo:
    """Where a battle is shown and what it plays."""

    id: int
    chat_id: int
    thread_id: int | None
    deck_title: str
    host_id: int
    lobby_message_id: int | None


@dataclass(frozen=True, slots=True)
class Lobby:
    """A new battle: post its lobby."""

    battle: BattleInfo
    state: BattleState


@dataclass(frozen=True, slots=True)
class AlreadyRunning:
    """The group already has a battle; `message_id` shows it (lobby or current round)."""

    battle: BattleInfo
    message_id: int | None


class BattleRefusal(StrEnum):
    """Why the service changed nothing, besides the machine's own notices (bot.views.battle
    words each)."""

    NOT_THIS_CHAT = "not_this_chat"  # the button belongs to another chat's battle
    NO_BATTLE = "no_battle"  # /stopbattle with no battle running
    NOT_ALLOWED = "not_allowed"  # /stopbattle by someone neither host nor admin
    BROKEN = "broken"  # an unreadable state, or no questions to start with
    # The tapper's data was deleted (/forget) between their tap and its write: nothing written.
    FORGOTTEN_MEANWHILE = "forgotten_meanwhile"


@dataclass(frozen=True, slots=True)
class Refused:
    """An action that changed nothing, and why (for the user to be told)."""

    reason: BattleRefusal | Notice


@dataclass(frozen=True, slots=True)
class Outcome:
    """An applied action: the group messages to send or edit, and the acting user's toast."""

    battle: BattleInfo
    state: BattleState
    effects: tuple[Effect, ...]
    toast: Toast | None = None  # the acting user's
    next_wakeup: datetime | None = None


@dataclass(frozen=True, slots=True)
class RoundView:
    """A round's message claimed for showing, and what the stored state owes it now.

    `effect` is built from the stored state, whoever opened or closed the round: the question
    with the time actually left to its stored deadline, or the round's close.
    """

    battle: BattleInfo
    row: RoundRow
    view: View
    effect: PostRound | RevealRound | CancelRound
    total: int


@dataclass(frozen=True, slots=True)
class StaleCopy:
    """A copy of a battle message the battle does not record (its sender died before recording
    it, and the message was posted again), which the battle has since moved past: the lobby
    closed (`lobby`, why), or the round closed (`round`, its close as the stored state tells it)."""

    battle: BattleInfo
    state: BattleState
    lobby: LobbyOutcome | None = None
    round: RoundView | None = None


@dataclass(frozen=True, slots=True)
class PodiumView:
    """A battle's final standings claimed for posting."""

    battle: BattleInfo
    effect: Finish


def owed_views(effects: tuple[Effect, ...]) -> list[tuple[int, View]]:
    """What a transition's effects owe the rounds' messages: (round number, view)."""
    views: list[tuple[int, View]] = []
    for effect in effects:
        if isinstance(effect, PostRound):
            views.append((effect.round_no, View.QUESTION))
        elif isinstance(effect, RevealRound | CancelRound):
            views.append((effect.round_no, View.CLOSED))
    return views


def _wakeup(state: BattleState) -> int | None:
    when = core.next_wakeup(state)
    # Rounded up: a sweep at the stored second must find the round's deadline already passed.
    return None if when is None else math.ceil(when.timestamp())


def _readable(row: BattleRow | None) -> BattleState | None:
    """The battle's stored state, None when there is no battle or its state cannot be read."""
    if row is None:
        return None
    try:
        return BattleState.from_dict(row.state)
    except ValueError:
        return None


def _info(row: BattleRow) -> BattleInfo:
    return BattleInfo(
        row.id, row.chat_id, row.thread_id, row.deck_title, row.host_id, row.lobby_message_id
    )


def _deltas(state: BattleState) -> list[LeaderboardDelta]:
    table = core.standings(state)
    if table.rounds_played == 0:
        return []
    return [
        LeaderboardDelta(
            user_id=s.user_id,
            name=s.name,
            points=s.points,
            won=s.place == 1 and s.points > 0,
            right=s.right,
            answered=s.answered,
        )
        for s in table.table
    ]


Step = Callable[[BattleRow, BattleState, datetime], Awaitable["_Plan | Refused"]]


@dataclass(frozen=True, slots=True)
class _Plan:
    state: BattleState
    effects: tuple[Effect, ...]
    new_rounds: tuple[NewRound, ...] = ()


@dataclass
class BattleService:
    """Runs group battles; each public method is one user action or one timer tick."""

    db: Database
    clock: Clock
    default_deck_id: int
    fuzz: bool = True
    rng: random.Random | None = None
    # Claims on showing messages order processes, which share only the wall clock (seconds).
    wall: Callable[[], float] = time.time
    # One battle write at a time from this process: the shared connection cannot nest transactions.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    def _rng(self) -> random.Random:
        if self.rng is None:
            self.rng = random.Random()
        return self.rng

    async def create(
        self, chat_id: int, thread_id: int | None, user_id: int, name: str, config: BattleConfig
    ) -> Lobby | AlreadyRunning:
        """Open a lobby with the host as first player, or point to the battle already running."""
        now = self.clock.now()
        await upsert_user(self.db, user_id, name, unix(now))
        state = core.new_battle(user_id, name, config, now)
        battle_id = await store.create_battle(
            self.db,
            chat_id,
            thread_id,
            self.default_deck_id,
            user_id,
            state.to_dict(),
            _wakeup(state),
            unix(now),
        )
        row = await store.running_battle(self.db, chat_id)
        if row is None:  # finished between the two statements; vanishingly rare
            raise RuntimeError(f"battle in chat {chat_id} vanished")
        if battle_id is None:
            return AlreadyRunning(_info(row), await self._showing(row))
        return Lobby(_info(row), state)

    async def _showing(self, row: BattleRow) -> int | None:
        try:
            state = BattleState.from_dict(row.state)
        except ValueError:
            return row.lobby_message_id
        if state.round_no == 0:
            return row.lobby_message_id
        rounds = await store.round_rows(self.db, row.id)
        current = rounds.get(state.round_no)
        return current.message_id if current and current.message_id else row.lobby_message_id

    async def claim_lobby(self, battle_id: int) -> Lobby | None:
        """Claim the posting of a battle's owed lobby; None when not owed, claimed by another
        process, or given up (the lobby closed before anyone could post it)."""
        now_ms, until_ms = self._claim_times()
        if not await store.claim_lobby(self.db, battle_id, now_ms, until_ms):
            return None
        row = await store.load_battle(self.db, battle_id)
        state = _readable(row)
        if row is None or state is None or row.finished or state.phase is not Phase.LOBBY:
            # Nobody can join a lobby any more: a late post would only add a dead message.
            log.warning("battle %s: lobby never posted and closed since; given up", battle_id)
            await store.set_lobby_message(self.db, battle_id, None)
            return None
        return Lobby(_info(row), state)

    async def renew_lobby(self, battle_id: int) -> None:
        """Keep a claim on the lobby while its send is on its way."""
        await store.renew_lobby_claim(self.db, battle_id, self._claim_times()[1])

    async def lobby_posted(self, battle_id: int, message_id: int | None) -> None:
        """Record the lobby message (None: given up), unless one is recorded already."""
        await store.set_lobby_message(self.db, battle_id, message_id)

    async def owed_lobbies(self) -> list[int]:
        """Running battles whose lobby is owed and claimed by nobody now."""
        return await store.owed_lobbies(self.db, self._claim_times()[0])

    async def stale_copy(self, battle_id: int, round_no: int, message_id: int) -> StaleCopy | None:
        """What a message showing the battle's lobby (round 0) or round `round_no` should show
        now, when it is not the message the battle records and the battle moved past it: a copy
        posted by a process that died before recording it. None for anything else."""
        row = await store.load_battle(self.db, battle_id)
        state = _readable(row)
        if row is None or state is None:
            return None
        if round_no == 0:
            if row.lobby_message_id == message_id or state.phase is Phase.LOBBY:
                return None
            if state.rounds:
                outcome = LobbyOutcome.STARTED
            elif (
                len(state.players) < core.MIN_PLAYERS
                and state.ended_at is not None
                and state.ended_at >= state.lobby_deadline
            ):
                outcome = LobbyOutcome.NOT_ENOUGH_PLAYERS
            else:
                outcome = LobbyOutcome.STOPPED
            return StaleCopy(_info(row), state, lobby=outcome)
        spec = (await store.round_rows(self.db, battle_id)).get(round_no)
        if spec is None or spec.message_id == message_id or not 1 <= round_no <= state.round_no:
            return None
        play = state.played[round_no - 1]
        effect: RevealRound | CancelRound
        if play.revealed_at is not None:
            effect = reveal_of(state, round_no)
        elif state.is_over:
            effect = CancelRound(round_no, state.rounds[round_no - 1].question_key)
        else:
            return None  # still open: its buttons answer the round like the recorded message's
        closed = RoundView(_info(row), spec, View.CLOSED, effect, len(state.rounds))
        return StaleCopy(_info(row), state, round=closed)

    async def shown_on(self, battle_id: int, round_no: int, chat_id: int, message_id: int) -> bool:
        """Whether this message is the battle's lobby (round 0) or that round's message."""
        return await store.shown_on(self.db, battle_id, round_no, chat_id, message_id)

    def _claim_times(self) -> tuple[int, int]:
        now_ms = int(self.wall() * 1000)
        return now_ms, now_ms + int(POST_LEASE.total_seconds() * 1000)

    async def claim_round(self, battle_id: int, round_no: int) -> RoundView | None:
        """Claim the showing of a round's owed message; None when nothing is owed, another process
        is showing it, or it is not yet time (an open round past its deadline closes first)."""
        now_ms, until_ms = self._claim_times()
        if not await store.claim_round_view(self.db, battle_id, round_no, now_ms, until_ms):
            return None
        row = await store.load_battle(self.db, battle_id)
        spec = (await store.round_rows(self.db, battle_id)).get(round_no)
        state: BattleState | None = None
        if row is not None:
            try:
                state = BattleState.from_dict(row.state)
            except ValueError:
                state = None
        if row is None or spec is None or state is None or not 1 <= round_no <= state.round_no:
            log.warning("battle %s round %s: nothing to show; given up", battle_id, round_no)
            await store.round_view_shown(self.db, battle_id, round_no, View.CLOSED, None)
            return None
        play = state.played[round_no - 1]
        key = state.rounds[round_no - 1].question_key
        total = len(state.rounds)
        effect: PostRound | RevealRound | CancelRound
        if play.revealed_at is not None:
            effect, view = reveal_of(state, round_no), View.CLOSED
        elif state.is_over:
            effect, view = CancelRound(round_no, key), View.CLOSED
        elif self.clock.now() >= play.deadline:
            await store.release_round_claim(self.db, battle_id, round_no)
            return None
        else:
            options = len(spec.options)
            effect, view = PostRound(round_no, total, key, options, play.deadline), View.QUESTION
        return RoundView(_info(row), spec, view, effect, total)

    async def renew_round(self, battle_id: int, round_no: int) -> None:
        """Keep a claim on a round's message while its send is on its way."""
        await store.renew_round_claim(self.db, battle_id, round_no, self._claim_times()[1])

    async def round_shown(
        self, battle_id: int, round_no: int, view: View, message_id: int | None
    ) -> bool:
        """Record what a round's message shows now (None: no message); True when the stored
        state owes it more meanwhile (the round closed while its question was on its way)."""
        return await store.round_view_shown(self.db, battle_id, round_no, view, message_id)

    async def claim_podium(self, battle_id: int) -> PodiumView | None:
        """Claim the posting of a battle's owed final standings; None when not owed or claimed."""
        now_ms, until_ms = self._claim_times()
        if not await store.claim_podium(self.db, battle_id, now_ms, until_ms):
            return None
        row = await store.load_battle(self.db, battle_id)
        try:
            state = BattleState.from_dict(row.state) if row is not None else None
        except ValueError:
            state = None
        if row is None or state is None:
            log.warning("battle %s: no standings to post; given up", battle_id)
            await store.podium_posted(self.db, battle_id, None)
            return None
        standings = core.standings(state)
        return PodiumView(_info(row), Finish(standings, stopped=state.phase is Phase.STOPPED))

    async def renew_podium(self, battle_id: int) -> None:
        """Keep a claim on the podium while its send is on its way."""
        await store.renew_podium_claim(self.db, battle_id, self._claim_times()[1])

    async def podium_posted(self, battle_id: int, message_id: int | None) -> None:
        """Record the final standings as posted (None: given up)."""
        await store.podium_posted(self.db, battle_id, message_id)

    async def owed(self) -> tuple[list[tuple[int, int]], list[int]]:
        """Messages owed and claimed by nobody now: (battle, round) pairs, then battle podiums."""
        now_ms = self._claim_times()[0]
        since = unix(self.clock.now() - GIVE_UP_AFTER)
        rounds = await store.owed_round_views(self.db, now_ms, since)
        return rounds, await store.owed_podiums(self.db, now_ms, since)

    async def join(
        self, chat_id: int, battle_id: int, user_id: int, name: str
    ) -> Outcome | Refused:
        """A tap on Join."""

        async def step(row: BattleRow, state: BattleState, now: datetime) -> _Plan | Refused:
            new, effects = core.join(state, Player(user_id, name), now)
            return _Plan(new, effects)

        return await self._act(battle_id, chat_id, user_id, name, step)

    async def start(
        self, chat_id: int, battle_id: int, user_id: int, name: str
    ) -> Outcome | Refused:
        """A tap on Start (the host's, with 2+ players): choose the rounds and post the first."""

        async def step(row: BattleRow, state: BattleState, now: datetime) -> _Plan | Refused:
            if not core.can_start(state, user_id):
                new, effects = core.start(state, user_id, now, ())
                return _Plan(new, effects)
            specs, rounds = await self._choose(row, state, now)
            if not specs:
                return Refused(BattleRefusal.BROKEN)
            new, effects = core.start(state, user_id, now, specs)
            return _Plan(new, effects, rounds)

        return await self._act(battle_id, chat_id, user_id, name, step)

    async def answer(
        self,
        chat_id: int,
        battle_id: int,
        user_id: int,
        name: str,
        round_no: int,
        option: int,
        at: datetime | None = None,
    ) -> Outcome | Refused:
        """A tap on an answer button, made `at` (now by default); a player's first tap counts."""

        async def step(row: BattleRow, state: BattleState, now: datetime) -> _Plan | Refused:
            new, effects = core.answer(state, Player(user_id, name), round_no, option, now)
            return _Plan(new, effects)

        return await self._act(battle_id, chat_id, user_id, name, step, at)

    async def stop(
        self, chat_id: int, user_id: int, is_admin: Callable[[], Awaitable[bool]]
    ) -> Outcome | Refused:
        """/stopbattle by the host or an admin (asked only when not the host): end it now."""
        row = await store.running_battle(self.db, chat_id)
        if row is None:
            return Refused(BattleRefusal.NO_BATTLE)
        host = user_id == row.host_id and user_id != ANONYMOUS_ADMIN_ID
        if not host and not await is_admin():
            return Refused(BattleRefusal.NOT_ALLOWED)

        async def step(row: BattleRow, state: BattleState, now: datetime) -> _Plan | Refused:
            new, effects = core.stop(state, now)
            return _Plan(new, effects)

        return await self._act(row.id, chat_id, None, None, step)

    async def tick(self, battle_id: int) -> Outcome | None:
        """Let time pass for one battle: lobby edits, auto-start, round deadlines, next rounds."""

        async def step(row: BattleRow, state: BattleState, now: datetime) -> _Plan | Refused:
            if core.starts_on_tick(state, now):
                specs, rounds = await self._choose(row, state, now)
                if not specs:
                    return Refused(BattleRefusal.BROKEN)
                new, effects = core.tick(state, now, specs)
                return _Plan(new, effects, rounds)
            new, effects = core.tick(state, now)
            return _Plan(new, effects)

        result = await self._act(battle_id, None, None, None, step)
        return result if isinstance(result, Outcome) else None

    async def due(self) -> list[int]:
        """Battles whose timer is due now."""
        return await store.due_battles(self.db, unix(self.clock.now()))

    async def leaderboard(self, chat_id: int) -> list[LeaderRow]:
        """The group's all-time table."""
        return await store.leaderboard(self.db, chat_id)

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: its battles and leaderboard follow it."""
        async with self._lock:
            return await store.migrate_chat(self.db, old_chat_id, new_chat_id)

    async def _act(
        self,
        battle_id: int,
        chat_id: int | None,
        user_id: int | None,
        name: str | None,
        step: Step,
        at: datetime | None = None,
    ) -> Outcome | Refused:
        now = at or self.clock.now()
        if user_id is not None and name is not None:
            await upsert_user(self.db, user_id, name, unix(now))
        async with self._lock:
            for _attempt in range(MAX_TRIES):
                row = await store.load_battle(self.db, battle_id)
                if row is None or (chat_id is not None and row.chat_id != chat_id):
                    return Refused(BattleRefusal.NOT_THIS_CHAT)
                if row.finished:
                    return Refused(Notice.BATTLE_OVER)
                try:
                    state = BattleState.from_dict(row.state)
                except ValueError:
                    log.exception("battle %s has a state that cannot be read", row.id)
                    return Refused(BattleRefusal.BROKEN)
                plan = await step(row, state, now)
                if isinstance(plan, Refused):
                    return plan
                toast = next(
                    (e for e in plan.effects if isinstance(e, Toast) and e.user_id == user_id),
                    None,
                )
                messages = tuple(e for e in plan.effects if isinstance(e, MESSAGE_EFFECTS))
                if plan.state == state:
                    return Outcome(_info(row), state, (), toast, core.next_wakeup(state))
                try:
                    saved = await self._save(row, state, plan, now)
                except PlayerGone:
                    return Refused(BattleRefusal.FORGOTTEN_MEANWHILE)
                if saved:
                    return Outcome(
                        _info(row), plan.state, messages, toast, core.next_wakeup(plan.state)
                    )
                log.info("battle %s changed meanwhile; retrying", row.id)
        raise RuntimeError(f"battle {battle_id}: too many conflicting writes")

    async def _save(self, row: BattleRow, old: BattleState, plan: _Plan, now: datetime) -> bool:
        new = plan.state
        reviews = await self._reviews(row, old, new, plan.new_rounds)
        over = new.is_over and not old.is_over
        return await store.save_transition(
            self.db,
            row,
            new.to_dict(),
            _wakeup(new),
            unix(now) if over else None,
            new_rounds=plan.new_rounds,
            reviews=reviews,
            leaderboard=_deltas(new) if over else (),
            views=owed_views(plan.effects),
            podium=any(isinstance(e, Finish) for e in plan.effects),
            joined=[p.user_id for p in new.players if old.player(p.user_id) is None],
        )

    async def _reviews(
        self,
        row: BattleRow,
        old: BattleState,
        new: BattleState,
        new_rounds: tuple[NewRound, ...],
    ) -> list[tuple[int, ReviewWrite]]:
        """The FSRS reviews of the answers this transition adds (each player's own schedule)."""
        if new.round_no == 0 or new.round_no < old.round_no:
            return []
        play = new.played[-1]
        before = old.played[-1].answers if old.round_no == new.round_no and old.played else ()
        added = [a for a in play.answers if a not in before]
        if not added:
            return []
        rounds = await store.round_rows(self.db, row.id)
        spec = rounds.get(new.round_no)
        if spec is None:
            return []
        writes: list[tuple[int, ReviewWrite]] = []
        for given in added:
            who = await store.reviewer(self.db, given.user_id, spec.question_id)
            if who is None:
                continue
            reviewed = make_review(
                Reviewer(
                    user_id=who.user_id,
                    question_id=spec.question_id,
                    deck_id=row.deck_id,
                    card_id=spec.card_id,
                    state=who.state,
                    timezone=who.timezone,
                    desired_retention=who.desired_retention,
                    streak_current=who.streak_current,
                    streak_best=who.streak_best,
                    streak_last_day=who.streak_last_day,
                    streak_freezes=who.streak_freezes,
                ),
                Grade.GOOD if given.correct else Grade.AGAIN,
                given.correct,
                "right" if given.correct else "wrong",
                spec.options[given.option] if 0 <= given.option < len(spec.options) else None,
                self.clock.now(),
                session_id=None,
                position=None,
                duration_ms=round(given.seconds * 1000),
                fuzz=self.fuzz,
            )
            writes.append((new.round_no, reviewed.write))
        return writes

    async def _choose(
        self, row: BattleRow, state: BattleState, now: datetime
    ) -> tuple[list[RoundSpec], tuple[NewRound, ...]]:
        """The battle's questions: cards the players find hard or have due first, then new ones."""
        await deck_store.ensure_current_questions(self.db, row.deck_id, unix(now))
        pool = await store.candidates(self.db, row.deck_id)
        memories = await store.card_memories(
            self.db, row.deck_id, [p.user_id for p in state.players], unix(now)
        )
        rng = self._rng()
        picked = core.pick_battle_questions(
            [BattleCandidate(c.question_key, c.card_key) for c in pool],
            [
                CardMemory(m.user_id, m.card_key, m.difficulty, m.stability, m.lapses, m.due)
                for m in memories
            ],
            state.config.rounds,
            rng,
        )
        by_key = {c.question_key: c for c in pool}
        specs: list[RoundSpec] = []
        rounds: list[NewRound] = []
        for chosen in picked:
            candidate = by_key[chosen.question_key]
            # The same options as a private quiz draws: of the answer's kind, one right.
            options, right = draw_options(candidate.answer, candidate.distractors, rng)
            if len(options) < 2:
                continue  # a question with nothing to choose between is no round
            round_no = len(specs) + 1
            specs.append(RoundSpec(candidate.question_key, candidate.card_key, len(options), right))
            rounds.append(NewRound(round_no, candidate.question_id, options, right))
        return specs, tuple(rounds)
