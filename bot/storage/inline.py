"""Inline quizzes: the questions an inline query may offer, and each posted question's tally.

A question posted through inline mode lives in chats the bot may never see; Telegram names it by
its `inline_message_id`. Its row is made by the first tap on it, with that tap's answer, and each
person answers it once. Counts are read from the answers, so concurrent taps never lose one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.storage.db import Database, Row

# Kinds asked with answer buttons, best first: a card offers the first it has.
OPTION_KINDS = ("choice", "identify", "cloze")
# Questions read for one inline query at most: a person's decks plus the bundled ones.
MAX_CANDIDATES = 20_000


@dataclass(frozen=True, slots=True)
class InlineQuestion:
    """A question with answer buttons, as an inline result shows it."""

    question_id: int
    key: str
    kind: str
    prompt: str
    answer: str
    distractors: tuple[str, ...]
    front: str
    back: str
    deck_title: str
    front_media: str | None = None


@dataclass(frozen=True, slots=True)
class Tally:
    """How a posted question's answers stand."""

    inline_message_id: str
    question_id: int
    language: str
    right: int
    wrong: int
    first_right_name: str | None


@dataclass(frozen=True, slots=True)
class Answered:
    """A tap's answer as stored: `new` when this tap recorded it, else the earlier one stands."""

    new: bool
    choice: int
    correct: bool
    question_id: int  # the question the message shows (from its first tap)


_SELECT = """SELECT q.id, q.key, q.kind, q.prompt, q.answer, q.distractors, c.front, c.back,
                    d.title, c.front_media"""


def _question(row: Row) -> InlineQuestion:
    return InlineQuestion(
        question_id=int(row[0]),
        key=str(row[1]),
        kind=str(row[2]),
        prompt=str(row[3]),
        answer=str(row[4]),
        distractors=tuple(str(d) for d in json.loads(row[5])),
        front=str(row[6]),
        back=str(row[7]),
        deck_title=str(row[8]),
        front_media=row[9],
    )


@dataclass(frozen=True, slots=True)
class Offered:
    """A card an inline query may offer: its question with options, its sides, when it is due."""

    question_id: int
    front: str
    back: str
    due: int | None  # when the searcher is due to see it again, if they ever saw it


async def offered_cards(db: Database, user_id: int) -> list[Offered]:
    """One question with options per card of the user's own decks then the bundled ones, in deck
    order (only what matching needs: the page's questions are read afterwards)."""
    rows = await db.fetchall(
        """SELECT q.id, q.card_id, q.kind, c.front, c.back, rs.due
             FROM questions q
             JOIN cards c ON c.id = q.card_id
             JOIN decks d ON d.id = q.deck_id
             LEFT JOIN review_states rs ON rs.user_id = ? AND rs.question_id = q.id
            WHERE (d.owner_id IS NULL OR d.owner_id = ?) AND q.retired = 0 AND c.retired = 0
              AND q.prompt != '' AND q.distractors != '[]'
              AND q.kind IN ('choice', 'identify', 'cloze')
            ORDER BY d.owner_id IS NULL, lower(d.title), d.id, c.position, q.id
            LIMIT ?""",
        (user_id, user_id, MAX_CANDIDATES),
    )
    best: dict[int, tuple[int, Offered]] = {}
    for row in rows:
        rank = OPTION_KINDS.index(str(row[2]))
        card = int(row[1])
        if card not in best or rank < best[card][0]:
            due = None if row[5] is None else int(row[5])
            best[card] = (rank, Offered(int(row[0]), str(row[3]), str(row[4]), due))
    return [offered for _, offered in best.values()]  # dicts keep the cards' first-seen order


async def questions(db: Database, question_ids: list[int]) -> list[InlineQuestion]:
    """The questions with these ids that have three wrong options or more, in the order asked."""
    if not question_ids:
        return []
    marks = ", ".join("?" * len(question_ids))
    rows = await db.fetchall(
        _SELECT
        + f""" FROM questions q JOIN cards c ON c.id = q.card_id JOIN decks d ON d.id = q.deck_id
              WHERE q.id IN ({marks})""",
        question_ids,
    )
    found = {q.question_id: q for q in map(_question, rows) if len(q.distractors) >= 3}
    return [found[i] for i in question_ids if i in found]


async def question(db: Database, question_id: int) -> InlineQuestion | None:
    """A question (retired or not: a posted message keeps working) by id."""
    row = await db.fetchone(
        _SELECT
        + """ FROM questions q JOIN cards c ON c.id = q.card_id JOIN decks d ON d.id = q.deck_id
             WHERE q.id = ?""",
        (question_id,),
    )
    return _question(row) if row is not None else None


async def record_answer(
    db: Database,
    inline_message_id: str,
    question_id: int,
    language: str,
    user_id: int,
    first_name: str,
    choice: int,
    correct: bool,
    now: int,
) -> Answered:
    """Store a person's answer to a posted question (the message's row made by its first tap);
    an earlier answer of theirs stands. The message is marked as owing an edit."""
    async with db.transaction():
        await db.execute(
            """INSERT INTO inline_quizzes (inline_message_id, question_id, language, created_at)
               VALUES (?, ?, ?, ?) ON CONFLICT (inline_message_id) DO NOTHING""",
            (inline_message_id, question_id, language, now),
        )
        shown = await db.fetchone(
            "SELECT question_id FROM inline_quizzes WHERE inline_message_id = ?",
            (inline_message_id,),
        )
        assert shown is not None
        if int(shown[0]) != question_id:
            # Buttons of another question on this message: not from Telegram's copy of it.
            return Answered(False, choice, correct, int(shown[0]))
        inserted = await db.fetchone(
            """INSERT INTO inline_answers (inline_message_id, user_id, choice, correct, answered_at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (inline_message_id, user_id) DO NOTHING
               RETURNING choice""",
            (inline_message_id, user_id, choice, int(correct), now),
        )
        if inserted is None:
            earlier = await db.fetchone(
                """SELECT choice, correct FROM inline_answers
                    WHERE inline_message_id = ? AND user_id = ?""",
                (inline_message_id, user_id),
            )
            assert earlier is not None
            return Answered(False, int(earlier[0]), bool(earlier[1]), question_id)
        if correct:
            # Both sides read the row as it was: the first right answer names its answerer.
            await db.execute(
                """UPDATE inline_quizzes SET pending = 1,
                          first_right_name = CASE WHEN first_right_id IS NULL THEN ?
                                                  ELSE first_right_name END,
                          first_right_id = COALESCE(first_right_id, ?)
                    WHERE inline_message_id = ?""",
                (first_name, user_id, inline_message_id),
            )
        else:
            await db.execute(
                "UPDATE inline_quizzes SET pending = 1 WHERE inline_message_id = ?",
                (inline_message_id,),
            )
    return Answered(True, choice, correct, question_id)


async def claim_edit(db: Database, inline_message_id: str, now: int, gap: int) -> Tally | None:
    """Take the edit a posted question owes, if its last edit is at least `gap` seconds old: its
    tally as it stands after the claim (None when not owed or too soon; a later sweep edits it)."""
    claimed = await db.execute(
        """UPDATE inline_quizzes SET pending = 0, edited_at = ?
            WHERE inline_message_id = ? AND pending = 1
              AND (edited_at IS NULL OR edited_at <= ?)""",
        (now, inline_message_id, now - gap),
    )
    if claimed != 1:
        return None
    return await tally(db, inline_message_id)


async def owe_edit(db: Database, inline_message_id: str) -> None:
    """Mark a posted question's edit as owed again (an edit Telegram did not take)."""
    await db.execute(
        "UPDATE inline_quizzes SET pending = 1 WHERE inline_message_id = ?", (inline_message_id,)
    )


async def owed_edits(db: Database, now: int, gap: int, limit: int = 100) -> list[str]:
    """Posted questions whose message shows fewer answers than are stored, edited long enough ago
    to be edited again."""
    rows = await db.fetchall(
        """SELECT inline_message_id FROM inline_quizzes
            WHERE pending = 1 AND (edited_at IS NULL OR edited_at <= ?)
            ORDER BY edited_at LIMIT ?""",
        (now - gap, limit),
    )
    return [str(r[0]) for r in rows]


async def tally(db: Database, inline_message_id: str) -> Tally | None:
    """A posted question's counts and first right answerer."""
    row = await db.fetchone(
        """SELECT q.question_id, q.first_right_name, q.language,
                  (SELECT COUNT(*) FROM inline_answers a
                    WHERE a.inline_message_id = q.inline_message_id AND a.correct = 1),
                  (SELECT COUNT(*) FROM inline_answers a
                    WHERE a.inline_message_id = q.inline_message_id AND a.correct = 0)
             FROM inline_quizzes q WHERE q.inline_message_id = ?""",
        (inline_message_id,),
    )
    if row is None:
        return None
    return Tally(inline_message_id, int(row[0]), str(row[2]), int(row[3]), int(row[4]), row[1])
