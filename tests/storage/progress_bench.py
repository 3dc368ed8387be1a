"""A learner with a deck of words in New York's time zone, and reviews written as the quiz writes
them at chosen times: the progress page's tests build on it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.services.container import load_bundled_decks
from bot.services.progress import ProgressReport, ProgressService
from bot.services.quiz import QuizService
from bot.services.stats import StatsService
from bot.services.unixtime import unix
from bot.storage import decks as deck_store
from bot.storage.db import Database
from bot.storage.languages import language_for_update
from bot.storage.quiz import ReviewWrite, StoredState, insert_review
from bot.storage.users import upsert_user

ALICE, BOB = 1001, 1002
# 10:00 in New York (UTC-5 in winter): the learning day, starting at 04:00 local, is 2 March.
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NEW_YORK_DAY_START = timedelta(hours=9)  # 04:00 in New York is 09:00 UTC in winter
REVIEW = 2  # FSRS's Review state
WORDS = Deck(
    "Words",
    tuple(
        Card(front, back)
        for front, back in [
            ("la casa", "the house"),
            ("el perro", "the dog"),
            ("el gato", "the cat"),
            ("la mesa", "the table"),
            ("el libro " + "muy " * 40 + "largo", "the very long book"),
        ]
    ),
)


class Bench:
    """The services over one database, and Alice's deck of words."""

    def __init__(self, db: Database, clock: ManualClock, default_deck: int) -> None:
        self.db = db
        self.clock = clock
        self.quiz = QuizService(db, clock, default_deck, fuzz=False, rng=random.Random(7))
        self.progress = ProgressService(db, clock, self.quiz)
        self.stats = StatsService(db, clock, default_deck)
        self.deck_id = 0
        self.cards: list[int] = []  # Alice's cards in deck order
        self.questions: dict[int, list[int]] = {}  # each card's live questions

    async def setup(self) -> None:
        now = unix(self.clock.now())
        for user, name in [(ALICE, "Alice"), (BOB, "Bob")]:
            await upsert_user(self.db, user, name, now)
            # Both have written to the bot: it may ask them questions in their private chats.
            await language_for_update(self.db, user, "en", private=True, default="en")
        await self.db.execute(
            "UPDATE users SET timezone = 'America/New_York', day_start_hour = 4 WHERE id = ?",
            (ALICE,),
        )
        self.deck_id = await deck_store.sync_deck(self.db, WORDS, "words", ALICE, now)
        await self.db.execute(
            "UPDATE users SET active_deck_id = ? WHERE id = ?", (self.deck_id, ALICE)
        )
        rows = await self.db.fetchall(
            """SELECT c.id, q.id FROM cards c JOIN questions q ON q.card_id = c.id
                WHERE c.deck_id = ? AND q.retired = 0 ORDER BY c.position, q.id""",
            (self.deck_id,),
        )
        for card, question in rows:
            if card not in self.questions:
                self.cards.append(card)
            self.questions.setdefault(card, []).append(question)

    async def review(
        self,
        card: int,
        at: datetime,
        rating: int = 3,
        *,
        due: datetime | None = None,
        lapses: int = 0,
        difficulty: float = 5.0,
        user: int = ALICE,
        question: int = 0,
    ) -> None:
        """A review of a card's question at `at`, leaving the schedule given."""
        row = await self.db.fetchone("SELECT deck_id FROM cards WHERE id = ?", (card,))
        assert row is not None
        state = StoredState(
            REVIEW,
            None,
            10.0,
            difficulty,
            unix(due or at + timedelta(days=400)),
            unix(at),
            1,
            lapses,
        )
        written = await insert_review(
            self.db,
            ReviewWrite(
                user_id=user,
                question_id=self.questions[card][question],
                deck_id=int(row[0]),
                card_id=card,
                session_id=None,
                position=None,
                rating=rating,
                correct=rating >= 2,
                outcome="right" if rating >= 2 else "wrong",
                given=None,
                reviewed_at=unix(at),
                duration_ms=None,
                local_day=at.date().isoformat(),
                first_review=False,
                state=state,
                streak_current=1,
                streak_best=1,
                streak_freezes=0,
            ),
        )
        assert written

    async def report(self) -> ProgressReport:
        return await self.progress.report(ALICE, "Alice")


async def make_bench(db: Database) -> Bench:
    """Alice (in New York) with her deck of words, and Bob, on a clock stopped at NOW."""
    clock = ManualClock(NOW)
    ids = await load_bundled_decks(db, unix(NOW))
    made = Bench(db, clock, ids["khrushchev-reforms"])
    await made.setup()
    return made


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
