"""What the Mini App's progress page reads: review times, schedules' due times, each deck's recent
reviews, the cards a learner lapses on most, and the cards picked to review now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.db import Database
from bot.storage.quiz import MemoryRow

RIGHT_RATING = 2  # Hard, Good and Easy are right; Again (a wrong choice or typed answer) is not


@dataclass(frozen=True, slots=True)
class DeckProgress:
    """One deck the learner owns or studies: reviews and right ones in a window, and due now."""

    deck_id: int
    title: str
    reviews: int
    right: int
    due: int


@dataclass(frozen=True, slots=True)
class HardCard:
    """A card of the learner's own schedules: lapses summed over its questions, top difficulty."""

    card_id: int
    deck_id: int
    deck_title: str
    front: str
    lapses: int
    difficulty: float


@dataclass(frozen=True, slots=True)
class PickedCard:
    """A card asked for by id: its deck's owner (None: bundled) and its live questions."""

    card_id: int
    deck_id: int
    owner_id: int | None
    questions: tuple[MemoryRow, ...]


async def review_times(db: Database, user_id: int, since: int) -> list[int]:
    """When (unix seconds) each of the learner's reviews from `since` on happened."""
    rows = await db.fetchall(
        "SELECT reviewed_at FROM reviews WHERE user_id = ? AND reviewed_at >= ?", (user_id, since)
    )
    return [int(r[0]) for r in rows]


async def due_times(db: Database, user_id: int) -> list[int]:
    """When each live question the learner has a schedule of falls due, over all decks."""
    rows = await db.fetchall(
        """SELECT r.due FROM review_states r
             JOIN questions q ON q.id = r.question_id AND q.retired = 0
            WHERE r.user_id = ?""",
        (user_id,),
    )
    return [int(r[0]) for r in rows]


async def deck_progress(db: Database, user_id: int, since: int, now: int) -> list[DeckProgress]:
    """Each deck the learner owns or has a schedule in: reviews in `since < at <= now`, the right
    ones, and live questions due at `now`; their own decks first, then by title."""
    rows = await db.fetchall(
        """SELECT d.id, d.title,
                  (SELECT COUNT(*) FROM reviews v
                    WHERE v.user_id = ? AND v.deck_id = d.id
                      AND v.reviewed_at > ? AND v.reviewed_at <= ?),
                  (SELECT COUNT(*) FROM reviews v
                    WHERE v.user_id = ? AND v.deck_id = d.id
                      AND v.reviewed_at > ? AND v.reviewed_at <= ? AND v.rating >= ?),
                  (SELECT COUNT(*) FROM review_states r
                     JOIN questions q ON q.id = r.question_id AND q.retired = 0
                    WHERE r.user_id = ? AND r.deck_id = d.id AND r.due <= ?)
             FROM decks d
            WHERE d.owner_id = ?
               OR EXISTS (SELECT 1 FROM review_states r WHERE r.user_id = ? AND r.deck_id = d.id)
            ORDER BY CASE WHEN d.owner_id IS NULL THEN 1 ELSE 0 END, LOWER(d.title), d.id""",
        (
            user_id,
            since,
            now,
            user_id,
            since,
            now,
            RIGHT_RATING,
            user_id,
            now,
            user_id,
            user_id,
        ),
    )
    return [DeckProgress(int(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]


async def hardest_cards(db: Database, user_id: int, limit: int) -> list[HardCard]:
    """The learner's `limit` live cards with the most lapses, then the highest difficulty, among
    the decks they own and the bundled ones (those they may review again at will)."""
    rows = await db.fetchall(
        """SELECT c.id, c.deck_id, d.title, c.front,
                  SUM(r.lapses) AS lapses, COALESCE(MAX(r.difficulty), 0) AS difficulty
             FROM review_states r
             JOIN questions q ON q.id = r.question_id AND q.retired = 0
             JOIN cards c ON c.id = q.card_id AND c.retired = 0
             JOIN decks d ON d.id = c.deck_id
            WHERE r.user_id = ? AND (d.owner_id IS NULL OR d.owner_id = ?)
            GROUP BY c.id, c.deck_id, d.title, c.front
            ORDER BY lapses DESC, difficulty DESC, c.id
            LIMIT ?""",
        (user_id, user_id, limit),
    )
    return [
        HardCard(int(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4]), float(r[5])) for r in rows
    ]


async def picked_cards(db: Database, user_id: int, card_ids: Sequence[int]) -> list[PickedCard]:
    """The cards of `card_ids` that exist, each with its live questions and the learner's
    schedules of them (a retired card has none)."""
    if not card_ids:
        return []
    marks = ",".join("?" * len(card_ids))
    rows = await db.fetchall(
        f"""SELECT c.id, c.deck_id, d.owner_id,
                   q.id, q.kind, CASE WHEN q.distractors <> '[]' THEN 1 ELSE 0 END,
                   r.state, r.stability, r.due, r.last_review, r.first_review
              FROM cards c
              JOIN decks d ON d.id = c.deck_id
              LEFT JOIN questions q ON q.card_id = c.id AND q.retired = 0 AND c.retired = 0
              LEFT JOIN review_states r ON r.user_id = ? AND r.question_id = q.id
             WHERE c.id IN ({marks})
             ORDER BY c.id, q.id""",
        (user_id, *card_ids),
    )
    cards: dict[int, PickedCard] = {}
    for r in rows:
        card = cards.setdefault(int(r[0]), PickedCard(int(r[0]), int(r[1]), r[2], ()))
        if r[3] is not None:
            question = MemoryRow(int(r[3]), int(r[0]), str(r[4]), bool(r[5]), *r[6:11])
            cards[card.card_id] = PickedCard(
                card.card_id, card.deck_id, card.owner_id, (*card.questions, question)
            )
    return list(cards.values())
