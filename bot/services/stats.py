"""/stats: the user's figures from their review log and their active deck's schedules."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.core.battle import BattleState, Phase, standings
from bot.core.scheduling import ReviewState
from bot.core.stats import (
    RETENTION_WINDOW,
    LoggedReview,
    StatsFigures,
    compute_stats,
    heatmap_start,
)
from bot.core.streaks import StreakView, view_streak
from bot.services.unixtime import from_unix
from bot.services.users import stored_streak
from bot.storage import battles as battle_store
from bot.storage import parameters as parameter_store
from bot.storage import stats as store
from bot.storage.battles import FinishedBattle, LeaderRow
from bot.storage.db import Database
from bot.storage.parameters import NOT_STARTED, FitStanding
from bot.storage.quiz import StoredState
from bot.storage.stats import LogEntry
from bot.storage.users import UserRecord, upsert_user


@dataclass(frozen=True, slots=True)
class StatsReport:
    """What /stats shows a user: the figures, their deck and their streak."""

    figures: StatsFigures
    deck_title: str
    streak: StreakView
    timezone: str
    parameters: FitStanding = NOT_STARTED  # their own FSRS parameters' last fit


@dataclass(frozen=True, slots=True)
class BattleSummary:
    """One finished battle as /stats lists it: when, how long, who played and who won."""

    ended_at: datetime
    rounds: int
    players: tuple[str, ...]
    winner: str | None
    winner_points: int
    stopped: bool


@dataclass(frozen=True, slots=True)
class GroupBoard:
    """A group's all-time battle table and its latest battles, newest first."""

    leaders: tuple[LeaderRow, ...]
    recent: tuple[BattleSummary, ...]


def to_review_state(s: StoredState) -> ReviewState:
    """A stored schedule as the core's ReviewState."""
    return ReviewState(
        state=s.state,
        step=s.step,
        stability=s.stability,
        difficulty=s.difficulty,
        due=from_unix(s.due),
        last_review=from_unix(s.last_review) if s.last_review is not None else None,
        reps=s.reps,
        lapses=s.lapses,
    )


def _figures(
    log: list[LogEntry],
    schedules: list[StoredState | None],
    now: datetime,
    user: UserRecord,
) -> StatsFigures:
    reviews = [
        LoggedReview(
            from_unix(e.reviewed_at),
            e.question_id,
            e.rating,
            to_review_state(e.before) if e.before else None,
        )
        for e in log
    ]
    states = [to_review_state(s) if s else None for s in schedules]
    return compute_stats(reviews, states, now, user.days, user.desired_retention)


@dataclass
class StatsService:
    """Reads what /stats needs and computes the figures (off the event loop)."""

    db: Database
    clock: Clock
    default_deck_id: int

    async def report(self, user_id: int, first_name: str) -> StatsReport:
        """The user's figures now (the user is created on first contact, as everywhere)."""
        now = self.clock.now()
        user = await upsert_user(self.db, user_id, first_name, int(now.timestamp()))
        deck_id = user.active_deck_id or self.default_deck_id
        today = user.days.day_of(now)
        first_day = user.days.start_of(heatmap_start(today))
        # A day of slack: the core places each review in its local day exactly.
        since = int((first_day - timedelta(days=1)).timestamp())
        recent = int((now - RETENTION_WINDOW).timestamp())
        log = await store.review_log(self.db, user.id, since, recent)
        schedules = await store.deck_schedules(self.db, user.id, deck_id)
        title = await store.deck_title(self.db, deck_id) or "—"
        # Fitted by a sweep (bot.services.parameters): read as stored, never fitted here.
        parameters = await parameter_store.standing(self.db, user.id)
        # Thousands of reviews take a few milliseconds to fold: not on the event loop.
        figures = await asyncio.to_thread(_figures, log, schedules, now, user)
        return StatsReport(
            figures,
            title,
            view_streak(stored_streak(user), today),
            user.timezone,
            parameters or NOT_STARTED,
        )

    async def group_board(self, chat_id: int) -> GroupBoard:
        """The group's all-time battle table and its last battles."""
        leaders = await battle_store.leaderboard(self.db, chat_id)
        finished = await battle_store.finished_battles(self.db, chat_id, RECENT_BATTLES)
        recent = (summarise(b) for b in finished)
        # A battle stopped before its first reveal scored nothing: nothing to show either.
        return GroupBoard(tuple(leaders), tuple(s for s in recent if s is not None and s.rounds))


RECENT_BATTLES = 5


def summarise(battle: FinishedBattle) -> BattleSummary | None:
    """A finished battle's summary from its stored state; None for a state that cannot be read."""
    try:
        state = BattleState.from_dict(battle.state)
    except ValueError:
        return None
    table = standings(state)
    # Same rule as the leaderboard's wins: first place counts only with points on the board.
    top = table.table[0] if table.table else None
    won = top is not None and top.points > 0 and table.rounds_played > 0
    return BattleSummary(
        ended_at=from_unix(battle.ended_at),
        rounds=table.rounds_played,
        players=tuple(s.name for s in table.table),
        winner=top.name if won and top is not None else None,
        winner_points=top.points if won and top is not None else 0,
        stopped=state.phase is Phase.STOPPED,
    )
