"""Several bot processes on one PostgreSQL database, each its own pool, Bot and deliverer, racing
to show the same battle messages through the sandbox Bot API: each round is posted once and closed
in that message, the podium is posted once, and what a process that died left owed is shown by
another once its hold ran out.

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
from bot.net import AiohttpRequest
from bot.outbox.battle import battle_renderers
from bot.outbox.deliverer import Deliverer
from bot.sandbox.driver import SandboxChat
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.services.battles import BattleService, Lobby, Outcome
from bot.services.container import load_bundled_decks
from bot.storage import battles as store
from bot.storage.db import Database
from bot.storage.leases import new_owner
from bot.storage.outbox import Holder
from bot.storage.postgres import PostgresDatabase
from tests.backends import fresh_schema, postgres_url_or_skip
from tests.e2e.conftest import TOKEN

PROCESSES = 3
ROUNDS = 3
ALICE, BOB = 1001, 1002
HOLD_MS = 300  # how long a process holds what it owes before the others take it over


@dataclass
class Cluster:
    """The processes: each with its own database pool, battle service, Bot and deliverer."""

    sandbox: SandboxServer
    pools: list[Database]
    services: list[BattleService]
    deliverers: list[Deliverer]
    clock: ManualClock

    def group(self, title: str = "Revision club") -> SandboxChat:
        """A new supergroup the battle is played in."""
        return self.sandbox.group(title, supergroup=True)

    async def show(self, n: int, outcome: Outcome) -> None:
        """What process n does after its transition: deliver what the group is owed."""
        await self.deliverers[n].deliver(outcome.battle.chat_id)

    async def sweep(self, n: int, battle_id: int) -> None:
        """What process n's sweeps do: tick the battle, show it, deliver what is left owed."""
        outcome = await self.services[n].tick(battle_id)
        if outcome is not None:
            await self.show(n, outcome)
        await self.deliverers[n].sweep()

    async def sweep_all(self, battle_id: int) -> None:
        """Every process's sweep at once."""
        await asyncio.gather(*(self.sweep(n, battle_id) for n in range(PROCESSES)))
        await self.sandbox.settle(quiet=0.05)

    async def others_sweep(self, dead: int) -> None:
        """The outbox sweeps of every process but the dead one, at once."""
        alive = [n for n in range(PROCESSES) if n != dead]
        await asyncio.gather(*(self.deliverers[n].sweep() for n in alive))
        await self.sandbox.settle(quiet=0.05)


async def hold_runs_out() -> None:
    """Let a dead process's hold on what it owed run out (on the wall clock)."""
    await asyncio.sleep(HOLD_MS / 1000 + 0.05)


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
            services: list[BattleService] = []
            deliverers: list[Deliverer] = []
            for n, (db, bot) in enumerate(zip(pools, bots, strict=True)):
                holder = Holder(new_owner(), HOLD_MS)
                battles = BattleService(
                    db, clock, deck, fuzz=False, rng=random.Random(n), holder=holder
                )
                services.append(battles)
                deliverers.append(Deliverer(bot, db, battle_renderers(battles), holder))
            yield Cluster(sandbox, pools, services, deliverers, clock)
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


async def test_a_round_whose_opener_died_is_posted_once_by_another_after_its_hold_ran_out(
    cluster: Cluster,
) -> None:
    group = cluster.group()
    battle_id = await lobby_of_two(cluster, group)
    # Process 0 opens round 1 and dies before Telegram has it.
    started = await cluster.services[0].start(group.id, battle_id, ALICE, "Alice")
    assert isinstance(started, Outcome)
    await cluster.others_sweep(dead=0)
    assert round_messages(group, 1) == []  # its hold still runs: it may be sending
    await hold_runs_out()
    cluster.clock.advance(timedelta(seconds=5))
    await cluster.others_sweep(dead=0)
    asked = round_messages(group, 1)
    assert len(asked) == 1 and asked[0].buttons != []
    assert "⏱ 15 s" in asked[0].text  # the time left to the stored deadline
    assert (await store.round_rows(cluster.pools[1], battle_id))[1].message_id == asked[
        0
    ].message_id
    await cluster.others_sweep(dead=0)
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
            cluster.show(opener, started),
            *(cluster.deliverers[n].sweep() for n in range(PROCESSES) if n != opener),
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
    await cluster.show(0, started)
    for number in range(1, ROUNDS + 1):
        right = (await store.round_rows(cluster.pools[0], battle_id))[number].right_index
        await cluster.services[1].answer(group.id, battle_id, ALICE, "Alice", number, right)
        closing = await cluster.services[0].answer(group.id, battle_id, BOB, "Bob", number, right)
        assert isinstance(closing, Outcome)
        if number < ROUNDS:
            await cluster.show(0, closing)
            cluster.clock.advance(timedelta(seconds=10))
            await cluster.sweep_all(battle_id)
    # Process 0 stored the last close and the end, and died before showing either.
    await cluster.others_sweep(dead=0)
    assert podiums(group) == []  # its hold still runs: it may be sending
    await hold_runs_out()
    await cluster.others_sweep(dead=0)
    last = round_messages(group, ROUNDS)
    assert len(last) == 1 and "closed" in last[0].text  # the reveal first, in its message
    final = podiums(group)
    assert len(final) == 1 and "🥇" in final[0].text
    await cluster.others_sweep(dead=0)
    await cluster.sweep_all(battle_id)
    assert len(podiums(group)) == 1
    table = await cluster.pools[2].fetchall(
        "SELECT user_id, battles, right_answers FROM group_leaderboard ORDER BY user_id"
    )
    assert [tuple(r) for r in table] == [(ALICE, 1, 3), (BOB, 1, 3)]
