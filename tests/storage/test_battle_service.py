"""The battle service over a real SQLite file: card choice, reviews, idempotent writes, migration."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.core.battle import BattleConfig, BattleState
from bot.services.battles import (
    AlreadyRunning,
    BattleRefusal,
    BattleService,
    Lobby,
    Outcome,
    Refused,
)
from bot.services.container import load_bundled_decks
from bot.storage import battles as store
from bot.storage.db import Database
from bot.storage.quiz import ReviewWrite, StoredState, insert_review
from bot.storage.users import upsert_user
from bot.views.battle import refusal_text, toast_text

GROUP = -100123
ALICE, BOB = 1001, 1002


@pytest.fixture
async def battles(db: Database, clock: ManualClock) -> BattleService:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return BattleService(
        db, clock, default_deck_id=ids["khrushchev-reforms"], fuzz=False, rng=random.Random(3)
    )


async def no() -> bool:
    return False


async def started(battles: BattleService, rounds: int = 3) -> int:
    """A battle of Alice (host) and Bob with its first round open; returns its id."""
    lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(rounds, 20))
    assert isinstance(lobby, Lobby)
    await battles.join(GROUP, lobby.battle.id, BOB, "Bob")
    outcome = await battles.start(GROUP, lobby.battle.id, ALICE, "Alice")
    assert isinstance(outcome, Outcome) and outcome.state.round_no == 1
    return lobby.battle.id


def review_of(
    user_id: int, question_id: int, deck_id: int, card_id: int, now: int, lapses: int
) -> ReviewWrite:
    """A stored wrong answer leaving the question due in an hour with `lapses` lapses."""
    return ReviewWrite(
        user_id=user_id,
        question_id=question_id,
        deck_id=deck_id,
        card_id=card_id,
        session_id=None,
        position=None,
        rating=1,
        correct=False,
        outcome="wrong",
        given=None,
        reviewed_at=now - 86400,
        duration_ms=None,
        local_day="2026-03-01",
        first_review=False,
        state=StoredState(2, None, 0.5, 8.0, now + 3600, now - 86400, 6, lapses),
        streak_current=1,
        streak_best=1,
        streak_freezes=0,
    )


async def right_option(db: Database, battle_id: int, round_no: int) -> int:
    rows = await store.round_rows(db, battle_id)
    return rows[round_no].right_index


async def test_a_second_battle_in_the_group_points_to_the_first(battles: BattleService) -> None:
    first = await battles.create(GROUP, 7, ALICE, "Alice", BattleConfig())
    assert isinstance(first, Lobby) and first.battle.thread_id == 7
    await battles.lobby_shown(first.battle.id, 55)
    second = await battles.create(GROUP, None, BOB, "Bob", BattleConfig())
    assert isinstance(second, AlreadyRunning)
    assert (second.battle.id, second.message_id) == (first.battle.id, 55)
    elsewhere = await battles.create(GROUP - 1, None, BOB, "Bob", BattleConfig())
    assert isinstance(elsewhere, Lobby) and elsewhere.battle.id != first.battle.id


async def test_the_battle_asks_first_the_card_a_player_keeps_forgetting(
    db: Database, clock: ManualClock, battles: BattleService
) -> None:
    pool = await store.candidates(db, battles.default_deck_id)
    hard = pool[-1]  # the deck's last card: never first by deck order
    await upsert_user(db, BOB, "Bob", 0)
    now = int(clock.now().timestamp())
    row = await db.fetchone("SELECT card_id FROM questions WHERE id = ?", (hard.question_id,))
    assert row is not None
    await insert_review(
        db, review_of(BOB, hard.question_id, battles.default_deck_id, row[0], now, lapses=4)
    )
    for seed in range(5):
        battles.rng = random.Random(seed)
        battle_id = await started(battles)
        rounds = await store.round_rows(db, battle_id)
        assert row[0] in {r.card_id for r in rounds.values()}
        assert isinstance(await battles.stop(GROUP, ALICE, no), Outcome)


async def test_answers_are_reviews_and_points_reach_the_table_once(
    db: Database, clock: ManualClock, battles: BattleService
) -> None:
    battle_id = await started(battles)
    for round_no in (1, 2, 3):
        right = await right_option(db, battle_id, round_no)
        clock.advance(timedelta(seconds=2))
        first = await battles.answer(GROUP, battle_id, ALICE, "Alice", round_no, right)
        assert isinstance(first, Outcome) and first.toast is not None
        assert toast_text(first.toast).startswith("Locked in")
        again = await battles.answer(GROUP, battle_id, ALICE, "Alice", round_no, right)
        assert isinstance(again, Outcome) and again.toast == first.toast  # the same tap again
        other = await battles.answer(GROUP, battle_id, ALICE, "Alice", round_no, 1 - right % 2)
        assert isinstance(other, Outcome) and other.toast is not None
        assert toast_text(other.toast) == "You already answered"
        await battles.answer(GROUP, battle_id, BOB, "Bob", round_no, (right + 1) % 2)
        clock.advance(timedelta(seconds=10))
        await battles.tick(battle_id)
    done = await store.load_battle(db, battle_id)
    assert done is not None and done.finished
    late = await battles.answer(GROUP, battle_id, BOB, "Bob", 3, 0)
    assert isinstance(late, Refused) and refusal_text(late.reason) == "This battle is over"
    lines = await store.leaderboard(db, GROUP)
    assert [(x.name, x.points, x.battles, x.wins, x.right, x.answered) for x in lines] == [
        ("Alice", 950 + 1050 + 1150, 1, 1, 3, 3),
        ("Bob", 0, 1, 0, 0, 3),
    ]
    reviews = await db.fetchall(
        "SELECT user_id, rating, correct, duration_ms FROM reviews ORDER BY id"
    )
    assert [tuple(r) for r in reviews] == [(ALICE, 3, 1, 2000), (BOB, 1, 0, 2000)] * 3
    states = await db.fetchone("SELECT COUNT(*) FROM review_states WHERE user_id = ?", (ALICE,))
    assert states is not None and states[0] == 3
    streak = await db.fetchone("SELECT streak_current FROM users WHERE id = ?", (ALICE,))
    assert streak is not None and streak[0] == 1


async def test_a_stale_write_is_refused_and_counts_nothing(
    db: Database, clock: ManualClock, battles: BattleService
) -> None:
    battle_id = await started(battles)
    stale = await store.load_battle(db, battle_id)
    assert stale is not None
    right = await right_option(db, battle_id, 1)
    clock.advance(timedelta(seconds=1))
    await battles.answer(GROUP, battle_id, ALICE, "Alice", 1, right)
    # A writer that read the battle before Alice's answer cannot overwrite it.
    state = BattleState.from_dict(stale.state)
    assert not await store.save_transition(db, stale, state.to_dict(), None, 1)
    fresh = await store.load_battle(db, battle_id)
    assert fresh is not None and not fresh.finished and fresh.version == stale.version + 1
    assert BattleState.from_dict(fresh.state).played[0].answers[0].user_id == ALICE
    # The same answer's review, offered again, is not written twice.
    rows = await db.fetchall("SELECT * FROM reviews")
    assert len(rows) == 1
    write = review_of(ALICE, rows[0][2], rows[0][3], rows[0][4], 0, lapses=0)
    assert await store.save_transition(db, fresh, fresh.state, None, None, reviews=[(1, write)])
    count = await db.fetchone("SELECT COUNT(*) FROM reviews")
    assert count is not None and count[0] == 1


async def test_stop_needs_the_host_or_an_admin_and_ends_once(battles: BattleService) -> None:
    await started(battles)
    asked: list[int] = []

    async def not_admin() -> bool:
        asked.append(BOB)
        return False

    async def admin() -> bool:
        return True

    refused = await battles.stop(GROUP, BOB, not_admin)
    assert (
        isinstance(refused, Refused)
        and refused.reason is BattleRefusal.NOT_ALLOWED
        and asked == [BOB]
    )
    stopped = await battles.stop(GROUP, BOB, admin)
    assert isinstance(stopped, Outcome) and stopped.state.is_over
    again = await battles.stop(GROUP, ALICE, no)
    assert isinstance(again, Refused) and again.reason is BattleRefusal.NO_BATTLE
    # The anonymous-admin account is never the host, whoever opened the battle.
    lobby = await battles.create(GROUP, None, 1087968824, "Group", BattleConfig())
    assert isinstance(lobby, Lobby)
    assert isinstance(await battles.stop(GROUP, 1087968824, no), Refused)


async def test_migration_moves_the_battle_and_merges_the_table(
    db: Database, clock: ManualClock, battles: BattleService
) -> None:
    new_group = GROUP - 1_000_000
    await db.execute(
        "INSERT INTO group_leaderboard (chat_id, user_id, name, points, battles, wins, "
        "right_answers, answered) VALUES (?, ?, 'Alice', 100, 1, 1, 1, 1)",
        (new_group, ALICE),
    )
    battle_id = await started(battles)
    assert await battles.migrate(GROUP, new_group)
    assert not await battles.migrate(GROUP, new_group)
    right = await right_option(db, battle_id, 1)
    moved = await battles.answer(new_group, battle_id, ALICE, "Alice", 1, right)
    assert isinstance(moved, Outcome) and moved.battle.chat_id == new_group
    assert isinstance(await battles.answer(GROUP, battle_id, BOB, "Bob", 1, right), Refused)
    clock.advance(timedelta(seconds=30))
    await battles.tick(battle_id)
    await battles.stop(new_group, ALICE, no)
    await db.execute(
        "INSERT INTO group_leaderboard (chat_id, user_id, name, points) VALUES (?, ?, 'Bob', 5)",
        (GROUP, BOB),
    )
    await battles.migrate(GROUP, new_group)
    lines = await store.leaderboard(db, new_group)
    assert [(x.name, x.points, x.battles, x.wins) for x in lines] == [
        ("Alice", 1100, 2, 2),
        ("Bob", 5, 1, 0),
    ]
    assert await store.leaderboard(db, GROUP) == []
