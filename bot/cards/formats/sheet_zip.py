"""Spreadsheet packages (.xlsx and .ods are zip files): what a file is, judged by its content, and
its parts unpacked within limits before any spreadsheet reader sees them.

A zip can hold a decompression bomb (a few kilobytes that unpack to gigabytes) or say one size in
its directory and unpack to another. So the directory's sizes are checked before anything is
unpacked, every part is then unpacked here, counted as it comes and checked against its CRC, and
the spreadsheet reader is handed a new zip built from those parts alone: it can unpack nothing
that was not measured first.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from typing import Literal

from bot.cards.model import DeckError

MB = 1024 * 1024
# A real deck of 5,000 cards is well under a megabyte unpacked, and a deck is kept as at most
# 16 MB of JSON: a workbook of 32 MB is no deck.
MAX_UNPACKED_BYTES = 32 * MB
MAX_PARTS = 1000
_CHUNK = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files: .xls, .doc
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

Kind = Literal["xlsx", "ods", "anki", "other"]


@dataclass(frozen=True, slots=True)
class Package:
    """A zip's parts, unpacked within limits, and what kind of file they make."""

    kind: Kind
    parts: dict[str, bytes]

    def rebuilt(self) -> bytes:
        """A zip holding exactly these parts (stored, not compressed), for the reader."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            for name, data in self.parts.items():
                archive.writestr(name, data)
        return out.getvalue()


def is_zip(data: bytes) -> bool:
    """Whether the bytes start like a zip file."""
    return data.startswith(ZIP_MAGIC)


def is_old_office(data: bytes) -> bool:
    """Whether the bytes are an old binary Office file (.xls, .doc)."""
    return data.startswith(OLE_MAGIC)


def open_package(data: bytes, filename: str) -> Package:
    """The zip's parts, unpacked after its directory passed the limits; DeckError says what failed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError):
        raise DeckError.of("zip_damaged", filename) from None
    with archive:
        listed = archive.infolist()
        # A part with no name is a damaged directory entry (ZipInfo.is_dir would fail on it).
        if any(not e.filename for e in listed):
            raise DeckError.of("zip_damaged", filename)
        entries = [e for e in listed if not e.is_dir()]
        if len(entries) > MAX_PARTS:
            raise DeckError.of("zip_too_many_parts", filename, count=len(entries), limit=MAX_PARTS)
        declared = sum(e.file_size for e in entries)
        if declared > MAX_UNPACKED_BYTES:
            raise DeckError.of(
                "zip_declares_too_much",
                filename,
                size=round(declared / MB),
                limit=MAX_UNPACKED_BYTES // MB,
            )
        if any(e.flag_bits & 0x1 for e in entries):
            raise DeckError.of("zip_encrypted", filename)
        parts: dict[str, bytes] = {}
        total = 0
        for entry in entries:
            parts[entry.filename], total = _unpack(archive, entry, total, filename)
    return Package(_kind(parts), parts)


def _unpack(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, total: int, filename: str
) -> tuple[bytes, int]:
    """One part, counted as it unpacks (the directory's size may lie), and the running total."""
    found = bytearray()
    try:
        with archive.open(entry) as stream:
            # zipfile stops at the size the directory declares and then checks the CRC, so a part
            # that unpacks to more than it declares fails here instead of growing.
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > MAX_UNPACKED_BYTES:
                    raise DeckError.of("zip_too_much", filename, limit=MAX_UNPACKED_BYTES // MB)
                found += chunk
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,
        EOFError,
        OSError,
        ValueError,
    ):
        raise DeckError.of("zip_part_unreadable", filename, entry=entry.filename[:80]) from None
    except RuntimeError:  # zipfile's word for an encrypted part
        raise DeckError.of("zip_encrypted", filename) from None
    return bytes(found), total


def _kind(parts: dict[str, bytes]) -> Kind:
    if parts.get("mimetype", b"").strip() == ODS_MIMETYPE and "content.xml" in parts:
        return "ods"
    if "xl/workbook.xml" in parts:
        return "xlsx"
    if any(name.startswith("collection.anki") for name in parts):
        return "anki"
    return "other"
