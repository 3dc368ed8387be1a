"""Tiny real pictures and sounds, and Anki packages that carry them (built with genanki)."""

from __future__ import annotations

import struct
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path

import genanki


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid PNG of the given size, all black."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def mp3_bytes(frames: int = 3) -> bytes:
    """A few silent MPEG-1 layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each)."""
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    return frame * frames


def opus_bytes(padding: int = 200) -> bytes:
    """An OGG/Opus stream's first page (its OpusHead packet), then `padding` bytes."""
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    page = b"OggS\x00\x02" + b"\x00" * 8 + struct.pack("<III", 1, 0, 0) + bytes([1, len(head)])
    return page + head + b"\x00" * padding


ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def media_package(
    notes: list[tuple[str, str]],
    files: Mapping[str, bytes],
    deck_name: str = "Pictures",
) -> bytes:
    """A legacy `.apkg` whose Basic notes are (front, back) and which carries `files` by name."""
    deck = genanki.Deck(2059400111, deck_name)
    for front, back in notes:
        deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[front, back]))
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in files.items():
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(str(path))
        out = Path(tmp) / "deck.apkg"
        genanki.Package(deck, media_files=paths).write_to_file(str(out))
        return out.read_bytes()
