"""The PostgreSQL backend: an asyncpg pool shared by every handler, sweep and process.

Several bot processes may share one PostgreSQL database; what must happen once is decided by the
database itself (conditional updates, `ON CONFLICT`, `FOR UPDATE SKIP LOCKED`), never in memory.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.storage.db import Database, Row, redacted
from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: processes starting at once migrate one after another.
MIGRATION_LOCK = 0x51_0_1A
POOL_MIN = 1
POOL_MAX = 10
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
            url, min_size=min_size, max_size=max_size, reset=_end_open_transaction
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
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS _migrations "
                    "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
            for name, sql in MIGRATIONS[self.dialect]:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                    if await conn.fetchval("SELECT 1 FROM _migrations WHERE name = $1", name):
                        continue
                    await conn.execute(sql)
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
    async def transaction(self) -> AsyncIterator[None]:
        """A READ COMMITTED transaction on one pooled connection; nested calls join it."""
        if self._held() is not None:
            yield
            return
        async with self.pool.acquire() as conn, conn.transaction():
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
        target = conn if conn is not None else self.pool
        records: list[Row] = await target.fetch(numbered(sql), *params)
        return records

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns the rows changed."""
        conn = self._held()
        target = conn if conn is not None else self.pool
        status: str = await target.execute(numbered(sql), *params)
        return rows_changed(status)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters (one pipelined batch)."""
        if not rows:
            return
        conn = self._held()
        target = conn if conn is not None else self.pool
        await target.executemany(numbered(sql), rows)
