"""Quiz sessions, their questions, and the single-statement write of an answer."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.storage.db import Database, Row
from bot.storage.media import split_digests
from bot.storage.outbox import Owed
from bot.storage.parameters import SCHEDULING_JOIN, parameters_from_json


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
    accepted: list[str]
    front_html: str | None = None  # the card's formatted sides (bot.cards.richtext), if any
    back_html: str | None = None
    front_media: str | None = None  # the hash of the picture or sound shown with the front
    front_more: tuple[str, ...] = ()  # the front's other pictures (bot.cards.model.Card)
    back_media: tuple[str, ...] = ()  # the back's pictures and sound, shown with the answer


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
    """Everything an answer needs, read in one query: session, question, schedule, user."""

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
    answered_at: int | None  # unix seconds of the answer, once answered
    question: QuestionRow
    state: StoredState | None
    timezone: str
    desired_retention: float
    streak_current: int
    streak_best: int
    streak_last_day: str | None
    streak_freezes: int
    reminder_offer_pending: bool  # never offered a daily reminder and has none
    outcome: str | None  # how the question was answered, once it is
    given: str | None
    summary_message_id: int | None  # the message that summed the session up, once sent
    retry: bool  # this item asks again a question missed earlier in the session
    retries: int  # how many of the session's items ask a missed question again
    retries_right: int  # how many of those were answered right
    started_by: int | None  # the update that started the session
    day_start_hour: int  # the user's learning day starts at this local hour
    parameters: tuple[float, ...] | None = None  # the user's own FSRS parameters, None: defaults

    @property
    def summary_shown(self) -> bool:
        """Whether the session's summary message was sent and recorded."""
        return self.summary_message_id is not None


_ITEM_QUERY = """
SELECT s.id, s.user_id, s.chat_id, s.deck_id, d.title, s.size, s.position, s.finished_at, s.correct,
       i.position, q.card_id, i.message_id, i.shown_at, i.revealed, i.answered_at,
       q.id, q.kind, q.prompt, q.answer, c.front, c.back, i.options, i.right_index, q.accepted,
       r.state, r.step, r.stability, r.difficulty, r.due, r.last_review, r.reps, r.lapses,
       u.timezone, u.desired_retention, u.streak_current, u.streak_best, u.streak_last_day,
       u.streak_freezes,
       u.remind_offered = 0 AND u.remind_time IS NULL,
       i.outcome, i.given, s.summary_message_id, i.retry,
       (SELECT COUNT(*) FROM session_items x WHERE x.session_id = s.id AND x.retry = 1),
       (SELECT COUNT(*) FROM session_items x WHERE x.session_id = s.id AND x.retry = 1
           AND x.outcome IN ('right', 'hard', 'good', 'easy', 'overridden')),
       s.started_by, u.day_start_hour, pf.parameters{answer_columns},
       c.front_more, c.back_media, c.front_media, c.front_html, c.back_html
  FROM quiz_sessions s
  JOIN decks d ON d.id = s.deck_id
  JOIN users u ON u.id = s.user_id
  JOIN session_items i ON i.session_id = s.id AND i.position = {position}
  JOIN questions q ON q.id = i.question_id
  JOIN cards c ON c.id = q.card_id
  LEFT JOIN review_states r ON r.user_id = s.user_id AND r.question_id = q.id
  {scheduling_join}{answer_join}
 WHERE {where}
"""
# The review that answered the item, if any (at most one: reviews are unique by session and
# position), and whether a later answer of the same question came since.
_ANSWER_COLUMNS = """,
       a.id, a.reviewed_at, a.due, a.prior, a.overridden_at, a.first_review,
       NOT EXISTS (SELECT 1 FROM reviews later
                    WHERE later.user_id = a.user_id
                      AND later.question_id = a.question_id
                      AND later.id > a.id)"""
_ANSWER_JOIN = """
  LEFT JOIN reviews a ON a.session_id = s.id AND a.position = i.position"""
_ANSWER_AT = 48  # where the answer's columns start in a row of the query with them


def _question(row: Row, at: int) -> QuestionRow:
    return QuestionRow(
        question_id=row[at],
        kind=row[at + 1],
        prompt=row[at + 2],
        answer=row[at + 3],
        front=row[at + 4],
        back=row[at + 5],
        options=json.loads(row[at + 6]),
        right_index=row[at + 7],
        accepted=json.loads(row[at + 8]),
        front_html=row[-2],  # the query's last two columns
        back_html=row[-1],
        front_media=row[-3],
        front_more=split_digests(row[-5]),
        back_media=split_digests(row[-4]),
    )


async def load_item(db: Database, session_id: int, position: int) -> ItemContext | None:
    """The context of one session question (one round trip), or None if there is no such question."""
    row = await db.fetchone(
        _ITEM_QUERY.format(
            position="?",
            where="s.id = ?",
            answer_columns="",
            answer_join="",
            scheduling_join=SCHEDULING_JOIN,
        ),
        (position, session_id),
    )
    return _context(row) if row else None


async def load_answered_item(
    db: Database, session_id: int, position: int
) -> tuple[ItemContext, AnswerRow | None] | None:
    """One session question with the review that answered it, if any (one round trip)."""
    row = await db.fetchone(
        _ITEM_QUERY.format(
            position="?",
            where="s.id = ?",
            answer_columns=_ANSWER_COLUMNS,
            answer_join=_ANSWER_JOIN,
            scheduling_join=SCHEDULING_JOIN,
        ),
        (position, session_id),
    )
    return (_context(row), _answer(row, _ANSWER_AT)) if row else None


async def load_current_item(db: Database, user_id: int) -> ItemContext | None:
    """The question the user's open session is asking now (one round trip), or None."""
    row = await db.fetchone(
        _ITEM_QUERY.format(
            position="s.position",
            where="s.user_id = ? AND s.finished_at IS NULL ORDER BY s.id DESC",
            answer_columns="",
            answer_join="",
            scheduling_join=SCHEDULING_JOIN,
        ),
        (user_id,),
    )
    return _context(row) if row else None


def _context(row: Row) -> ItemContext:
    question = _question(row, 15)
    state = None
    if row[24] is not None:
        state = StoredState(row[24], row[25], row[26], row[27], row[28], row[29], row[30], row[31])
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
        answered_at=row[14],
        question=question,
        state=state,
        timezone=row[32],
        desired_retention=row[33],
        streak_current=row[34],
        streak_best=row[35],
        streak_last_day=row[36],
        streak_freezes=row[37],
        reminder_offer_pending=bool(row[38]),
        outcome=row[39],
        given=row[40],
        summary_message_id=row[41],
        retry=bool(row[42]),
        retries=int(row[43]),
        retries_right=int(row[44]),
        started_by=row[45],
        day_start_hour=int(row[46]),
        parameters=parameters_from_json(row[47]),
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
    db: Database,
    user_id: int,
    chat_id: int,
    deck_id: int,
    now: int,
    items: Sequence[NewItem],
    owed: Callable[[int], Owed] | None = None,
    started_by: int | None = None,
) -> int:
    """Close any open session of the user and start a new one with `items`; returns its id.

    `owed(session_id)` are the intents the new session owes its chat (its first question), written
    in the same transaction.
    """
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
            "INSERT INTO quiz_sessions (user_id, chat_id, deck_id, started_at, size, started_by) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (user_id, chat_id, deck_id, now, len(items), started_by),
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
        if owed is not None:
            await owed(session_id).write(db)
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


async def item_shown_on(
    db: Database, session_id: int, position: int, chat_id: int, message_id: int
) -> bool:
    """Whether a session's question is shown by this message of this chat (one key lookup)."""
    row = await db.fetchone(
        """SELECT 1 FROM session_items i JOIN quiz_sessions s ON s.id = i.session_id
            WHERE i.session_id = ? AND i.position = ? AND i.message_id = ? AND s.chat_id = ?""",
        (session_id, position, message_id, chat_id),
    )
    return row is not None


async def set_summary_message(db: Database, session_id: int, message_id: int) -> None:
    """Remember the message that summed the session up: its last answer is fully delivered."""
    await db.execute(
        "UPDATE quiz_sessions SET summary_message_id = ? WHERE id = ?", (message_id, session_id)
    )


async def mark_revealed(
    db: Database, session_id: int, position: int, owed: Owed | None = None
) -> bool:
    """Record that a recall question's answer was shown, with the intents that owes; False if it
    already was or is answered."""
    async with db.transaction():
        changed = await db.execute(
            "UPDATE session_items SET revealed = 1 WHERE session_id = ? AND position = ? "
            "AND revealed = 0 AND answered_at IS NULL",
            (session_id, position),
        )
        if changed != 1:
            return False
        if owed is not None:
            await owed.write(db)
    return True


async def owe(db: Database, owed: Owed) -> None:
    """Owe intents that change no state (a screen shown again as it stands)."""
    await owed.write(db)


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
    prior: StoredState | None = None  # the schedule before, kept where the answer may be overridden
    keep_prior: bool = False


def state_json(state: StoredState | None) -> str | None:
    """A schedule as the JSON `reviews.prior` keeps (None for a question never answered)."""
    if state is None:
        return None
    return json.dumps(
        [
            state.state,
            state.step,
            state.stability,
            state.difficulty,
            state.due,
            state.last_review,
            state.reps,
            state.lapses,
        ]
    )


def state_from_json(text: str | None) -> StoredState | None:
    """The schedule `state_json` wrote."""
    if text is None:
        return None
    values = json.loads(text)
    return StoredState(*values)


async def insert_review(
    db: Database,
    review: ReviewWrite,
    retries: Sequence[NewItem] = (),
    owed: Owed | None = None,
    message_id: int | None = None,
) -> bool:
    """Write an answer; False when this session question was already answered (a retry or double tap).

    In the same transaction: `retries`, missed questions of the session to ask once more at its
    end (given with the answer that ends its first pass), are appended; the intents the answer
    owes its chat are written; and `message_id`, the message the answer was tapped on, is kept as
    the question's own when none was recorded (it was sent, and its sender stopped before noting it).
    """
    if not retries and owed is None and message_id is None:
        return await _insert_review(db, review)
    async with db.transaction():
        if not await _insert_review(db, review):
            return False
        if message_id is not None:
            await db.execute(
                "UPDATE session_items SET message_id = COALESCE(message_id, ?) "
                "WHERE session_id = ? AND position = ?",
                (message_id, review.session_id, review.position),
            )
        if owed is not None:
            await owed.write(db)
        if not retries:
            return True
        assert review.session_id is not None
        row = await db.fetchone("SELECT size FROM quiz_sessions WHERE id = ?", (review.session_id,))
        assert row is not None
        size = int(row[0])
        await db.executemany(
            "INSERT INTO session_items (session_id, position, question_id, options, right_index, "
            "retry) VALUES (?, ?, ?, ?, ?, 1)",
            [
                (
                    review.session_id,
                    size + offset,
                    item.question_id,
                    json.dumps(item.options, ensure_ascii=False),
                    item.right_index,
                )
                for offset, item in enumerate(retries)
            ],
        )
        await db.execute(
            "UPDATE quiz_sessions SET size = size + ?, finished_at = NULL WHERE id = ?",
            (len(retries), review.session_id),
        )
    return True


async def _insert_review(db: Database, review: ReviewWrite) -> bool:
    s = review.state
    # The conflict is the session question already answered; anything else still raises.
    inserted = await db.execute(
        """INSERT INTO reviews (user_id, question_id, deck_id, card_id, session_id, position,
               rating, correct, outcome, given, reviewed_at, duration_ms, local_day, first_review,
               state, step, stability, difficulty, due, reps, lapses,
               streak_current, streak_best, streak_freezes, prior)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
            state_json(review.prior) if review.keep_prior else None,
        ),
    )
    return inserted == 1


@dataclass(frozen=True, slots=True)
class MemoryRow:
    """A question of a card and the user's schedule of it, as stored (None fields: never answered)."""

    question_id: int
    card_id: int
    kind: str
    has_options: bool
    state: int | None
    stability: float | None
    due: int | None
    last_review: int | None
    first_review: int | None


_HAS_OPTIONS = "CASE WHEN q.distractors <> '[]' THEN 1 ELSE 0 END"


async def due_card_questions(
    db: Database, user_id: int, deck_id: int, now: int, cards: int
) -> list[MemoryRow]:
    """Every live question, with the user's schedules, of the `cards` most overdue cards.

    A card is due when any of the user's questions of it is (one range scan of
    `review_states_due`); all its questions come back, so siblings and stages can be weighed.
    """
    if cards <= 0:
        return []
    rows = await db.fetchall(
        f"""SELECT q.id, q.card_id, q.kind, {_HAS_OPTIONS}, r.state, r.stability, r.due,
                   r.last_review, r.first_review
              FROM (SELECT card_id, MIN(due) AS first_due FROM review_states
                     WHERE user_id = ? AND deck_id = ? AND due <= ?
                     GROUP BY card_id ORDER BY first_due, card_id LIMIT ?) AS due_cards
              JOIN questions q ON q.card_id = due_cards.card_id AND q.retired = 0
              LEFT JOIN review_states r ON r.user_id = ? AND r.question_id = q.id
             ORDER BY due_cards.first_due, q.card_id, q.id""",
        (user_id, deck_id, now, cards, user_id),
    )
    return [MemoryRow(r[0], r[1], r[2], bool(r[3]), *r[4:9]) for r in rows]


async def cards_met_since(db: Database, user_id: int, deck_id: int, since: int) -> int:
    """How many of the deck's cards the user met for the first time at or after `since`."""
    row = await db.fetchone(
        """SELECT COUNT(*) FROM (SELECT card_id FROM review_states
                                   WHERE user_id = ? AND deck_id = ?
                                   GROUP BY card_id HAVING MIN(first_review) >= ?) AS met""",
        (user_id, deck_id, since),
    )
    return int(row[0]) if row else 0


async def unmet_questions(db: Database, user_id: int, deck_id: int, cards: int) -> list[MemoryRow]:
    """The questions of the first `cards` cards of the deck the user has never met, in deck order."""
    if cards <= 0:
        return []
    rows = await db.fetchall(
        f"""SELECT q.id, q.card_id, q.kind, {_HAS_OPTIONS}
              FROM (SELECT c.id, c.position FROM cards c
                     WHERE c.deck_id = ? AND c.retired = 0
                       AND NOT EXISTS (SELECT 1 FROM review_states r
                                        WHERE r.user_id = ? AND r.card_id = c.id)
                     ORDER BY c.position LIMIT ?) AS unmet
              JOIN questions q ON q.card_id = unmet.id AND q.retired = 0
             ORDER BY unmet.position, q.id""",
        (deck_id, user_id, cards),
    )
    return [MemoryRow(r[0], r[1], r[2], bool(r[3]), None, None, None, None, None) for r in rows]


@dataclass(frozen=True, slots=True)
class QuestionDetail:
    """What building a session needs of a question: its answer, options and card."""

    kind: str
    answer: str
    distractors: list[str]
    front: str
    back: str


async def question_details(db: Database, question_ids: Sequence[int]) -> dict[int, QuestionDetail]:
    """Kind, answer, wrong options and card of each question, by id."""
    if not question_ids:
        return {}
    marks = ",".join("?" * len(question_ids))
    rows = await db.fetchall(
        f"""SELECT q.id, q.kind, q.answer, q.distractors, c.front, c.back
              FROM questions q JOIN cards c ON c.id = q.card_id WHERE q.id IN ({marks})""",
        tuple(question_ids),
    )
    return {r[0]: QuestionDetail(r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows}


async def missed_items(
    db: Database, session_id: int
) -> list[tuple[int, int, list[str], int | None]]:
    """(position, question id, options, right index) of the first pass's missed questions.

    Missed means a wrong option or typed answer, or a recall graded Again; an answer the learner
    overrode as right is not.
    """
    rows = await db.fetchall(
        """SELECT position, question_id, options, right_index FROM session_items
            WHERE session_id = ? AND retry = 0 AND outcome IN ('wrong', 'close', 'again')
            ORDER BY position""",
        (session_id,),
    )
    return [(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """The review that answered a session question: when it comes back, and whether it may be
    overridden."""

    review_id: int
    reviewed_at: int
    due: int
    prior: StoredState | None  # the schedule before the answer (None: the question was new)
    kept_prior: bool  # the answer was written with its prior schedule (typed answers)
    overridden: bool
    latest: bool  # no later answer of the same question built on it


def _answer(row: Row, at: int) -> AnswerRow | None:
    """The answer's columns of `_ANSWER_COLUMNS`, from `at` on; None if the item has no review."""
    if row[at] is None:
        return None
    new_question = bool(row[at + 5])
    return AnswerRow(
        review_id=row[at],
        reviewed_at=row[at + 1],
        due=row[at + 2],
        prior=state_from_json(row[at + 3]),
        kept_prior=row[at + 3] is not None or new_question,
        overridden=row[at + 4] is not None,
        latest=bool(row[at + 6]),
    )


async def override_answer(
    db: Database, review_id: int, state: StoredState, now: int, owed: Owed | None = None
) -> bool:
    """Count a typed answer as right (Good) with the schedule `state`; False if done already.

    In one transaction: the review is marked overridden and rescheduled, the question's schedule
    follows it (while no later answer replaced it), the session item shows the override and the
    session counts one more right answer.
    """
    async with db.transaction():
        changed = await db.execute(
            """UPDATE reviews SET rating = 3, correct = 1, overridden_at = ?, state = ?, step = ?,
                      stability = ?, difficulty = ?, due = ?, reps = ?, lapses = ?
                WHERE id = ? AND overridden_at IS NULL""",
            (
                now,
                state.state,
                state.step,
                state.stability,
                state.difficulty,
                state.due,
                state.reps,
                state.lapses,
                review_id,
            ),
        )
        if changed != 1:
            return False
        row = await db.fetchone(
            "SELECT user_id, question_id, reviewed_at, session_id, position FROM reviews "
            "WHERE id = ?",
            (review_id,),
        )
        assert row is not None
        user_id, question_id, reviewed_at, session_id, position = row
        await db.execute(
            """UPDATE review_states SET state = ?, step = ?, stability = ?, difficulty = ?,
                      due = ?, reps = ?, lapses = ?
                WHERE user_id = ? AND question_id = ? AND last_review = ?""",
            (
                state.state,
                state.step,
                state.stability,
                state.difficulty,
                state.due,
                state.reps,
                state.lapses,
                user_id,
                question_id,
                reviewed_at,
            ),
        )
        await db.execute(
            "UPDATE session_items SET outcome = 'overridden' WHERE session_id = ? AND position = ?",
            (session_id, position),
        )
        await db.execute(
            "UPDATE quiz_sessions SET correct = correct + 1 WHERE id = ?", (session_id,)
        )
        if owed is not None:
            await owed.write(db)
    return True


async def next_due_at(db: Database, user_id: int, deck_id: int) -> int | None:
    """When the user's next question in the deck falls due (unix seconds), if any was ever reviewed."""
    row = await db.fetchone(
        "SELECT MIN(due) FROM review_states WHERE user_id = ? AND deck_id = ?", (user_id, deck_id)
    )
    return row[0] if row and row[0] is not None else None
