"""Several bot processes on one PostgreSQL database, each played by its own PostgresDatabase pool:
they race for the same chat leases, inbox rows, reminders and battle deadlines, and each piece of
work is done by exactly one of them, in order, and taken over once its holder's lease has passed.

Skipped without a reachable PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot, Update

from bot.clock import ManualClock
from bot.core.battle import BattleConfig, Finish, PostRound, RevealRound
from bot.services.battles import BattleService, Lobby, Outcome
from bot.services.container import load_bundled_decks
from bot.services.reminders import ReminderService
from bot.storage import battles as battle_store
from bot.storage import inbox, leases
from bot.storage.db import Database
from bot.storage.leases import CHAT_LEASES
from bot.storage.postgres import PostgresDatabase
from bot.webhook.inbox import InboxDispatcher
from tests.backends import fresh_schema, postgres_url_or_skip
from tests.e2e.conftest import TOKEN
from tests.storage.test_inbox_storage import a_finished_pid
from tests.storage.test_reminder_outbox import due_reminders

PROCESSES = 3
LEASE_MS = 30_000
NOW_MS = 1_772_442_000_000
GROUP = -100123
ALICE, BOB = 1001, 1002


@pytest.fixture
async def processes() -> AsyncIterator[list[Database]]:
    """Three migrated pools on one fresh schema: three bot processes' views of one database."""
    async with fresh_schema(await postgres_url_or_skip()) as url:
        pools: list[Database] = [await PostgresDatabase.open(url) for _ in range(PROCESSES)]
        try:
            yield pools
        finally:
            for pool in pools:
                await pool.close()


def message(update_id: int, chat_id: int, text: str) -> str:
    """A text message update from a private chat (group ids stand for groups)."""
    chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "title": "g"}
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1772442000,
                "chat": chat,
                "from": {"id": abs(chat_id), "is_bot": False, "first_name": "U"},
                "text": text,
            },
        }
    )


class Handlers:
    """Stands for a process's application: records which process handled which update."""

    def __init__(self, name: str, log: list[tuple[str, int, int]]) -> None:
        self.name = name
        self.log = log
        self._bot = Bot(TOKEN)
        self.block: asyncio.Event | None = None

    @property
    def bot(self) -> Bot:
        """The bot updates are decoded for (never called)."""
        return self._bot

    async def process_update(self, update: object) -> None:
        """Note the update, letting the other processes run in between."""
        assert isinstance(update, Update) and update.effective_chat is not None
        if self.block is not None:
            await self.block.wait()
        await asyncio.sleep(random.random() / 1000)
        self.log.append((self.name, update.effective_chat.id, update.update_id))


async def test_one_process_wins_each_race_for_a_chat_lease(processes: list[Database]) -> None:
    for key in range(20):
        won = await asyncio.gather(
            *(
                leases.take(db, CHAT_LEASES, key, f"p{n}", NOW_MS, LEASE_MS)
                for n, db in enumerate(processes)
            )
        )
        assert sum(won) == 1
    # Once every lease has passed, one of the others wins each of them again.
    later = NOW_MS + LEASE_MS
    for key in range(20):
        holder = await leases.holder(processes[0], CHAT_LEASES, key, NOW_MS)
        won = await asyncio.gather(
            *(
                leases.take(db, CHAT_LEASES, key, f"q{n}", later, LEASE_MS)
                for n, db in enumerate(processes)
            )
        )
        assert sum(won) == 1 and holder is not None and holder.startswith("p")


async def test_three_dispatchers_handle_every_update_once_and_each_chat_in_order(
    processes: list[Database],
) -> None:
    log: list[tuple[str, int, int]] = []
    dispatchers = [
        InboxDispatcher(Handlers(f"p{n}", log), db, lease_seconds=30, owner=f"p{n}")
        for n, db in enumerate(processes)
    ]
    chats = [ALICE, BOB, 1003, GROUP, GROUP - 1]
    stored: dict[int, list[int]] = {chat: [] for chat in chats}
    update_id = 100
    for _ in range(20):
        for chat in random.Random(update_id).sample(chats, len(chats)):
            update_id += 1
            # Spread over the processes as a balancer would; each kicks its own dispatcher.
            n = update_id % PROCESSES
            await inbox.store(processes[n], update_id, chat, message(update_id, chat, "hi"), 0)
            stored[chat].append(update_id)
            dispatchers[n].kick(chat)
        await asyncio.sleep(0)
    for _ in range(200):
        if sum(len(v) for v in stored.values()) == len(log):
            break
        for dispatcher in dispatchers:
            await dispatcher.take_over()  # the safety net: nothing may be left behind
        await asyncio.sleep(0.02)
    for dispatcher in dispatchers:
        await dispatcher.stop()
    handled = [u for _, _, u in log]
    assert sorted(handled) == sorted(u for ids in stored.values() for u in ids)  # each once
    for chat, ids in stored.items():
        assert [u for _, c, u in log if c == chat] == ids  # in order
    assert await inbox.pending_count(processes[0]) == 0
    assert len({name for name, _, _ in log}) > 1  # the work was shared
    row = await processes[0].fetchone("SELECT COUNT(*) FROM chat_leases")
    assert row is not None and row[0] == 0  # every lease given back


async def test_a_dead_processs_chat_is_taken_over_once_its_lease_has_passed(
    processes: list[Database],
) -> None:
    dead, alive = processes[0], processes[1]
    # What a process killed mid-update leaves: the lease it held, the update begun, another queued.
    await inbox.store(dead, 1, ALICE, message(1, ALICE, "/start"), 0)
    await inbox.store(dead, 2, ALICE, message(2, ALICE, "/help"), 0)
    assert await leases.take(dead, CHAT_LEASES, ALICE, "dead", NOW_MS, LEASE_MS)
    assert await inbox.begin(dead, 1) == 1
    log: list[tuple[str, int, int]] = []
    wall = [NOW_MS / 1000 + 1]
    dispatcher = InboxDispatcher(
        Handlers("alive", log), alive, lease_seconds=30, owner="alive", wall=lambda: wall[0]
    )
    assert await dispatcher.take_over() == []  # the lease still runs: the owner may be alive
    dispatcher.kick(ALICE)  # a new update's kick loses to the live lease as well
    await asyncio.sleep(0.1)
    assert log == []
    wall[0] = (NOW_MS + LEASE_MS) / 1000
    assert await dispatcher.take_over() == [ALICE]
    for _ in range(100):
        if len(log) == 2:
            break
        await asyncio.sleep(0.02)
    await dispatcher.stop()
    assert log == [("alive", ALICE, 1), ("alive", ALICE, 2)]
    rows = await alive.fetchall("SELECT update_id, attempts, done_at IS NOT NULL FROM inbox")
    assert sorted(tuple(r) for r in rows) == [(1, 2, True), (2, 1, True)]


async def test_a_process_restarted_on_the_same_host_does_not_wait_for_its_predecessor(
    processes: list[Database],
) -> None:
    db = processes[0]
    crashed = f"{socket.gethostname()}/{a_finished_pid()}/c0ffee"
    await inbox.store(db, 1, ALICE, message(1, ALICE, "/start"), 0)
    assert await leases.take(db, CHAT_LEASES, ALICE, crashed, NOW_MS, LEASE_MS)
    log: list[tuple[str, int, int]] = []
    restarted = InboxDispatcher(
        Handlers("restarted", log), db, lease_seconds=30, wall=lambda: NOW_MS / 1000 + 1
    )
    await restarted.maintain()  # the lease runs for 29 s more, but its owner's pid is gone
    for _ in range(100):
        if log:
            break
        await asyncio.sleep(0.02)
    await restarted.stop()
    assert log == [("restarted", ALICE, 1)]


async def test_a_stalled_process_stops_draining_once_its_lease_is_no_longer_certain(
    processes: list[Database],
) -> None:
    log: list[tuple[str, int, int]] = []
    slow = Handlers("slow", log)
    slow.block = asyncio.Event()
    clock = [0.0]
    stalled = InboxDispatcher(
        slow, processes[0], lease_seconds=30, owner="slow", monotonic=lambda: clock[0]
    )
    for update_id in (1, 2):
        await inbox.store(processes[0], update_id, ALICE, message(update_id, ALICE, "x"), 0)
    stalled.kick(ALICE)
    await asyncio.sleep(0.1)  # it holds the chat and is stuck inside update 1
    clock[0] = 30.0  # ... for longer than it may trust its lease
    slow.block.set()
    await stalled.stop()
    assert log == [("slow", ALICE, 1)]  # update 2 was not started on an uncertain lease
    assert await inbox.has_pending(processes[0], ALICE)


async def test_concurrent_senders_take_disjoint_reminders(
    processes: list[Database], clock: ManualClock
) -> None:
    await due_reminders(processes[0], 90)
    services = [ReminderService(db, clock, default_deck_id=1) for db in processes]
    await services[0].plan_batch()
    taken: dict[str, list[int]] = {f"p{n}": [] for n in range(PROCESSES)}

    async def sender(n: int) -> None:
        while sends := await services[n].take_sends(f"p{n}", 7, NOW_MS, LEASE_MS):
            taken[f"p{n}"] += [s.user_id for s in sends]
            await asyncio.sleep(0)

    await asyncio.gather(*(sender(n) for n in range(PROCESSES)))
    everyone = [u for ids in taken.values() for u in ids]
    assert sorted(everyone) == list(range(1, 91))  # each reminder taken by exactly one sender


async def battle_services(processes: list[Database], clock: ManualClock) -> list[BattleService]:
    ids = await load_bundled_decks(processes[0], int(clock.now().timestamp()))
    deck = ids["khrushchev-reforms"]
    return [
        BattleService(db, clock, default_deck_id=deck, fuzz=False, rng=random.Random(n))
        for n, db in enumerate(processes)
    ]


async def test_every_process_ticks_at_the_deadline_and_each_round_closes_once(
    processes: list[Database], clock: ManualClock
) -> None:
    services = await battle_services(processes, clock)
    first = services[0]
    lobby = await first.create(GROUP, None, ALICE, "Alice", BattleConfig(3, 10))
    assert isinstance(lobby, Lobby)
    battle_id = lobby.battle.id
    await services[1].join(GROUP, battle_id, BOB, "Bob")
    await services[2].start(GROUP, battle_id, ALICE, "Alice")
    shown: list[type] = []
    for round_no in (1, 2, 3):
        rounds = await battle_store.round_rows(processes[0], battle_id)
        right = rounds[round_no].right_index
        answered = await services[round_no % PROCESSES].answer(
            GROUP, battle_id, ALICE, "Alice", round_no, right
        )
        assert isinstance(answered, Outcome)
        # Bob never answers: the deadline closes the round, with every process's timer racing.
        clock.advance(timedelta(seconds=11))
        ticks = await asyncio.gather(*(s.tick(battle_id) for s in services))
        effects = [type(e) for t in ticks if t is not None for e in t.effects]
        assert effects.count(RevealRound) == 1
        shown += effects
        if round_no < 3:
            clock.advance(timedelta(seconds=5))  # the pause before the next round
            ticks = await asyncio.gather(*(s.tick(battle_id) for s in services))
            posts = [type(e) for t in ticks if t is not None for e in t.effects]
            assert posts.count(PostRound) == 1
    assert shown.count(Finish) == 1
    reviews = await processes[0].fetchone("SELECT COUNT(*) FROM battle_reviews")
    assert reviews is not None and reviews[0] == 3
    table = await processes[0].fetchall(
        "SELECT user_id, battles, right_answers, answered FROM group_leaderboard ORDER BY user_id"
    )
    assert [tuple(r) for r in table] == [(ALICE, 1, 3, 3), (BOB, 1, 0, 0)]


async def test_a_round_whose_winner_died_before_showing_it_still_closes_on_time_elsewhere(
    processes: list[Database], clock: ManualClock
) -> None:
    services = await battle_services(processes, clock)
    lobby = await services[0].create(GROUP, None, ALICE, "Alice", BattleConfig(3, 10))
    assert isinstance(lobby, Lobby)
    battle_id = lobby.battle.id
    await services[0].join(GROUP, battle_id, BOB, "Bob")
    # Process 0 opens round 1 and dies before posting it: its effects are never shown.
    started = await services[0].start(GROUP, battle_id, ALICE, "Alice")
    assert isinstance(started, Outcome) and PostRound in {type(e) for e in started.effects}
    # The others' sweeps see nothing to do before the deadline, then close it exactly once.
    assert await services[1].due() == []
    clock.advance(timedelta(seconds=11))
    assert await services[1].due() == [battle_id]
    ticks = await asyncio.gather(services[1].tick(battle_id), services[2].tick(battle_id))
    reveals = [e for t in ticks if t is not None for e in t.effects if isinstance(e, RevealRound)]
    assert len(reveals) == 1 and reveals[0].round_no == 1
    assert all(not r.correct for r in reveals[0].results)
    clock.advance(timedelta(seconds=5))
    nxt = await services[2].tick(battle_id)
    assert nxt is not None and [type(e) for e in nxt.effects] == [PostRound]
