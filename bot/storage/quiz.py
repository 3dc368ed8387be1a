"""Quiz sessions, their questions, and the single-statement write of an answer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.db import Database, Row


@dataclass(frozen=True, slots=True)
class NewItem:
    """A question placed in a new session, with the answer buttons it will show."""

    question_id: int
    options: list[str]
    right_index: int | None


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """A question as a session shows it."""

    question_id: int
    kind: str
    prompt: str
    answer: str
    front: str
    back: str
    options: list[str]
    right_index: int | None


@dataclass(frozen=True, slots=True)
class StoredState:
    """A user's FSRS state for one question, as stored (times in unix seconds)."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: int
    last_review: int | None
    reps: int
    lapses: int


@dataclass(frozen=True, slots=True)
class ItemContext:
    """Everything an answer needs, read in one query: session, question, schedule, user, next question."""

    session_id: int
    user_id: int
    chat_id: int
    deck_id: int
    deck_title: str
    size: int
    current: int
    finished: bool
    correct_so_far: int
    position: int
    card_id: int
    message_id: int | None
    shown_at: int | None
    revealed: bool
    answered: bool
    question: QuestionRow
    state: StoredState | None
    timezone: str
    desired_retention: float
    streak_current: int
    streak_best: int
    streak_last_day: str | None
    streak_freezes: int
    next_question: QuestionRow | None
    next_message_id: int | None
    other_min_due: int | None
    reminder_offer_pending: bool  # never offered a daily reminder and has none
    outcome: str | None  # how the question was answered, once it is
    given: str | None
    summary_shown: bool  # the session's summary message was sent and recorded


_ITEM_QUERY = """
SELECT s.id, s.user_id, s.chat_id, s.deck_id, d.title, s.size, s.position, s.finished_at, s.correct,
       i.position, q.card_id, i.message_id, i.shown_at, i.revealed, i.answered_at,
       q.id, q.kind, q.prompt, q.answer, c.front, c.back, i.options, i.right_index,
       r.state, r.step, r.stability, r.difficulty, r.due, r.last_review, r.reps, r.lapses,
       u.timezone, u.desired_retention, u.streak_current, u.streak_best, u.streak_last_day,
       u.streak_freezes,
       nq.id, nq.kind, nq.prompt, nq.answer, nc.front, nc.back, n.options, n.right_index,
       n.message_id,
       (SELECT MIN(o.due) FROM review_states o
         WHERE o.user_id = s.user_id AND o.deck_id = s.deck_id AND o.question_id <> q.id),
       u.remind_offered = 0 AND u.remind_time IS NULL,
       i.outcome, i.given, s.summary_message_id
  FROM quiz_sessions s
  JOIN decks d ON d.id = s.deck_id
  JOIN users u ON u.id = s.user_id
  JOIN session_items i ON i.session_id = s.id AND i.position = {position}
  JOIN questions q ON q.id = i.question_id
  JOIN cards c ON c.id = q.card_id
  LEFT JOIN review_states r ON r.user_id = s.user_id AND r.question_id = q.id
  LEFT JOIN session_items n ON n.session_id = s.id AND n.position = i.position + 1
  LEFT JOIN questions nq ON nq.id = n.question_id
  LEFT JOIN cards nc ON nc.id = nq.card_id
 WHERE {where}
"""


def _question(row: Row, at: int) -> QuestionRow | None:
    if row[at] is None:
        return None
    return QuestionRow(
        question_id=row[at],
        kind=row[at + 1],
        prompt=row[at + 2],
        answer=row[at + 3],
        front=row[at + 4],
        back=row[at + 5],
        options=json.loads(row[at + 6]),
        right_index=row[at + 7],
    )


async def load_item(db: Database, session_id: int, position: int) -> ItemContext | None:
    """The context of one session question (one round trip), or None if there is no such question."""
    row = await db.fetchone(
        _ITEM_QUERY.format(position="?", where="s.id = ?"), (position, session_id)
    )
    return _context(row) if row else None


async def load_current_item(db: Database, user_id: int) -> ItemContext | None:
    """The question the user's open session is asking now (one round trip), or None."""
    row = await db.fetchone(
        _ITEM_QUERY.format(
            position="s.position",
            where="s.user_id = ? AND s.finished_at IS NULL ORDER BY s.id DESC",
        ),
        (user_id,),
    )
    return _context(row) if row else None


def _context(row: Row) -> ItemContext:
    question = _question(row, 15)
    assert question is not None
    state = None
    if row[23] is not None:
        state = StoredState(row[23], row[24], row[25], row[26], row[27], row[28], row[29], row[30])
    return ItemContext(
        session_id=row[0],
        user_id=row[1],
        chat_id=row[2],
        deck_id=row[3],
        deck_title=row[4],
        size=row[5],
        current=row[6],
        finished=row[7] is not None,
        correct_so_far=row[8],
        position=row[9],
        card_id=row[10],
        message_id=row[11],
        shown_at=row[12],
        revealed=bool(row[13]),
        answered=row[14] is not None,
        question=question,
        state=state,
        timezone=row[31],
        desired_retention=row[32],
        streak_current=row[33],
        streak_best=row[34],
        streak_last_day=row[35],
        streak_freezes=row[36],
        next_question=_question(row, 37),
        next_message_id=row[45],
        other_min_due=row[46],
        reminder_offer_pending=bool(row[47]),
        outcome=row[48],
        given=row[49],
        summary_shown=row[50] is not None,
    )


async def open_session(db: Database, user_id: int) -> tuple[int, int] | None:
    """The user's unfinished session as (session id, current position), if any."""
    row = await db.fetchone(
        "SELECT id, position FROM quiz_sessions WHERE user_id = ? AND finished_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (user_id,),
    )
    return (row[0], row[1]) if row else None


async def create_session(
    db: Database, user_id: int, chat_id: int, deck_id: int, now: int, items: Sequence[NewItem]
) -> int:
    """Close any open session of the user and start a new one with `items`; returns its id."""
    async with db.transaction():
        if db.dialect == "postgres":
            # Under READ COMMITTED two sessions started at once would each close only the sessions
            # committed before it and leave both new ones open. Locking the user's row first makes
            # them take turns, as BEGIN IMMEDIATE does on SQLite. NO KEY UPDATE, the lock an UPDATE
            # of the row takes, leaves the key-share locks of foreign key checks free.
            await db.execute("SELECT 1 FROM users WHERE id = ? FOR NO KEY UPDATE", (user_id,))
        await db.execute(
            "UPDATE quiz_sessions SET finished_at = ? WHERE user_id = ? AND finished_at IS NULL",
            (now, user_id),
        )
        created = await db.fetchone(
            "INSERT INTO quiz_sessions (user_id, chat_id, deck_id, started_at, size) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            (user_id, chat_id, deck_id, now, len(items)),
        )
        assert created is not None
        session_id = int(created[0])
        await db.executemany(
            "INSERT INTO session_items (session_id, position, question_id, options, right_index) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    session_id,
                    pos,
                    it.question_id,
                    json.dumps(it.options, ensure_ascii=False),
                    it.right_index,
                )
                for pos, it in enumerate(items)
            ],
        )
    return session_id


async def close_session(db: Database, session_id: int, now: int) -> None:
    """Mark a session finished (abandoned or replaced)."""
    await db.execute(
        "UPDATE quiz_sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        (now, session_id),
    )


async def set_message(
    db: Database, session_id: int, position: int, message_id: int, now: int
) -> None:
    """Remember which chat message shows a session question (so its buttons keep working)."""
    await db.execute(
        "UPDATE session_items SET message_id = ?, shown_at = COALESCE(shown_at, ?) "
        "WHERE session_id = ? AND position = ?",
        (message_id, now, session_id, position),
    )


async def set_summary_message(db: Database, session_id: int, message_id: int) -> None:
    """Remember the message that summed the session up: its last answer is fully delivered."""
    await db.execute(
        "UPDATE quiz_sessions SET summary_message_id = ? WHERE id = ?", (message_id, session_id)
    )


async def mark_revealed(db: Database, session_id: int, position: int) -> bool:
    """Record that a recall question's answer was shown; False if it already was or is answered."""
    changed = await db.execute(
        "UPDATE session_items SET revealed = 1 WHERE session_id = ? AND position = ? "
        "AND revealed = 0 AND answered_at IS NULL",
        (session_id, position),
    )
    return changed == 1


@dataclass(frozen=True, slots=True)
class ReviewWrite:
    """One answer and everything it changes, written by a single INSERT (see the triggers)."""

    user_id: int
    question_id: int
    deck_id: int
    card_id: int
    session_id: int | None
    position: int | None
    rating: int
    correct: bool | None
    outcome: str
    given: str | None
    reviewed_at: int
    duration_ms: int | None
    local_day: str
    first_review: bool
    state: StoredState
    streak_current: int
    streak_best: int
    streak_freezes: int


async def insert_review(db: Database, review: ReviewWrite) -> bool:
    """Write an answer; False when this session question was already answered (a retry or double tap)."""
    s = review.state
    # The conflict is the session question already answered; anything else still raises.
    inserted = await db.execute(
        """INSERT INTO reviews (user_id, question_id, deck_id, card_id, session_id, position,
               rating, correct, outcome, given, reviewed_at, duration_ms, local_day, first_review,
               state, step, stability, difficulty, due, reps, lapses,
               streak_current, streak_best, streak_freezes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (session_id, position) DO NOTHING""",
        (
            review.user_id,
            review.question_id,
            review.deck_id,
            review.card_id,
            review.session_id,
            review.position,
            review.rating,
            None if review.correct is None else int(review.correct),
            review.outcome,
            review.given,
            review.reviewed_at,
            review.duration_ms,
            review.local_day,
            int(review.first_review),
            s.state,
            s.step,
            s.stability,
            s.difficulty,
            s.due,
            s.reps,
            s.lapses,
            review.streak_current,
            review.streak_best,
            review.streak_freezes,
        ),
    )
    return inserted == 1


async def due_candidates(
    db: Database, user_id: int, deck_id: int, now: int, kinds: Sequence[str], limit: int
) -> list[tuple[int, int, int]]:
    """(question id, card id, due) of the user's due questions in a deck, most overdue first."""
    marks = ",".join("?" * len(kinds))
    rows = await db.fetchall(
        f"""SELECT r.question_id, r.card_id, r.due
              FROM review_states r JOIN questions q ON q.id = r.question_id
             WHERE r.user_id = ? AND r.deck_id = ? AND r.due <= ?
               AND q.retired = 0 AND q.kind IN ({marks})
             ORDER BY r.due LIMIT ?""",
        (user_id, deck_id, now, *kinds, limit),
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def new_candidates(
    db: Database, user_id: int, deck_id: int, kinds: Sequence[str], limit: int
) -> list[tuple[int, int]]:
    """(question id, card id) of questions the user never answered, each card's first kind first."""
    if limit <= 0:
        return []
    marks = ",".join("?" * len(kinds))
    rows = await db.fetchall(
        f"""SELECT id, card_id FROM (
                SELECT q.id, q.card_id, c.position,
                       ROW_NUMBER() OVER (PARTITION BY q.card_id ORDER BY
                           CASE q.kind WHEN 'recall' THEN 0 WHEN 'choice' THEN 1
                                       WHEN 'typed' THEN 2 ELSE 3 END, q.id) AS round
                  FROM questions q JOIN cards c ON c.id = q.card_id
                 WHERE q.deck_id = ? AND q.retired = 0 AND q.kind IN ({marks})
                   AND NOT EXISTS (SELECT 1 FROM review_states r
                                    WHERE r.user_id = ? AND r.question_id = q.id)) AS ranked
             ORDER BY round, position LIMIT ?""",
        (deck_id, *kinds, user_id, limit),
    )
    return [(r[0], r[1]) for r in rows]


async def new_reviewed_since(db: Database, user_id: int, since: int) -> int:
    """How many new questions the user has answered since `since` (the start of their day)."""
    row = await db.fetchone(
        "SELECT COUNT(*) FROM reviews WHERE user_id = ? AND reviewed_at >= ? AND first_review = 1",
        (user_id, since),
    )
    return int(row[0]) if row else 0


async def question_rows(
    db: Database, question_ids: Sequence[int]
) -> dict[int, tuple[str, str, str, list[str]]]:
    """(kind, answer, card id as text, distractors) of questions, by id, for building a session."""
    if not question_ids:
        return {}
    marks = ",".join("?" * len(question_ids))
    rows = await db.fetchall(
        f"SELECT id, kind, answer, card_id, distractors FROM questions WHERE id IN ({marks})",
        tuple(question_ids),
    )
    return {r[0]: (r[1], r[2], str(r[3]), json.loads(r[4])) for r in rows}


async def next_due_at(db: Database, user_id: int, deck_id: int) -> int | None:
    """When the user's next question in the deck falls due (unix seconds), if any was ever reviewed."""
    row = await db.fetchone(
        "SELECT MIN(due) FROM review_states WHERE user_id = ? AND deck_id = ?", (user_id, deck_id)
    )
    return row[0] if row and row[0] is not None else None
