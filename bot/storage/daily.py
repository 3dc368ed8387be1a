"""The daily group question in the database: each group's time and zone, one question per group
and local day (UNIQUE (chat_id, day): a restart never posts a day twice), claims to post and close
it, and the answers it received."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.storage.db import Database, Row
from bot.storage.media import split_digests
from bot.storage.quiz import ReviewWrite, insert_review

# A process that claimed a question and died before recording the post or the close leaves the
# claim; after this long another process takes it over (at-least-once, as the outbox).
CLAIM_SECONDS = 60


@dataclass(frozen=True, slots=True)
class DailySettings:
    """A group's daily question settings (time None: off)."""

    chat_id: int
    timezone: str | None
    daily_time: str | None
    next_at: int | None
    minutes: int
    thread_id: int | None


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A question the deck can ask as a quiz: its options are drawn from its distractors."""

    question_id: int
    prompt: str
    answer: str
    distractors: list[str]
    card_id: int


@dataclass(frozen=True, slots=True)
class DailyRow:
    """One day's question of one group, as stored."""

    id: int
    chat_id: int
    day: str
    thread_id: int | None
    question_id: int | None
    prompt: str
    options: list[str]
    right_index: int
    explanation: str
    kind: str
    poll_id: str | None
    message_id: int | None
    posted_at: int | None
    close_at: int
    closed_at: int | None
    weekly: str | None

    @classmethod
    def from_row(cls, r: Row) -> DailyRow:
        """Build from a row selected with DAILY_COLUMNS."""
        return cls(
            int(r[0]),
            int(r[1]),
            str(r[2]),
            r[3],
            r[4],
            str(r[5]),
            list(json.loads(r[6])),
            int(r[7]),
            str(r[8]),
            str(r[9]),
            r[10],
            r[11],
            r[12],
            int(r[13]),
            r[14],
            r[15],
        )


DAILY_COLUMNS = """id, chat_id, day, thread_id, question_id, prompt, options, right_index,
    explanation, kind, poll_id, message_id, posted_at, close_at, closed_at, weekly"""


async def daily_settings(db: Database, chat_id: int) -> DailySettings | None:
    """The group's daily question settings, if it has any row."""
    row = await db.fetchone(
        """SELECT chat_id, timezone, daily_time, daily_next_at, daily_minutes, thread_id
             FROM group_settings WHERE chat_id = ?""",
        (chat_id,),
    )
    return DailySettings(*row) if row is not None else None


async def set_daily(
    db: Database,
    chat_id: int,
    daily_time: str | None,
    zone: str,
    next_at: int | None,
    minutes: int,
    thread_id: int | None,
) -> None:
    """Turn the group's daily question on at `daily_time` (None: off), in `zone`."""
    await db.execute(
        """INSERT INTO group_settings (chat_id, timezone, daily_time, daily_next_at,
                                       daily_minutes, thread_id)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (chat_id) DO UPDATE SET timezone = excluded.timezone,
               daily_time = excluded.daily_time, daily_next_at = excluded.daily_next_at,
               daily_minutes = excluded.daily_minutes, thread_id = excluded.thread_id""",
        (chat_id, zone, daily_time, next_at, minutes, thread_id),
    )


async def user_timezone(db: Database, user_id: int) -> str | None:
    """A known person's time zone (the one they set for their reminders), or None."""
    row = await db.fetchone("SELECT timezone FROM users WHERE id = ?", (user_id,))
    return str(row[0]) if row is not None else None


async def last_day(db: Database, chat_id: int) -> str | None:
    """The newest local day that has the group's question, if any."""
    row = await db.fetchone("SELECT MAX(day) FROM daily_questions WHERE chat_id = ?", (chat_id,))
    return str(row[0]) if row is not None and row[0] is not None else None


async def due_groups(db: Database, now: int, limit: int = 100) -> list[int]:
    """Groups whose next daily question is due."""
    rows = await db.fetchall(
        """SELECT chat_id FROM group_settings
            WHERE daily_next_at IS NOT NULL AND daily_next_at <= ?
            ORDER BY daily_next_at LIMIT ?""",
        (now, limit),
    )
    return [int(r[0]) for r in rows]


async def askable(db: Database, deck_id: int) -> list[AskedQuestion]:
    """The deck's live questions with options to draw, in deck order: a written prompt, or none
    when the card's stored picture or sound is the question ("What is this?")."""
    rows = await db.fetchall(
        """SELECT q.id, q.prompt, q.answer, q.distractors, q.card_id
             FROM questions q JOIN cards c ON c.id = q.card_id
            WHERE q.deck_id = ? AND q.retired = 0 AND c.retired = 0
              AND (q.prompt <> ''
                   OR EXISTS (SELECT 1 FROM media m WHERE m.digest = c.front_media))
              AND q.kind IN ('choice', 'identify', 'cloze') AND q.distractors <> '[]'
            ORDER BY c.position, q.id""",
        (deck_id,),
    )
    return [AskedQuestion(r[0], r[1], r[2], json.loads(r[3]), int(r[4])) for r in rows]


async def asked_before(
    db: Database, chat_id: int, limit: int = 400
) -> list[tuple[str, int | None, str]]:
    """The questions the group was asked, newest first: (local day, card, printed prompt)."""
    rows = await db.fetchall(
        """SELECT d.day, q.card_id, d.prompt FROM daily_questions d
             LEFT JOIN questions q ON q.id = d.question_id
            WHERE d.chat_id = ? ORDER BY d.day DESC LIMIT ?""",
        (chat_id, limit),
    )
    return [(str(r[0]), r[1], str(r[2])) for r in rows]


@dataclass(frozen=True, slots=True)
class NewDaily:
    """A day's question to store, as drawn."""

    day: str
    thread_id: int | None
    question_id: int | None
    prompt: str
    options: list[str]
    right_index: int
    explanation: str
    kind: str
    close_at: int
    weekly: str | None


async def store_day(
    db: Database, chat_id: int, due_at: int, next_at: int | None, new: NewDaily | None, now: int
) -> int | None:
    """Store the day's question (once per local day) and move the group's next posting time on,
    in one transaction; None when another process did it first or the day has its question."""
    async with db.transaction():
        moved = await db.execute(
            """UPDATE group_settings SET daily_next_at = ?
                WHERE chat_id = ? AND daily_next_at = ?""",
            (next_at, chat_id, due_at),
        )
        if moved != 1 or new is None:
            return None
        row = await db.fetchone(
            """INSERT INTO daily_questions (chat_id, day, thread_id, question_id, prompt, options,
                   right_index, explanation, kind, close_at, weekly, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (chat_id, day) DO NOTHING RETURNING id""",
            (
                chat_id,
                new.day,
                new.thread_id,
                new.question_id,
                new.prompt,
                json.dumps(new.options, ensure_ascii=False),
                new.right_index,
                new.explanation,
                new.kind,
                new.close_at,
                new.weekly,
                now,
            ),
        )
    return int(row[0]) if row is not None else None


async def claim(db: Database, daily_id: int, stage: str, now: int) -> DailyRow | None:
    """Claim a question to post (`stage` "post") or close ("close"): the row, or None when it is
    not owed that or another process holds a fresh claim."""
    owed = (
        "posted_at IS NULL"
        if stage == "post"
        else "posted_at IS NOT NULL AND closed_at IS NULL AND close_at <= ?"
    )
    params = (now, daily_id, *((now,) if stage == "close" else ()), now - CLAIM_SECONDS)
    row = await db.fetchone(
        f"""UPDATE daily_questions SET claimed_at = ?
             WHERE id = ? AND {owed}
               AND (claimed_at IS NULL OR claimed_at <= ?)
         RETURNING {DAILY_COLUMNS}""",
        params,
    )
    return DailyRow.from_row(row) if row is not None else None


async def owed(db: Database, now: int, limit: int = 50) -> list[tuple[int, str]]:
    """Questions owed a post or a close now: (id, stage), oldest first."""
    rows = await db.fetchall(
        """SELECT id, CASE WHEN posted_at IS NULL THEN 'post' ELSE 'close' END
             FROM daily_questions
            WHERE closed_at IS NULL AND (posted_at IS NULL OR close_at <= ?)
            ORDER BY id LIMIT ?""",
        (now, limit),
    )
    return [(int(r[0]), str(r[1])) for r in rows]


async def posted(
    db: Database, daily_id: int, kind: str, message_id: int, poll_id: str | None, now: int
) -> None:
    """Record the question's message (and poll) once Telegram has it."""
    await db.execute(
        """UPDATE daily_questions SET kind = ?, message_id = ?, poll_id = ?, posted_at = ?,
                  claimed_at = NULL WHERE id = ?""",
        (kind, message_id, poll_id, now, daily_id),
    )


async def closed(db: Database, daily_id: int, now: int) -> None:
    """Record that the question was closed and its answer told."""
    await db.execute(
        "UPDATE daily_questions SET closed_at = ?, claimed_at = NULL WHERE id = ?",
        (now, daily_id),
    )


async def weekly_sent(db: Database, daily_id: int) -> None:
    """The weekly table that goes with a question was posted: not again on a retry."""
    await db.execute("UPDATE daily_questions SET weekly = NULL WHERE id = ?", (daily_id,))


async def release(db: Database, daily_id: int) -> None:
    """Give a claim back after a failure (the next sweep tries again)."""
    await db.execute("UPDATE daily_questions SET claimed_at = NULL WHERE id = ?", (daily_id,))


async def by_poll(db: Database, poll_id: str) -> DailyRow | None:
    """The question a poll asks."""
    row = await db.fetchone(
        f"SELECT {DAILY_COLUMNS} FROM daily_questions WHERE poll_id = ?", (poll_id,)
    )
    return DailyRow.from_row(row) if row is not None else None


async def by_id(db: Database, daily_id: int) -> DailyRow | None:
    """One stored question."""
    row = await db.fetchone(
        f"SELECT {DAILY_COLUMNS} FROM daily_questions WHERE id = ?", (daily_id,)
    )
    return DailyRow.from_row(row) if row is not None else None


async def record_answer(
    db: Database,
    daily_id: int,
    user_id: int,
    name: str,
    option: int,
    correct: bool,
    at_ms: int,
    review: ReviewWrite | None,
) -> bool:
    """Keep a member's first answer (and the review it makes), once; False for a second one."""
    async with db.transaction():
        added = await db.execute(
            """INSERT INTO daily_answers (daily_id, user_id, name, option, correct, answered_at)
               SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (
                   SELECT 1 FROM daily_questions WHERE id = ? AND closed_at IS NULL)
               ON CONFLICT (daily_id, user_id) DO NOTHING""",
            (daily_id, user_id, name[:128], option, int(correct), at_ms, daily_id),
        )
        if added == 1 and review is not None:
            await insert_review(db, review)
    return added == 1


async def answers(db: Database, daily_id: int) -> list[tuple[int, str, bool, int]]:
    """A question's answers: (user, name, correct, answered_at ms)."""
    rows = await db.fetchall(
        "SELECT user_id, name, correct, answered_at FROM daily_answers WHERE daily_id = ?",
        (daily_id,),
    )
    return [(int(r[0]), str(r[1]), bool(r[2]), int(r[3])) for r in rows]


async def week_answers(
    db: Database, chat_id: int, first_day: str, last_day: str
) -> list[tuple[int, int, str, bool, int]]:
    """The answers to a group's questions of local days first_day..last_day:
    (question id, user, name, correct, answered_at ms)."""
    rows = await db.fetchall(
        """SELECT a.daily_id, a.user_id, a.name, a.correct, a.answered_at
             FROM daily_answers a JOIN daily_questions d ON d.id = a.daily_id
            WHERE d.chat_id = ? AND d.day >= ? AND d.day <= ?""",
        (chat_id, first_day, last_day),
    )
    return [(int(r[0]), int(r[1]), str(r[2]), bool(r[3]), int(r[4])) for r in rows]


@dataclass(frozen=True, slots=True)
class FrontMedia:
    """The picture or sound on a question's card front, and the front's other pictures."""

    digest: str
    more: tuple[str, ...]


async def front_media(db: Database, question_id: int) -> FrontMedia | None:
    """What the question's card shows on its front (a drawn formula included), if anything."""
    row = await db.fetchone(
        """SELECT c.front_media, c.front_more FROM questions q JOIN cards c ON c.id = q.card_id
            WHERE q.id = ?""",
        (question_id,),
    )
    if row is None or row[0] is None:
        return None
    return FrontMedia(str(row[0]), split_digests(row[1]))


async def question_card(db: Database, question_id: int) -> tuple[int, int, int | None] | None:
    """A question's card, deck and the deck's owner (None: bundled)."""
    row = await db.fetchone(
        """SELECT q.card_id, q.deck_id, d.owner_id FROM questions q
             JOIN decks d ON d.id = q.deck_id WHERE q.id = ?""",
        (question_id,),
    )
    return (int(row[0]), int(row[1]), row[2]) if row is not None else None
