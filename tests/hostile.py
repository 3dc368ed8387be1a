"""Hostile Anki packages, built with sqlite3: one that asks for memory, six that ask for CPU.

Each is small to send (under 100 KB) and asks the reader for far more than any deck needs: a
column computed as a 300 MB string, a column that computes slowly, a view that never ends, a
million notes or reviews, and two collections that pass every check SQLite can make but burn CPU
in the parsers (a field of a million HTML tags; note types made of millions of protobuf fields).
The first five are refused unread; the last two are stopped by the reader's CPU limit.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import genanki
import zstandard

Edit = Callable[[sqlite3.Connection], object]
FIELD = 7_900_000  # just under SQLite's length limit as the reader sets it (8 MB)


@dataclass(frozen=True)
class Bomb:
    """A hostile package, and words the reason for refusing it must hold."""

    name: str
    data: bytes
    reason: str


def _base_collection() -> bytes:
    """A genanki collection of two notes."""
    deck = genanki.Deck(2059400110, "Geography")
    for front, back in (("France", "Paris"), ("Spain", "Madrid")):
        deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[front, back]))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(target), timestamp=1_700_000_000.0)
        return zipfile.ZipFile(target).read("collection.anki2")


def _edited(edit: Edit) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.sqlite"
        path.write_bytes(_base_collection())
        db = sqlite3.connect(path)
        edit(db)
        db.commit()
        db.execute("VACUUM")
        db.close()
        return path.read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def legacy(edit: Edit) -> bytes:
    """A `collection.anki2` package whose collection `edit` changed."""
    return _zip({"collection.anki2": _edited(edit), "media": b"{}"})


def current(edit: Edit) -> bytes:
    """A `collection.anki21b` package (zstd inside the zip: a large collection sent small)."""
    packed = zstandard.ZstdCompressor().compress(_edited(edit))
    return _zip({"collection.anki21b": packed, "collection.anki2": b"stub", "media": b""})


def memory_bomb() -> Bomb:
    """The 625-byte kind: every note read would be a 300 MB string."""

    def edit(db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE notes")
        db.execute(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, mid INTEGER, "
            "flds TEXT GENERATED ALWAYS AS (printf('%.*c', 300000000, 'x')) VIRTUAL)"
        )
        db.execute("INSERT INTO notes (id, mid) VALUES (1, 1)")

    return Bomb("memory.apkg", legacy(edit), "computed when read")


def slow_column() -> Bomb:
    """A cards column that takes seconds of CPU for every row read."""

    def edit(db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE cards")
        db.execute(
            "CREATE TABLE cards (id INTEGER PRIMARY KEY, nid INTEGER, ord INTEGER, did INTEGER, "
            "slow TEXT GENERATED ALWAYS AS (length(replace(replace(replace(printf('%.*c', "
            "5000000, 'x'), 'x', 'yy'), 'y', 'zz'), 'z', 'ww'))) VIRTUAL)"
        )
        db.execute(
            "INSERT INTO cards (id, nid, ord, did) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
            "SELECT i + 1 FROM n LIMIT 1000) SELECT i, i, 0, 1 FROM n"
        )

    return Bomb("slow-column.apkg", legacy(edit), "computed when read")


def endless_view() -> Bomb:
    """The review log as a recursive query that never ends."""

    def edit(db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE revlog")
        db.execute(
            "CREATE VIEW revlog AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM "
            "n) SELECT i AS id, i AS cid, 3 AS ease, 0 AS time, 1 AS type FROM n ORDER BY i DESC"
        )

    return Bomb("endless-view.apkg", legacy(edit), "is a view computed when read")


def many_reviews(rows: int = 1_000_000) -> Bomb:
    """A million reviews: the old reader took 48 s and 1.27 GB over four million."""

    def edit(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) WITH "
            "RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT ?) "
            "SELECT i, 1, 0, 3, 1, 0, 2500, 1000, 1 FROM n",
            (rows,),
        )

    return Bomb("many-reviews.apkg", current(edit), f"holds {rows:,} reviews")


def many_notes(rows: int = 1_000_000) -> Bomb:
    """A million notes."""

    def edit(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data) "
            "WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n LIMIT ?) "
            "SELECT i, i, 1, 0, 0, '', 'q' || char(31) || 'a', 'q', 0, 0, '' FROM n",
            (rows,),
        )

    return Bomb("many-notes.apkg", current(edit), f"holds {rows + 2:,} notes")


def tag_burn(notes: int = 11) -> Bomb:
    """Notes whose fields are a million empty HTML tags each: legal, stored, and slow to strip."""

    def edit(db: sqlite3.Connection) -> None:
        tags = "<i></i>" * (FIELD // 7 // 2)
        for number in range(notes):
            db.execute(
                "INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data) "
                "SELECT ?, ?, mid, 0, 0, '', ?, '', 0, 0, '' FROM notes LIMIT 1",
                (100 + number, f"g{number}", tags + "\x1f" + tags),
            )

    return Bomb("tag-burn.apkg", current(edit), "so I stopped")


def varint_burn(types: int = 12) -> Bomb:
    """Note types whose settings are millions of protobuf fields, walked one by one."""

    def edit(db: sqlite3.Connection) -> None:
        db.execute("UPDATE col SET models = '', decks = ''")
        db.execute("CREATE TABLE notetypes (id INTEGER PRIMARY KEY, name TEXT, config BLOB)")
        blob = b"\x10\x00" * (FIELD // 2)  # field 2, a varint 0, again and again
        for number in range(types):
            db.execute("INSERT INTO notetypes VALUES (?, ?, ?)", (number + 1, f"t{number}", blob))

    return Bomb("varint-burn.apkg", current(edit), "so I stopped")


def cpu_bombs() -> list[Bomb]:
    """The six packages that ask for CPU."""
    return [slow_column(), endless_view(), many_reviews(), many_notes(), tag_burn(), varint_burn()]
