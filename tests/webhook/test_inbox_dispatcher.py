"""The inbox dispatcher of one process on each backend: a clean stop, an update that never
finishes, and non-blocking handlers counted as part of their update."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.storage import inbox, leases
from bot.storage.db import Database
from bot.storage.leases import CHAT_LEASES
from bot.webhook.inbox import InboxDispatcher
from bot.webhook.metered import tasks_started_for
from tests.e2e.conftest import TOKEN
from tests.storage.test_scaleout_races import Handlers, message
from tests.webhook.test_webhook_inbox import eventually

ALICE = 1001


async def test_a_clean_stop_finishes_the_update_in_hand_and_gives_the_chat_back(
    db: Database,
) -> None:
    log: list[tuple[str, int, int]] = []
    handlers = Handlers("p", log)
    handlers.block = asyncio.Event()
    dispatcher = InboxDispatcher(handlers, db, lease_seconds=30, owner="p")
    for update_id in (1, 2, 3):
        await inbox.store(db, update_id, ALICE, message(update_id, ALICE, "hi"), 0)
    dispatcher.kick(ALICE)

    async def holding() -> bool:
        return await leases.holder(db, CHAT_LEASES, ALICE, 0) == "p"

    assert await eventually(holding)
    stopping = asyncio.create_task(dispatcher.stop())
    for _ in range(10):
        await asyncio.sleep(0)
    assert not stopping.done()  # it waits for the update in hand, however long it takes
    handlers.block.set()
    await stopping
    assert log == [("p", ALICE, 1)]
    assert [r.update_id for r in await inbox.pending(db, ALICE, 10)] == [2, 3]
    assert await leases.holder(db, CHAT_LEASES, ALICE, 0) is None  # others may take it at once
    dispatcher.kick(ALICE)  # a stopped dispatcher starts nothing
    assert dispatcher.draining == 0


async def test_an_update_begun_three_times_without_finishing_is_dropped(db: Database) -> None:
    for update_id in (1, 2):
        await inbox.store(db, update_id, ALICE, message(update_id, ALICE, "hi"), 0)
    for _ in range(3):  # three processes died in the middle of update 1
        await inbox.begin(db, 1)
    log: list[tuple[str, int, int]] = []
    dispatcher = InboxDispatcher(Handlers("p", log), db, lease_seconds=30, owner="p")
    dispatcher.kick(ALICE)

    async def done() -> bool:
        return await inbox.pending_count(db) == 0

    assert await eventually(done)
    await dispatcher.stop()
    assert log == [("p", ALICE, 2)]  # the chat goes on without it
    assert await inbox.pending_count(db) == 0


# The application is not started here; PTB warns that it will not await the tasks on stop.
@pytest.mark.filterwarnings("ignore:Tasks created via:UserWarning")
async def test_tasks_a_non_blocking_handler_starts_belong_to_its_update() -> None:
    app = build_application(Settings(bot_token=TOKEN))
    update, other = object(), object()
    with tasks_started_for(update) as started:
        mine = app.create_task(asyncio.sleep(0), update=update)
        theirs = app.create_task(asyncio.sleep(0), update=other)
        timer = app.create_task(asyncio.sleep(0))  # a battle timer's: no update
    assert started == [mine]
    await asyncio.gather(mine, theirs, timer)
