"""Decks, cards and questions in the database, kept in step with their source files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.cards.formats.apkg_media import MediaFile
from bot.cards.model import Card, Deck
from bot.cards.questions import QUESTIONS_VERSION, Question, card_key, make_questions
from bot.storage.db import Database
from bot.storage.media import join_digests, split_digests, store_media


@dataclass(frozen=True, slots=True)
class DeckInfo:
    """A deck as listed to a user."""

    id: int
    slug: str
    title: str
    owner_id: int | None
    cards: int
    both_ways: bool = False  # the owner asks every card both ways


async def sync_deck(
    db: Database,
    deck: Deck,
    slug: str,
    owner_id: int | None,
    now: int,
    media: Iterable[MediaFile] = (),
    followers: bool = True,
    made: dict[bool, list[Question]] | None = None,
) -> int:
    """Store `deck` under `slug`, updating cards and questions by their stable keys; returns its id.

    Cards and questions the deck no longer has are retired, never deleted, so that review history and
    schedules survive an edit; one that comes back is revived with its schedule. With `followers`,
    the decks added from this one's share link that follow it get the same cards (sharing.py).
    `made` holds the questions already made from `deck` this save, by whether it is asked both ways.
    """
    reverse_all = await _both_ways(db, slug, owner_id)
    made = {} if made is None else made
    questions = made.get(reverse_all)
    if questions is None:
        # Making questions is pure CPU (about 3 s for 5,000 cards): keep it off the event loop.
        asked = both_ways(deck) if reverse_all else deck
        questions = made[reverse_all] = await asyncio.to_thread(make_questions, asked)
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
        # The media first, in the same transaction: a card never names a file that is not stored.
        await store_media(db, media, now)
        await db.execute("UPDATE cards SET retired = 1 WHERE deck_id = ?", (deck_id,))
        await db.executemany(
            """INSERT INTO cards (deck_id, key, position, front, back, reverse, front_html,
                                  back_html, front_media, front_more, back_media, retired)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
               ON CONFLICT (deck_id, key) DO UPDATE SET
                   position = excluded.position, front = excluded.front,
                   back = excluded.back, reverse = excluded.reverse,
                   front_html = excluded.front_html, back_html = excluded.back_html,
                   front_media = excluded.front_media, front_more = excluded.front_more,
                   back_media = excluded.back_media, retired = 0""",
            [
                (
                    deck_id,
                    card_key(c),
                    i,
                    c.front,
                    c.back,
                    int(c.reverse),
                    c.front_html,
                    c.back_html,
                    c.front_media,
                    join_digests(c.front_more),
                    join_digests(c.back_media),
                )
                for i, c in enumerate(deck.cards)
            ],
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
    if followers and owner_id is not None:
        await _pass_to_followers(db, deck_id, deck, now, made)
    return deck_id


async def _pass_to_followers(
    db: Database, deck_id: int, deck: Deck, now: int, made: dict[bool, list[Question]]
) -> None:
    """Give the decks that follow this one (added from its share link) its new cards, through the
    same sync: each follower's questions keep their keys, so their schedules carry on. The
    questions are made once per save (they depend on the cards only), not once per follower.

    Each follower is synced in its own transaction after the owner's: should the process stop in
    between, a follower catches up at the owner's next edit. Followers have `shared:` slugs no
    import makes, so an edit only ever flows from an imported deck outwards, never in a circle.
    """
    rows = await db.fetchall(
        """SELECT d.id, d.slug, d.owner_id FROM deck_sources s JOIN decks d ON d.id = s.deck_id
            WHERE s.source_deck_id = ? AND s.follows = 1 ORDER BY d.id""",
        (deck_id,),
    )
    for _follower, slug, follower_owner in rows:
        await sync_deck(db, deck, str(slug), int(follower_owner), now, made=made)


def both_ways(deck: Deck) -> Deck:
    """The deck with every card asked both ways."""
    return replace(deck, cards=tuple(replace(card, reverse=True) for card in deck.cards))


async def _both_ways(db: Database, slug: str, owner_id: int | None) -> bool:
    """Whether the owner of the deck stored under `slug` asks its cards both ways."""
    if owner_id is None:
        return False  # only an owner asks a deck both ways
    row = await db.fetchone(
        "SELECT both_ways FROM decks WHERE slug = ? AND owner_id = ?", (slug, owner_id)
    )
    return bool(row and row[0])


async def ensure_current_questions(db: Database, deck_id: int, now: int) -> None:
    """Make a deck's questions again when an older version of the question maker made them.

    Questions are matched by key, so every schedule carries on; what changes is how they are asked.
    """
    row = await db.fetchone("SELECT questions_version FROM decks WHERE id = ?", (deck_id,))
    if row is not None and row[0] < QUESTIONS_VERSION:
        await remake_questions(db, deck_id, now)


async def remake_questions(db: Database, deck_id: int, now: int) -> None:
    """Make a deck's questions again from its stored cards (schedules carry on by key)."""
    row = await db.fetchone("SELECT owner_id, slug, title FROM decks WHERE id = ?", (deck_id,))
    if row is None:
        return
    cards = await db.fetchall(
        """SELECT front, back, reverse, front_html, back_html, front_media, front_more,
                  back_media FROM cards
            WHERE deck_id = ? AND retired = 0 ORDER BY position""",
        (deck_id,),
    )
    if not cards:
        return
    deck = Deck(
        row[2],
        tuple(
            Card(
                row[0],
                row[1],
                bool(row[2]),
                row[3],
                row[4],
                row[5],
                split_digests(row[6]),
                split_digests(row[7]),
            )
            for row in cards
        ),
    )
    # The cards are the same: followers' questions are made again on their own use if need be.
    await sync_deck(db, deck, row[1], row[0], now, followers=False)


async def set_both_ways(db: Database, owner_id: int, deck_id: int, on: bool, now: int) -> bool:
    """Ask every card of one of the owner's decks both ways, or only those meant so by their
    package; its questions are made again (a reverse question dropped is retired with its
    schedule, and revived with it). False when the deck is not the owner's."""
    # The questions are marked out of date with the flag: if the process stops before they are
    # made again, the deck's next use makes them (ensure_current_questions).
    updated = await db.execute(
        """UPDATE decks SET both_ways = ?, questions_version = 0
            WHERE id = ? AND owner_id = ?""",
        (int(on), deck_id, owner_id),
    )
    if not updated:
        return False
    await remake_questions(db, deck_id, now)
    return True


async def bundled_decks(db: Database) -> list[DeckInfo]:
    """The decks that ship with the bot, by title."""
    rows = await db.fetchall(
        """SELECT d.id, d.slug, d.title, d.owner_id,
                  (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0)
             FROM decks d WHERE d.owner_id IS NULL ORDER BY d.title"""
    )
    return [DeckInfo(r[0], r[1], r[2], r[3], r[4]) for r in rows]
