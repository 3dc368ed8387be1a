"""Decks, cards and questions in the database, kept in step with their source files."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from bot.cards.model import Card, Deck
from bot.cards.questions import QUESTIONS_VERSION, card_key, make_questions
from bot.storage.db import Database


@dataclass(frozen=True, slots=True)
class DeckInfo:
    """A deck as listed to a user."""

    id: int
    slug: str
    title: str
    owner_id: int | None
    cards: int


async def sync_deck(db: Database, deck: Deck, slug: str, owner_id: int | None, now: int) -> int:
    """Store `deck` under `slug`, updating cards and questions by their stable keys; returns its id.

    Cards and questions the deck no longer has are retired, never deleted, so that review history and
    schedules survive an edit; one that comes back is revived with its schedule.
    """
    # Making questions is pure CPU (about 3 s for 5,000 cards): keep it off the event loop.
    questions = await asyncio.to_thread(make_questions, deck)
    async with db.transaction():
        # One upsert rather than a look-up then an INSERT: on PostgreSQL (READ COMMITTED) two
        # processes starting at once, or two taps on Save, would both find no deck and the second
        # INSERT would fail on the unique slug. The upsert waits for the other one instead, and
        # the deck row it locks makes the rest of a second sync of the same deck wait its turn
        # (on SQLite, BEGIN IMMEDIATE already lets one writer in at a time).
        if owner_id is None:
            row = await db.fetchone(
                """INSERT INTO decks (owner_id, slug, title, created_at) VALUES (NULL, ?, ?, ?)
                   ON CONFLICT (slug) WHERE owner_id IS NULL DO UPDATE SET title = excluded.title
                   RETURNING id""",
                (slug, deck.title, now),
            )
        else:
            row = await db.fetchone(
                """INSERT INTO decks (owner_id, slug, title, created_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (owner_id, slug) WHERE owner_id IS NOT NULL
                   DO UPDATE SET title = excluded.title
                   RETURNING id""",
                (owner_id, slug, deck.title, now),
            )
        assert row is not None
        deck_id = int(row[0])
        await db.execute("UPDATE cards SET retired = 1 WHERE deck_id = ?", (deck_id,))
        await db.executemany(
            """INSERT INTO cards (deck_id, key, position, front, back, retired)
               VALUES (?, ?, ?, ?, ?, 0)
               ON CONFLICT (deck_id, key) DO UPDATE SET
                   position = excluded.position, front = excluded.front,
                   back = excluded.back, retired = 0""",
            [(deck_id, card_key(c), i, c.front, c.back) for i, c in enumerate(deck.cards)],
        )
        card_ids = {
            key: cid
            for cid, key in await db.fetchall(
                "SELECT id, key FROM cards WHERE deck_id = ?", (deck_id,)
            )
        }
        await db.execute("UPDATE questions SET retired = 1 WHERE deck_id = ?", (deck_id,))
        await db.executemany(
            """INSERT INTO questions (deck_id, card_id, key, kind, prompt, answer, distractors,
                                      accepted, retired)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
               ON CONFLICT (deck_id, key) DO UPDATE SET
                   card_id = excluded.card_id, kind = excluded.kind, prompt = excluded.prompt,
                   answer = excluded.answer, distractors = excluded.distractors,
                   accepted = excluded.accepted, retired = 0""",
            [
                (
                    deck_id,
                    card_ids[q.card_key],
                    q.key,
                    str(q.kind),
                    q.prompt,
                    q.answer,
                    json.dumps(list(q.distractors), ensure_ascii=False),
                    json.dumps(list(q.accepted), ensure_ascii=False),
                )
                for q in questions
            ],
        )
        await db.execute(
            "UPDATE decks SET questions_version = ? WHERE id = ?", (QUESTIONS_VERSION, deck_id)
        )
    return deck_id


async def ensure_current_questions(db: Database, deck_id: int, now: int) -> None:
    """Make a deck's questions again when an older version of the question maker made them.

    Questions are matched by key, so every schedule carries on; what changes is how they are asked.
    """
    row = await db.fetchone(
        "SELECT owner_id, slug, title, questions_version FROM decks WHERE id = ?", (deck_id,)
    )
    if row is None or row[3] >= QUESTIONS_VERSION:
        return
    cards = await db.fetchall(
        "SELECT front, back FROM cards WHERE deck_id = ? AND retired = 0 ORDER BY position",
        (deck_id,),
    )
    if not cards:
        return
    deck = Deck(row[2], tuple(Card(front, back) for front, back in cards))
    await sync_deck(db, deck, row[1], row[0], now)


async def bundled_decks(db: Database) -> list[DeckInfo]:
    """The decks that ship with the bot, by title."""
    rows = await db.fetchall(
        """SELECT d.id, d.slug, d.title, d.owner_id,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0)
             FROM decks d WHERE d.owner_id IS NULL ORDER BY d.title"""
    )
    return [DeckInfo(r[0], r[1], r[2], r[3], r[4]) for r in rows]
