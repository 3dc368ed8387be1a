"""The two storage backends for tests: a fresh SQLite file, or a fresh schema on PostgreSQL.

PostgreSQL runs when TEST_DATABASE_URL names a reachable server (`.ci/run` sets it); each test
gets its own schema, named in the URL's `search_path`, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.storage.postgres import with_server_settings

BACKENDS = ("sqlite", "postgres")
_reachable: dict[str, str | None] = {}


def test_database_url() -> str | None:
    """The PostgreSQL server tests may use, if one is configured."""
    return os.environ.get("TEST_DATABASE_URL", "").strip() or None


async def _why_unreachable(url: str) -> str | None:
    if url not in _reachable:
        try:
            conn = await asyncpg.connect(url, timeout=5)
            await conn.close()
            _reachable[url] = None
        except (OSError, asyncpg.PostgresError) as exc:
            _reachable[url] = f"{type(exc).__name__}: {exc}"
    return _reachable[url]


async def postgres_url_or_skip() -> str:
    """The configured server's URL; skips the test when none is configured or reachable."""
    url = test_database_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    problem = await _why_unreachable(url)
    if problem is not None:
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is not reachable ({problem})")
    return url


@asynccontextmanager
async def fresh_schema(url: str) -> AsyncIterator[str]:
    """A new empty schema on the server at `url`; yields a URL using it, drops it afterwards."""
    schema = "test_" + secrets.token_hex(6)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    try:
        yield with_server_settings(url, search_path=schema)
    finally:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await conn.close()


@asynccontextmanager
async def backend_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A DATABASE_URL of a fresh, empty database on `backend`."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    async with fresh_schema(await postgres_url_or_skip()) as url:
        yield url
