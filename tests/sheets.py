"""Spreadsheet files built in the tests: .xlsx with openpyxl, .ods written as LibreOffice does."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from openpyxl import Workbook

Row = Sequence[str | int | float | bool | dt.date | None]

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
_ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" \
xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>
</office:document-content>
"""


def xlsx_bytes(rows: Sequence[Row], *more_sheets: Sequence[Row]) -> bytes:
    """An .xlsx workbook whose first sheet holds `rows` (None leaves a cell empty)."""
    workbook = Workbook()
    sheets = [workbook.active, *(workbook.create_sheet() for _ in more_sheets)]
    for sheet, content in zip(sheets, (rows, *more_sheets), strict=True):
        assert sheet is not None
        for row in content:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ods_cell(value: str | int | float | bool | dt.date | None, repeat: int = 1) -> str:
    """One table cell as LibreOffice writes it."""
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{repeated}/>"
    if isinstance(value, str):
        return (
            f'<table:table-cell office:value-type="string"{repeated}>'
            f"<text:p>{escape(value)}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}"{repeated}>'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def ods_table(rows: Sequence[Row], name: str = "Sheet1", tail: bool = True) -> str:
    """A table; `tail` adds the empty repeated rows and columns LibreOffice writes after the data."""
    body = "".join(
        "<table:table-row>"
        + "".join(ods_cell(v) for v in row)
        + (ods_cell(None, 1022) if tail else "")
        + "</table:table-row>"
        for row in rows
    )
    if tail:
        body += (
            f'<table:table-row table:number-rows-repeated="{1048576 - len(rows)}">'
            f"{ods_cell(None, 1024)}</table:table-row>"
        )
    return f'<table:table table:name="{name}">{body}</table:table>'


def ods_bytes(*tables: str, content: str | None = None) -> bytes:
    """An .ods file holding `tables` (from `ods_table`), or the given content.xml."""
    xml = content if content is not None else _ODS_CONTENT.format(tables="".join(tables))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        # The mimetype comes first and stored, as the OpenDocument format asks.
        archive.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", xml)
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST.format(mime=ODS_MIMETYPE))
    return out.getvalue()


def ods_rows(rows: Sequence[Row], tail: bool = True) -> bytes:
    """An .ods file whose only sheet holds `rows`."""
    return ods_bytes(ods_table(rows, tail=tail))
