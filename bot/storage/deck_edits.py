"""Editing a deck card by card: reading its cards, and saving a new card list through sync_deck.

Every save goes through `bot.storage.decks.sync_deck`, so cards and questions are upserted by key
and retired, never deleted. A save is one transaction that first checks the cards are still those
the edit was planned on (another edit may have landed in between), so no edit is lost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.cards.model import Card, Deck
from bot.cards.questions import Question
from bot.cards.upload import deck_slug
from bot.storage.db import Database, Row
from bot.storage.decks import sync_deck
from bot.storage.media import split_digests

# Slugs tried for a new deck before giving up: "title", "title-2" ... (a person has at most a few
# dozen decks, so this is never reached in practice).
MAX_SLUG_TRIES = 100


@dataclass(frozen=True, slots=True)
class EditableDeck:
    """A deck as the editor lists it."""

    id: int
    slug: str
    title: str
    owner_id: int | None
    cards: int
    both_ways: bool
    follows: bool  # it takes the edits of the deck it was added from


@dataclass(frozen=True, slots=True)
class StoredCard:
    """A live card of a deck, with its database id and place."""

    id: int
    position: int
    key: str
    card: Card
    picture: bool  # the front shows a stored picture


@dataclass(frozen=True, slots=True)
class Rekey:
    """A card's front changed while keeping its schedule: its key (and its questions') moves."""

    old: str
    new: str


def folded(text: str) -> str:
    """Text as a search compares it: case, accents and spacing do not matter."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


_DECK_COLUMNS = """d.id, d.slug, d.title, d.owner_id,
       (SELECT COUNT(*) FROM cards c WHERE c.deck_id = d.id AND c.retired = 0), d.both_ways,
       EXISTS (SELECT 1 FROM deck_sources s WHERE s.deck_id = d.id AND s.follows = 1)"""


def _deck(row: Row) -> EditableDeck:
    return EditableDeck(
        int(row[0]), str(row[1]), str(row[2]), row[3], int(row[4]), bool(row[5]), bool(row[6])
    )


async def deck_of(db: Database, deck_id: int) -> EditableDeck | None:
    """One deck, whoever owns it (the caller checks who may see it)."""
    row = await db.fetchone(f"SELECT {_DECK_COLUMNS} FROM decks d WHERE d.id = ?", (deck_id,))
    return None if row is None else _deck(row)


async def listed_decks(db: Database, user_id: int, query: str = "") -> list[EditableDeck]:
    """The user's own decks then the bundled ones, each by title; `query` filters by title."""
    rows = await db.fetchall(
        f"""SELECT {_DECK_COLUMNS} FROM decks d WHERE d.owner_id IS NULL OR d.owner_id = ?
             ORDER BY d.owner_id IS NULL, lower(d.title), d.id""",
        (user_id,),
    )
    wanted = folded(query)
    return [_deck(r) for r in rows if wanted in folded(str(r[2]))]


async def active_deck_id(db: Database, user_id: int) -> int | None:
    """The deck the user's quizzes come from, if they chose one."""
    row = await db.fetchone("SELECT active_deck_id FROM users WHERE id = ?", (user_id,))
    return None if row is None or row[0] is None else int(row[0])


async def create_deck(db: Database, owner_id: int, title: str, now: int) -> int:
    """A new empty deck the user owns, under a slug of their own no other deck of theirs has."""
    base = deck_slug(title)
    for attempt in range(1, MAX_SLUG_TRIES + 1):
        slug = base if attempt == 1 else f"{base}-{attempt}"
        # ON CONFLICT DO NOTHING rather than a look-up first: two creates at once get two slugs.
        row = await db.fetchone(
            """INSERT INTO decks (owner_id, slug, title, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (owner_id, slug) WHERE owner_id IS NOT NULL DO NOTHING
               RETURNING id""",
            (owner_id, slug, title, now),
        )
        if row is not None:
            return int(row[0])
    raise RuntimeError(f"no free slug for {base!r}")


_CARD_SELECT = """SELECT c.id, c.position, c.key, c.front, c.back, c.reverse, c.front_html,
       c.back_html, c.front_media, c.front_more, c.back_media,
       (SELECT m.kind FROM media m WHERE m.digest = c.front_media)
  FROM cards c WHERE c.deck_id = ? AND c.retired = 0"""


async def live_cards(db: Database, deck_id: int) -> list[StoredCard]:
    """The deck's cards in order (retired ones left out)."""
    rows = await db.fetchall(f"{_CARD_SELECT} ORDER BY c.position, c.id", (deck_id,))
    return _cards(rows)


async def live_card(db: Database, deck_id: int, card_id: int) -> StoredCard | None:
    """One live card of the deck (None: not in it, or retired)."""
    rows = await db.fetchall(f"{_CARD_SELECT} AND c.id = ?", (deck_id, card_id))
    found = _cards(rows)
    return found[0] if found else None


def _cards(rows: Sequence[Row]) -> list[StoredCard]:
    return [
        StoredCard(
            int(r[0]),
            int(r[1]),
            str(r[2]),
            Card(
                front=str(r[3]),
                back=str(r[4]),
                reverse=bool(r[5]),
                front_html=r[6],
                back_html=r[7],
                front_media=r[8],
                front_more=split_digests(r[9]),
                back_media=split_digests(r[10]),
            ),
            r[11] == "photo",
        )
        for r in rows
    ]


async def has_cards(db: Database, deck_id: int) -> bool:
    """Whether the deck has a card to ask (a deck made in the Mini App starts with none)."""
    row = await db.fetchone(
        "SELECT 1 FROM cards WHERE deck_id = ? AND retired = 0 LIMIT 1", (deck_id,)
    )
    return row is not None


async def card_id_by_key(db: Database, deck_id: int, key: str) -> int | None:
    """The id of the deck's card stored under `key`."""
    row = await db.fetchone("SELECT id FROM cards WHERE deck_id = ? AND key = ?", (deck_id, key))
    return None if row is None else int(row[0])


async def picture_of(db: Database, digest: str) -> tuple[str, bytes] | None:
    """A stored picture's content type and bytes (None when it is not a stored picture)."""
    row = await db.fetchone(
        "SELECT mime, data FROM media WHERE digest = ? AND kind = 'photo'", (digest,)
    )
    return None if row is None else (str(row[0]), bytes(row[1]))


def _same(a: Sequence[StoredCard], b: Sequence[StoredCard]) -> bool:
    """Whether two readings of a deck's cards hold the same cards in the same order."""
    return [(c.id, c.key, c.card) for c in a] == [(c.id, c.key, c.card) for c in b]


async def _move_key(db: Database, card_id: int, old: str, new: str) -> None:
    """Store a card and its questions under a new card key (question keys embed it)."""
    await db.execute("UPDATE cards SET key = ? WHERE id = ?", (new, card_id))
    rows = await db.fetchall("SELECT id, key FROM questions WHERE card_id = ?", (card_id,))
    # "recall:<ck>", "pick:<ck>", "cloze:<ck>:<digest>": the card key is one ':' segment.
    await db.executemany(
        "UPDATE questions SET key = ? WHERE id = ?",
        [
            (":".join(new if part == old else part for part in str(key).split(":")), qid)
            for qid, key in rows
        ],
    )


async def _rekey(db: Database, deck_id: int, rekey: Rekey) -> None:
    """Move a card of one deck, with its questions (so their schedules), to its new front's key."""
    taken = await card_id_by_key(db, deck_id, rekey.new)
    if taken is not None:
        # A retired card once had the new front: it steps aside (kept, under a key no front
        # makes) so the card being edited carries its own schedule to that front.
        await _move_key(db, taken, rekey.new, f"{rekey.new}~{taken}")
    moving = await card_id_by_key(db, deck_id, rekey.old)
    if moving is not None:
        await _move_key(db, moving, rekey.old, rekey.new)


@dataclass(frozen=True, slots=True)
class Saved:
    """A save that went through."""

    stopped_following: bool


async def save_cards(
    db: Database,
    deck: EditableDeck,
    planned_on: Sequence[StoredCard],
    cards: Sequence[Card],
    now: int,
    questions: list[Question],
    rekey: Rekey | None = None,
    title: str | None = None,
) -> Saved | None:
    """Store `cards` (and `title`) as the deck's, in one transaction, if its cards are still
    `planned_on`; None when they changed meanwhile (plan the edit again) or the deck is gone.

    `questions` are those made from `cards`, asked both ways when the deck is. A deck that took
    another's edits stops taking them: the next edit there would undo this one. The owner's
    followers get the edit, a re-keyed card keeping their schedules too.
    """
    async with db.transaction():
        # Lock the deck row first (on PostgreSQL; SQLite lets one writer in at a time anyway), so
        # two edits of the same deck take turns and the second sees the first's cards.
        locked = await db.execute(
            "UPDATE decks SET title = title WHERE id = ? AND owner_id = ?", (deck.id, deck.owner_id)
        )
        if not locked or not _same(await live_cards(db, deck.id), planned_on):
            return None
        stopped = await db.execute(
            "UPDATE deck_sources SET follows = 0 WHERE deck_id = ? AND follows = 1", (deck.id,)
        )
        if rekey is not None:
            await _rekey(db, deck.id, rekey)
            followers = await db.fetchall(
                "SELECT deck_id FROM deck_sources WHERE source_deck_id = ? AND follows = 1",
                (deck.id,),
            )
            for (follower,) in followers:
                await _rekey(db, int(follower), rekey)
        new_deck = Deck(title if title is not None else deck.title, tuple(cards))
        await sync_deck(
            db, new_deck, deck.slug, deck.owner_id, now, made={deck.both_ways: questions}
        )
    return Saved(stopped_following=stopped > 0)
