"""Workbooks in real reader processes under the bot's limits: the largest sheet the limits allow is
read within them, and a sheet whose grid the reader could not allocate gets a reason, not a crash.
"""

from __future__ import annotations

import io
import zipfile

from bot.cards.formats.sheet_box import MAX_CELLS, column_letters
from bot.cards.model import MAX_CARDS
from bot.reader.pool import ReaderPool
from bot.reader.protocol import Read, Refused
from bot.views.deck_problems import render
from tests.deck_notes import said
from tests.reliability.test_readers import data
from tests.sheets import xlsx_bytes


def workbook(sheet: bytes) -> bytes:
    """An .xlsx whose first sheet's XML is `sheet` (the rest as openpyxl writes it)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["a", "b"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            part = sheet if name == "xl/worksheets/sheet1.xml" else source.read(name)
            archive.writestr(name, part)
    return out.getvalue()


def widest_sheet(rows: int, cols: int) -> bytes:
    """Sheet XML of `rows` cards (front, back) and numbers filling `cols` columns in all."""
    letters = [column_letters(c + 1) for c in range(cols)]
    body = []
    for r in range(1, rows + 1):
        cells = [
            f'<c r="A{r}" t="inlineStr"><is><t>q{r}</t></is></c>',
            f'<c r="B{r}" t="inlineStr"><is><t>a{r}</t></is></c>',
        ]
        cells += [f'<c r="{letters[c]}{r}"><v>{c}</v></c>' for c in range(2, cols)]
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    ).encode()


async def test_the_largest_sheet_the_limits_allow_is_read_within_the_readers_limits() -> None:
    cols = MAX_CELLS // MAX_CARDS
    file = workbook(widest_sheet(MAX_CARDS, cols))
    pool = ReaderPool()
    try:
        read = await pool.read(1, "file", "wide.xlsx", data(file))
    finally:
        await pool.close()
    assert isinstance(read, Read), read
    assert read.digest.cards == MAX_CARDS
    assert said(read.digest.warnings) == (
        "only the first two columns (A and B) were read; the columns after them were left out",
    )


async def test_a_far_cell_gets_a_reason_from_the_reader_not_a_crash() -> None:
    # Without the measure the reader's native code would abort allocating 17 billion cells.
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>3</v></c></row></sheetData></worksheet>'
    )
    pool = ReaderPool()
    try:
        read = await pool.read(1, "file", "far.xlsx", data(workbook(sheet)))
    finally:
        await pool.close()
    assert isinstance(read, Refused), read
    assert render(read.reason).startswith("far.xlsx: the first sheet spans more than 20,000 rows")
