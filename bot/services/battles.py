"""Group battles over the database: every action loads the battle, runs the pure machine, and
writes the result compare-and-swap, so a retry, a double tap or a restart never counts twice."""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

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
    RoundSpec,
    Toast,
    reveal_of,
)
from bot.core.scheduling import Grade
from bot.outbox import intents
from bot.services.quiz import OWN_INTENTS_MS
from bot.services.reviewing import make_review, stored_reviewer
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
from bot.storage.groups import group_deck_id
from bot.storage.leases import new_owner
from bot.storage.outbox import Holder, Intent, Owed
from bot.storage.quiz import ReviewWrite
from bot.storage.users import upsert_user

log = logging.getLogger(__name__)

# Telegram's GroupAnonymousBot: the sender of anonymous admins' messages, shared by every group.
ANONYMOUS_ADMIN_ID = 1087968824
MAX_TRIES = 5


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
    """What a round's message should show now, as the stored state tells it: the question (with
    its stored deadline), its reveal, or its cancel when the battle stopped it."""

    battle: BattleInfo
    row: RoundRow
    effect: PostRound | RevealRound | CancelRound
    total: int


@dataclass(frozen=True, slots=True)
class LobbyView:
    """What a battle's lobby should show now: open, or closed and why (`closed`)."""

    battle: BattleInfo
    state: BattleState
    closed: LobbyOutcome | None


@dataclass(frozen=True, slots=True)
class PodiumView:
    """A finished battle's final standings, and the message that shows them once posted."""

    battle: BattleInfo
    effect: Finish
    message_id: int | None


def owed_intents(chat_id: int, battle_id: int, effects: tuple[Effect, ...]) -> list[Intent]:
    """The messages a transition's effects owe the group, as outbox intents (one per message:
    each renders the battle as it stands when delivered)."""
    owed: dict[str, Intent] = {}
    for effect in effects:
        intent: Intent | None = None
        if isinstance(effect, EditLobby | CloseLobby):
            intent = intents.lobby(chat_id, battle_id)
        elif isinstance(effect, PostRound | RevealRound | CancelRound):
            intent = intents.battle_round(chat_id, battle_id, effect.round_no)
        elif isinstance(effect, Finish):
            intent = intents.podium(chat_id, battle_id)
        if intent is not None:
            owed.setdefault(intent.dedupe, intent)
    return list(owed.values())


def lobby_outcome(state: BattleState) -> LobbyOutcome | None:
    """How the lobby closed, None while it is open."""
    if state.phase is Phase.LOBBY:
        return None
    if state.rounds:
        return LobbyOutcome.STARTED
    if (
        len(state.players) < core.MIN_PLAYERS
        and state.ended_at is not None
        and state.ended_at >= state.lobby_deadline
    ):
        return LobbyOutcome.NOT_ENOUGH_PLAYERS
    return LobbyOutcome.STOPPED


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
    # Who holds the messages this service owes the group: the process, which delivers them at
    # once (the same holder as the quiz's, so one deliverer takes both).
    holder: Holder = field(default_factory=lambda: Holder(new_owner(), OWN_INTENTS_MS))
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
            # The deck an admin chose for the group (/groupdeck), else the bundled default.
            await group_deck_id(self.db, chat_id) or self.default_deck_id,
            user_id,
            state.to_dict(),
            _wakeup(state),
            unix(now),
            lambda battle_id: Owed([intents.lobby(chat_id, battle_id)], self.holder),
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

    async def lobby_of(self, battle_id: int) -> LobbyView | None:
        """The battle's lobby as it stands; None when the battle cannot be read."""
        row = await store.load_battle(self.db, battle_id)
        state = _readable(row)
        if row is None or state is None:
            return None
        closed = lobby_outcome(state)
        if closed is None and row.finished:
            closed = LobbyOutcome.STOPPED  # ended without a transition of its own (unreadable)
        return LobbyView(_info(row), state, closed)

    async def round_of(self, battle_id: int, round_no: int) -> RoundView | None:
        """A round's message as the stored state owes it; None when there is no such round."""
        row = await store.load_battle(self.db, battle_id)
        state = _readable(row)
        if row is None or state is None or not 1 <= round_no <= state.round_no:
            return None
        spec = (await store.round_rows(self.db, battle_id)).get(round_no)
        if spec is None:
            return None
        play = state.played[round_no - 1]
        key = state.rounds[round_no - 1].question_key
        total = len(state.rounds)
        effect: PostRound | RevealRound | CancelRound
        if play.revealed_at is not None:
            effect = reveal_of(state, round_no)
        elif state.is_over:
            effect = CancelRound(round_no, key)
        else:
            effect = PostRound(round_no, total, key, len(spec.options), play.deadline)
        return RoundView(_info(row), spec, effect, total)

    async def podium_of(self, battle_id: int) -> PodiumView | None:
        """A finished battle's final standings; None when it cannot be read or is not over."""
        row = await store.load_battle(self.db, battle_id)
        state = _readable(row)
        if row is None or state is None or not state.is_over:
            return None
        finish = Finish(core.standings(state), stopped=state.phase is Phase.STOPPED)
        return PodiumView(_info(row), finish, await store.podium_message(self.db, battle_id))

    async def lobby_shown(self, battle_id: int, message_id: int) -> None:
        """Record the message showing the lobby, unless one is recorded already."""
        await store.set_lobby_message(self.db, battle_id, message_id)

    async def round_shown(self, battle_id: int, round_no: int, message_id: int) -> None:
        """Record the message showing a round, unless one is recorded already."""
        await store.set_round_message(self.db, battle_id, round_no, message_id)

    async def podium_shown(self, battle_id: int, message_id: int) -> None:
        """Record the message showing the final standings."""
        await store.set_podium_message(self.db, battle_id, message_id)

    async def copy_owed(self, battle_id: int, round_no: int, chat_id: int, message_id: int) -> bool:
        """Owe a closing edit to a message showing the lobby (round 0) or round `round_no` that is
        not the one the battle records (posted twice by a process that died before recording it)
        and that the battle has moved past; False when nothing is owed to it."""
        row = await store.load_battle(self.db, battle_id)
        state = _readable(row)
        if row is None or state is None or row.chat_id != chat_id:
            return False
        intent: Intent
        if round_no == 0:
            if row.lobby_message_id == message_id or lobby_outcome(state) is None:
                return False
            intent = intents.lobby_on(chat_id, battle_id, message_id)
        else:
            shown = await self.round_of(battle_id, round_no)
            if shown is None or shown.row.message_id == message_id:
                return False
            if isinstance(shown.effect, PostRound):
                return False  # still open: its buttons answer the round like the recorded one's
            intent = intents.battle_round_on(chat_id, battle_id, round_no, message_id)
        async with self._lock, self.db.transaction():
            await Owed([intent], self.holder).write(self.db)
        return True

    async def shown_on(self, battle_id: int, round_no: int, chat_id: int, message_id: int) -> bool:
        """Whether this message is the battle's lobby (round 0) or that round's message."""
        return await store.shown_on(self.db, battle_id, round_no, chat_id, message_id)

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
        """A group became a supergroup: its battles, leaderboard and owed messages follow it, and
        what the running battle shows on screen (its open lobby or round) is owed again there."""
        owed: list[Intent] = []
        row = await store.running_battle(self.db, old_chat_id)
        state = _readable(row)
        if row is not None and state is not None:
            if state.phase is Phase.LOBBY:
                owed.append(intents.lobby(new_chat_id, row.id))
            elif state.round_no and not state.is_over:
                owed.append(intents.battle_round(new_chat_id, row.id, state.round_no))
        async with self._lock:
            return await store.migrate_chat(
                self.db, old_chat_id, new_chat_id, Owed(owed, self.holder)
            )

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
            owed=Owed(owed_intents(row.chat_id, row.id, plan.effects), self.holder),
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
                stored_reviewer(who, spec.question_id, row.deck_id, spec.card_id),
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
