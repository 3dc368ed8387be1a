"""Reminders in the outbox on each backend: owed with the claim, taken by the paced sender under a
lease, sent once, and taken over from a sender that died."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest

from bot.broadcast import BroadcastSender
from bot.clock import ManualClock
from bot.handlers.reminder_sweep import deliver_due_reminders
from bot.services.reminders import ReminderService
from bot.storage import outbox
from bot.storage.db import Database, open_database
from bot.storage.migrations import MIGRATIONS
from tests.conftest import T0
from tests.storage.test_inbox_storage import a_finished_pid
from tests.unit.test_broadcast import FakeBot, VirtualTime, sender_for

NOW_MS = 1_772_442_000_000  # wall clock of the senders (leases), apart from the bot's clock
LEASE_MS = 60_000
DUE = int(T0.timestamp()) - 30


async def due_reminders(db: Database, count: int, first: int = 1) -> list[int]:
    """`count` users whose 09:00 UTC reminder fell due 30 s ago, each with a streak at stake."""
    ids = list(range(first, first + count))
    await db.executemany(
        "INSERT INTO users (id, first_name, created_at, remind_time, next_remind_at, "
        "streak_current, streak_best, streak_last_day) "
        "VALUES (?, ?, ?, '09:00', ?, 2, 2, '2026-03-01')",
        [(n, f"User {n}", DUE, DUE) for n in ids],
    )
    return ids


async def outcomes(db: Database) -> dict[int, str | None]:
    rows = await db.fetchall(
        "SELECT chat_id, outcome FROM outbox WHERE kind = 'reminder' ORDER BY chat_id"
    )
    return {int(r[0]): r[1] for r in rows}


def fake_sender() -> tuple[FakeBot, BroadcastSender]:
    time = VirtualTime()
    bot = FakeBot(time)
    return bot, sender_for(bot, time)


async def test_the_claim_queues_the_reminder_in_the_same_transaction(
    db: Database, clock: ManualClock
) -> None:
    (alice,) = await due_reminders(db, 1)
    reminders = ReminderService(db, clock, default_deck_id=1)
    plan = await reminders.plan_batch()
    assert [s.user_id for s in plan.sends] == [alice]
    row = await db.fetchone(
        "SELECT payload, outcome, lease_until FROM outbox WHERE kind = 'reminder' AND chat_id = ?",
        (alice,),
    )
    assert row is not None
    payload = json.loads(row[0])
    assert (payload["local_day"], payload["streak"], payload["studied_today"]) == (
        "2026-03-02",
        2,
        False,
    )
    assert payload["decided_at"] == int(T0.timestamp())
    assert (row[1], row[2]) == (None, 0)  # owed, and free for any sender
    # Decided once: a second plan (another process's sweep) finds nothing due and queues nothing.
    assert (await reminders.plan_batch()).decided == 0
    assert await outbox.owed_count(db, "reminder") == 1


async def test_a_taken_reminder_is_leased_to_one_sender_until_its_lease_passes(
    db: Database, clock: ManualClock
) -> None:
    await due_reminders(db, 3)
    reminders = ReminderService(db, clock, default_deck_id=1)
    await reminders.plan_batch()
    first = await reminders.take_sends("a", 2, NOW_MS, LEASE_MS)
    assert [s.user_id for s in first] == [1, 2]
    assert [s.attempts for s in first] == [1, 1]
    rest = await reminders.take_sends("b", 10, NOW_MS + 1, LEASE_MS)
    assert [s.user_id for s in rest] == [3]
    assert await reminders.take_sends("b", 10, NOW_MS + LEASE_MS - 1, LEASE_MS) == []
    assert await reminders.finish_send("a", first[0], outbox.SENT)
    # a died holding user 2: once its lease has passed, b takes it over.
    taken_over = await reminders.take_sends("b", 10, NOW_MS + LEASE_MS, LEASE_MS)
    assert [(s.user_id, s.attempts) for s in taken_over] == [(2, 2)]
    assert not await reminders.finish_send("a", first[1], outbox.SENT)  # no longer a's
    assert await reminders.finish_send("b", taken_over[0], outbox.SENT)
    assert await reminders.finish_send("b", rest[0], outbox.BLOCKED)
    assert await outcomes(db) == {1: "sent", 2: "sent", 3: "blocked"}
    assert await reminders.take_sends("c", 10, NOW_MS + 10 * LEASE_MS, LEASE_MS) == []


async def test_reminders_nobody_sent_for_three_hours_expire_instead_of_going_out_late(
    db: Database, clock: ManualClock
) -> None:
    await due_reminders(db, 1)
    reminders = ReminderService(db, clock, default_deck_id=1)
    await reminders.plan_batch()
    clock.advance(timedelta(hours=3, seconds=1))
    # A later decision, queued behind the stale one, still goes out.
    later = int(clock.now().timestamp()) - 1
    await db.execute(
        "INSERT INTO users (id, first_name, created_at, remind_time, next_remind_at, "
        "streak_current, streak_best, streak_last_day) "
        "VALUES (2, 'User 2', ?, '12:00', ?, 2, 2, '2026-03-01')",
        (later, later),
    )
    await reminders.plan_batch()
    assert [s.user_id for s in await reminders.take_sends("a", 1, NOW_MS, LEASE_MS)] == [2]
    assert await outcomes(db) == {1: "expired", 2: None}


async def test_a_reminder_whose_senders_keep_dying_is_given_up(
    db: Database, clock: ManualClock
) -> None:
    await due_reminders(db, 1)
    reminders = ReminderService(db, clock, default_deck_id=1)
    await reminders.plan_batch()
    for attempt in range(3):
        taken = await reminders.take_sends(f"p{attempt}", 10, NOW_MS + attempt * LEASE_MS, LEASE_MS)
        assert len(taken) == 1
    assert await reminders.take_sends("p3", 10, NOW_MS + 3 * LEASE_MS, LEASE_MS) == []
    assert await outcomes(db) == {1: "failed"}


async def test_a_sender_killed_mid_broadcast_is_taken_over_and_nobody_gets_two(
    db: Database, clock: ManualClock
) -> None:
    ids = await due_reminders(db, 10)
    reminders = ReminderService(db, clock, default_deck_id=1)
    # Process a: holds the sender's lease, decides, takes six and gets four out, then is killed.
    assert await reminders.hold_sender("a", NOW_MS, LEASE_MS)
    await reminders.plan_batch()
    taken = await reminders.take_sends("a", 6, NOW_MS, LEASE_MS)
    for send in taken[:4]:
        assert await reminders.finish_send("a", send, outbox.SENT)

    bot, sender = fake_sender()
    # Process b's sweep while a's lease still runs: it leaves the work to a.
    report = await deliver_due_reminders(
        reminders, sender, owner="b", lease_seconds=60, wall=lambda: (NOW_MS + 1000) / 1000
    )
    assert report.busy and bot.delivered == []
    # Once a's leases have passed, b sends everything a did not, and nothing a did.
    report = await deliver_due_reminders(
        reminders, sender, owner="b", lease_seconds=60, wall=lambda: (NOW_MS + LEASE_MS) / 1000
    )
    assert sorted(chat for _, chat in bot.delivered) == ids[4:]
    assert report.sent == 6 and not report.busy
    assert set((await outcomes(db)).values()) == {"sent"}
    # b gave the sender's lease back: c's next sweep may run at once, and finds nothing to do.
    report = await deliver_due_reminders(
        reminders, sender, owner="c", lease_seconds=60, wall=lambda: (NOW_MS + LEASE_MS) / 1000
    )
    assert not report.busy and report.handled == 0
    assert len(bot.delivered) == 6


async def test_old_finished_rows_are_deleted_and_owed_ones_kept(
    db: Database, clock: ManualClock
) -> None:
    await due_reminders(db, 2)
    reminders = ReminderService(db, clock, default_deck_id=1)
    await reminders.plan_batch()
    (send, _) = await reminders.take_sends("a", 10, NOW_MS, LEASE_MS)
    await reminders.finish_send("a", send, outbox.SENT, now_ms=NOW_MS)
    assert await outbox.cleanup(db, NOW_MS + 1) == 1
    assert list(await outcomes(db)) == [2]  # the one still owed stays


async def test_a_sender_of_this_host_that_is_gone_keeps_nobody_waiting(
    db: Database, clock: ManualClock
) -> None:
    ids = await due_reminders(db, 4)
    reminders = ReminderService(db, clock, default_deck_id=1)
    # The bot crashed mid-broadcast and was restarted on the same machine at once.
    crashed = f"{socket.gethostname()}/{a_finished_pid()}/c0ffee"
    assert await reminders.hold_sender(crashed, NOW_MS, LEASE_MS)
    await reminders.plan_batch()
    assert len(await reminders.take_sends(crashed, 2, NOW_MS, LEASE_MS)) == 2
    bot, sender = fake_sender()
    report = await deliver_due_reminders(
        reminders, sender, owner="restarted", lease_seconds=60, wall=lambda: NOW_MS / 1000 + 1
    )
    assert not report.busy
    assert sorted(chat for _, chat in bot.delivered) == ids


async def test_reminders_queued_before_m015_move_to_the_outbox_and_still_go_out(
    database_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect = "postgres" if database_url.startswith("postgres") else "sqlite"
    every = MIGRATIONS[dialect]
    monkeypatch.setitem(MIGRATIONS, dialect, [m for m in every if m[0] < "m015"])
    db = await open_database(database_url)
    try:
        await due_reminders(db, 3)
        decided = int(T0.timestamp())
        # As m008's sweep left them: one sent, one queued, one queued and taken once.
        await db.executemany(
            "INSERT INTO reminder_sends (user_id, local_day, due_count, streak, studied_today, "
            "created_at, attempts, outcome) VALUES (?, '2026-03-02', 4, 2, 0, ?, ?, ?)",
            [(1, decided, 1, "sent"), (2, decided, 0, None), (3, decided, 1, None)],
        )
        monkeypatch.setitem(MIGRATIONS, dialect, every)
        assert "m015_reminders_in_outbox" in await db.migrate()
        reminders = ReminderService(db, clock, default_deck_id=1)
        taken = await reminders.take_sends("a", 10, NOW_MS, LEASE_MS)
        assert [(s.user_id, s.local_day, s.due_count, s.attempts) for s in taken] == [
            (2, "2026-03-02", 4, 1),
            (3, "2026-03-02", 4, 2),
        ]
        assert all(s.decided_at == decided and s.streak == 2 for s in taken)
        table = await db.fetchall(
            "SELECT 1 FROM information_schema.tables WHERE table_name = 'reminder_sends' "
            "AND table_schema = current_schema()"
            if dialect == "postgres"
            else "SELECT 1 FROM sqlite_master WHERE name = 'reminder_sends'"
        )
        assert table == []
    finally:
        await db.close()
