"""Hostile Anki collections: computed columns, views, huge row counts, long values, endless work.

Each collection is built here with sqlite3; the reader must refuse it quickly, in words naming the
limit, without computing what the file asks for.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cards.formats import apkg, apkg_package
from bot.cards.formats.apkg import MAX_NOTES, MAX_REVIEWS, read_apkg
from bot.cards.model import MAX_CARDS, MAX_TITLE_CHARS, DeckError
from tests.deck_notes import said
from tests.unit.test_format_apkg import (
    BASIC,
    as_anki21b,
    edited_collection,
    make_package,
    zip_members,
)

BASE = make_package([(BASIC, ["France", "Paris"]), (BASIC, ["Spain", "Madrid"])])


def package(edit: Callable[[sqlite3.Connection], object]) -> bytes:
    """A legacy package whose collection was changed by `edit`."""
    return zip_members({"collection.anki2": edited_collection(BASE, edit)})


def refusal(data: bytes, within: float = 2.0) -> str:
    """The reason the reader gives for `data`, which it must find within `within` seconds."""
    start = time.perf_counter()
    with pytest.raises(DeckError) as caught:
        read_apkg(data, "hostile.apkg")
    assert time.perf_counter() - start < within
    return str(caught.value)


def replace_notes(column: str) -> Callable[[sqlite3.Connection], None]:
    """An edit making `notes` a table with `column` as its fields column."""

    def edit(db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE notes")
        db.execute(f"CREATE TABLE notes (id INTEGER PRIMARY KEY, mid INTEGER, {column})")
        db.execute("INSERT INTO notes (id, mid) VALUES (1, 1)")

    return edit


def test_a_column_computed_as_a_300_mb_string_is_refused_unread() -> None:
    # The 625-byte file that took the bot to 1.8 GB: every row read would be 300 MB.
    bomb = package(replace_notes("flds TEXT GENERATED ALWAYS AS (printf('%.*c', 300000000, 'x'))"))
    assert len(bomb) < 5000
    assert refusal(bomb) == (
        "hostile.apkg: column 'flds' of its notes table is computed when read (a generated "
        "column; Anki never writes one); refused unread"
    )


@pytest.mark.parametrize("table", ["cards", "revlog", "col", "decks", "notetypes"])
def test_a_computed_column_in_any_table_read_is_refused(table: str) -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(
            f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, slow TEXT GENERATED ALWAYS AS "
            "(replace(replace(printf('%.*c', 1000000, 'x'), 'x', 'yy'), 'y', 'zz')) STORED)"
        )

    assert f"of its {table} table is computed when read" in refusal(package(edit))


def test_a_view_of_an_endless_recursive_query_is_never_run() -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE revlog")
        db.execute(
            """CREATE VIEW revlog AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1
               FROM n) SELECT i AS id, i AS cid, 3 AS ease, 0 AS time, 1 AS type FROM n"""
        )

    assert refusal(package(edit)) == (
        "hostile.apkg: its revlog is a view computed when read, not a stored table (Anki never "
        "writes one); refused unread"
    )


def test_notes_as_a_view_are_refused() -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE notes RENAME TO real_notes")
        db.execute("CREATE VIEW notes AS SELECT * FROM real_notes")

    assert "its notes is a view computed when read" in refusal(package(edit))


def test_rows_are_counted_before_they_are_read() -> None:
    # 4 million reviews in a small file: the old reader took 48 s and 1.27 GB over them.
    def edit(db: sqlite3.Connection) -> None:
        db.execute(
            """INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)
               WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT ?)
               SELECT i, 1, 0, 3, 1, 0, 2500, 1000, 1 FROM n""",
            (MAX_REVIEWS + 1,),
        )

    read: list[str] = []
    original = apkg._reviews

    def spy(*args: object) -> object:
        read.append("reviews")
        return original(*args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(apkg, "_reviews", spy)
        reason = refusal(as_anki21b(edited_collection(BASE, edit)))
    assert reason == (
        f"hostile.apkg: the collection holds {MAX_REVIEWS + 1:,} reviews; at most "
        f"{MAX_REVIEWS:,} are read (export the deck again without “Include scheduling "
        "information” to bring the cards alone); refused unread"
    )
    assert read == []


def test_too_many_notes_are_refused_unread() -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute(
            """INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data)
               WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n LIMIT ?)
               SELECT i, i, 1, 0, 0, '', 'q' || i || char(31) || 'a', 'q', 0, 0, '' FROM n""",
            (MAX_NOTES,),
        )

    assert refusal(package(edit)).startswith(
        f"hostile.apkg: the collection holds {MAX_NOTES + 2:,} notes; at most {MAX_NOTES:,} "
        f"are read (a deck may have {MAX_CARDS:,} cards)"
    )


def test_the_card_limit_stops_reading_at_the_note_beyond_it() -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute(
            """INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data)
               WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n LIMIT ?)
               SELECT i, i, 1, 0, 0, '', 'q' || i || char(31) || 'a', 'q', 0, 0, '' FROM n""",
            (MAX_CARDS + 100,),
        )

    built: list[int] = []
    original = apkg._Builder.add_note

    def counting(self: apkg._Builder, *args: object) -> None:
        built.append(1)
        original(self, *args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(apkg._Builder, "add_note", counting)
        reason = refusal(package(edit))
    assert reason == (
        f"hostile.apkg: more than {MAX_CARDS:,} cards (the limit): reading stopped at note "
        f"{MAX_CARDS + 1} of {MAX_CARDS + 102}; split the deck"
    )
    assert len(built) == MAX_CARDS + 1


def test_a_value_longer_than_sqlites_length_limit_is_refused() -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute("UPDATE notes SET flds = ?", ("x" * 9_000_000,))

    # Stored, not computed: zstd makes the 9 MB collection a few kilobytes.
    assert refusal(as_anki21b(edited_collection(BASE, edit))) == (
        "hostile.apkg: a value in the collection is longer than 8 MB (the limit); refused"
    )


def test_every_statement_has_a_bounded_number_of_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute(
            """INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)
               WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 50000)
               SELECT i, 1, 0, 3, 1, 0, 2500, 1000, 1 FROM n"""
        )

    monkeypatch.setattr(apkg_package, "MAX_STEPS", 100_000)
    assert refusal(package(edit)) == (
        "hostile.apkg: reading the collection passed 100,000 SQLite steps in one query (the "
        "limit); refused"
    )


def test_a_schema_past_sqlites_limits_is_refused() -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE wide (" + ", ".join(f"c{i}" for i in range(100)) + ")")

    assert "too many columns on wide" in refusal(package(edit))


def test_no_function_with_side_effects_runs_from_the_schema() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.sqlite"
        path.write_bytes(edited_collection(BASE, lambda db: None))

        def check(db: apkg_package.Collection) -> tuple[int, int]:
            trusted = db.query("PRAGMA trusted_schema").fetchone()[0]
            length = db.connection.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)
            return trusted, length

        assert apkg_package.read_sqlite(path, "c", check) == (0, 8_000_000)


def test_nul_characters_are_removed_with_a_warning() -> None:
    def edit(db: sqlite3.Connection) -> None:
        db.execute("UPDATE notes SET flds = replace(flds, 'France', 'Fra' || char(0) || 'nce')")

    read = read_apkg(package(edit), "nul.apkg")
    assert [c.front for c in read.deck.cards] == ["France", "Spain"]
    assert "1 NUL character (invisible, \\0) removed: it cannot be stored" in said(
        read.deck.warnings
    )


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("Languages::Vietnamese", "Languages / Vietnamese"),
        (
            "::".join(["University", "Year 2", "x" * 170, "Chapter 7 Vocabulary"]),
            "… / " + "x" * 170 + " / Chapter 7 Vocabulary",
        ),
        ("::".join(["A" * 120, "B" * 120]), "… / " + "B" * 120),
        ("C" * 300, "C" * (MAX_TITLE_CHARS - 1) + "…"),
    ],
)
def test_long_deck_paths_keep_their_innermost_decks(path: str, title: str) -> None:
    read = read_apkg(make_package([(BASIC, ["France", "Paris"])], deck_name=path), "p.apkg")
    assert read.deck.title == title
    assert len(read.deck.title) <= MAX_TITLE_CHARS
