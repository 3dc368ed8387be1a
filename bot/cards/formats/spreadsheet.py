"""Excel (.xlsx) and OpenDocument (.ods) workbooks: the first sheet's first two columns as cards.

The file is judged by its content (see `sheet_zip`), unpacked within limits, its first sheet
measured (see `sheet_box`), and only then read with `python-calamine`, a maintained reader of
both formats. The filled area's first two columns are front and back; a first row such as
`Term | Definition` is a header (in either column order), as in a CSV file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

from python_calamine import CalamineError, CalamineWorkbook

from bot.cards.formats.checks import title_from_filename
from bot.cards.formats.csv_deck import header_columns
from bot.cards.formats.sheet_box import (
    check_box,
    column_letters,
    ods_box,
    xlsx_box,
    xlsx_first_sheet,
)
from bot.cards.formats.sheet_zip import Package
from bot.cards.model import Card, Deck, DeckError
from bot.cards.problems import Problem
from bot.cards.validate import Place, build_deck, check_cards, nul_warning, without_nul

Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def read_spreadsheet(package: Package, filename: str) -> Deck:
    """The deck in a workbook's first sheet; DeckError names the row and column of a problem."""
    if package.kind == "xlsx":
        box = xlsx_box(package.parts[xlsx_first_sheet(package.parts, filename)], filename)
    elif package.kind == "ods":
        box = ods_box(package.parts["content.xml"], filename)
    else:
        raise DeckError.of("not_spreadsheet", filename)
    check_box(box, filename)
    if not box.rows:
        raise DeckError.of("sheet_empty", filename)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(package.rebuilt())) as workbook:
            sheet = workbook.get_sheet_by_index(0)
            bottom, right = sheet.end or (0, 0)
            rows, width = [], 0
            for row in sheet.iter_rows():
                rows.append(row[:3])
                width = max(width, len(row))
    except CalamineError as exc:
        raise DeckError.of("sheet_unreadable", filename, detail=str(exc)) from None
    # The rows and columns handed out end at the sheet's last filled cell (where they start
    # differs between formats), so row numbers and column letters count back from there.
    return _deck(rows, bottom - len(rows) + 1, right - width + 1, filename)


def _deck(rows: list[list[Cell]], top: int, left: int, filename: str) -> Deck:
    texts = [[_text(cell) for cell in row[:2]] + [""] * (2 - len(row[:2])) for row in rows]
    numbered = [(top + i + 1, row) for i, row in enumerate(texts) if any(s.strip() for s in row)]
    if not numbered:
        raise DeckError.of("sheet_empty", filename)
    front_col, back_col = 0, 1
    body: Iterator[tuple[int, list[str]]] = iter(numbered)
    header = header_columns(numbered[0][1])
    if header is not None:
        front_col, back_col = header
        next(body)
    nul = 0
    third_column = any(len(row) > 2 and _text(row[2]).strip() for row in rows)

    def placed() -> Iterator[tuple[Card, Place]]:
        nonlocal nul
        for number, row in body:
            sides = []
            for col, side in ((front_col, "front"), (back_col, "back")):
                text, removed = without_nul(row[col])
                nul += removed
                if not text.strip():
                    column = column_letters(left + col + 1)
                    raise DeckError.of("cell_empty", filename, row=number, column=column, side=side)
                sides.append(text)
            yield Card(sides[0], sides[1]), ("row", number)

    cards = check_cards(placed(), filename)
    warnings: list[Problem] = [nul_warning(nul)] if nul else []
    if third_column:
        first, second = column_letters(left + 1), column_letters(left + 2)
        warnings.append(Problem("extra_columns", {"first": first, "second": second}))
    return build_deck(title_from_filename(filename), cards, warnings, where=filename)


def _text(cell: Cell) -> str:
    """A cell as the spreadsheet shows it, near enough: 1990 not 1990.0, dates as 2024-05-01."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        if cell.time() == dt.time():
            return cell.date().isoformat()
        exact = "minutes" if not (cell.second or cell.microsecond) else "seconds"
        return cell.isoformat(sep=" ", timespec=exact)
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell)
