"""Writes that happen at once: on PostgreSQL each runs on its own pooled connection under READ
COMMITTED, so what SQLite's BEGIN IMMEDIATE serialised must hold by the statements themselves."""

from __future__ import annotations

import asyncio

from bot.cards.model import Card, Deck
from bot.services.container import load_bundled_decks
from bot.storage import battles as battle_store
from bot.storage import imports as import_store
from bot.storage import quiz as quiz_store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.users import upsert_user

T = 1_772_442_000  # 2026-03-02 09:00 UTC
ALICE, BOB = 1001, 1002
OLD_GROUP, NEW_GROUP = -4001, -1004001
AT_ONCE = 4
DECK = Deck("Mine", (Card("hola", "hello"), Card("adios", "goodbye")))


async def test_the_same_deck_saved_at_once_is_stored_once(db: Database) -> None:
    await upsert_user(db, ALICE, "Alice", T)
    own = await asyncio.gather(*(sync_deck(db, DECK, "mine", ALICE, T) for _ in range(AT_ONCE)))
    bundled = await asyncio.gather(
        *(sync_deck(db, DECK, "shared", None, T) for _ in range(AT_ONCE))
    )
    assert len(set(own)) == 1 and len(set(bundled)) == 1
    decks = await db.fetchall("SELECT id FROM decks ORDER BY id")
    assert [r[0] for r in decks] == sorted({own[0], bundled[0]})
    cards = await db.fetchone(
        "SELECT COUNT(*) FROM cards WHERE deck_id = ? AND retired = 0", (own[0],)
    )
    assert cards is not None and cards[0] == len(DECK.cards)


async def test_quizzes_started_at_once_leave_one_session_open(db: Database) -> None:
    deck_id = next(iter((await load_bundled_decks(db, T)).values()))
    await upsert_user(db, ALICE, "Alice", T)
    questions = await db.fetchall(
        "SELECT id FROM questions WHERE deck_id = ? ORDER BY id LIMIT 3", (deck_id,)
    )
    items = [quiz_store.NewItem(int(q[0]), [], None) for q in questions]
    started = await asyncio.gather(
        *(quiz_store.create_session(db, ALICE, ALICE, deck_id, T, items) for _ in range(AT_ONCE))
    )
    open_rows = await db.fetchall(
        "SELECT id FROM quiz_sessions WHERE user_id = ? AND finished_at IS NULL", (ALICE,)
    )
    assert len(open_rows) == 1 and open_rows[0][0] in started


async def test_previews_stored_at_once_keep_only_the_newest_few(db: Database) -> None:
    await upsert_user(db, ALICE, "Alice", T)
    kept = await asyncio.gather(
        *(
            import_store.add_pending(db, ALICE, T + n, "deck.csv", "deck", 1, 0, "{}")
            for n in range(import_store.KEEP_PER_USER + AT_ONCE)
        )
    )
    rows = await db.fetchall("SELECT id FROM pending_imports WHERE user_id = ?", (ALICE,))
    assert len(rows) == import_store.KEEP_PER_USER
    assert {r[0] for r in rows} <= set(kept)


async def test_a_group_moved_twice_at_once_keeps_its_points_once(db: Database) -> None:
    await db.executemany(
        """INSERT INTO group_leaderboard (chat_id, user_id, name, points, battles, wins,
                                          right_answers, answered)
           VALUES (?, ?, ?, ?, 1, ?, ?, ?)""",
        [(OLD_GROUP, ALICE, "Alice", 900, 1, 3, 3), (OLD_GROUP, BOB, "Bob", 400, 0, 1, 3)],
    )
    # Both migration service messages, and a ChatMigrated error, may report the same move.
    moved = await asyncio.gather(
        *(battle_store.migrate_chat(db, OLD_GROUP, NEW_GROUP) for _ in range(AT_ONCE))
    )
    assert moved.count(True) == 1
    board = await battle_store.leaderboard(db, NEW_GROUP)
    assert [(r.user_id, r.points, r.battles, r.wins) for r in board] == [
        (ALICE, 900, 1, 1),
        (BOB, 400, 1, 0),
    ]
    assert await battle_store.leaderboard(db, OLD_GROUP) == []
