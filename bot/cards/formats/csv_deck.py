"""CSV and TSV decks (Quizlet, Brainscape and spreadsheet exports): one card a row, front, back.

The delimiter (tab, comma or semicolon) is sniffed from the rows themselves, a header row such as
`Term,Definition` is recognised in any case, quoted fields may span lines, and the text may be
UTF-8 (with or without a byte order mark) or in another common encoding (see `encoding`). Anki's
plain-text exports (`#separator:tab` lines on top) read the same way, their HTML turned into text
when they say `#html:true`.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from bot.cards.formats.apkg_html import field_to_text
from bot.cards.formats.checks import title_from_filename
from bot.cards.formats.encoding import Decoded, read_text
from bot.cards.model import Card, Deck, DeckError
from bot.cards.validate import Place, build_deck, check_cards, nul_warning, without_nul

DELIMITERS = ("\t", ";", ",")
_DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", "|": "pipe"}
_ANKI_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}
FRONT_HEADERS = frozenset(
    {"front", "term", "terms", "question", "questions", "q", "word", "prompt", "side 1", "side a"}
)
BACK_HEADERS = frozenset(
    {
        "back",
        "definition",
        "definitions",
        "answer",
        "answers",
        "a",
        "meaning",
        "translation",
        "response",
        "side 2",
        "side b",
    }
)
SNIFF_ROWS = 50

_CsvReader = Any  # csv.reader's type (`_csv.Reader`) is not importable at run time


def parse_csv_deck(data: bytes | str | Decoded, filename: str) -> Deck:
    """Read a CSV/TSV deck; the title comes from the file name; errors name the line and field."""
    if isinstance(data, bytes):
        decoded = read_text(data, filename)
    elif isinstance(data, str):
        decoded = Decoded(data.lstrip("\ufeff"))
    else:
        decoded = data
    text = decoded.text
    # PostgreSQL cannot store a NUL character: they go, and the preview says so.
    text, nul = without_nul(text)
    text, delimiter, is_html = _anki_directives(text)
    if delimiter is None:
        delimiter = _sniff(text, filename)
    rows = _rows(text, delimiter, filename)
    first = next(rows, None)
    if first is None:
        raise DeckError.of("no_rows", filename)
    front_col, back_col = 0, 1
    width = len(first[1])
    header = header_columns(first[1])
    if header is not None:
        front_col, back_col = header
    else:
        rows = itertools.chain([first], rows)
    needed = max(front_col, back_col) + 1

    def placed() -> Iterator[tuple[Card, Place]]:
        # A generator: the rows are read only as far as the cards are taken (the card limit
        # stops reading at the first card beyond it).
        for line, fields in rows:
            count = len(fields)
            if count < needed or (count > width and any(f.strip() for f in fields[width:])):
                raise DeckError.of(
                    "wrong_fields",
                    filename,
                    place="line",
                    at=line,
                    expected=width,
                    delimiter=_DELIMITER_NAMES[delimiter],
                    found=count,
                )
            for col, side in ((front_col, "front"), (back_col, "back")):
                if not fields[col].strip():
                    raise DeckError.of(
                        "field_empty", filename, place="line", at=line, field=col + 1, side=side
                    )
            front, back = fields[front_col], fields[back_col]
            if is_html:
                front, back = field_to_text(front).text, field_to_text(back).text
            yield Card(front, back), ("line", line)

    cards = check_cards(placed(), filename)
    warnings = decoded.warnings() + ([nul_warning(nul)] if nul else [])
    return build_deck(title_from_filename(filename), cards, warnings, where=filename)


def is_anki_export(text: str) -> bool:
    """Whether the text starts like Anki's "Notes in Plain Text" export (`#separator:tab`)."""
    return bool(re.match(r"\ufeff?#(separator|html|notetype|deck|columns):", text, re.IGNORECASE))


def _anki_directives(text: str) -> tuple[str, str | None, bool]:
    """Drop Anki export header lines (`#separator:tab`, `#html:true`): (text, separator, is HTML)."""
    delimiter: str | None = None
    is_html = False
    lines = text.split("\n")
    skip = 0
    for line in lines:
        match = re.match(r"#([a-z ]+):(.*)$", line.strip(), re.IGNORECASE)
        if not match:
            break
        name, value = match.group(1).strip().lower(), match.group(2).strip().lower()
        if name == "separator":
            delimiter = _ANKI_SEPARATORS.get(value, delimiter)
        elif name == "html":
            is_html = value == "true"
        skip += 1
    # Keep the skipped lines as blank lines so line numbers still match the file.
    return "\n" * skip + "\n".join(lines[skip:]), delimiter, is_html


def _reader(text: str, delimiter: str, strict: bool) -> _CsvReader:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)


def _sniff(text: str, filename: str) -> str:
    """The delimiter whose rows most consistently split into the same number (≥ 2) of fields."""
    prefer_tab = filename.lower().endswith(".tsv")
    best: tuple[float, int, int] | None = None
    chosen = ""
    for rank, delimiter in enumerate(DELIMITERS):
        counts: Counter[int] = Counter()
        try:
            for number, fields in enumerate(_reader(text, delimiter, strict=False)):
                if number >= SNIFF_ROWS:
                    break
                if any(f.strip() for f in fields):
                    counts[len(fields)] += 1
        except csv.Error:
            continue
        if not counts:
            continue
        width, agreeing = counts.most_common(1)[0]
        if width < 2:
            continue
        consistency = agreeing / sum(counts.values())
        key = (consistency, int(prefer_tab and delimiter == "\t"), -rank)
        if best is None or key > best:
            best, chosen = key, delimiter
    if not chosen:
        if not text.strip():
            raise DeckError.of("no_rows", filename)
        raise DeckError.of("no_separator", filename, place="line", at=1)
    return chosen


def _rows(text: str, delimiter: str, filename: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on."""
    reader = _reader(text, delimiter, strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DeckError.of(
                "csv_error", filename, place="line", at=start, detail=str(exc)
            ) from None
        if any(f.strip() for f in fields):
            yield start, fields
        start = reader.line_num + 1


def header_columns(fields: list[str]) -> tuple[int, int] | None:
    """(front column, back column) if the row is a header such as `Term;Definition`, else None."""
    names = [re.sub(r"[\s:*#]+$|^[\s#]+", "", f).casefold() for f in fields]
    fronts = [i for i, name in enumerate(names) if name in FRONT_HEADERS]
    backs = [i for i, name in enumerate(names) if name in BACK_HEADERS and i not in fronts[:1]]
    if fronts and backs:
        return fronts[0], backs[0]
    return None
