"""Migrations from a blank file, and the indexes the hot queries rely on."""

from __future__ import annotations

from pathlib import Path

from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS


async def test_migrations_apply_in_order_from_blank_and_only_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    db = await Database.open(path)
    try:
        rows = await db.fetchall("SELECT name FROM _migrations ORDER BY name")
        assert [r[0] for r in rows] == [name for name, _ in MIGRATIONS]
        assert await db.migrate() == []
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        fk = await db.fetchone("PRAGMA foreign_keys")
        assert fk is not None and fk[0] == 1
    finally:
        await db.close()
    reopened = await Database.open(path)
    try:
        assert await reopened.migrate() == []
        ok = await reopened.fetchone("PRAGMA integrity_check")
        assert ok is not None and ok[0] == "ok"
    finally:
        await reopened.close()


async def test_next_due_lookup_is_one_index_range_scan(db: Database) -> None:
    plan = await db.fetchall(
        "EXPLAIN QUERY PLAN SELECT question_id FROM review_states "
        "WHERE user_id = ? AND deck_id = ? AND due <= ? ORDER BY due LIMIT 10",
        (1, 1, 0),
    )
    details = " ".join(str(r[3]) for r in plan)
    assert (
        "USING INDEX review_states_due" in details
        or "USING COVERING INDEX review_states_due" in details
    )
    assert "TEMP B-TREE" not in details
    plan = await db.fetchall(
        "EXPLAIN QUERY PLAN SELECT MIN(due) FROM review_states WHERE user_id = ? AND deck_id = ?",
        (1, 1),
    )
    assert "review_states_due" in " ".join(str(r[3]) for r in plan)
