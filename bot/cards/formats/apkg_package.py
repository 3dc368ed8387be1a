"""Opening an Anki package safely: zip limits, the newest collection, a private read-only copy.

An `.apkg` is a zip holding a SQLite collection: `collection.anki21b` (zstd-compressed, current
Anki), `collection.anki21` or legacy `collection.anki2`. Packages written by current Anki also hold
a `collection.anki2` that is only a stub asking old clients to update, so the newest one present
is always the one read. Nothing is unpacked before the zip's declared sizes are checked, every
read is capped, and the collection is copied into a private temporary directory, opened read-only
and deleted afterwards.
"""

from __future__ import annotations

import io
import os
import sqlite3
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

import zstandard

from bot.cards.model import DeckError
from bot.cards.problems import Problem, problem

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# A zip entry that inflates more than this many times over is a zip bomb, not an Anki collection
# (real collections compress about 3-15×); small entries are exempt since their ratio is harmless.
MAX_COMPRESSION_RATIO = 200
RATIO_EXEMPT_BYTES = 1024 * 1024
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_CHUNK = 1024 * 1024
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,  # encrypted entries; also unsupported compression methods (a subclass)
)

T = TypeVar("T")


def open_zip(data: bytes, where: str) -> zipfile.ZipFile:
    """The package as a zip, refused unread if it would unpack past the limit or looks like a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except _ZIP_ERRORS:
        raise DeckError.of("apkg_not_zip", where) from None
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNPACKED_BYTES:
        raise DeckError.of(
            "apkg_unpacks_too_much",
            where,
            size=round(total / 1e6),
            limit=MAX_UNPACKED_BYTES // 1024 // 1024,
        )
    for entry in entries:
        size, packed = entry.file_size, max(entry.compress_size, 1)
        if size > RATIO_EXEMPT_BYTES and size > MAX_COMPRESSION_RATIO * packed:
            raise DeckError.of(
                "apkg_zip_bomb", where, entry=entry.filename[:80], ratio=size // packed
            )
    return archive


def newest_collection(archive: zipfile.ZipFile, where: str) -> zipfile.ZipInfo:
    """The newest collection in the package (never the stub beside a `collection.anki21b`)."""
    entries = {entry.filename: entry for entry in archive.infolist()}
    for name in COLLECTIONS:
        if name in entries:
            return entries[name]
    raise DeckError.of("apkg_no_collection", where)


def _copy_entry(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, out: IO[bytes], where: str
) -> None:
    """Copy a zip entry, never past its declared size (a lying header cannot inflate further)."""
    written = 0
    try:
        with archive.open(entry) as source:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > entry.file_size or written > MAX_UNPACKED_BYTES:
                    raise DeckError.of("apkg_entry_larger", where, entry=entry.filename[:80])
                out.write(chunk)
    except DeckError:
        raise
    except _ZIP_ERRORS as exc:
        raise DeckError.of(
            "apkg_entry_damaged", where, entry=entry.filename[:80], detail=_reason(exc)
        ) from None


def _unzstd(packed: Path, out: IO[bytes], where: str) -> None:
    """Decompress a zstd collection with the same 100 MB cap as the zip."""
    written = 0
    try:
        with packed.open("rb") as source:
            reader = zstandard.ZstdDecompressor().stream_reader(source)
            while chunk := reader.read(_CHUNK):
                written += len(chunk)
                if written > MAX_UNPACKED_BYTES:
                    raise DeckError.of(
                        "apkg_collection_too_much", where, limit=MAX_UNPACKED_BYTES // 1024 // 1024
                    )
                out.write(chunk)
    except zstandard.ZstdError as exc:
        raise DeckError.of("apkg_bad_zstd", where, detail=str(exc)) from None


def _private_file(path: Path) -> IO[bytes]:
    # O_EXCL + 0600 inside a 0700 directory: no other user can read or swap the copy.
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def media_files(archive: zipfile.ZipFile) -> int:
    """How many media files the package carries (Anki names them 0, 1, 2, …)."""
    return sum(1 for entry in archive.infolist() if entry.filename.isdigit())


@contextmanager
def collection_copy(data: bytes, where: str) -> Iterator[tuple[str, Path, int]]:
    """(member name, private SQLite copy, media file count) of the newest collection; removed after."""
    archive = open_zip(data, where)
    entry = newest_collection(archive, where)
    with tempfile.TemporaryDirectory(prefix="apkg-") as tmp:
        os.chmod(tmp, 0o700)
        folder = Path(tmp)
        target = folder / "collection.sqlite"
        if entry.filename.endswith(".anki21b"):
            packed = folder / "collection.zst"
            with _private_file(packed) as out:
                _copy_entry(archive, entry, out, where)
            with _private_file(target) as out:
                _unzstd(packed, out, where)
            packed.unlink()
        else:
            with _private_file(target) as out:
                _copy_entry(archive, entry, out, where)
        yield entry.filename, target, media_files(archive)


# SQLite's own guards, set before the schema is first parsed: an Anki collection needs none of
# what they refuse (its tables have at most 18 columns, its schema a few plain statements).
SQLITE_LIMITS = (
    (sqlite3.SQLITE_LIMIT_LENGTH, 8_000_000),  # a string or blob, a computed one included
    (sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000),  # a statement, the schema's CREATEs included
    (sqlite3.SQLITE_LIMIT_COLUMN, 64),
    (sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 100),
    (sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 4),
    (sqlite3.SQLITE_LIMIT_VDBE_OP, 25_000),
    (sqlite3.SQLITE_LIMIT_FUNCTION_ARG, 8),
    (sqlite3.SQLITE_LIMIT_ATTACHED, 0),
    (sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 100),
    (sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 16),
    (sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, 1),
    (sqlite3.SQLITE_LIMIT_WORKER_THREADS, 0),
)
MAX_FIELD_BYTES = 8_000_000
# The progress handler runs every STEP_CHUNK virtual machine steps; a statement may take
# MAX_STEPS in all (reading 200,000 reviews takes about 1.5 million).
STEP_CHUNK = 10_000
MAX_STEPS = 50_000_000


class StepBudget:
    """Bounds the work of each statement: `start()` before it, SQLite calls `tick` as it runs."""

    def __init__(self, steps: int | None = None) -> None:
        self.steps = MAX_STEPS if steps is None else steps
        self.left = self.steps // STEP_CHUNK

    def start(self) -> None:
        """Give the next statement its full budget."""
        self.left = self.steps // STEP_CHUNK

    def tick(self) -> int:
        """SQLite's progress handler: non-zero interrupts the statement."""
        self.left -= 1
        return int(self.left < 0)


class Collection:
    """A collection opened for reading hostile content: every statement's work is bounded."""

    def __init__(self, connection: sqlite3.Connection, budget: StepBudget) -> None:
        self.connection = connection
        self.budget = budget

    def query(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        """Run one statement with a fresh step budget (its rows are read lazily, within it)."""
        self.budget.start()
        return self.connection.execute(sql, params)


def read_sqlite(path: Path, where: str, read: Callable[[Collection], T]) -> T:
    """Run `read` on the collection opened read-only (immutable: no journal, no lock files).

    SQLite's limits are set before the schema is parsed, the schema is not trusted (no function
    with side effects runs from it), and every statement has a bounded number of steps.
    """
    uri = f"{path.as_uri()}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise DeckError.of("apkg_cannot_open", where, detail=str(exc)) from None
    # Damaged text must not stop the import: undecodable bytes become U+FFFD.
    connection.text_factory = lambda raw: raw.decode("utf-8", errors="replace")
    budget = StepBudget()
    try:
        for limit, value in SQLITE_LIMITS:
            connection.setlimit(limit, value)
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("PRAGMA cache_size = -8000")  # KiB: at most 8 MB of pages cached
        connection.set_progress_handler(budget.tick, STEP_CHUNK)
        # Current Anki declares its name columns (and their indexes) with this collation.
        connection.create_collation("unicase", _unicase)
        return read(Collection(connection, budget))
    except sqlite3.Error as exc:
        if "out of memory" in str(exc):
            raise MemoryError from None  # SQLite's allocator met the reader's memory limit
        raise DeckError(_sqlite_problem(exc, where)) from None
    except UnicodeDecodeError:
        # SQLite's own error message quoted damaged bytes from the file.
        raise DeckError.of("apkg_damaged_schema", where) from None
    finally:
        connection.close()


def _unicase(left: str, right: str) -> int:
    """Anki's `unicase` collation: Unicode text compared without regard to case."""
    a, b = left.casefold(), right.casefold()
    return (a > b) - (a < b)


def _sqlite_problem(exc: sqlite3.Error, where: str) -> Problem:
    """Why SQLite stopped: the limits by name, anything else as SQLite says it."""
    text = str(exc)
    if text == "interrupted":
        return problem("apkg_too_many_steps", where, limit=MAX_STEPS)
    if "too big" in text:
        return problem("apkg_value_too_long", where, limit=MAX_FIELD_BYTES // 1_000_000)
    return problem("apkg_not_database", where, detail=text)


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
