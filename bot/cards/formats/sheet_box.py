"""How far the first sheet of a workbook spreads, measured from its XML before a reader loads it.

The spreadsheet reader holds a sheet as one dense grid from its first filled cell to its last: a
sheet with one cell in A1 and another in XFD1048576 asks for 17 billion cells, and a native
allocation that fails ends the process without an answer. So the sheet's XML is streamed here
first and the grid it would make is measured: past the limits it is refused, with its size.
"""

from __future__ import annotations

import io
import posixpath
import re

# expat, as Python ships it, fetches no external entities and bounds entity expansion.
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from bot.cards.model import MAX_CARDS, DeckError

# Rows a sheet of cards may span (the card limit, with room for blank rows and a header), and the
# cells of its grid (about 32 bytes each in the reader: 2,000,000 cells is 64 MB).
MAX_ROWS = 4 * MAX_CARDS
MAX_CELLS = 2_000_000
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


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
    if box.rows > MAX_ROWS:
        size = f"more than {MAX_ROWS:,} rows"
    else:
        size = f"more than {MAX_CELLS:,} cells"
    raise DeckError(
        f"{filename}: the first sheet spans {size} (the limit), from "
        f"{column_letters(box.left)}{box.top} to {column_letters(box.right)}{box.bottom} at "
        "least; delete the cells far from the cards, or copy the two columns to a new sheet"
    )


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
    except (KeyError, StopIteration, ET.ParseError):
        raise DeckError(f"{filename}: the workbook lists no sheet I can find") from None
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    path = posixpath.normpath(path)
    if path not in parts:
        raise DeckError(f"{filename}: the workbook's first sheet is missing from the file")
    return path


def xlsx_box(sheet: bytes, filename: str) -> Box:
    """The box of an .xlsx sheet's cells (cells with a reference or after one in their row)."""
    box = Box()
    row = col = 0
    try:
        for event, elem in ET.iterparse(io.BytesIO(sheet), events=("start", "end")):  # noqa: S314
            tag = _local(elem.tag)
            if event == "end":
                if tag == "row":
                    elem.clear()
                continue
            if tag == "row":
                row = _number(elem.get("r"), row + 1)
                col = 0
            elif tag == "c":
                ref = _CELL_REF.match(elem.get("r") or "")
                if ref:
                    col, row = _column(ref.group(1)), int(ref.group(2))
                else:
                    col += 1
                box.add(max(row, 1), col)
                check_box(box, filename)
    except ET.ParseError as exc:
        raise DeckError(f"{filename}: the first sheet is not well-formed XML ({exc})") from None
    return box


def ods_box(content: bytes, filename: str) -> Box:
    """The box of the filled cells of an .ods file's first table (repeats counted as they spread)."""
    box = Box()
    row = col = 0
    depth = 0  # tables open: a table inside a cell is part of that cell
    filled_row = False
    try:
        for event, elem in ET.iterparse(io.BytesIO(content), events=("start", "end")):  # noqa: S314
            tag = _local(elem.tag)
            if tag == "table":
                if event == "start":
                    depth += 1
                    continue
                depth -= 1
                if depth == 0:
                    break  # the first sheet is all a deck is read from
                continue
            if depth != 1:
                continue
            if tag == "table-row":
                if event == "start":
                    col, filled_row = 0, False
                    continue
                repeat = _repeat(elem, "number-rows-repeated")
                if filled_row:
                    box.add(row + 1, box.left or 1, repeat)
                    check_box(box, filename)
                row += repeat
                elem.clear()
            elif tag in ("table-cell", "covered-table-cell") and event == "end":
                repeat = _repeat(elem, "number-columns-repeated")
                if _filled(elem):
                    box.add(row + 1, col + 1, 1, repeat)
                    check_box(box, filename)
                    filled_row = True
                col += repeat
    except ET.ParseError as exc:
        raise DeckError(f"{filename}: the spreadsheet is not well-formed XML ({exc})") from None
    return box


def _filled(cell: ET.Element) -> bool:
    return cell.get(f"{{{_OFFICE_NS}}}value-type") is not None or len(cell) > 0


def _repeat(elem: ET.Element, name: str) -> int:
    return max(1, _number(elem.get(f"{{{_TABLE_NS}}}{name}"), 1))


def _number(value: str | None, default: int) -> int:
    if value is None or not value.isascii() or not value.isdigit():
        return default
    # A number of many digits is as huge as any past the limits (and int() of thousands of
    # digits is slow), so it counts as 10^12.
    return int(value) if len(value) <= 12 else 10**12


def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
