"""What a battle owes its group, on each backend: every transition writes the messages it owes
into the outbox with its state, and each is rendered from the battle as it stands when delivered
(a round posted late shows the time it has left; a close whose question was never shown stands on
its own; a lobby closed before it was posted, or a podium posted already, owes nothing)."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.core.battle import BattleConfig
from bot.outbox.battle import battle_renderers
from bot.outbox.deliverer import Screen
from bot.services.battles import BattleService, Lobby, Outcome
from bot.services.container import load_bundled_decks
from bot.storage import battles as store
from bot.storage.db import Database, open_database
from bot.storage.migrations import MIGRATIONS
from bot.storage.outbox import OwedRow

GROUP = -100123
ALICE, BOB = 1001, 1002


@pytest.fixture
async def battles(db: Database, clock: ManualClock) -> BattleService:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return BattleService(db, clock, ids["khrushchev-reforms"], fuzz=False, rng=random.Random(1))


async def owed(db: Database) -> list[OwedRow]:
    """The intents owed now, oldest first."""
    rows = await db.fetchall(
        "SELECT id, chat_id, kind, payload, attempts, created_at FROM outbox "
        "WHERE outcome IS NULL ORDER BY id"
    )
    return [OwedRow(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]


def what(rows: list[OwedRow]) -> list[tuple[str, dict[str, int]]]:
    return [(row.kind, dict(row.payload)) for row in rows]


async def delivered(db: Database) -> None:
    """Mark everything owed as delivered (what the deliverer records)."""
    await db.execute("UPDATE outbox SET outcome = 'sent' WHERE outcome IS NULL")


async def render(battles: BattleService, row: OwedRow) -> Screen | None:
    return await battle_renderers(battles)[row.kind].render(row)


async def started(battles: BattleService, db: Database, seconds: int = 20) -> int:
    """A battle of Alice and Bob whose lobby is posted as message 10 and whose first round is
    stored open, owed and not shown."""
    lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(3, seconds))
    assert isinstance(lobby, Lobby)
    await battles.lobby_shown(lobby.battle.id, 10)
    await battles.join(GROUP, lobby.battle.id, BOB, "Bob")
    await delivered(db)
    assert isinstance(await battles.start(GROUP, lobby.battle.id, ALICE, "Alice"), Outcome)
    return lobby.battle.id


async def right_option(db: Database, battle_id: int, round_no: int) -> int:
    return (await store.round_rows(db, battle_id))[round_no].right_index


async def test_each_transition_owes_its_messages_with_its_state(
    battles: BattleService, db: Database
) -> None:
    lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(3, 20))
    assert isinstance(lobby, Lobby)
    battle_id = lobby.battle.id
    assert what(await owed(db)) == [("battle.lobby", {"battle": battle_id})]
    screen = await render(battles, (await owed(db))[0])
    assert screen is not None and screen.edit is None and screen.keyboard is not None
    assert "Alice (host)" in screen.text
    await battles.lobby_shown(battle_id, 10)
    await delivered(db)
    await battles.join(GROUP, battle_id, BOB, "Bob")
    (edit,) = await owed(db)
    screen = await render(battles, edit)
    assert screen is not None and screen.edit == 10 and "Alice (host), Bob" in screen.text
    await delivered(db)
    await battles.start(GROUP, battle_id, ALICE, "Alice")
    assert what(await owed(db)) == [
        ("battle.lobby", {"battle": battle_id}),
        ("battle.round", {"battle": battle_id, "round": 1}),
    ]
    closed = await render(battles, (await owed(db))[0])
    assert closed is not None and closed.edit == 10 and closed.keyboard is None
    assert "The battle is on!" in closed.text


async def test_a_round_posted_late_shows_the_time_left_and_its_reveal_when_too_late(
    battles: BattleService, db: Database, clock: ManualClock
) -> None:
    battle_id = await started(battles, db)
    (_, ask) = await owed(db)
    clock.advance(timedelta(seconds=12))
    screen = await render(battles, ask)
    assert screen is not None and screen.edit is None and "⏱ 8 s" in screen.text  # not 20 s
    assert screen.keyboard is not None
    # Its time is up before anyone could post it: nothing is asked; the tick closes it.
    clock.advance(timedelta(seconds=9))
    assert await render(battles, ask) is None
    await delivered(db)
    assert isinstance(await battles.tick(battle_id), Outcome)
    (reveal,) = [r for r in await owed(db) if r.payload.get("round") == 1]
    screen = await render(battles, reveal)
    # The close of a question never shown stands on its own, with every player's result.
    assert screen is not None and screen.edit is None and screen.keyboard is None
    assert "closed" in screen.text and "⌛ Alice — no answer" in screen.text


async def test_a_closed_round_edits_its_message_and_a_stopped_one_is_cancelled_or_skipped(
    battles: BattleService, db: Database, clock: ManualClock
) -> None:
    battle_id = await started(battles, db)
    await battles.round_shown(battle_id, 1, 700)
    await battles.round_shown(battle_id, 1, 701)  # a copy tapped later is not the round's message
    await delivered(db)
    right = await right_option(db, battle_id, 1)
    await battles.answer(GROUP, battle_id, ALICE, "Alice", 1, right)
    await battles.answer(GROUP, battle_id, BOB, "Bob", 1, right)
    (reveal, *_) = await owed(db)
    screen = await render(battles, reveal)
    assert screen is not None and screen.edit == 700 and "✅ Alice +" in screen.text
    await delivered(db)
    clock.advance(timedelta(seconds=10))  # the next round opens on the tick after the pause
    opened = await battles.tick(battle_id)
    assert opened is not None and opened.state.round_no == 2
    await delivered(db)  # round 2 asked, never recorded: its sender died

    async def no() -> bool:
        return False

    assert isinstance(await battles.stop(GROUP, ALICE, no), Outcome)
    rows = await owed(db)
    assert what(rows) == [
        ("battle.round", {"battle": battle_id, "round": 2}),
        ("battle.podium", {"battle": battle_id}),
    ]
    assert await render(battles, rows[0]) is None  # no message to cancel
    podium = await render(battles, rows[1])
    assert podium is not None and "Battle stopped" in podium.text and "🥇" in podium.text
    await battles.podium_shown(battle_id, 900)
    assert await render(battles, rows[1]) is None  # posted already: never twice


async def test_a_lobby_closed_before_it_was_posted_owes_nothing(
    battles: BattleService, db: Database, clock: ManualClock
) -> None:
    lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(3, 20))
    assert isinstance(lobby, Lobby)
    clock.advance(timedelta(minutes=2))
    assert await battles.tick(lobby.battle.id) is not None  # closed: too few players
    (row,) = await owed(db)
    assert await render(battles, row) is None


async def test_a_copy_of_a_closed_round_or_lobby_is_owed_its_close_the_recorded_one_is_not(
    battles: BattleService, db: Database
) -> None:
    battle_id = await started(battles, db)
    await battles.round_shown(battle_id, 1, 11)
    await delivered(db)
    # Round 1 open: a copy of it still answers the round, so it is left as it is.
    assert not await battles.copy_owed(battle_id, 1, GROUP, 12)
    assert not await battles.copy_owed(battle_id, 0, GROUP, 10)  # the lobby itself
    assert not await battles.copy_owed(battle_id, 0, GROUP - 1, 9)  # another chat's message
    assert await battles.copy_owed(battle_id, 0, GROUP, 9)
    (lobby_copy,) = await owed(db)
    screen = await render(battles, lobby_copy)
    assert screen is not None and screen.edit == 9 and screen.keyboard is None
    assert "The battle is on!" in screen.text
    await delivered(db)
    right = await right_option(db, battle_id, 1)
    await battles.answer(GROUP, battle_id, ALICE, "Alice", 1, right)
    await battles.answer(GROUP, battle_id, BOB, "Bob", 1, right)
    await delivered(db)
    assert not await battles.copy_owed(battle_id, 1, GROUP, 11)  # the round's own message
    assert not await battles.copy_owed(battle_id, 2, GROUP, 13)  # not asked yet
    assert await battles.copy_owed(battle_id, 1, GROUP, 12)
    (round_copy,) = await owed(db)
    screen = await render(battles, round_copy)
    assert screen is not None and screen.edit == 12 and "closed" in screen.text


async def test_battle_messages_owed_before_m016_move_to_the_outbox(
    database_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect = "postgres" if database_url.startswith("postgres") else "sqlite"
    every = MIGRATIONS[dialect]
    # Every migration but m016 (later ones touch nothing it moves): the schema it upgrades.
    monkeypatch.setitem(MIGRATIONS, dialect, [m for m in every if m[0] != "m016_battles_in_outbox"])
    db = await open_database(database_url)
    try:
        ids = await load_bundled_decks(db, int(clock.now().timestamp()))
        battles = BattleService(db, clock, ids["khrushchev-reforms"], fuzz=False)
        battle_id = await started(battles, db)
        # As m009 and m014 left them: the lobby, round 1's question and the podium owed.
        await db.execute("DELETE FROM outbox")
        await db.execute("UPDATE battles SET lobby_owed = 1, podium_owed = 1")
        await db.execute("UPDATE battle_rounds SET view_owed = 1 WHERE round_no = 1")
        monkeypatch.setitem(MIGRATIONS, dialect, every)
        assert "m016_battles_in_outbox" in await db.migrate()
        assert what(await owed(db)) == [
            ("battle.lobby", {"battle": battle_id}),
            ("battle.round", {"battle": battle_id, "round": 1}),
            ("battle.podium", {"battle": battle_id}),
        ]
        ask = await render(battles, (await owed(db))[1])
        assert ask is not None and ask.keyboard is not None and "Round 1/3" in ask.text
        assert await render(battles, (await owed(db))[2]) is None  # not over: no podium yet
    finally:
        await db.close()
