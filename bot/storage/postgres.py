"""The PostgreSQL backend: an asyncpg pool shared by every handler, sweep and process.

Several bot processes may share one PostgreSQL database; what must happen once is decided by the
database itself (conditional updates, `ON CONFLICT`, `FOR UPDATE SKIP LOCKED`), never in memory.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.storage.db import Database, DatabaseTimeout, Row, redacted
from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)
T = TypeVar("T")

# pg_advisory_xact_lock key: processes starting at once migrate one after another.
MIGRATION_LOCK = 0x51_0_1A
POOL_MIN = 1
POOL_MAX = 10
# A server that stops answering (a dead network path leaves connections open, silent) must not
# leave people waiting: a statement, a wait for a pooled connection and a new connection each give
# up after these many seconds, and the caller gets DatabaseTimeout (the person, "try again").
STATEMENT_TIMEOUT = 10.0
ACQUIRE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 10.0
# Migrations may rewrite big tables: they get longer.
MIGRATION_TIMEOUT = 600.0
# A `?` outside quotes; quoted text and identifiers are matched first and kept as they are.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?")


@functools.lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """The statement with each `?` placeholder replaced by `$1`, `$2`, … as asyncpg expects."""
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        if match.group(0) != "?":
            return match.group(0)
        counter += 1
        return f"${counter}"

    return _TOKEN.sub(replace, sql)


def with_server_settings(url: str, **settings: str) -> str:
    """`url` whose connections start with these server settings (asyncpg passes unknown query
    parameters on as settings), e.g. `search_path` to work in one schema."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in settings]
    query += list(settings.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def rows_changed(status: str) -> int:
    """The row count at the end of a command status such as `UPDATE 3` or `INSERT 0 1`."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


async def _end_open_transaction(conn: asyncpg.Connection) -> None:
    """What a connection needs before it goes back to the pool: no transaction left open.

    asyncpg's default reset sends `RESET ALL; UNLISTEN *; …` after every pooled statement, a second
    round trip each time. This code never changes session state (settings come from the URL at
    connect time, locks are transaction-scoped, nothing LISTENs), so only a transaction left open by
    a cancelled task needs undoing.
    """
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class PostgresDatabase(Database):
    """A PostgreSQL database reached through an asyncpg connection pool."""

    dialect: ClassVar[str] = "postgres"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self.pool = pool
        self.url = url
        # The connection of the transaction the current task holds, if any. Tasks started inside a
        # transaction inherit the context but not the transaction: the task is checked too.
        self._tx: ContextVar[tuple[asyncio.Task[Any] | None, asyncpg.Connection] | None] = (
            ContextVar(f"pg-tx-{id(self)}", default=None)
        )

    @classmethod
    async def open(
        cls, url: str, min_size: int = POOL_MIN, max_size: int = POOL_MAX
    ) -> PostgresDatabase:
        """Connect a pool to `url` and migrate the database."""
        pool = await asyncpg.create_pool(
            url,
            min_size=min_size,
            max_size=max_size,
            reset=_end_open_transaction,
            timeout=CONNECT_TIMEOUT,
            command_timeout=STATEMENT_TIMEOUT,
        )
        db = cls(pool, url)
        try:
            await db.migrate()
        except BaseException:
            await pool.close()
            raise
        return db

    @property
    def location(self) -> str:
        """The server and database, without the password."""
        return redacted(self.url)

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.pool.close()

    async def migrate(self) -> list[str]:
        """Apply every migration not yet recorded, each in its own transaction, one process at a time."""
        applied: list[str] = []
        wait = MIGRATION_TIMEOUT
        async with self.pool.acquire(timeout=CONNECT_TIMEOUT) as conn:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK, timeout=wait)
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS _migrations "
                    "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
            for name, sql in MIGRATIONS[self.dialect]:
                async with conn.transaction():
                    await conn.execute(
                        "SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK, timeout=wait
                    )
                    if await conn.fetchval("SELECT 1 FROM _migrations WHERE name = $1", name):
                        continue
                    await conn.execute(sql, timeout=wait)
                    await conn.execute("INSERT INTO _migrations (name) VALUES ($1)", name)
                log.info("applied migration %s", name)
                applied.append(name)
        return applied

    def _held(self) -> asyncpg.Connection | None:
        held = self._tx.get()
        if held is not None and held[0] is asyncio.current_task():
            return held[1]
        return None

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection, waited for at most ACQUIRE_TIMEOUT; a timeout of the wait or of a
        statement on it becomes DatabaseTimeout."""
        try:
            async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn:
                yield conn
        except TimeoutError as exc:
            raise DatabaseTimeout(f"the database at {self.location} did not answer") from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A READ COMMITTED transaction on one pooled connection; nested calls join it."""
        if self._held() is not None:
            yield
            return
        async with self._connection() as conn, conn.transaction():
            token = self._tx.set((asyncio.current_task(), conn))
            try:
                yield
            finally:
                self._tx.reset(token)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """All rows of a query."""
        conn = self._held()
        if conn is not None:
            return await _timed(conn.fetch(numbered(sql), *params), self.location)
        try:
            async with self._connection() as fresh:
                return await fresh.fetch(numbered(sql), *params)  # type: ignore[no-any-return]
        except DatabaseTimeout:
            # A read changes nothing: once more, on another connection, before giving up (the
            # one that timed out may be the only one a dead path took).
            async with self._connection() as fresh:
                return await fresh.fetch(numbered(sql), *params)  # type: ignore[no-any-return]

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns the rows changed."""
        conn = self._held()
        if conn is not None:
            status: str = await _timed(conn.execute(numbered(sql), *params), self.location)
            return rows_changed(status)
        async with self._connection() as fresh:
            status = await fresh.execute(numbered(sql), *params)
        return rows_changed(status)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters (one pipelined batch)."""
        if not rows:
            return
        conn = self._held()
        if conn is not None:
            await _timed(conn.executemany(numbered(sql), rows), self.location)
            return
        async with self._connection() as fresh:
            await fresh.executemany(numbered(sql), rows)


async def _timed(call: Awaitable[T], location: str) -> T:
    """A statement inside a transaction: its timeout becomes DatabaseTimeout too."""
    try:
        return await call
    except TimeoutError as exc:
        raise DatabaseTimeout(f"the database at {location} did not answer") from exc
