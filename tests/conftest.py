"""Shared fixtures: a migrated database file, a manual clock, the bundled deck loaded."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.storage.db import Database, open_database
from bot.views import deck_problems  # noqa: F401 - deck problems read in English in tests
from bot.views.i18n import PSEUDO_ENV
from tests.backends import BACKENDS, backend_url
from tests.token_scan import token_never_logged  # noqa: F401 - a session-wide log scan

SHARED = Path(__file__).resolve().parents[2] / "shared"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    """--pseudo-locale: the bot speaks the pseudo-locale instead of English (bot.views.i18n)."""
    parser.addoption(
        "--pseudo-locale",
        action="store_true",
        help="replace English with every message 40% longer and accented (the sandbox checks it "
        "against Telegram's limits and hands tests the English back)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Switch the pseudo-locale on for the whole run when asked."""
    if config.getoption("--pseudo-locale"):
        os.environ[PSEUDO_ENV] = "1"


@pytest.fixture
def clock() -> ManualClock:
    """A clock stopped at Monday 2 March 2026, 09:00 UTC."""
    return ManualClock(T0)


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a fresh, empty database: a SQLite file, then a PostgreSQL schema (when
    TEST_DATABASE_URL names a reachable server; skipped otherwise)."""
    async with backend_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A fresh, migrated database on each backend."""
    database = await open_database(database_url)
    yield database
    await database.close()


def shared_path(*parts: str) -> Path:
    """A path under the read-only shared folder beside the checkout; skips the test when absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path
