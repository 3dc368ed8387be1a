"""Migrations from a blank database on each backend, the two schemas kept in step, and the
indexes the hot queries rely on."""

from __future__ import annotations

from pathlib import Path

from bot.storage.db import Database
from bot.storage.migrations import DIALECTS, MIGRATIONS
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SqliteDatabase
from tests.backends import fresh_schema, postgres_url_or_skip
from tests.storage.plans import full_scans_or_sorts, indexes_used, postgres_plan, sqlite_plan

# A table's columns as (table, column, may be NULL), and its indexes made by CREATE INDEX.
Shape = tuple[set[tuple[str, str, bool]], set[str]]


async def test_migrations_apply_in_order_from_blank_and_only_once_on_sqlite(
    tmp_path: Path,
) -> None:
    path = tmp_path / "fresh.sqlite3"
    db = await SqliteDatabase.open(path)
    try:
        rows = await db.fetchall("SELECT name FROM _migrations ORDER BY name")
        assert [r[0] for r in rows] == [name for name, _ in MIGRATIONS["sqlite"]]
        assert await db.migrate() == []
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        fk = await db.fetchone("PRAGMA foreign_keys")
        assert fk is not None and fk[0] == 1
    finally:
        await db.close()
    reopened = await SqliteDatabase.open(path)
    try:
        assert await reopened.migrate() == []
        ok = await reopened.fetchone("PRAGMA integrity_check")
        assert ok is not None and ok[0] == "ok"
    finally:
        await reopened.close()


async def test_migrations_apply_in_order_from_blank_and_only_once_on_postgres() -> None:
    async with fresh_schema(await postgres_url_or_skip()) as url:
        db = await PostgresDatabase.open(url)
        try:
            rows = await db.fetchall("SELECT name FROM _migrations ORDER BY name")
            assert [r[0] for r in rows] == [name for name, _ in MIGRATIONS["postgres"]]
            assert await db.migrate() == []
        finally:
            await db.close()
        reopened = await PostgresDatabase.open(url)
        try:
            assert await reopened.migrate() == []
        finally:
            await reopened.close()


def test_both_backends_have_the_same_migrations() -> None:
    names = {dialect: [name for name, _ in MIGRATIONS[dialect]] for dialect in DIALECTS}
    assert names["sqlite"], "no migrations found"
    assert names["sqlite"] == names["postgres"]


async def _sqlite_shape(db: Database) -> Shape:
    columns = await db.fetchall(
        """SELECT m.name, p.name, p."notnull", p.pk FROM sqlite_master m, pragma_table_info(m.name) p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"""
    )
    # A primary key column cannot hold NULL whether or not it says NOT NULL.
    shape = {(str(t), str(c), not (notnull or pk)) for t, c, notnull, pk in columns}
    # Indexes with SQL of their own; those behind PRIMARY KEY and UNIQUE have none.
    indexes = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    )
    return shape, {str(r[0]) for r in indexes}


async def _postgres_shape(db: Database) -> Shape:
    columns = await db.fetchall(
        """SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns
            WHERE table_schema = current_schema()"""
    )
    shape = {(str(t), str(c), bool(nullable)) for t, c, nullable in columns}
    # Indexes behind PRIMARY KEY and UNIQUE constraints belong to the constraint, not a migration.
    indexes = await db.fetchall(
        """SELECT i.relname FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
            WHERE i.relnamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"""
    )
    return shape, {str(r[0]) for r in indexes}


async def test_both_backends_migrate_to_the_same_tables_columns_and_indexes(
    tmp_path: Path,
) -> None:
    async with fresh_schema(await postgres_url_or_skip()) as url:
        postgres = await PostgresDatabase.open(url)
        try:
            pg_columns, pg_indexes = await _postgres_shape(postgres)
        finally:
            await postgres.close()
    sqlite = await SqliteDatabase.open(tmp_path / "shape.sqlite3")
    try:
        lite_columns, lite_indexes = await _sqlite_shape(sqlite)
    finally:
        await sqlite.close()
    # _migrations is each backend's own bookkeeping (its applied_at differs in type only).
    pg_columns = {c for c in pg_columns if c[0] != "_migrations"}
    lite_columns = {c for c in lite_columns if c[0] != "_migrations"}
    assert {c[0] for c in lite_columns} == {c[0] for c in pg_columns}
    assert sorted(lite_columns ^ pg_columns) == []
    assert lite_indexes == pg_indexes


NEXT_DUE_SQL = (
    "SELECT question_id FROM review_states "
    "WHERE user_id = ? AND deck_id = ? AND due <= ? ORDER BY due LIMIT 10"
)
MIN_DUE_SQL = "SELECT MIN(due) FROM review_states WHERE user_id = ? AND deck_id = ?"


async def test_next_due_lookup_is_one_index_range_scan(db: Database) -> None:
    if db.dialect == "sqlite":
        details = " ".join(await sqlite_plan(db, NEXT_DUE_SQL, (1, 1, 0)))
        assert (
            "USING INDEX review_states_due" in details
            or "USING COVERING INDEX review_states_due" in details
        )
        assert "TEMP B-TREE" not in details
        assert "review_states_due" in " ".join(await sqlite_plan(db, MIN_DUE_SQL, (1, 1)))
    else:
        nodes = await postgres_plan(db, NEXT_DUE_SQL, (1, 1, 0))
        assert indexes_used(nodes) == {"review_states_due"}, nodes
        assert full_scans_or_sorts(nodes) == [], nodes
        nodes = await postgres_plan(db, MIN_DUE_SQL, (1, 1))
        assert indexes_used(nodes) == {"review_states_due"}, nodes
