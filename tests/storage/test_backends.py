"""What every backend promises the storage modules: transactions that roll back whole, nest by
joining, keep other tasks out, and migrations that several processes may start at once."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.storage.db import Database, open_database
from bot.storage.migrations import MIGRATIONS
from tests.backends import fresh_schema, postgres_url_or_skip


async def _user(db: Database, user_id: int) -> None:
    await db.execute(
        "INSERT INTO users (id, first_name, created_at) VALUES (?, ?, 0)", (user_id, "u")
    )


async def _ids(db: Database) -> list[int]:
    return [int(r[0]) for r in await db.fetchall("SELECT id FROM users ORDER BY id")]


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await _user(db, 1)
            await _user(db, 2)
            raise RuntimeError("crash mid-way")
    assert await _ids(db) == []


async def test_a_nested_transaction_joins_the_outer_one(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await _user(db, 1)
            async with db.transaction():
                await _user(db, 2)
            raise RuntimeError("the outer one fails after the inner one finished")
    assert await _ids(db) == []


async def test_another_tasks_write_is_not_part_of_an_open_transaction(db: Database) -> None:
    inside = asyncio.Event()
    other_done = asyncio.Event()

    async def other_task() -> None:
        await inside.wait()
        await _user(db, 99)
        other_done.set()

    task = asyncio.create_task(other_task())
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await _user(db, 1)
            inside.set()
            # Give the other task its chance to run while this transaction is open.
            await asyncio.sleep(0.05)
            raise RuntimeError("roll back")
    await task
    assert other_done.is_set()
    assert await _ids(db) == [99]


async def test_rows_read_by_position_and_by_name(db: Database) -> None:
    await _user(db, 7)
    row = await db.fetchone("SELECT id, first_name FROM users WHERE id = ?", (7,))
    assert row is not None
    assert (row[0], row["first_name"], tuple(row)) == (7, "u", (7, "u"))
    assert await db.fetchone("SELECT id FROM users WHERE id = ?", (8,)) is None


async def test_execute_counts_the_rows_changed(db: Database) -> None:
    await db.executemany(
        "INSERT INTO users (id, first_name, created_at) VALUES (?, ?, 0)", [(1, "a"), (2, "b")]
    )
    assert await db.execute("UPDATE users SET first_name = ? WHERE id > ?", ("z", 0)) == 2
    assert await db.execute("DELETE FROM users WHERE id = ?", (3,)) == 0


async def test_processes_starting_together_migrate_once() -> None:
    async with fresh_schema(await postgres_url_or_skip()) as url:
        opened = await asyncio.gather(*(open_database(url) for _ in range(3)))
        try:
            rows = await opened[0].fetchall("SELECT name FROM _migrations ORDER BY name")
            assert [r[0] for r in rows] == [name for name, _ in MIGRATIONS["postgres"]]
            # Every instance sees the same, complete schema.
            for db in opened:
                await _user(db, len(await _ids(db)) + 1)
            assert await _ids(opened[2]) == [1, 2, 3]
        finally:
            for db in opened:
                await db.close()


async def test_a_file_that_is_not_a_database_is_refused_and_released(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 200)
    before = set(threading.enumerate())
    with pytest.raises(sqlite3.DatabaseError):
        await open_database(f"sqlite:///{path}")
    # The connection was closed: no worker thread it started is left to keep the process alive.
    for _ in range(200):
        started = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not any("_connection_worker_thread" in t.name for t in started):
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError(f"still running: {started}")


async def test_a_cancelled_transaction_leaves_nothing_and_the_database_usable(
    db: Database,
) -> None:
    inside = asyncio.Event()

    async def interrupted() -> None:
        async with db.transaction():
            await _user(db, 1)
            inside.set()
            await asyncio.sleep(30)  # cancelled here, the transaction still open

    task = asyncio.create_task(interrupted())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for user_id in (2, 3, 4):  # every pooled connection is fit to use again
        await _user(db, user_id)
    assert await _ids(db) == [2, 3, 4]
