"""Shared fixtures: a migrated database file, a manual clock, the bundled deck loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.storage.db import Database
from tests.token_scan import token_never_logged  # noqa: F401 - a session-wide log scan

SHARED = Path(__file__).resolve().parents[2] / "shared"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """A clock stopped at Monday 2 March 2026, 09:00 UTC."""
    return ManualClock(T0)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated SQLite database file."""
    database = await Database.open(tmp_path / "test.sqlite3")
    yield database
    await database.close()


def shared_path(*parts: str) -> Path:
    """A path under the read-only shared folder beside the checkout; skips the test when absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path
