"""The webhook inbox and the leases on each backend: stored once, handled in order, taken over
only after a lease has passed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from bot.storage import inbox, leases
from bot.storage.db import Database
from bot.storage.leases import CHAT_LEASES, JOB_LEASES, gone_from_this_host, new_owner

NOW = 1_772_442_000_000  # wall-clock ms
LEASE = 30_000
ALICE, GROUP = 1001, -100123


async def test_an_update_is_stored_once_whatever_the_redeliveries(db: Database) -> None:
    assert await inbox.store(db, 7, ALICE, '{"update_id":7}', NOW)
    assert not await inbox.store(db, 7, ALICE, '{"update_id":7,"again":1}', NOW + 5)
    assert await inbox.pending(db, ALICE, 10) == [inbox.InboxRow(7, '{"update_id":7}')]
    assert await inbox.pending_count(db) == 1


async def test_a_chats_updates_come_in_update_id_order_and_leave_once_done(db: Database) -> None:
    for update_id, key in [(12, ALICE), (10, ALICE), (11, GROUP), (13, ALICE)]:
        await inbox.store(db, update_id, key, f'{{"update_id":{update_id}}}', NOW)
    assert [r.update_id for r in await inbox.pending(db, ALICE, 10)] == [10, 12, 13]
    assert [r.update_id for r in await inbox.pending(db, ALICE, 2)] == [10, 12]
    assert await inbox.begin(db, 10) == 1
    await inbox.mark_done(db, 10, NOW + 1)
    assert await inbox.begin(db, 10) is None  # done: nobody handles it again
    assert [r.update_id for r in await inbox.pending(db, ALICE, 10)] == [12, 13]
    assert await inbox.has_pending(db, GROUP)
    await inbox.mark_done(db, 11, NOW + 1)
    assert not await inbox.has_pending(db, GROUP)
    assert await inbox.pending_count(db) == 2


async def test_each_handling_begun_is_counted(db: Database) -> None:
    await inbox.store(db, 5, ALICE, "{}", NOW)
    assert await inbox.begin(db, 5) == 1
    # The process that began it died; the next lease holder begins it again.
    assert await inbox.begin(db, 5) == 2
    assert await inbox.begin(db, 99) is None  # never stored


async def test_a_lease_is_won_by_one_owner_until_it_passes(db: Database) -> None:
    assert await leases.take(db, CHAT_LEASES, ALICE, "a", NOW, LEASE)
    assert not await leases.take(db, CHAT_LEASES, ALICE, "b", NOW + 1, LEASE)
    assert await leases.take(db, CHAT_LEASES, ALICE, "a", NOW + 2, LEASE)  # its own: extended
    assert await leases.holder(db, CHAT_LEASES, ALICE, NOW + 3) == "a"
    # Unrenewed, it passes; then anyone may take it, and the old owner can no longer renew it.
    assert not await leases.take(db, CHAT_LEASES, ALICE, "b", NOW + 2 + LEASE - 1, LEASE)
    assert await leases.take(db, CHAT_LEASES, ALICE, "b", NOW + 2 + LEASE, LEASE)
    assert not await leases.renew(db, CHAT_LEASES, ALICE, "a", NOW + 2 + LEASE, LEASE)
    assert not await leases.release(db, CHAT_LEASES, ALICE, "a")
    assert await leases.holder(db, CHAT_LEASES, ALICE, NOW + 2 + LEASE) == "b"
    assert await leases.release(db, CHAT_LEASES, ALICE, "b")
    assert await leases.holder(db, CHAT_LEASES, ALICE, NOW) is None
    assert await leases.take(db, CHAT_LEASES, ALICE, "c", NOW, LEASE)


async def test_renewing_keeps_every_lease_of_an_owner_alive(db: Database) -> None:
    for key in (ALICE, GROUP):
        assert await leases.take(db, CHAT_LEASES, key, "a", NOW, LEASE)
    assert await leases.take(db, CHAT_LEASES, 42, "b", NOW, LEASE)
    later = NOW + LEASE - 1
    assert await leases.renew_all(db, CHAT_LEASES, "a", later, LEASE) == {ALICE, GROUP}
    assert not await leases.take(db, CHAT_LEASES, ALICE, "b", NOW + LEASE, LEASE)
    assert await leases.take(db, CHAT_LEASES, 42, "a", NOW + LEASE, LEASE)  # b's was not renewed
    assert await leases.release_all(db, CHAT_LEASES, "a") == 3
    assert await leases.renew_all(db, CHAT_LEASES, "a", later, LEASE) == set()


async def test_job_leases_work_the_same_by_name(db: Database) -> None:
    assert await leases.take(db, JOB_LEASES, "reminder-sender", "a", NOW, LEASE)
    assert not await leases.take(db, JOB_LEASES, "reminder-sender", "b", NOW, LEASE)
    assert await leases.renew(db, JOB_LEASES, "reminder-sender", "a", NOW + LEASE - 1, LEASE)
    assert not await leases.take(db, JOB_LEASES, "reminder-sender", "b", NOW + LEASE, LEASE)
    assert await leases.take(db, JOB_LEASES, "reminder-sender", "b", NOW + 2 * LEASE, LEASE)


async def test_orphaned_chats_are_those_with_pending_rows_and_no_live_lease(db: Database) -> None:
    await inbox.store(db, 1, ALICE, "{}", NOW)
    await inbox.store(db, 2, GROUP, "{}", NOW)
    await inbox.store(db, 3, 42, "{}", NOW)
    await inbox.mark_done(db, 3, NOW)
    await leases.take(db, CHAT_LEASES, ALICE, "dead", NOW, LEASE)
    assert await inbox.orphaned_chats(db, NOW + 1, 10) == [GROUP]
    assert sorted(await inbox.orphaned_chats(db, NOW + LEASE, 10)) == [GROUP, ALICE]


async def test_cleanup_deletes_only_rows_handled_long_enough_ago(db: Database) -> None:
    for update_id in range(1, 5):
        await inbox.store(db, update_id, ALICE, "{}", NOW)
    await inbox.mark_done(db, 1, NOW)
    await inbox.mark_done(db, 2, NOW + 10)
    await inbox.mark_done(db, 3, NOW + 20)
    assert await inbox.cleanup(db, NOW + 15) == 2
    assert await inbox.cleanup(db, NOW + 15) == 0
    # The handled row left is still a duplicate to a late redelivery; the pending one is kept.
    assert not await inbox.store(db, 3, ALICE, "{}", NOW + 30)
    assert [r.update_id for r in await inbox.pending(db, ALICE, 10)] == [4]


def a_finished_pid() -> int:
    """The pid of a process of this host that has run and been reaped."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def test_only_a_process_of_this_host_known_to_be_gone_counts_as_dead() -> None:
    host = socket.gethostname()
    assert gone_from_this_host(f"{host}/{a_finished_pid()}/ab12")
    assert not gone_from_this_host(new_owner())  # this process: alive
    assert not gone_from_this_host(f"{host}/{os.getppid()}/ab12")  # exists
    assert not gone_from_this_host(f"elsewhere-{host}/{a_finished_pid()}/ab12")  # cannot tell
    assert not gone_from_this_host("p1")
    assert not gone_from_this_host(f"{host}/not-a-pid/ab12")
