"""Storage for /stats, /settings, /export and /forget over a real SQLite file."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.services.container import load_bundled_decks
from bot.storage import inbox, userdata
from bot.storage import settings as settings_store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.quiz import ReviewWrite, StoredState, insert_review
from bot.storage.stats import deck_schedules, review_log
from bot.storage.users import upsert_user

ALICE, BOB = 700_000_001, 700_000_002
T = 1_772_442_000  # 2 March 2026, 09:00 UTC


def state(n: int) -> StoredState:
    """A distinct schedule per review number."""
    return StoredState(2, None, 1.5 + n, 5.0 - n / 10, T + 86_400 * (n + 1), T + n, n + 1, 0)


async def write(db: Database, user: int, question: int, deck: int, at: int, n: int) -> None:
    ok = await insert_review(
        db,
        ReviewWrite(
            user_id=user,
            question_id=question,
            deck_id=deck,
            card_id=1,
            session_id=None,
            position=None,
            rating=3,
            correct=True,
            outcome="right",
            given=None,
            reviewed_at=at,
            duration_ms=None,
            local_day="2026-03-02",
            first_review=n == 0,
            state=state(n),
            streak_current=1,
            streak_best=1,
            streak_freezes=0,
        ),
    )
    assert ok


@pytest.fixture
async def deck_id(db: Database, clock: ManualClock) -> int:
    ids = await load_bundled_decks(db, T)
    for user, name in ((ALICE, "Alice"), (BOB, "Bob")):
        await upsert_user(db, user, name, T)
    return next(iter(ids.values()))


async def question_ids(db: Database, deck: int) -> list[int]:
    rows = await db.fetchall("SELECT id FROM questions WHERE deck_id = ? ORDER BY id", (deck,))
    return [r[0] for r in rows]


async def test_review_log_carries_the_schedule_before_each_recent_review(
    db: Database, deck_id: int
) -> None:
    q1, q2 = (await question_ids(db, deck_id))[:2]
    await write(db, ALICE, q1, deck_id, T + 10, 0)
    await write(db, ALICE, q1, deck_id, T + 20, 1)
    await write(db, ALICE, q1, deck_id, T + 30, 2)
    await write(db, ALICE, q2, deck_id, T + 25, 0)
    await write(db, BOB, q1, deck_id, T + 15, 0)
    log = sorted(
        await review_log(db, ALICE, since=T, detailed_since=T + 15), key=lambda e: e.reviewed_at
    )
    assert [(e.reviewed_at, e.question_id) for e in log] == [
        (T + 10, q1),
        (T + 20, q1),
        (T + 25, q2),
        (T + 30, q1),
    ]
    # the older review is not detailed; the others carry what the review before them left,
    # last reviewed when that review happened
    assert [e.before for e in log] == [
        None,
        replace(state(0), last_review=T + 10),
        None,
        replace(state(1), last_review=T + 20),
    ]


async def test_deck_schedules_have_one_entry_per_live_question(db: Database, deck_id: int) -> None:
    questions = await question_ids(db, deck_id)
    await write(db, ALICE, questions[3], deck_id, T, 0)
    schedules = await deck_schedules(db, ALICE, deck_id)
    assert len(schedules) == len(questions)
    assert [s for s in schedules if s is not None] == [replace(state(0), last_review=T)]


async def test_only_settings_columns_can_be_written(db: Database, deck_id: int) -> None:
    with pytest.raises(ValueError, match="not a setting"):
        await settings_store.save_setting(db, ALICE, "streak_best", 99, None)


async def test_a_session_shaping_setting_closes_the_open_session(
    db: Database, deck_id: int
) -> None:
    await db.execute(
        "INSERT INTO quiz_sessions (user_id, chat_id, deck_id, started_at, size) "
        "VALUES (?, ?, ?, ?, 10)",
        (ALICE, ALICE, deck_id, T),
    )
    assert await settings_store.save_setting(db, ALICE, "session_size", 5, T + 60)
    row = await db.fetchone("SELECT finished_at FROM quiz_sessions WHERE user_id = ?", (ALICE,))
    assert row is not None and row[0] == T + 60
    assert not await settings_store.save_setting(db, 123, "session_size", 5, None)


async def test_choosable_decks_are_bundled_and_own_only(db: Database, deck_id: int) -> None:
    mine = await sync_deck(db, Deck("Mine", (Card("a", "b"),)), "mine", ALICE, T)
    await sync_deck(db, Deck("Bob's", (Card("a", "b"),)), "bobs", BOB, T)
    decks = await settings_store.choosable_decks(db, ALICE)
    assert [d.id for d in decks] == [deck_id, mine]


async def test_forget_deletes_by_name_and_foreign_key_and_anonymises_group_rows(
    db: Database, deck_id: int
) -> None:
    q1 = (await question_ids(db, deck_id))[0]
    await write(db, ALICE, q1, deck_id, T, 0)
    await write(db, BOB, q1, deck_id, T, 0)
    await sync_deck(db, Deck("Mine", (Card("a", "b"),)), "mine", ALICE, T)
    # Tables a later feature might add: written so that both backends take them as they are.
    await db.execute(
        "CREATE TABLE future_invites (id BIGINT PRIMARY KEY, invited_by BIGINT REFERENCES users(id))"
    )
    await db.execute(
        "CREATE TABLE future_games (id BIGINT PRIMARY KEY, chat_id BIGINT, host_id BIGINT)"
    )
    await db.executemany(
        "INSERT INTO future_invites (id, invited_by) VALUES (?, ?)", [(1, ALICE), (2, BOB)]
    )
    await db.executemany(
        "INSERT INTO future_games (id, chat_id, host_id) VALUES (?, ?, ?)",
        [(1, -100123, ALICE), (2, ALICE, BOB)],
    )
    columns = await userdata.user_columns(db)
    assert columns["future_invites"] == ["invited_by"]
    assert sorted(columns["future_games"]) == ["chat_id", "host_id"]
    assert "users" not in columns

    removed = await userdata.forget_user(db, ALICE)
    assert removed > 0
    assert await db.fetchone("SELECT 1 FROM users WHERE id = ?", (ALICE,)) is None
    for table, names in columns.items():
        for column in names:
            row = await db.fetchone(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ?', (ALICE,)
            )
            assert row is not None and row[0] == 0, (table, column)
    games = await db.fetchall("SELECT chat_id, host_id FROM future_games ORDER BY id")
    assert [tuple(g) for g in games] == [(-100123, 0)]  # the group's game stays, anonymised
    invites = await db.fetchall("SELECT invited_by FROM future_invites")
    assert [r[0] for r in invites] == [BOB]
    bob = await db.fetchone("SELECT COUNT(*) FROM reviews WHERE user_id = ?", (BOB,))
    assert bob is not None and bob[0] == 1


async def test_export_rows_match_the_stored_schedule_and_log(db: Database, deck_id: int) -> None:
    q1, q2 = (await question_ids(db, deck_id))[:2]
    await write(db, ALICE, q1, deck_id, T, 0)
    await write(db, ALICE, q2, deck_id, T + 5, 0)
    await write(db, ALICE, q1, deck_id, T + 9, 1)
    progress = await userdata.progress_rows(db, ALICE)
    assert [(p.question_id, p.due, p.reviews, p.stability) for p in progress] == [
        (q1, state(1).due, 2, state(1).stability),
        (q2, state(0).due, 1, state(0).stability),
    ]
    log = await userdata.review_rows(db, ALICE)
    assert [(r.reviewed_at, r.question_id, r.correct) for r in log] == [
        (T, q1, 1),
        (T + 5, q2, 1),
        (T + 9, q1, 1),
    ]


async def test_forget_drops_the_raw_updates_of_the_users_private_chat(
    db: Database, deck_id: int
) -> None:
    q1 = (await question_ids(db, deck_id))[0]
    await write(db, ALICE, q1, deck_id, T, 0)
    await write(db, BOB, q1, deck_id, T, 0)
    for update_id, chat in ((1, ALICE), (2, BOB), (3, -100123)):
        await inbox.store(db, update_id, chat, json.dumps({"update_id": update_id}), T * 1000)
    await userdata.forget_user(db, ALICE)
    left = await db.fetchall("SELECT update_id FROM inbox ORDER BY update_id")
    assert [int(r[0]) for r in left] == [2, 3]
