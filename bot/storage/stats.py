"""What /stats reads: a user's review log (with each question's schedule before the review) and
the schedules of a deck's questions."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database, Row
from bot.storage.quiz import StoredState


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One review: when, which question, the rating, and the schedule it replaced (None if new)."""

    reviewed_at: int
    question_id: int
    rating: int
    before: StoredState | None


def _state(row: Row, first: int) -> StoredState | None:
    """The StoredState in columns `first`… (state, step, stability, difficulty, due, last review,
    reps, lapses), or None when the state column is NULL."""
    if row[first] is None:
        return None
    return StoredState(*(row[first + i] for i in range(8)))


async def review_log(db: Database, user_id: int, since: int, detailed_since: int) -> list[LogEntry]:
    """The user's reviews from `since` on; those after `detailed_since` carry the prior schedule.

    Only recent reviews need the schedule before them (for true retention), and finding it means
    reading each such question's earlier reviews, so older ones skip that work.
    """
    plain = await db.fetchall(
        "SELECT id, reviewed_at, question_id, rating FROM reviews "
        "WHERE user_id = ? AND reviewed_at >= ? AND reviewed_at <= ?",
        (user_id, since, detailed_since),
    )
    # Each review's predecessor for the same question is the schedule it started from.
    detailed = await db.fetchall(
        """SELECT reviewed_at, question_id, rating,
                  p_state, p_step, p_stability, p_difficulty, p_due, p_at, p_reps, p_lapses
             FROM (SELECT r.reviewed_at, r.question_id, r.rating,
                          LAG(r.state) OVER w AS p_state, LAG(r.step) OVER w AS p_step,
                          LAG(r.stability) OVER w AS p_stability,
                          LAG(r.difficulty) OVER w AS p_difficulty, LAG(r.due) OVER w AS p_due,
                          LAG(r.reviewed_at) OVER w AS p_at, LAG(r.reps) OVER w AS p_reps,
                          LAG(r.lapses) OVER w AS p_lapses
                     FROM reviews r
                    WHERE r.user_id = ? AND r.question_id IN (
                          SELECT question_id FROM reviews WHERE user_id = ? AND reviewed_at > ?)
                   WINDOW w AS (PARTITION BY r.question_id ORDER BY r.reviewed_at, r.id)) AS prior
            WHERE reviewed_at > ?""",
        (user_id, user_id, detailed_since, detailed_since),
    )
    entries = [LogEntry(r[1], r[2], r[3], None) for r in plain]
    entries += [LogEntry(r[0], r[1], r[2], _state(r, 3)) for r in detailed]
    return entries


async def deck_schedules(db: Database, user_id: int, deck_id: int) -> list[StoredState | None]:
    """One entry per live question of the deck: the user's schedule, or None if never answered."""
    rows = await db.fetchall(
        """SELECT r.state, r.step, r.stability, r.difficulty, r.due, r.last_review, r.reps, r.lapses
             FROM questions q
             LEFT JOIN review_states r ON r.user_id = ? AND r.question_id = q.id
            WHERE q.deck_id = ? AND q.retired = 0""",
        (user_id, deck_id),
    )
    return [_state(r, 0) for r in rows]


async def deck_title(db: Database, deck_id: int) -> str | None:
    """A deck's title, or None if it does not exist."""
    row = await db.fetchone("SELECT title FROM decks WHERE id = ?", (deck_id,))
    return str(row[0]) if row else None
