"""Deck file formats and the one entry point that picks the right reader."""

from __future__ import annotations

from pathlib import Path

from bot.cards.formats.toml_deck import parse_toml_deck
from bot.cards.model import Deck, DeckError

MAX_FILE_BYTES = 10 * 1024 * 1024


def read_deck_bytes(data: bytes, filename: str) -> Deck:
    """Read a deck from a file's bytes, choosing the format by the file name's extension."""
    if len(data) > MAX_FILE_BYTES:
        raise DeckError(f"{filename}: the file is larger than 10 MB")
    suffix = Path(filename).suffix.lower()
    if suffix == ".toml":
        return parse_toml_deck(_decode(data, filename), where=filename)
    raise DeckError(f"{filename}: unsupported file type {suffix or '(none)'!r}")


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeckError(f"{filename}: not UTF-8 text (byte {exc.start})") from None


def read_deck_file(path: Path) -> Deck:
    """Read a deck file from disk, with the size limit checked before reading it whole."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DeckError(f"{path}: cannot open: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise DeckError(f"{path.name}: the file is larger than 10 MB")
    return read_deck_bytes(path.read_bytes(), path.name)
