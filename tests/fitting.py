"""A learner who forgets much faster than FSRS's defaults expect, and their history written into
a database's review log, for tests of personal parameters."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.cards.model import Card, Deck
from bot.core.personal_parameters import Answer
from bot.core.scheduling import Grade
from bot.storage import decks as deck_store
from bot.storage.db import Database

# A deck with a question for each card of a history (its questions are only answered by SQL).
WORDS = Deck("Words", tuple(Card(f"Word number {i}", f"meaning {i}") for i in range(60)))


async def words_deck(db: Database) -> int:
    """The words deck, stored; its id."""
    return await deck_store.sync_deck(db, WORDS, "words", None, 0)


def forgetful_history(
    questions: int, answers_each: int, start: datetime, seed: int = 7
) -> list[list[Answer]]:
    """Answers per question, oldest first: each recalled with probability 0.9 ** (days since /
    their true stability), a stability that starts at under half a day and grows by 1.6 with
    each recall (halved by each lapse), answered again after 1 to 6 days."""
    rng = random.Random(seed)
    cards: list[list[Answer]] = []
    for _ in range(questions):
        at = start + timedelta(hours=rng.randint(0, 72))
        stability, gap = 0.4, 0
        answers: list[Answer] = []
        for i in range(answers_each):
            grade = Grade.GOOD
            if i:
                recalled = rng.random() < 0.9 ** (gap / stability)
                grade = Grade.GOOD if recalled else Grade.AGAIN
                stability = stability * 1.6 if recalled else max(0.3, stability * 0.5)
            answers.append((at, grade))
            gap = rng.choice([1, 2, 3, 4, 6])
            at += timedelta(days=gap)
        cards.append(answers)
    return cards


async def write_history(
    db: Database, user_id: int, deck_id: int, cards: list[list[Answer]]
) -> list[int]:
    """The history as review rows of one user on a deck's first questions (one per card of the
    history, in question id order); the question ids used."""
    rows = await db.fetchall(
        "SELECT id, card_id FROM questions WHERE deck_id = ? AND retired = 0 ORDER BY id LIMIT ?",
        (deck_id, len(cards)),
    )
    assert len(rows) == len(cards), f"the deck has {len(rows)} questions, not {len(cards)}"
    reviews = []
    for (question_id, card_id), answers in zip(rows, cards, strict=True):
        for reps, (at, grade) in enumerate(answers, start=1):
            seconds = int(at.timestamp())
            reviews.append(
                (
                    user_id,
                    question_id,
                    deck_id,
                    card_id,
                    int(grade),
                    "good" if grade == Grade.GOOD else "again",
                    seconds,
                    at.date().isoformat(),
                    int(reps == 1),
                    seconds + 86400,
                    reps,
                )
            )
    await db.executemany(
        """INSERT INTO reviews (user_id, question_id, deck_id, card_id, rating, outcome,
                                reviewed_at, local_day, first_review, state, stability, difficulty,
                                due, reps, lapses, streak_current, streak_best, streak_freezes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 2, 1.0, 5.0, ?, ?, 0, 1, 1, 0)""",
        reviews,
    )
    return [int(r[0]) for r in rows]
