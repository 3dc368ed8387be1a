"""Reminder benchmark: 100,000 users whose reminders fall in the same minute.

Measures (1) selecting them through the partial index (EXPLAIN QUERY PLAN printed), (2) deciding
and claiming all of them in sweep batches, (3) the send rate the real pacer achieves against the
sandbox Bot API (which answers 429 to anything over Telegram's limits) for a subset of them,
and (4) peak memory. Run: `.venv/bin/python bench/bench_reminders.py [--users N] [--sends N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.broadcast import GLOBAL_LIMIT, BroadcastSender
from bot.clock import ManualClock
from bot.handlers.reminder_sweep import deliver_due_reminders
from bot.sandbox.server import SandboxServer
from bot.services.reminders import SWEEP_BATCH, ReminderService
from bot.storage import reminders as store
from bot.storage.db import Database
from bot.storage.sqlite import SqliteDatabase

TOKEN = "123456789:BENCH-token-for-the-sandbox-00000000"
FIRST_ID = 700_000_001  # the sandbox's first user id, so the sent subset are real chats
SCHEDULED = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


def peak_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def populate(db: Database, users: int) -> None:
    """Users with a 3-day streak at stake and an 18:30 reminder in one minute (UTC zone)."""
    base = int(SCHEDULED.timestamp())
    rows = [
        (FIRST_ID + i, f"User {i}", base, "18:30", base + i % 60, 3, 3, "2026-03-01")
        for i in range(users)
    ]
    async with db.transaction():
        await db.executemany(
            "INSERT INTO users (id, first_name, created_at, remind_time, next_remind_at, "
            "streak_current, streak_best, streak_last_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    await db.execute("ANALYZE")


async def measure_selection(db: Database, users: int) -> None:
    """Print the plan and the time to select every due reminder, whole and in sweep batches."""
    now = int((SCHEDULED + timedelta(minutes=1)).timestamp())
    plan = await db.fetchall("EXPLAIN QUERY PLAN " + store.DUE_SQL, (1, now, now, SWEEP_BATCH))
    print("EXPLAIN QUERY PLAN (due query):")
    for row in plan:
        print(f"  {row[3]}")
    started = time.perf_counter()
    due = await store.due_reminders(db, now, 1, users)
    whole = time.perf_counter() - started
    assert len(due) == users
    started = time.perf_counter()
    first = await store.due_reminders(db, now, 1, SWEEP_BATCH)
    batch = time.perf_counter() - started
    print(f"select all {len(due):,} due reminders: {whole * 1000:.0f} ms")
    print(f"select one sweep batch of {len(first)}: {batch * 1000:.1f} ms")
    del due, first


async def measure_claims(path: Path, users: int) -> None:
    """Decide and claim every reminder in sweep batches, as the sweep does before sending."""
    db = await SqliteDatabase.open(path)
    try:
        clock = ManualClock(SCHEDULED + timedelta(minutes=1))
        service = ReminderService(db, clock, default_deck_id=1)
        started = time.perf_counter()
        decided = sends = 0
        while True:
            plan = await service.plan_batch(SWEEP_BATCH)
            decided += plan.decided
            sends += len(plan.sends)
            if plan.decided < SWEEP_BATCH:
                break
        elapsed = time.perf_counter() - started
        print(
            f"decide + claim {decided:,} reminders in batches of {SWEEP_BATCH}: "
            f"{elapsed:.2f} s ({decided / elapsed:,.0f}/s), {sends:,} to send"
        )
    finally:
        await db.close()


async def measure_sends(path: Path, sends: int) -> None:
    """Send `sends` reminders through the sweep and the real pacer to the sandbox; report rate."""
    sandbox = SandboxServer(token=TOKEN, enforce_limits=True)
    await sandbox.start()
    for i in range(sends):
        sandbox.user(f"User {i}", started=True)
    bot = Bot(
        TOKEN,
        base_url=f"{sandbox.base_url}/bot",
        request=HTTPXRequest(connection_pool_size=32),
    )
    await bot.initialize()
    db = await SqliteDatabase.open(path)
    try:
        # Fresh reminders for the sent subset (the claim run above moved everyone to tomorrow and
        # queued its decisions in the outbox: dropped, so only this subset is sent).
        await db.execute("DELETE FROM outbox WHERE kind = 'reminder'")
        base = int(SCHEDULED.timestamp())
        await db.execute(
            "UPDATE users SET next_remind_at = ?, last_remind_day = NULL WHERE id < ?",
            (base, FIRST_ID + sends),
        )
        clock = ManualClock(SCHEDULED + timedelta(minutes=1))
        reminders = ReminderService(db, clock, default_deck_id=1)
        sender = BroadcastSender(bot)
        started = time.perf_counter()
        report = await deliver_due_reminders(reminders, sender, budget=sends)
        elapsed = time.perf_counter() - started
        # Arrival times as the sandbox recorded them, first to last.
        records = sorted(r.at for r in sandbox.rates.records if r.kind == "message")
        span = (records[-1] - records[0]).total_seconds()
        steady = (len(records) - 1) / span if span else float("inf")
        overall = report.sent / elapsed
        busiest = max(
            sum(1 for t in records[i : i + GLOBAL_LIMIT + 1] if t < start + timedelta(seconds=1))
            for i, start in enumerate(records)
        )
        print(
            f"sent {report.sent:,} of {sends:,} reminders in {elapsed:.1f} s: "
            f"{overall:.2f} msg/s overall ({overall / GLOBAL_LIMIT:.3f} of the {GLOBAL_LIMIT}/s "
            f"limit), {steady:.2f} msg/s first to last arrival "
            f"({steady / GLOBAL_LIMIT:.3f}); busiest one-second window: {busiest}"
        )
        print(
            f"429s received: {sender.stats.retry_after}, failed: {report.failed}, "
            f"sandbox rate violations: {len(sandbox.rate_violations())}"
        )
    finally:
        await db.close()
        await bot.shutdown()
        await sandbox.stop()


async def main() -> None:
    """Run every measurement on a fresh database file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument(
        "--sends", type=int, default=2_000, help="reminders actually sent (about 70 s)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        db = await SqliteDatabase.open(path)
        try:
            started = time.perf_counter()
            await populate(db, args.users)
            print(f"{args.users:,} users inserted in {time.perf_counter() - started:.1f} s")
            await measure_selection(db, args.users)
        finally:
            await db.close()
        await measure_claims(path, args.users)
        print(f"peak memory before sending: {peak_mb():.0f} MB")
        await measure_sends(path, min(args.sends, args.users))
    print(f"peak memory (bot and in-process sandbox together): {peak_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
