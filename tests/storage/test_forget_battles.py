"""/forget and battles on both backends: the person's seat goes to a nameless stand-in, and a
battle moving at that very moment never writes them back."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core.battle import BattleConfig, BattleState
from bot.services.battles import BattleRefusal, BattleService, Lobby, Outcome, Refused
from bot.services.container import load_bundled_decks
from bot.services.userdata import UserDataService
from bot.storage import battles as store
from bot.storage.db import Database, open_database
from bot.storage.migrations import MIGRATIONS

GROUP = -100123
ALICE, BOB, ZED = 1001, 1002, 1003
DECK = 77


@pytest.fixture
async def battles(db: Database, clock: ManualClock) -> BattleService:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return BattleService(
        db, clock, default_deck_id=ids["khrushchev-reforms"], fuzz=False, rng=random.Random(3)
    )


@pytest.fixture
def userdata(db: Database, clock: ManualClock) -> UserDataService:
    return UserDataService(db, clock)


async def started(battles: BattleService, *players: tuple[int, str]) -> int:
    """A battle hosted by Alice with these players and its first round open; returns its id."""
    lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(3, 20))
    assert isinstance(lobby, Lobby)
    for user_id, name in players:
        await battles.join(GROUP, lobby.battle.id, user_id, name)
    outcome = await battles.start(GROUP, lobby.battle.id, ALICE, "Alice")
    assert isinstance(outcome, Outcome) and outcome.state.round_no == 1
    return lobby.battle.id


async def no() -> bool:
    return False


async def state_of(db: Database, battle_id: int) -> BattleState:
    row = await store.load_battle(db, battle_id)
    assert row is not None
    return BattleState.from_dict(row.state)


async def mentions(db: Database, user_id: int, name: str) -> list[str]:
    """Where the person still shows: battle states, battle rows, table lines, their user row."""
    found = []
    for battle_id, text, host in await db.fetchall("SELECT id, state, host_id FROM battles"):
        state = json.loads(text)
        ids = {p[0] for p in state["players"]} | {state["host_id"], host}
        ids |= {a[0] for played in state["played"] for a in played["answers"]}
        if user_id in ids or name in text:
            found.append(f"battle {battle_id}")
    for table, where in (
        ("group_leaderboard", "user_id = ? OR name = ?"),
        ("battle_players", "user_id = ? OR ? = ''"),
        ("battle_reviews", "user_id = ? OR ? = ''"),
        ("users", "id = ? OR first_name = ?"),
    ):
        row = await db.fetchone(f"SELECT COUNT(*) FROM {table} WHERE {where}", (user_id, name))
        if row is not None and row[0]:
            found.append(table)
    return found


def before_each_save(
    monkeypatch: pytest.MonkeyPatch, first: Callable[[], Awaitable[object]]
) -> list[int]:
    """Run `first` just before the next transition is written (after it read the battle);
    returns the list the save outcomes are appended to."""
    real = store.save_transition
    outcomes: list[int] = []

    async def save(*args: Any, **kwargs: Any) -> bool:
        if not outcomes:
            await first()
        saved = await real(*args, **kwargs)
        outcomes.append(int(saved))
        return saved

    monkeypatch.setattr(store, "save_transition", save)
    return outcomes


async def test_forgetting_hands_the_seat_answers_and_table_line_to_a_nameless_stand_in(
    db: Database, battles: BattleService, userdata: UserDataService
) -> None:
    first = await started(battles, (BOB, "Bob"), (ZED, "Zenobia"))
    right = (await store.round_rows(db, first))[1].right_index
    await battles.answer(GROUP, first, ZED, "Zenobia", 1, right)
    await battles.answer(GROUP, first, BOB, "Bob", 1, right)
    await battles.answer(GROUP, first, ALICE, "Alice", 1, right)  # all in: round 1 revealed
    assert isinstance(await battles.stop(GROUP, ALICE, no), Outcome)
    before = {r.name: r.points for r in await battles.leaderboard(GROUP)}
    running = await started(battles, (ZED, "Zenobia"))  # the next one, Zenobia just joined
    assert await mentions(db, ZED, "Zenobia")

    await userdata.forget(ZED)

    assert await mentions(db, ZED, "Zenobia") == []
    after = {r.name: r.points for r in await battles.leaderboard(GROUP)}
    assert after == {"Alice": before["Alice"], "Bob": before["Bob"], "": before["Zenobia"]}
    for battle_id in (first, running):
        players = (await state_of(db, battle_id)).players
        assert [p.name for p in players][-1] == ""
        assert players[-1].user_id < 0
    stand_ins = {(await state_of(db, b)).players[-1].user_id for b in (first, running)}
    assert len(stand_ins) == 1  # one stand-in per /forget, the same in every battle


async def test_a_transition_read_before_the_forget_is_made_again_without_the_person(
    db: Database,
    battles: BattleService,
    userdata: UserDataService,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    battle = await started(battles, (BOB, "Bob"), (ZED, "Zenobia"))
    right = (await store.round_rows(db, battle))[1].right_index
    await battles.answer(GROUP, battle, ZED, "Zenobia", 1, right)
    await battles.answer(GROUP, battle, BOB, "Bob", 1, right)
    clock.advance(timedelta(seconds=30))
    await battles.tick(battle)  # round 1 revealed at its deadline
    # /stopbattle ends it and writes the table: that transition reads the state with Zenobia in
    # it, then she is forgotten before it is written.
    saves = before_each_save(monkeypatch, lambda: userdata.forget(ZED))
    outcome = await battles.stop(GROUP, ALICE, no)

    assert saves == [0, 1]  # the compare-and-swap failed once, then the retry was written
    assert isinstance(outcome, Outcome) and outcome.state.is_over
    assert [p.name for p in outcome.state.players] == ["Alice", "Bob", ""]
    assert await mentions(db, ZED, "Zenobia") == []
    lines = {r.name: (r.points, r.battles) for r in await battles.leaderboard(GROUP)}
    assert set(lines) == {"Alice", "Bob", ""} and lines[""][0] > 0


async def test_a_join_written_after_the_forget_is_refused_and_leaves_nothing(
    db: Database,
    battles: BattleService,
    userdata: UserDataService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    battle = await started(battles, (BOB, "Bob"))
    saves = before_each_save(monkeypatch, lambda: userdata.forget(ZED))
    right = (await store.round_rows(db, battle))[1].right_index
    # Zenobia's answer would take her in; her /forget is stored between its read and its write.
    refused = await battles.answer(GROUP, battle, ZED, "Zenobia", 1, right)

    assert refused == Refused(BattleRefusal.FORGOTTEN_MEANWHILE) and saves == []
    assert await mentions(db, ZED, "Zenobia") == []
    assert [p.name for p in (await state_of(db, battle)).players] == ["Alice", "Bob"]


async def test_a_battle_taking_the_person_in_while_they_are_forgotten_is_handed_over_too(
    db: Database,
    battles: BattleService,
    userdata: UserDataService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if db.dialect == "sqlite":
        pytest.skip("SQLite runs one writer at a time: no battle write can come inside /forget")
    battle = await started(battles, (BOB, "Bob"))
    right = (await store.round_rows(db, battle))[1].right_index
    await battles.join(GROUP, -1, ZED, "Zenobia")  # she exists; no battle of hers yet
    real = store.lock_states
    answers: list[Outcome | Refused] = []

    async def lock_states(*args: Any) -> list[tuple[int, dict[str, Any]]]:
        # /forget has looked for her battles and found none; her answer, on another connection,
        # takes her into this one and commits before /forget goes on.
        if not answers:
            answers.append(
                await asyncio.create_task(battles.answer(GROUP, battle, ZED, "Zenobia", 1, right))
            )
        return await real(*args)

    monkeypatch.setattr(store, "lock_states", lock_states)
    with caplog.at_level(logging.INFO):
        await userdata.forget(ZED)

    assert isinstance(answers[0], Outcome)  # her answer went in first ...
    assert "forgetting again" in caplog.text  # ... was found after her user row went ...
    assert await mentions(db, ZED, "Zenobia") == []  # ... and was handed over like the rest
    players = (await state_of(db, battle)).players
    assert [p.name for p in players] == ["Alice", "Bob", ""]


async def test_answers_and_forgets_at_once_leave_the_person_in_as_a_stand_in_or_never_in(
    db: Database, battles: BattleService, userdata: UserDataService
) -> None:
    battle = await started(battles, (BOB, "Bob"))
    right = (await store.round_rows(db, battle))[1].right_index
    for n in range(20):
        user_id, name = 2000 + n, f"Player{n:03d}"
        await battles.join(GROUP, -1, user_id, name)  # creates the user; refused, wrong battle
        await asyncio.sleep(0.001 * (n % 4))  # shift which of the two gets in first
        answered, _ = await asyncio.gather(
            battles.answer(GROUP, battle, user_id, name, 1, right), userdata.forget(user_id)
        )
        assert await mentions(db, user_id, name) == [], n
        stand_ins = [p for p in (await state_of(db, battle)).players if p.user_id < 0]
        if isinstance(answered, Refused):  # forgotten first: the answer never went in
            assert answered.reason is BattleRefusal.FORGOTTEN_MEANWHILE
        else:  # written first, then handed to a stand-in with the rest
            assert stand_ins and stand_ins[-1].name == ""
    players = (await state_of(db, battle)).players
    assert {p.name for p in players} <= {"Alice", "Bob", ""}


async def test_the_players_of_battles_stored_before_m012_are_read_from_their_states(
    database_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect = "postgres" if database_url.startswith("postgres") else "sqlite"
    every = MIGRATIONS[dialect]
    before = [m for m in every if m[0] < "m012"]
    monkeypatch.setitem(MIGRATIONS, dialect, before)
    db = await open_database(database_url)
    try:
        # A deck as the schema before m012 stores it (today's deck code writes later columns).
        await db.execute(
            "INSERT INTO decks (id, owner_id, slug, title, created_at) VALUES (?, NULL, ?, ?, 0)",
            (DECK, "old-deck", "Old deck"),
        )
        for battle_id, players in ((1, [[ALICE, "Alice"], [BOB, "Bob"]]), (2, [[ZED, "Z"]])):
            state = {"players": players, "host_id": players[0][0], "v": 1}
            await db.execute(
                "INSERT INTO battles (id, chat_id, deck_id, host_id, state, created_at) "
                "VALUES (?, ?, ?, ?, ?, 0)",
                (
                    battle_id,
                    GROUP - battle_id,
                    DECK,
                    players[0][0],
                    json.dumps(state),
                ),
            )
        monkeypatch.setitem(MIGRATIONS, dialect, every)
        assert [name for name in await db.migrate() if name >= "m012"] == [
            name for name, _ in every if name >= "m012"
        ]
        rows = await db.fetchall("SELECT battle_id, user_id FROM battle_players ORDER BY 1, 2")
        assert [tuple(r) for r in rows] == [(1, ALICE), (1, BOB), (2, ZED)]
        assert await store.battles_of(db, ZED) == [2]
    finally:
        await db.close()
