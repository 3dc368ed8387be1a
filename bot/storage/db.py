"""The storage interface every storage module talks to, whichever backend sits behind it.

SQL is written once with `?` placeholders and portable syntax (`ON CONFLICT`, `RETURNING`, window
functions); the PostgreSQL backend numbers the placeholders itself. Where the two dialects truly
differ, a module looks at `db.dialect`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit, urlunsplit


class Row(Protocol):
    """A result row: read by position (or by column name)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...


class DatabaseTimeout(Exception):
    """The database did not answer in time (a statement, or the wait for a connection)."""


class Database(ABC):
    """A migrated database: one-statement helpers and write transactions.

    Inside `async with db.transaction():` the same helpers run in that transaction (for the task
    that opened it), so a storage function composes with the ones it calls.
    """

    dialect: ClassVar[str]

    @abstractmethod
    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of a query, or None (meant for queries of one row)."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """All rows of a query."""

    @abstractmethod
    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement (autocommitted outside a transaction); returns the rows changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A write transaction: committed on success, rolled back on error; nests by joining."""

    @abstractmethod
    async def migrate(self) -> list[str]:
        """Apply every migration not yet recorded, in order; returns the names applied."""

    @abstractmethod
    async def close(self) -> None:
        """Release the connection(s)."""

    def problem(self) -> str | None:
        """Why the database can no longer keep what is written to it, if it cannot (cheap: no
        query). None for a server database, whose outages show as DatabaseTimeout instead."""
        return None

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data lives, for logs: a file path, or a server without its password."""


def is_postgres_url(url: str) -> bool:
    """Whether a DATABASE_URL names a PostgreSQL server."""
    return url.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL with any password replaced, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///path` URL (relative to the working directory unless `////abs`)."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite:/// URL: {url!r}")
    return Path(url.removeprefix("sqlite:///"))


async def open_database(url: str) -> Database:
    """Open and migrate the database a DATABASE_URL names: `sqlite:///file` or `postgresql://…`."""
    if is_postgres_url(url):
        from bot.storage.postgres import PostgresDatabase

        return await PostgresDatabase.open(url)
    from bot.storage.sqlite import SqliteDatabase

    return await SqliteDatabase.open(sqlite_path(url))
