"""The Mini App's progress page: a year of reviews per learning day, a month's forecast, each
deck's recent retention and due questions, the hardest cards, and reviewing picked cards now.

The days are counted as /stats counts them (bot.core.stats), so both show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.clock import Clock
from bot.core.stats import RETENTION_WINDOW, daily_counts, due_forecast
from bot.services.quiz import PickRefused, QuizService
from bot.services.unixtime import from_unix, unix
from bot.storage import progress as store
from bot.storage.db import Database
from bot.storage.languages import language_of
from bot.storage.progress import HardCard
from bot.storage.users import upsert_user

HEATMAP_DAYS = 365
FORECAST_DAYS = 30
HARDEST_CARDS = 20
FRONT_CHARS = 80  # a card's front in the hardest list, clipped to fit one or two lines
MAX_REVIEW_CARDS = 20


@dataclass(frozen=True, slots=True)
class DayCount:
    """A number for one learning day."""

    day: date
    count: int


@dataclass(frozen=True, slots=True)
class DeckRetention:
    """A deck's last 30 days: reviews, the share answered right (None without any), due now."""

    deck_id: int
    title: str
    reviews: int
    retention: float | None
    due: int


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """Everything the progress page shows."""

    heatmap: tuple[DayCount, ...]  # the past 365 learning days, today last
    forecast: tuple[DayCount, ...]  # today and the next 29 days, overdue counted today
    decks: tuple[DeckRetention, ...]
    hardest: tuple[HardCard, ...]

    @property
    def is_empty(self) -> bool:
        """No review in the year and nothing scheduled: nothing to draw yet."""
        return not any(d.count for d in self.heatmap) and not any(d.count for d in self.forecast)


def clip(text: str, limit: int = FRONT_CHARS) -> str:
    """`text` on one line, cut at `limit` characters with an ellipsis when longer."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass
class ProgressService:
    """Reads the progress page's figures and starts reviews of picked cards."""

    db: Database
    clock: Clock
    quiz: QuizService

    async def report(self, user_id: int, first_name: str) -> ProgressReport:
        """The learner's progress now (the learner is created on first contact, as everywhere)."""
        now = self.clock.now()
        user = await upsert_user(self.db, user_id, first_name, unix(now))
        days = user.days
        today = days.day_of(now)
        first = today - timedelta(days=HEATMAP_DAYS - 1)
        times = await store.review_times(self.db, user.id, unix(days.start_of(first)))
        # A review stamped after now (a clock set back) is not counted, as /stats does not.
        moments = (from_unix(t) for t in times if t <= unix(now))
        counts = daily_counts(moments, first, HEATMAP_DAYS, days)
        dues = [from_unix(t) for t in await store.due_times(self.db, user.id)]
        forecast = due_forecast(dues, today, FORECAST_DAYS, days)
        since = unix(now - RETENTION_WINDOW)
        decks = await store.deck_progress(self.db, user.id, since, unix(now))
        hardest = await store.hardest_cards(self.db, user.id, HARDEST_CARDS)
        return ProgressReport(
            heatmap=tuple(DayCount(first + timedelta(days=i), n) for i, n in enumerate(counts)),
            forecast=tuple(DayCount(today + timedelta(days=i), n) for i, n in enumerate(forecast)),
            decks=tuple(
                DeckRetention(
                    d.deck_id,
                    d.title,
                    d.reviews,
                    d.right / d.reviews if d.reviews else None,
                    d.due,
                )
                for d in decks
            ),
            hardest=tuple(replace(c, front=clip(c.front)) for c in hardest),
        )

    async def review_now(
        self, user_id: int, first_name: str, card_ids: Sequence[int]
    ) -> PickRefused | None:
        """Start a quiz of these cards in the learner's private chat (its id is theirs); None
        when it started, its first question owed to the chat."""
        if await language_of(self.db, user_id) is None:
            # The bot never heard from them in a chat: it cannot write to them there.
            return PickRefused.NO_CHAT
        user = await upsert_user(self.db, user_id, first_name, unix(self.clock.now()))
        started = await self.quiz.start_on_cards(user, user.id, card_ids)
        return started if isinstance(started, PickRefused) else None
