"""/stats in a group over a real SQLite file: the all-time table and the last five battles."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.core.battle import BattleConfig
from bot.services.battles import BattleService, Lobby, Outcome
from bot.services.container import load_bundled_decks
from bot.services.stats import StatsService
from bot.storage import battles as store
from bot.storage.db import Database
from bot.views.stats import group_stats_text
from tests.storage.plans import full_scans_or_sorts, indexes_used, postgres_plan, sqlite_plan

GROUP, OTHER_GROUP = -100123, -100456
ALICE, BOB, CAROL = 1001, 1002, 1003


@pytest.fixture
async def services(db: Database, clock: ManualClock) -> tuple[BattleService, StatsService]:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    deck = ids["khrushchev-reforms"]
    battles = BattleService(db, clock, default_deck_id=deck, fuzz=False, rng=random.Random(1))
    return battles, StatsService(db, clock, default_deck_id=deck)


async def no() -> bool:
    return False


async def play(
    battles: BattleService, clock: ManualClock, winner: int, group: int = GROUP, rounds: int = 3
) -> int:
    """A battle of Alice (host), Bob and Carol where only `winner` answers right, 2 s in."""
    lobby = await battles.create(group, None, ALICE, "Alice", BattleConfig(rounds, 20))
    assert isinstance(lobby, Lobby)
    battle_id = lobby.battle.id
    await battles.join(group, battle_id, BOB, "Bob")
    await battles.join(group, battle_id, CAROL, "Carol")
    assert isinstance(await battles.start(group, battle_id, ALICE, "Alice"), Outcome)
    names = {ALICE: "Alice", BOB: "Bob", CAROL: "Carol"}
    for round_no in range(1, rounds + 1):
        right = (await store.round_rows(battles.db, battle_id))[round_no].right_index
        clock.advance(timedelta(seconds=2))
        for user_id, name in names.items():
            option = right if user_id == winner else (right + 1) % 2
            await battles.answer(group, battle_id, user_id, name, round_no, option)
        clock.advance(timedelta(seconds=10))
        await battles.tick(battle_id)
    done = await store.load_battle(battles.db, battle_id)
    assert done is not None and done.finished
    return battle_id


async def test_a_group_without_battles_gets_the_nudge(
    services: tuple[BattleService, StatsService],
) -> None:
    _battles, stats = services
    board = await stats.group_board(GROUP)
    assert board.leaders == () and board.recent == ()
    assert "No battles yet" in group_stats_text(board)


async def test_the_board_lists_the_table_and_the_last_five_battles_newest_first(
    services: tuple[BattleService, StatsService], clock: ManualClock
) -> None:
    battles, stats = services
    winners = [ALICE, BOB, CAROL, ALICE, BOB, CAROL]
    for winner in winners:
        await play(battles, clock, winner)
        clock.advance(timedelta(days=1))
    await play(battles, clock, BOB, group=OTHER_GROUP)
    board = await stats.group_board(GROUP)
    # Instant-ish right answers: 950, then +100 and +200 of answer streak.
    assert [(r.name, r.points, r.battles, r.wins) for r in board.leaders] == [
        ("Alice", 6300, 6, 2),
        ("Bob", 6300, 6, 2),
        ("Carol", 6300, 6, 2),
    ]
    assert [(b.winner, b.winner_points, b.rounds) for b in board.recent] == [
        ("Carol", 3150, 3),
        ("Bob", 3150, 3),
        ("Alice", 3150, 3),
        ("Carol", 3150, 3),
        ("Bob", 3150, 3),
    ]
    newest = board.recent[0]
    assert newest.players == ("Carol", "Alice", "Bob")
    assert newest.ended_at == datetime(
        2026, 3, 7, 9, 3, 26, tzinfo=UTC
    )  # 5 days and 5 battles of 36 s on
    assert not newest.stopped
    text = group_stats_text(board)
    assert "1. Alice — <b>6300</b> pts · 2 wins in 6 battles · 33% right" in text
    assert "• 2026-03-07 · 3 rounds · Carol, Alice, Bob — 🥇 Carol (3150 pts)" in text
    assert "2026-03-02" not in text  # the sixth battle back is not listed


async def test_a_stopped_battle_is_marked_and_a_lobby_that_never_started_is_left_out(
    services: tuple[BattleService, StatsService], clock: ManualClock
) -> None:
    battles, stats = services
    await play(battles, clock, ALICE)
    # A lobby that closed without enough players is not a battle anyone played.
    await battles.create(GROUP, None, BOB, "Bob", BattleConfig(3, 20))
    clock.advance(timedelta(minutes=2))
    for battle_id in await battles.due():
        await battles.tick(battle_id)
    assert await store.running_battle(battles.db, GROUP) is None
    # A battle stopped after one revealed round counts that round.
    lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(5, 20))
    assert isinstance(lobby, Lobby)
    await battles.join(GROUP, lobby.battle.id, BOB, "Bob")
    await battles.start(GROUP, lobby.battle.id, ALICE, "Alice")
    right = (await store.round_rows(battles.db, lobby.battle.id))[1].right_index
    clock.advance(timedelta(seconds=5))
    await battles.answer(GROUP, lobby.battle.id, BOB, "Bob", 1, right)
    await battles.answer(GROUP, lobby.battle.id, ALICE, "Alice", 1, (right + 1) % 2)
    assert isinstance(await battles.stop(GROUP, ALICE, no), Outcome)
    board = await stats.group_board(GROUP)
    assert [(b.winner, b.rounds, b.stopped, b.players) for b in board.recent] == [
        ("Bob", 1, True, ("Bob", "Alice")),
        ("Alice", 3, False, ("Alice", "Bob", "Carol")),
    ]
    assert "1 round (stopped) · Bob, Alice — 🥇 Bob (875 pts)" in group_stats_text(board)


LAST_BATTLES_SQL = """SELECT b.id, b.ended_at, b.state FROM battles b
            WHERE b.chat_id = ? AND b.finished = 1
              AND EXISTS (SELECT 1 FROM battle_rounds r WHERE r.battle_id = b.id)
            ORDER BY b.ended_at DESC, b.id DESC LIMIT ?"""


async def test_the_last_battles_come_from_an_index_not_a_table_scan(db: Database) -> None:
    if db.dialect == "sqlite":
        details = " | ".join(await sqlite_plan(db, LAST_BATTLES_SQL, (GROUP, 5)))
        assert "USING INDEX battles_finished_chat" in details
        assert "TEMP B-TREE" not in details
    else:
        nodes = await postgres_plan(db, LAST_BATTLES_SQL, (GROUP, 5))
        assert "battles_finished_chat" in indexes_used(nodes), nodes
        assert full_scans_or_sorts(nodes) == [], nodes
