"""The SQLite backend: one aiosqlite connection with WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar

import aiosqlite

from bot.storage.db import Database, Row
from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class _TaskReentrantLock:
    """An asyncio lock that the task holding it may take again (a helper called inside a
    transaction then simply joins that transaction), while other tasks wait their turn."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0

    @property
    def held_by_me(self) -> bool:
        """Whether the current task already holds the lock."""
        task = asyncio.current_task()
        return task is not None and self._owner is task

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        if self._owner is not task or task is None:
            await self._lock.acquire()
            self._owner = task
        self._depth += 1

    async def __aexit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()


def _file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of a file, or None when there is none at `path`."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


class SqliteDatabase(Database):
    """One SQLite database file."""

    dialect: ClassVar[str] = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        # One connection is shared by every concurrent handler and sweep: a statement from one task
        # must never land inside another task's open transaction, so each call and each whole
        # transaction holds this lock. (aiosqlite runs calls one at a time anyway: no throughput lost.)
        self._lock = _TaskReentrantLock()
        self._in_transaction = False
        self._identity = _file_identity(path)

    @classmethod
    async def open(cls, path: Path) -> SqliteDatabase:
        """Open (creating if needed) and migrate the database at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves; single statements autocommit.
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.executescript(
                f"""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                PRAGMA foreign_keys = ON;
                PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
                PRAGMA temp_store = MEMORY;
                """
            )
            db = cls(conn, path)
            await db.migrate()
        except BaseException:
            # aiosqlite's connection thread would otherwise keep the process from exiting.
            await conn.close()
            raise
        return db

    @property
    def location(self) -> str:
        """The database file."""
        return str(self.path)

    def problem(self) -> str | None:
        """Whether the file was deleted or replaced while open (writes would go nowhere)."""
        now = _file_identity(self.path)
        if now is None:
            return f"the database file {self.path} was deleted while the bot ran"
        if now != self._identity:
            return f"the database file {self.path} was replaced while the bot ran"
        return None

    async def close(self) -> None:
        """Checkpoint and close the connection."""
        try:
            await self.conn.execute("PRAGMA optimize")
        except sqlite3.OperationalError as exc:
            # Another process wrote between optimize's reads and its write ("database is
            # locked" at once, without the busy wait): the statistics can wait for next time.
            log.debug("PRAGMA optimize skipped on close: %s", exc)
        finally:
            await self.conn.close()

    async def migrate(self) -> list[str]:
        """Apply every migration not yet recorded, in order, each in its own transaction."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in await self.conn.execute_fetchall("SELECT name FROM _migrations")}
        applied: list[str] = []
        for name, sql in MIGRATIONS[self.dialect]:
            if name in done:
                continue
            # executescript would commit on its own; wrap it so a failing migration leaves nothing.
            await self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n"
                f"INSERT INTO _migrations VALUES ('{name}', datetime('now'));\nCOMMIT;"
            )
            log.info("applied migration %s", name)
            applied.append(name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A write transaction taken with BEGIN IMMEDIATE, committed on success, rolled back on error."""
        if self._lock.held_by_me and self._in_transaction:
            yield  # a nested call joins the transaction already open
            return
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            try:
                yield
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
            finally:
                self._in_transaction = False

    # Every aiosqlite call is a hop onto the connection's thread (~150 µs), and a cursor's
    # fetchone and close are hops of their own: each helper below costs exactly one.

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None (meant for queries of one row; all are read)."""
        # Reading to the end also ends the statement, so no read snapshot stays open.
        async with self._lock:
            rows = await self.conn.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """All rows of a query."""
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, tuple(params)))

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement in its own (autocommitted) transaction; returns the rows changed."""
        async with self._lock:
            cursor = await self.conn.execute(sql, tuple(params))
            # sqlite3 resets a statement that returns no rows as soon as it is done, so there is
            # nothing to close; one that returns rows (RETURNING) holds its transaction until closed.
            if cursor.description is not None:
                await cursor.close()
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters (one hop for all of them)."""
        async with self._lock:
            await self.conn.executemany(sql, [tuple(r) for r in rows])
