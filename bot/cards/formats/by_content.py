"""Text and spreadsheet files read by what they hold, whatever their name says.

A workbook renamed `.csv` is still a workbook, a CSV renamed `.xlsx` still text: the first bytes
decide. A zip is opened only as a spreadsheet package (see `sheet_zip`); known binary files are
named in the refusal; anything else is text in some encoding (see `encoding`), read as CSV or, for
a `.txt`, as pasted flashcards (or an Anki plain-text export, which is CSV with `#` lines on top);
a Quizlet export with its cards on one line (see `quizlet`) is CSV too.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.cards.formats.checks import title_from_filename
from bot.cards.formats.csv_deck import is_anki_export, parse_csv_deck
from bot.cards.formats.encoding import read_text
from bot.cards.formats.quizlet import one_line_set
from bot.cards.formats.sheet_zip import is_old_office, is_zip, open_package
from bot.cards.formats.spreadsheet import read_spreadsheet
from bot.cards.formats.text import parse_flashcard_text
from bot.cards.model import Deck, DeckError

# Files people send by mistake, told by their first bytes.
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"RIFF", "riff"),
    (b"ID3", "mp3"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)


def read_by_content(data: bytes, filename: str) -> Deck:
    """A .txt, .csv, .tsv, .xlsx or .ods file's deck, read as what its content is."""
    if is_zip(data):
        package = open_package(data, filename)
        if package.kind in ("xlsx", "ods"):
            return read_spreadsheet(package, filename)
        if package.kind == "anki":
            raise DeckError.of("anki_renamed", filename)
        raise DeckError.of("zip_not_sheet", filename)
    if is_old_office(data):
        raise DeckError.of("old_office", filename)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise DeckError.of("other_file", filename, kind=kind)
    decoded = read_text(data, filename)
    one_line = one_line_set(decoded.text)
    if one_line is not None:
        return parse_csv_deck(dataclasses.replace(decoded, text=one_line), filename)
    if Path(filename).suffix.lower() == ".txt" and not is_anki_export(decoded.text):
        deck = parse_flashcard_text(
            decoded.text, where=filename, default_title=title_from_filename(filename)
        )
        if not decoded.guessed:
            return deck
        return dataclasses.replace(deck, warnings=(*decoded.warnings(), *deck.warnings))
    return parse_csv_deck(decoded, filename)
