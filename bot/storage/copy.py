"""Move a bot's data from its SQLite file into an empty PostgreSQL database (`python -m bot db copy`).

Both databases are opened (and so migrated to the latest schema) first; the tables are found in the
SQLite schema and copied column by column name, parents before children, with asyncpg's binary COPY,
reading SQLite in batches from one read snapshot. The whole write is one PostgreSQL transaction, so
a copy that fails leaves the target as empty as it found it. Afterwards every table is counted on
both sides.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from sqlite3 import DatabaseError as SqliteDatabaseError
from typing import Any
from urllib.parse import quote, urlsplit

import aiosqlite
import asyncpg

from bot.storage.db import is_postgres_url, open_database, redacted, sqlite_path
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SqliteDatabase

BATCH = 5000
SKIPPED_TABLES = frozenset({"_migrations"})
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file

# (table, rows copied so far, rows in the table)
Progress = Callable[[str, int, int], None]


class CopyError(Exception):
    """The copy cannot start or did not check out; the message says why (never a password)."""


class BadUrl(CopyError):
    """A source or target URL of the wrong kind."""


@dataclass(frozen=True)
class TableCount:
    """One table's rows on both sides after the copy."""

    table: str
    sqlite: int
    postgres: int


@dataclass(frozen=True)
class CopyReport:
    """Every copied table's row count in SQLite and in PostgreSQL, counted after the commit."""

    counts: list[TableCount]

    @property
    def mismatched(self) -> list[TableCount]:
        """The tables whose counts differ."""
        return [c for c in self.counts if c.sqlite != c.postgres]


@dataclass(frozen=True)
class _Table:
    """How one table is copied."""

    name: str
    columns: list[str]
    key: list[str]  # primary key columns: the order rows are read in, and how patches find a row
    # Columns referring to a table copied later (a foreign-key cycle): copied as NULL, then set.
    deferred: list[str]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scrub(text: str, url: str) -> str:
    """`text` without the password of `url`, in case an error message quotes the URL."""
    password = urlsplit(url).password
    if not password:
        return text
    for form in {password, quote(password, safe="")}:
        text = text.replace(form, "***")
    return text


def check_urls(source_url: str, target_url: str) -> Path:
    """The SQLite file to copy from; raises BadUrl/CopyError for URLs of the wrong kind or a
    source file that does not exist (opening it would create an empty database)."""
    if not source_url.startswith("sqlite:///"):
        raise BadUrl(
            f"the source must be a sqlite:/// URL of the bot's database file, got {redacted(source_url)!r}"
        )
    if not is_postgres_url(target_url):
        raise BadUrl(
            "the target must be a postgresql://user@host:5432/database URL, "
            f"got {redacted(target_url)!r}"
        )
    path = sqlite_path(source_url)
    if not path.is_file():
        raise CopyError(f"{path} does not exist: nothing to copy (no empty database was created)")
    if path.stat().st_size == 0:
        raise CopyError(f"{path} is an empty file, not the bot's database: nothing to copy")
    # Checked before opening: a file that is no database fails only once SQLite reads it.
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise CopyError(f"{path} is not a SQLite database: nothing to copy")
    return path


async def _open_source(source_url: str, path: Path) -> SqliteDatabase:
    try:
        source = await open_database(source_url)
    except SqliteDatabaseError as exc:
        raise CopyError(f"cannot open {path} as a SQLite database: {exc}") from exc
    assert isinstance(source, SqliteDatabase)
    return source


async def _open_target(target_url: str) -> PostgresDatabase:
    try:
        target = await open_database(target_url)
    except (
        OSError,
        TimeoutError,
        ValueError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
    ) as exc:
        raise CopyError(
            f"cannot open PostgreSQL at {redacted(target_url)}: "
            f"{_scrub(str(exc) or type(exc).__name__, target_url)}"
        ) from exc
    assert isinstance(target, PostgresDatabase)
    return target


async def copy_database(
    source_url: str, target_url: str, progress: Progress | None = None, batch: int = BATCH
) -> CopyReport:
    """Copy every table of the SQLite database into the empty PostgreSQL one, then count both.

    Raises CopyError when the copy cannot start or fails (the target is left empty then).
    """
    path = check_urls(source_url, target_url)
    source = await _open_source(source_url, path)
    try:
        target = await _open_target(target_url)
        try:
            return await _copy(source, target, progress or _quiet, batch, target_url)
        finally:
            await target.close()
    finally:
        await source.close()


def _quiet(table: str, done: int, total: int) -> None:
    """No progress shown."""


async def _copy(
    source: SqliteDatabase,
    target: PostgresDatabase,
    progress: Progress,
    batch: int,
    target_url: str,
) -> CopyReport:
    names, tables = await _plan(source, target)
    sqlite = source.conn
    async with target.pool.acquire() as conn:
        # One read transaction on SQLite: every table comes from the same moment, and nothing
        # blocks a writer (WAL), though the bot should be stopped while its data moves.
        await sqlite.execute("BEGIN")
        try:
            async with conn.transaction():
                await _prepare_target(conn, tables)
                for table in tables:
                    await _copy_table(sqlite, conn, table, progress, batch)
                for table in tables:
                    if table.deferred:
                        await _patch_deferred(sqlite, conn, table, batch)
                await _reset_identities(conn)
                for table in tables:
                    await conn.execute(f"ALTER TABLE {_quote(table.name)} ENABLE TRIGGER USER")
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise CopyError(
                f"PostgreSQL refused the copy, nothing was written: {_scrub(str(exc), target_url)}"
            ) from exc
        finally:
            await sqlite.execute("ROLLBACK")  # only read: this just ends the snapshot
        # Counted again after the commit, outside any snapshot: what each side really holds now.
        counts = []
        try:
            for name in names:  # in schema order, easier to read than copy order
                on_sqlite = await _count_sqlite(sqlite, name)
                on_postgres = await conn.fetchval(f"SELECT COUNT(*) FROM {_quote(name)}")
                counts.append(TableCount(name, on_sqlite, int(on_postgres)))
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise CopyError(
                "the copy was committed, but counting the rows in PostgreSQL failed: "
                f"{_scrub(str(exc), target_url)}"
            ) from exc
    return CopyReport(counts)


async def _plan(source: SqliteDatabase, target: PostgresDatabase) -> tuple[list[str], list[_Table]]:
    """The tables in schema order, and how to copy them, parents first, with their columns
    checked against PostgreSQL's."""
    sqlite_tables = [
        str(r[0])
        for r in await source.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY rowid"
        )
        if r[0] not in SKIPPED_TABLES
    ]
    sqlite_columns: dict[str, list[str]] = {}
    sqlite_keys: dict[str, list[str]] = {}
    for name in sqlite_tables:
        info = await source.fetchall(
            "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", (name,)
        )
        sqlite_columns[name] = [str(r[0]) for r in info]
        sqlite_keys[name] = [
            str(r[0]) for r in sorted((r for r in info if r[1]), key=lambda r: r[1])
        ]

    pg_columns: dict[str, dict[str, bool]] = {}  # table -> column -> nullable
    for r in await target.fetchall(
        """SELECT c.table_name, c.column_name, c.is_nullable
             FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position"""
    ):
        if r[0] not in SKIPPED_TABLES:
            pg_columns.setdefault(str(r[0]), {})[str(r[1])] = r[2] == "YES"
    parents: dict[str, list[tuple[str, str]]] = {}  # table -> (column, referenced table)
    for r in await target.fetchall(
        """SELECT k.table_name, k.column_name, u.table_name
             FROM information_schema.table_constraints t
             JOIN information_schema.key_column_usage k
               ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
             JOIN information_schema.constraint_column_usage u
               ON u.constraint_name = t.constraint_name AND u.table_schema = t.table_schema
            WHERE t.constraint_type = 'FOREIGN KEY' AND t.table_schema = current_schema()"""
    ):
        parents.setdefault(str(r[0]), []).append((str(r[1]), str(r[2])))

    only_sqlite = [t for t in sqlite_tables if t not in pg_columns]
    only_pg = sorted(set(pg_columns) - set(sqlite_tables))
    if only_sqlite or only_pg:
        raise CopyError(
            "the two schemas differ, nothing was copied: "
            + "; ".join(
                [f"table {t} is only in SQLite" for t in only_sqlite]
                + [f"table {t} is only in PostgreSQL" for t in only_pg]
            )
        )
    for name in sqlite_tables:
        missing_pg = [c for c in sqlite_columns[name] if c not in pg_columns[name]]
        missing_sqlite = [c for c in pg_columns[name] if c not in sqlite_columns[name]]
        if missing_pg or missing_sqlite:
            raise CopyError(
                f"table {name} has different columns on the two sides, nothing was copied: "
                + "; ".join(
                    [f"{c} is only in SQLite" for c in missing_pg]
                    + [f"{c} is only in PostgreSQL" for c in missing_sqlite]
                )
            )
    return sqlite_tables, _order(sqlite_tables, sqlite_columns, sqlite_keys, pg_columns, parents)


def _order(
    names: list[str],
    columns: dict[str, list[str]],
    keys: dict[str, list[str]],
    nullable: dict[str, dict[str, bool]],
    parents: dict[str, list[tuple[str, str]]],
) -> list[_Table]:
    """Parents before children; a foreign-key cycle (users.active_deck_id -> decks, decks.owner_id
    -> users) is broken at a nullable column, which is copied as NULL and set once all is in."""
    ordered: list[_Table] = []
    done: set[str] = set()
    remaining = list(names)
    while remaining:

        def waiting(name: str) -> list[str]:
            return [col for col, parent in parents.get(name, []) if parent not in done]

        ready = next((n for n in remaining if not waiting(n)), None)
        deferred: list[str] = []
        if ready is None:
            # A cycle: start at the first table whose unmet references may all be NULL for a while.
            ready = next(
                (n for n in remaining if keys[n] and all(nullable[n][col] for col in waiting(n))),
                None,
            )
            if ready is None:
                raise CopyError(
                    "the foreign keys between "
                    + ", ".join(remaining)
                    + " form a cycle through NOT NULL columns: no order to copy them in"
                )
            deferred = waiting(ready)
        # Rows are read in primary-key order (rowid order when a table has none).
        ordered.append(_Table(ready, columns[ready], keys[ready], deferred))
        done.add(ready)
        remaining.remove(ready)
    return ordered


async def _prepare_target(conn: asyncpg.Connection, tables: Sequence[_Table]) -> None:
    """Lock every table, switch its triggers off for this transaction, and check it is empty.

    The copied rows are already the final state: the reviews_apply trigger would rewrite schedules,
    streaks and sessions from each review again. `DISABLE TRIGGER USER` leaves the foreign-key
    checks on (they prove the copied rows hang together) and needs only table ownership, where
    `session_replication_role = replica` would skip those checks and needs superuser rights. ALTER TABLE
    is transactional: a failed copy rolls it back, a finished one switches the triggers on again.
    """
    for table in tables:
        # Also an ACCESS EXCLUSIVE lock: nothing else writes a table between the check and the copy.
        await conn.execute(f"ALTER TABLE {_quote(table.name)} DISABLE TRIGGER USER")
    for table in tables:
        if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_quote(table.name)})"):
            raise CopyError(
                f"the target already holds data (table {table.name} has rows): "
                "copy only into an empty database, nothing was written"
            )


async def _count_sqlite(sqlite: aiosqlite.Connection, table: str) -> int:
    async with sqlite.execute(f"SELECT COUNT(*) FROM {_quote(table)}") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def _order_by(table: _Table) -> str:
    return ", ".join(_quote(c) for c in table.key) if table.key else "rowid"


async def _copy_table(
    sqlite: aiosqlite.Connection,
    conn: asyncpg.Connection,
    table: _Table,
    progress: Progress,
    batch: int,
) -> None:
    """Stream one table from SQLite into PostgreSQL's binary COPY, `batch` rows at a time."""
    total = await _count_sqlite(sqlite, table.name)
    progress(table.name, 0, total)
    selected = ", ".join("NULL" if c in table.deferred else _quote(c) for c in table.columns)
    sql = f"SELECT {selected} FROM {_quote(table.name)} ORDER BY {_order_by(table)}"
    sent = 0

    async def rows() -> AsyncGenerator[tuple[Any, ...], None]:
        nonlocal sent
        async with sqlite.execute(sql) as cursor:
            while chunk := list(await cursor.fetchmany(batch)):
                for row in chunk:
                    yield tuple(row)
                sent += len(chunk)
                progress(table.name, sent, total)

    try:
        async with aclosing(rows()) as records:
            status = await conn.copy_records_to_table(
                table.name, records=records, columns=table.columns
            )
    # asyncpg's binary encoders raise TypeError/ValueError/OverflowError for a value the column's
    # type cannot hold (SQLite lets any column keep text): name the table, roll everything back.
    except (
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        TypeError,
        ValueError,
        OverflowError,
    ) as exc:
        raise CopyError(
            f"copying table {table.name} failed, nothing was written: {type(exc).__name__}: {exc}"
        ) from exc
    copied = int(str(status).rsplit(" ", 1)[-1])
    if copied != total:
        raise CopyError(
            f"table {table.name}: {total} rows in SQLite but {copied} copied, nothing was written"
        )


async def _patch_deferred(
    sqlite: aiosqlite.Connection, conn: asyncpg.Connection, table: _Table, batch: int
) -> None:
    """Set the columns copied as NULL (a foreign-key cycle) now that what they refer to is in."""
    keys, values = table.key, table.deferred
    select = (
        f"SELECT {', '.join(_quote(c) for c in keys + values)} FROM {_quote(table.name)} "
        f"WHERE {' OR '.join(f'{_quote(c)} IS NOT NULL' for c in values)} ORDER BY {_order_by(table)}"
    )
    assignments = ", ".join(f"{_quote(c)} = ${len(keys) + i}" for i, c in enumerate(values, 1))
    match = " AND ".join(f"{_quote(c)} = ${i}" for i, c in enumerate(keys, 1))
    update = f"UPDATE {_quote(table.name)} SET {assignments} WHERE {match}"
    async with sqlite.execute(select) as cursor:
        while chunk := await cursor.fetchmany(batch):
            await conn.executemany(update, [tuple(r) for r in chunk])


async def _reset_identities(conn: asyncpg.Connection) -> None:
    """Point each identity column's sequence past the largest copied id, so new rows get fresh ones."""
    identities = await conn.fetch(
        """SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'"""
    )
    for table, column in identities:
        # is_called = false: the next id handed out is exactly this value.
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence(quote_ident($1), $2), "
            f"GREATEST(COALESCE(MAX({_quote(column)}), 0) + 1, 1), false) FROM {_quote(table)}",
            table,
            column,
        )
