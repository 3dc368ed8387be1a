"""How far the first sheet of a workbook spreads, measured from its XML before a reader loads it.

The spreadsheet reader holds a sheet as one dense grid from its first filled cell to its last: a
sheet with one cell in A1 and another in XFD1048576 asks for 17 billion cells, and a native
allocation that fails ends the process without an answer. So the sheet's XML is streamed here
first and the grid it would make is measured: past the limits it is refused, with its size.
"""

from __future__ import annotations

import contextlib
import functools
import posixpath
import re

# expat, as Python ships it, fetches no external entities and bounds entity expansion.
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from xml.parsers import expat

from bot.cards.model import MAX_CARDS, DeckError

# Rows a sheet of cards may span (the card limit, with room for blank rows and a header), and the
# cells of its grid (about 32 bytes each in the reader: 1,000,000 cells is 32 MB, read in about
# a second).
MAX_ROWS = 4 * MAX_CARDS
MAX_CELLS = 1_000_000
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# Names as expat hands them out with namespace processing ("namespace}local").
_TABLE = f"{_TABLE_NS}}}table"
_ROW = f"{_TABLE_NS}}}table-row"
_CELLS = frozenset({f"{_TABLE_NS}}}table-cell", f"{_TABLE_NS}}}covered-table-cell"})
_ROWS_REPEATED = f"{_TABLE_NS}}}number-rows-repeated"
_COLUMNS_REPEATED = f"{_TABLE_NS}}}number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE_NS}}}value-type"


@dataclass(slots=True)
class Box:
    """The rows and columns (1-based, inclusive) the filled cells of a sheet span."""

    top: int = 0
    left: int = 0
    bottom: int = 0
    right: int = 0

    def add(self, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        """Take in a block of `rows` × `cols` cells whose top left cell is (row, col)."""
        if not self.top:
            self.top, self.left = row, col
        self.top, self.left = min(self.top, row), min(self.left, col)
        self.bottom = max(self.bottom, row + rows - 1)
        self.right = max(self.right, col + cols - 1)

    def covers(self, row: int, col: int, rows: int = 1, cols: int = 1) -> bool:
        """Whether the block of `rows` × `cols` cells at (row, col) is inside the box already."""
        return (
            0 < self.top <= row
            and self.left <= col
            and row + rows - 1 <= self.bottom
            and col + cols - 1 <= self.right
        )

    def grow(self, row: int, col: int, filename: str, rows: int = 1, cols: int = 1) -> None:
        """Take in a block of cells, refusing the sheet once its box is past the limits."""
        if not self.covers(row, col, rows, cols):
            self.add(row, col, rows, cols)
            check_box(self, filename)

    @property
    def rows(self) -> int:
        """How many rows the box spans."""
        return self.bottom - self.top + 1 if self.top else 0

    @property
    def cols(self) -> int:
        """How many columns the box spans."""
        return self.right - self.left + 1 if self.top else 0


def check_box(box: Box, filename: str) -> None:
    """Refuse a sheet whose grid would be past the limits, saying how far it reaches."""
    if box.rows <= MAX_ROWS and box.rows * box.cols <= MAX_CELLS:
        return
    start = f"{column_letters(box.left)}{box.top}"
    end = f"{column_letters(box.right)}{box.bottom}"
    if box.rows > MAX_ROWS:
        raise DeckError.of("sheet_too_many_rows", filename, limit=MAX_ROWS, start=start, end=end)
    raise DeckError.of("sheet_too_many_cells", filename, limit=MAX_CELLS, start=start, end=end)


def column_letters(col: int) -> str:
    """A column's letters from its 1-based number: 1 → A, 28 → AB."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters or "A"


def xlsx_first_sheet(parts: dict[str, bytes], filename: str) -> str:
    """The part holding the workbook's first sheet (as a reader takes it: in workbook order)."""
    try:
        workbook = ET.fromstring(parts["xl/workbook.xml"])  # noqa: S314
        sheet = next(e for e in workbook.iter() if _local(e.tag) == "sheet")
        rel_id = sheet.get(f"{{{_R_NS}}}id")
        rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])  # noqa: S314
        target = next(
            e.get("Target", "")
            for e in rels.iter()
            if _local(e.tag) == "Relationship" and e.get("Id") == rel_id
        )
    except (KeyError, StopIteration, ET.ParseError, LookupError, UnicodeError):
        raise DeckError.of("no_sheet", filename) from None
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    path = posixpath.normpath(path)
    if path not in parts:
        raise DeckError.of("sheet_missing", filename)
    return path


def xlsx_box(sheet: bytes, filename: str) -> Box:
    """The box of an .xlsx sheet's cells (cells with a reference or after one in their row)."""
    scan = _XlsxScan(filename)
    # Without namespace processing: expat hands out "c" (or "x:c") as written, which is faster.
    _parse(sheet, scan.start, None, filename, "first_sheet", namespaces=False)
    return scan.box


def ods_box(content: bytes, filename: str) -> Box:
    """The box of the filled cells of an .ods file's first table (repeats counted as they spread)."""
    scan = _OdsScan(filename)
    with contextlib.suppress(_FirstTableRead):
        _parse(content, scan.start, scan.end, filename, "spreadsheet")
    return scan.box


class _FirstTableRead(Exception):
    """The first table has ended: the rest of the file is not read."""


def _parse(
    xml: bytes,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None,
    filename: str,
    what: str,
    namespaces: bool = True,
) -> None:
    """Stream `xml` through expat (no tree is built: a sheet of a million cells takes a second)."""
    parser = expat.ParserCreate(namespace_separator="}" if namespaces else None)
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise DeckError.of("xml_invalid", filename, part=what, detail=str(exc)) from None
    except (LookupError, UnicodeError):  # an XML declaration naming an encoding nobody has
        raise DeckError.of("xml_encoding", filename, part=what) from None


class _XlsxScan:
    """Rows and cells of an .xlsx sheet as they stream by."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.box = Box()
        self.row = self.col = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        # Called for every element of the sheet: kept to a few comparisons for a cell.
        if name == "c" or name.endswith(":c"):
            ref = _CELL_REF.match(attrs.get("r", ""))
            if ref:
                self.col, self.row = _column(ref.group(1)), int(ref.group(2))
            else:
                self.col += 1
            self.box.grow(max(self.row, 1), self.col, self.filename)
        elif name == "row" or name.endswith(":row"):
            self.row, self.col = _number(attrs.get("r"), self.row + 1), 0


class _OdsScan:
    """Rows and cells of an .ods file's first table as they stream by."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.box = Box()
        self.row = self.col = 0
        self.depth = 0  # tables open: a table inside a cell is part of that cell
        self.rows_repeat = 1
        self.filled_row = False
        self.cell_repeat = 0  # the open cell's repeat, 0 when no cell is open
        self.filled_cell = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.cell_repeat:
            self.filled_cell = True  # a paragraph (or anything) inside the cell
        if name == _TABLE:
            self.depth += 1
        elif self.depth != 1:
            return
        elif name in _CELLS:
            self.cell_repeat = _number(attrs.get(_COLUMNS_REPEATED), 1) or 1
            self.filled_cell = _VALUE_TYPE in attrs
        elif name == _ROW:
            self.col, self.filled_row = 0, False
            self.rows_repeat = _number(attrs.get(_ROWS_REPEATED), 1) or 1

    def end(self, name: str) -> None:
        if name == _TABLE:
            self.depth -= 1
            if self.depth == 0:
                raise _FirstTableRead  # the first sheet is all a deck is read from
        elif self.depth != 1:
            return
        elif name in _CELLS:
            if self.filled_cell:
                self.box.grow(self.row + 1, self.col + 1, self.filename, 1, self.cell_repeat)
                self.filled_row = True
            self.col += self.cell_repeat
            self.cell_repeat = 0
        elif name == _ROW:
            if self.filled_row:
                self.box.grow(self.row + 1, self.box.left, self.filename, self.rows_repeat)
            self.row += self.rows_repeat


def _number(value: str | None, default: int) -> int:
    if value is None or not value.isascii() or not value.isdigit():
        return default
    # A number of many digits is as huge as any past the limits (and int() of thousands of
    # digits is slow), so it counts as 10^12.
    return int(value) if len(value) <= 12 else 10**12


@functools.cache
def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
