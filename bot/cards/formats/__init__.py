"""Deck file formats and the one entry point that picks the right reader."""

from __future__ import annotations

from pathlib import Path

from bot.cards.formats.apkg import ApkgImport, ImportedReview, read_apkg
from bot.cards.formats.by_content import read_by_content
from bot.cards.formats.csv_deck import parse_csv_deck
from bot.cards.formats.text import parse_flashcard_text
from bot.cards.formats.toml_deck import parse_toml_deck
from bot.cards.model import Deck, DeckError

MAX_FILE_BYTES = 10 * 1024 * 1024
SUPPORTED_SUFFIXES = (".toml", ".txt", ".csv", ".tsv", ".xlsx", ".ods", ".apkg")
# Read by what they hold, whatever of these names they carry (see `by_content`).
TEXT_OR_SHEET_SUFFIXES = (".txt", ".csv", ".tsv", ".xlsx", ".ods")

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "ApkgImport",
    "ImportedReview",
    "parse_csv_deck",
    "parse_flashcard_text",
    "read_apkg",
    "read_deck_bytes",
    "read_deck_file",
]


def read_deck_bytes(data: bytes, filename: str) -> Deck:
    """Read a deck from a file's bytes: TOML and Anki packages by their extension, the rest by
    their content (see `by_content`)."""
    if len(data) > MAX_FILE_BYTES:
        raise DeckError.of("larger_than_limit", filename, limit=MAX_FILE_BYTES // 1024 // 1024)
    suffix = Path(filename).suffix.lower()
    if suffix == ".toml":
        return parse_toml_deck(_decode(data, filename), where=filename)
    if suffix in TEXT_OR_SHEET_SUFFIXES:
        return read_by_content(data, filename)
    if suffix == ".apkg":
        return read_apkg(data, filename).deck
    if not suffix:
        raise DeckError.of("no_file_type", filename, suffixes=", ".join(SUPPORTED_SUFFIXES))
    raise DeckError.of(
        "unsupported_type", filename, suffix=suffix, suffixes=", ".join(SUPPORTED_SUFFIXES)
    )


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeckError.of("not_utf8", filename, byte=exc.start) from None


def read_deck_file(path: Path) -> Deck:
    """Read a deck file from disk, with the size limit checked before reading it whole."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DeckError.of("cannot_open", str(path), detail=str(exc.strerror)) from None
    if size > MAX_FILE_BYTES:
        raise DeckError.of("larger_than_limit", path.name, limit=MAX_FILE_BYTES // 1024 // 1024)
    return read_deck_bytes(path.read_bytes(), path.name)
