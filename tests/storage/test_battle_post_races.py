"""Several bot processes on one PostgreSQL database, each its own pool and Bot, racing to show the
same battle messages through the sandbox Bot API: each round is posted once and closed in that
message, the podium is posted once, and what a process that died left owed is shown by another.

Skipped without a reachable PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from telegram import Bot

from bot.clock import ManualClock
from bot.core.battle import BattleConfig
from bot.handlers.battle import show_outcome, show_owed
from bot.net import AiohttpRequest
from bot.sandbox.driver import SandboxChat
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.services.battles import POST_LEASE, BattleService, Lobby, Outcome
from bot.services.container import load_bundled_decks
from bot.storage import battles as store
from bot.storage.db import Database
from bot.storage.postgres import PostgresDatabase
from tests.backends import fresh_schema, postgres_url_or_skip
from tests.e2e.conftest import TOKEN

PROCESSES = 3
ROUNDS = 3
ALICE, BOB = 1001, 1002


class Wall:
    """The wall clock the processes' claims go by, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_772_442_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Cluster:
    """The processes: each with its own database pool, battle service and Bot."""

    sandbox: SandboxServer
    pools: list[Database]
    services: list[BattleService]
    bots: list[Bot]
    clock: ManualClock
    wall: Wall

    def group(self, title: str = "Revision club") -> SandboxChat:
        """A new supergroup the battle is played in."""
        return self.sandbox.group(title, supergroup=True)

    async def sweep(self, n: int, battle_id: int) -> None:
        """What process n's battle sweep does: tick the battle, show it, show what is owed."""
        outcome = await self.services[n].tick(battle_id)
        if outcome is not None:
            await show_outcome(self.bots[n], self.services[n], outcome)
        await show_owed(self.bots[n], self.services[n])

    async def sweep_all(self, battle_id: int) -> None:
        """Every process's sweep at once."""
        await asyncio.gather(*(self.sweep(n, battle_id) for n in range(PROCESSES)))
        await self.sandbox.settle(quiet=0.05)

    async def others_show_owed(self, dead: int) -> None:
        """The sweeps of every process but the dead one, at once."""
        alive = [n for n in range(PROCESSES) if n != dead]
        await asyncio.gather(*(show_owed(self.bots[n], self.services[n]) for n in alive))
        await self.sandbox.settle(quiet=0.05)


@pytest.fixture
async def cluster(clock: ManualClock) -> AsyncIterator[Cluster]:
    """Three processes on one fresh schema, and the sandbox they all send to."""
    async with fresh_schema(await postgres_url_or_skip()) as url, SandboxServer(TOKEN) as sandbox:
        pools: list[Database] = [await PostgresDatabase.open(url) for _ in range(PROCESSES)]
        bots = [
            Bot(TOKEN, base_url=f"{sandbox.base_url}/bot", request=AiohttpRequest())
            for _ in range(PROCESSES)
        ]
        try:
            for bot in bots:
                await bot.initialize()
            deck = (await load_bundled_decks(pools[0], int(clock.now().timestamp())))[
                "khrushchev-reforms"
            ]
            wall = Wall()
            services = [
                BattleService(db, clock, deck, fuzz=False, rng=random.Random(n), wall=wall)
                for n, db in enumerate(pools)
            ]
            yield Cluster(sandbox, pools, services, bots, clock, wall)
        finally:
            for bot in bots:
                await bot.shutdown()
            for pool in pools:
                await pool.close()


async def lobby_of_two(cluster: Cluster, group: SandboxChat, seconds: int = 20) -> int:
    """A lobby of Alice and Bob stored in the group (its message is no part of these tests)."""
    lobby = await cluster.services[0].create(
        group.id, None, ALICE, "Alice", BattleConfig(ROUNDS, seconds)
    )
    assert isinstance(lobby, Lobby)
    await cluster.services[1].join(group.id, lobby.battle.id, BOB, "Bob")
    return lobby.battle.id


def round_messages(group: SandboxChat, number: int) -> list[SandboxMessage]:
    """The group's messages asking or revealing round `number`."""
    return [m for m in group.messages if m.text.startswith(f"⚔️ Round {number}/{ROUNDS}")]


def podiums(group: SandboxChat) -> list[SandboxMessage]:
    """The group's final standings messages."""
    return [m for m in group.messages if "Battle over" in m.text or "Battle stopped" in m.text]


async def test_a_round_whose_opener_died_is_posted_once_by_another_after_its_claim_ran_out(
    cluster: Cluster,
) -> None:
    group = cluster.group()
    battle_id = await lobby_of_two(cluster, group)
    # Process 0 opens round 1, claims its message, and dies before Telegram has it.
    started = await cluster.services[0].start(group.id, battle_id, ALICE, "Alice")
    assert isinstance(started, Outcome)
    assert await cluster.services[0].claim_round(battle_id, 1) is not None
    await cluster.others_show_owed(dead=0)
    assert round_messages(group, 1) == []  # its claim still runs: it may be sending
    cluster.wall.now += POST_LEASE.total_seconds()
    cluster.clock.advance(timedelta(seconds=5))
    await cluster.others_show_owed(dead=0)
    asked = round_messages(group, 1)
    assert len(asked) == 1 and asked[0].buttons != []
    assert "⏱ 15 s" in asked[0].text  # the time left to the stored deadline
    assert (await store.round_rows(cluster.pools[1], battle_id))[1].message_id == asked[
        0
    ].message_id
    await cluster.others_show_owed(dead=0)
    assert len(round_messages(group, 1)) == 1


async def test_processes_racing_to_show_a_battle_post_each_round_and_the_podium_once(
    cluster: Cluster,
) -> None:
    for battle_no in range(4):
        group = cluster.group(f"Club {battle_no}")
        battle_id = await lobby_of_two(cluster, group)
        # The starter shows its transition while the others' sweeps look for owed messages.
        opener = battle_no % PROCESSES
        started = await cluster.services[opener].start(group.id, battle_id, ALICE, "Alice")
        assert isinstance(started, Outcome)
        await asyncio.gather(
            show_outcome(cluster.bots[opener], cluster.services[opener], started),
            *(
                show_owed(cluster.bots[n], cluster.services[n])
                for n in range(PROCESSES)
                if n != opener
            ),
        )
        for number in range(1, ROUNDS + 1):
            await cluster.sandbox.settle(quiet=0.05)
            assert len(round_messages(group, number)) == 1
            right = (await store.round_rows(cluster.pools[0], battle_id))[number].right_index
            await cluster.services[number % PROCESSES].answer(
                group.id, battle_id, ALICE, "Alice", number, right
            )
            # Bob never answers: every process's sweep races to close the round at its deadline.
            cluster.clock.advance(timedelta(seconds=20))
            await cluster.sweep_all(battle_id)
            cluster.clock.advance(timedelta(seconds=5))
            await cluster.sweep_all(battle_id)
        for number in range(1, ROUNDS + 1):
            shown = round_messages(group, number)
            assert len(shown) == 1, f"battle {battle_no} round {number}: {len(shown)} messages"
            assert "closed" in shown[0].text and shown[0].buttons == []
            assert "✅ Alice +" in shown[0].text and "⌛ Bob — no answer" in shown[0].text
        assert len(podiums(group)) == 1
    assert cluster.sandbox.rate_violations() == []


async def test_a_finished_battle_whose_podium_was_never_posted_gets_it_once(
    cluster: Cluster,
) -> None:
    group = cluster.group()
    battle_id = await lobby_of_two(cluster, group)
    started = await cluster.services[0].start(group.id, battle_id, ALICE, "Alice")
    assert isinstance(started, Outcome)
    await show_outcome(cluster.bots[0], cluster.services[0], started)
    for number in range(1, ROUNDS + 1):
        right = (await store.round_rows(cluster.pools[0], battle_id))[number].right_index
        await cluster.services[1].answer(group.id, battle_id, ALICE, "Alice", number, right)
        closing = await cluster.services[0].answer(group.id, battle_id, BOB, "Bob", number, right)
        assert isinstance(closing, Outcome)
        if number < ROUNDS:
            await show_outcome(cluster.bots[0], cluster.services[0], closing)
            cluster.clock.advance(timedelta(seconds=10))
            await cluster.sweep_all(battle_id)
    # Process 0 stored the last close and the end, claimed the podium, and died.
    assert await cluster.services[0].claim_podium(battle_id) is not None
    await cluster.others_show_owed(dead=0)
    last = round_messages(group, ROUNDS)
    assert len(last) == 1 and "closed" in last[0].text  # the reveal was owed, and unclaimed
    assert podiums(group) == []
    cluster.wall.now += POST_LEASE.total_seconds()
    await cluster.others_show_owed(dead=0)
    final = podiums(group)
    assert len(final) == 1 and "🥇" in final[0].text
    await cluster.others_show_owed(dead=0)
    await cluster.sweep_all(battle_id)
    assert len(podiums(group)) == 1
    table = await cluster.pools[2].fetchall(
        "SELECT user_id, battles, right_answers FROM group_leaderboard ORDER BY user_id"
    )
    assert [tuple(r) for r in table] == [(ALICE, 1, 3), (BOB, 1, 3)]
