"""Import previews (open until Save, Cancel or a day passes) and schedules replayed from history.

A preview that is no longer open keeps its row for a while, its payload (the deck, up to megabytes)
replaced by a small JSON note of what became of it: `{"closed":"saved","deck_id":7}`, `cancelled`
or `expired`. That is what lets a tap on an old preview's buttons show what is true now. The
note lives in the payload column so that the table needs no new column; every query that tells
open from closed previews does it here, by the payload's prefix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.storage.db import Database
from bot.storage.quiz import StoredState

# A user may have a few previews open at once (two files sent in a row); older ones are dropped.
KEEP_PER_USER = 3
# Notes of closed previews kept per user (besides being forgotten after a while by the sweep).
KEEP_CLOSED_PER_USER = 20
Outcome = Literal["saved", "cancelled", "expired"]
_CLOSED_PREFIX = '{"closed":'
_OPEN = "payload NOT LIKE '" + _CLOSED_PREFIX + "%'"
_CLOSED = "payload LIKE '" + _CLOSED_PREFIX + "%'"


@dataclass(frozen=True, slots=True)
class PendingImport:
    """A stored preview: whose it is, when it was made, and the parsed deck as JSON."""

    id: int
    user_id: int
    created_at: int
    filename: str | None
    title: str
    cards: int
    reviews: int
    payload: str


@dataclass(frozen=True, slots=True)
class ClosedImport:
    """A preview that was saved (as deck `deck_id`), cancelled or left to expire."""

    id: int
    user_id: int
    created_at: int
    title: str
    outcome: Outcome
    deck_id: int | None


def _closed_note(outcome: Outcome, deck_id: int | None = None) -> str:
    return json.dumps({"closed": outcome, "deck_id": deck_id}, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class ReplayedState:
    """A schedule to store for the self-graded question with key `question_key` (a card's recall
    question, or its reverse one: one per Anki card)."""

    question_key: str
    state: StoredState
    reviews: int


async def add_pending(
    db: Database,
    user_id: int,
    now: int,
    filename: str | None,
    title: str,
    cards: int,
    reviews: int,
    payload: str,
) -> int:
    """Store a preview and drop the user's older ones beyond the few kept; returns its id."""
    async with db.transaction():
        if db.dialect == "postgres":
            # Under READ COMMITTED two previews stored at once would each trim without seeing the
            # other's row and keep one too many; the user's row, locked first, makes them take
            # turns as BEGIN IMMEDIATE does on SQLite (NO KEY UPDATE leaves foreign key checks free).
            await db.execute("SELECT 1 FROM users WHERE id = ? FOR NO KEY UPDATE", (user_id,))
        created = await db.fetchone(
            """INSERT INTO pending_imports (user_id, created_at, filename, title, cards, reviews,
                                            payload)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (user_id, now, filename, title, cards, reviews, payload),
        )
        assert created is not None
        import_id = int(created[0])
        for state, keep in ((_OPEN, KEEP_PER_USER), (_CLOSED, KEEP_CLOSED_PER_USER)):
            await db.execute(
                f"""DELETE FROM pending_imports WHERE user_id = ? AND {state} AND id NOT IN (
                        SELECT id FROM pending_imports WHERE user_id = ? AND {state}
                         ORDER BY created_at DESC, id DESC LIMIT ?)""",
                (user_id, user_id, keep),
            )
    return import_id


async def get_import(db: Database, import_id: int) -> PendingImport | ClosedImport | None:
    """A stored preview, open or closed; None when it was replaced or forgotten (or never was)."""
    row = await db.fetchone(
        """SELECT id, user_id, created_at, filename, title, cards, reviews, payload
             FROM pending_imports WHERE id = ?""",
        (import_id,),
    )
    if row is None:
        return None
    pending = PendingImport(*row)
    if not pending.payload.startswith(_CLOSED_PREFIX):
        return pending
    note = json.loads(pending.payload)
    deck_id = note.get("deck_id")
    return ClosedImport(
        pending.id,
        pending.user_id,
        pending.created_at,
        pending.title,
        note["closed"],
        int(deck_id) if deck_id is not None else None,
    )


async def get_pending(db: Database, import_id: int) -> PendingImport | None:
    """An open preview, or None when it was saved, cancelled, replaced or expired."""
    found = await get_import(db, import_id)
    return found if isinstance(found, PendingImport) else None


async def close_pending(db: Database, user_id: int, import_id: int, outcome: Outcome) -> bool:
    """Close an open preview of the user's as cancelled or expired; False if none was open."""
    return (
        await db.execute(
            f"UPDATE pending_imports SET payload = ? WHERE id = ? AND user_id = ? AND {_OPEN}",
            (_closed_note(outcome), import_id, user_id),
        )
        == 1
    )


async def expire_pending(db: Database, before: int, forget_before: int) -> int:
    """Close the open previews made before `before` as expired, and forget every preview made
    before `forget_before`; returns how many expired."""
    async with db.transaction():
        expired = await db.execute(
            f"UPDATE pending_imports SET payload = ? WHERE created_at < ? AND {_OPEN}",
            (_closed_note("expired"), before),
        )
        await db.execute("DELETE FROM pending_imports WHERE created_at < ?", (forget_before,))
    return expired


async def owned_deck_size(db: Database, user_id: int, deck_id: int) -> tuple[str, int] | None:
    """The title and card count of a deck the user owns; None if it is not there (any more)."""
    row = await db.fetchone(
        """SELECT d.title,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0)
             FROM decks d WHERE d.id = ? AND d.owner_id = ?""",
        (deck_id, user_id),
    )
    return (str(row[0]), int(row[1])) if row is not None else None


async def owned_deck_id(db: Database, user_id: int, slug: str) -> int | None:
    """The id of the user's deck stored under `slug`, if any."""
    row = await db.fetchone("SELECT id FROM decks WHERE owner_id = ? AND slug = ?", (user_id, slug))
    return int(row[0]) if row is not None else None


async def count_owned(db: Database, user_id: int) -> int:
    """How many decks the user owns."""
    row = await db.fetchone("SELECT COUNT(*) FROM decks WHERE owner_id = ?", (user_id,))
    return int(row[0]) if row is not None else 0


async def finish_import(db: Database, user_id: int, import_id: int, deck_id: int, now: int) -> None:
    """After a save: the preview is closed as saved, the deck is active, an open quiz session is
    closed (so that the next /quiz asks from the new deck at once)."""
    async with db.transaction():
        await db.execute(
            "UPDATE pending_imports SET payload = ? WHERE id = ? AND user_id = ?",
            (_closed_note("saved", deck_id), import_id, user_id),
        )
        await db.execute("UPDATE users SET active_deck_id = ? WHERE id = ?", (deck_id, user_id))
        await db.execute(
            "UPDATE quiz_sessions SET finished_at = ? WHERE user_id = ? AND finished_at IS NULL",
            (now, user_id),
        )


async def write_replayed(
    db: Database, user_id: int, deck_id: int, states: Sequence[ReplayedState]
) -> tuple[int, int]:
    """Store replayed schedules on the deck's recall and reverse questions, in one transaction.

    A schedule already stored with a later (or the same) last review is kept: re-importing the
    same package, or one older than what the user has studied here since, changes nothing.
    Returns (questions whose schedule was written, reviews those schedules were built from).
    """
    # The read below picks what to write; the upsert checks the stored last review again itself,
    # because on PostgreSQL (READ COMMITTED) an answer may be written between the two, and a
    # schedule from the package must never overwrite that newer one. (SQLite's BEGIN IMMEDIATE
    # keeps other writers out; there the second check never fails.)
    async with db.transaction():
        rows = await db.fetchall(
            """SELECT q.key, q.id, q.card_id, rs.last_review
                 FROM questions q
                 LEFT JOIN review_states rs ON rs.question_id = q.id AND rs.user_id = ?
                WHERE q.deck_id = ? AND q.kind IN ('recall', 'reverse') AND q.retired = 0""",
            (user_id, deck_id),
        )
        questions = {str(r[0]): (int(r[1]), int(r[2]), r[3]) for r in rows}
        params = []
        reviews = 0
        for replayed in states:
            found = questions.get(replayed.question_key)
            s = replayed.state
            if found is None or (found[2] is not None and found[2] >= (s.last_review or 0)):
                continue
            params.append(
                (user_id, found[0], deck_id, found[1], s.state, s.step, s.stability,
                 s.difficulty, s.due, s.last_review, s.reps, s.lapses)
            )  # fmt: skip
            reviews += replayed.reviews
        await db.executemany(
            """INSERT INTO review_states (user_id, question_id, deck_id, card_id, state, step,
                                          stability, difficulty, due, last_review, reps, lapses)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id, question_id) DO UPDATE SET
                   state = excluded.state, step = excluded.step, stability = excluded.stability,
                   difficulty = excluded.difficulty, due = excluded.due,
                   last_review = excluded.last_review, reps = excluded.reps,
                   lapses = excluded.lapses
               WHERE review_states.last_review IS NULL
                  OR review_states.last_review < excluded.last_review""",
            params,
        )
    return len(params), reviews
