"""Spreadsheets as they come: text in any common encoding, .xlsx and .ods workbooks, Quizlet and
Brainscape exports, read through the upload path; hostile zips and sheets refused with a reason."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cards.formats.encoding import read_text
from bot.cards.formats.quizlet import one_line_set
from bot.cards.formats.sheet_box import MAX_CELLS, MAX_ROWS, column_letters
from bot.cards.formats.sheet_zip import MAX_PARTS, MAX_UNPACKED_BYTES
from bot.cards.model import Card, Deck, DeckError
from bot.cards.upload import read_paste, read_upload
from tests.deck_notes import said
from tests.sheets import Row, ods_bytes, ods_cell, ods_rows, ods_table, xlsx_bytes

# As Excel on Windows saves "CSV (Comma delimited)": the ANSI code page, no byte order mark,
# CRLF line ends.
EXCEL_CSV = (
    "Term,Definition\r\n"
    "café,coffee shop\r\n"
    "naïve,innocent — “unworldly”\r\n"
    "Größe,size (€ and £ too)\r\n"
    "crème brûlée,burnt cream\r\n"
)
EXCEL_CARDS = (
    Card("café", "coffee shop"),
    Card("naïve", "innocent — “unworldly”"),
    Card("Größe", "size (€ and £ too)"),
    Card("crème brûlée", "burnt cream"),
)
RUSSIAN_CSV = (
    "Front;Back\r\nкошка;cat\r\nсобака;dog\r\nдом;house\r\nкнига;book\r\nвода;water\r\n"
    "хлеб;bread\r\nмолоко;milk\r\nокно;window\r\nстол;table\r\nулица;street\r\n"
)


def refusal(data: bytes, filename: str) -> str:
    """The reason the upload path gives for refusing a file."""
    with pytest.raises(DeckError) as caught:
        read_upload(data, filename)
    return str(caught.value)


# --- text in any encoding ---------------------------------------------------------------------


def test_an_excel_windows_csv_in_cp1252_imports_and_says_which_encoding_was_read() -> None:
    upload = read_upload(EXCEL_CSV.encode("cp1252"), "French words.csv")
    assert upload.deck.cards == EXCEL_CARDS
    assert said(upload.deck.warnings) == (
        "the file is not UTF-8; I read it as Windows-1252 (Western European) text — check "
        "accented letters in the preview",
    )


def test_utf8_files_read_as_before_without_a_warning() -> None:
    for data in (EXCEL_CSV.encode(), b"\xef\xbb\xbf" + EXCEL_CSV.encode()):
        upload = read_upload(data, "words.csv")
        assert (upload.deck.cards, said(upload.deck.warnings)) == (EXCEL_CARDS, ())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_unicode_with_a_byte_order_mark_reads(encoding: str) -> None:
    assert read_upload(EXCEL_CSV.encode(encoding), "w.csv").deck.cards == EXCEL_CARDS


def test_a_cyrillic_csv_from_windows_reads_as_cp1251() -> None:
    upload = read_upload(RUSSIAN_CSV.encode("cp1251"), "russian.csv")
    assert upload.deck.cards[:2] == (Card("кошка", "cat"), Card("собака", "dog"))
    assert "Windows-1251 (Cyrillic)" in said(upload.deck.warnings)[0]


def test_a_cp1252_txt_of_flashcards_reads_with_the_warning() -> None:
    data = "café :: coffee shop\nnaïve :: innocent\n".encode("cp1252")
    deck = read_upload(data, "notes.txt").deck
    assert deck.cards == (Card("café", "coffee shop"), Card("naïve", "innocent"))
    assert "Windows-1252" in said(deck.warnings)[0]


def test_binary_is_no_text_in_any_encoding() -> None:
    assert read_text(b"abc", "a.csv").guessed is None
    assert refusal(b"a,b\n\x00\x9f\xff\x00", "data.csv") == (
        "data.csv: this is not text in any encoding I know (is it a document or a picture under "
        "another name?)"
    )


# --- Quizlet and Brainscape exports ------------------------------------------------------------


def test_quizlet_default_export_term_tab_definition_reads_as_txt_and_tsv() -> None:
    export = "mitochondria\tthe powerhouse of the cell\nribosome\tmakes proteins\n"
    expected = (
        Card("mitochondria", "the powerhouse of the cell"),
        Card("ribosome", "makes proteins"),
    )
    for name in ("Biology.txt", "Biology.tsv", "Biology.csv"):
        assert read_upload(export.encode(), name).deck.cards == expected


def test_quizlet_export_with_comma_and_semicolon_separators_reads() -> None:
    assert read_upload(b"hola,hello\nadios,goodbye\n", "spanish.csv").deck.cards == (
        Card("hola", "hello"),
        Card("adios", "goodbye"),
    )
    assert read_upload(b"hola;hello\nadios;goodbye\n", "spanish.csv").deck.cards == (
        Card("hola", "hello"),
        Card("adios", "goodbye"),
    )


@pytest.mark.parametrize(
    "export",
    [
        "hola\thello;adios\tgoodbye;gracias\tthank you;",
        "hola,hello;adios,goodbye;gracias,thank you",
    ],
)
@pytest.mark.parametrize("name", ["spanish.txt", "spanish.csv"])
def test_quizlet_export_with_cards_on_one_line_separated_by_semicolons_reads(
    export: str, name: str
) -> None:
    assert read_upload(export.encode(), name).deck.cards == (
        Card("hola", "hello"),
        Card("adios", "goodbye"),
        Card("gracias", "thank you"),
    )


def test_a_pasted_one_line_quizlet_set_reads_as_its_cards() -> None:
    deck = read_paste("hola\thello;adios\tgoodbye;gracias\tthank you;")
    assert isinstance(deck, Deck)
    assert deck.cards == (
        Card("hola", "hello"),
        Card("adios", "goodbye"),
        Card("gracias", "thank you"),
    )
    assert one_line_set("a;b") is None
    assert one_line_set("hola,hello;adios") is None
    assert one_line_set("hola,hello\nadios,goodbye") is None


def test_brainscape_csv_question_answer_with_quotes_and_line_breaks_reads() -> None:
    export = (
        b'"What is the powerhouse of the cell?","The mitochondria"\r\n'
        b'"Name two noble gases","Helium\r\nNeon"\r\n'
        b'"Who said ""I think, therefore I am""?","Descartes"\r\n'
    )
    assert read_upload(export, "Brainscape deck.csv").deck.cards == (
        Card("What is the powerhouse of the cell?", "The mitochondria"),
        Card("Name two noble gases", "Helium\nNeon"),
        Card('Who said "I think, therefore I am"?', "Descartes"),
    )


# --- workbooks ----------------------------------------------------------------------------------


def test_an_xlsx_reads_its_first_sheet_with_header_numbers_and_a_second_sheet_ignored() -> None:
    data = xlsx_bytes(
        [["Term", "Definition"], ["café", "coffee shop"], ["Year of the Moon landing", 1969],
         [3.5, "three and a half"], [None, None], ["ribosome", "makes proteins"]],
        [["other", "sheet"]],
    )  # fmt: skip
    upload = read_upload(data, "Biology.xlsx")
    assert upload.deck.title == "Biology"
    assert upload.deck.cards == (
        Card("café", "coffee shop"),
        Card("Year of the Moon landing", "1969"),
        Card("3.5", "three and a half"),
        Card("ribosome", "makes proteins"),
    )
    assert said(upload.deck.warnings) == ()


def test_dates_and_truth_values_show_as_the_sheet_shows_them() -> None:
    rows: list[Row] = [
        ["Moon landing", dt.date(1969, 7, 20)],
        ["Fall of the Wall", dt.datetime(1989, 11, 9, 18, 53)],
        ["Is water wet?", True],
    ]
    assert read_upload(xlsx_bytes(rows), "d.xlsx").deck.cards == (
        Card("Moon landing", "1969-07-20"),
        Card("Fall of the Wall", "1989-11-09 18:53"),
        Card("Is water wet?", "TRUE"),
    )


def test_a_header_in_the_other_order_swaps_the_sides() -> None:
    data = xlsx_bytes([["Definition", "Term"], ["coffee shop", "café"]])
    assert read_upload(data, "d.xlsx").deck.cards == (Card("café", "coffee shop"),)


def test_an_ods_as_libreoffice_writes_it_reads_despite_its_million_empty_rows() -> None:
    data = ods_rows([["Front", "Back"], ["Hund", "dog"], ["Katze", "cat"], ["Jahr", 1990]])
    upload = read_upload(data, "German.ods")
    assert upload.deck.cards == (Card("Hund", "dog"), Card("Katze", "cat"), Card("Jahr", "1990"))


def test_only_the_first_two_columns_are_read_and_the_preview_says_so() -> None:
    data = xlsx_bytes([["Hund", "dog", "noun"], ["laufen", "to run", "verb"]])
    deck = read_upload(data, "g.xlsx").deck
    assert deck.cards == (Card("Hund", "dog"), Card("laufen", "to run"))
    assert said(deck.warnings) == (
        "only the first two columns (A and B) were read; the columns after them were left out",
    )


def test_an_empty_side_names_the_sheet_row_and_column() -> None:
    data = xlsx_bytes([[None], [None, None, None], [None, "Hund", "dog"], [None, "Katze", None]])
    assert refusal(data, "g.xlsx") == "g.xlsx: row 4, column C: the back is empty"
    assert refusal(ods_rows([["a", "b"], [None, "c"]]), "g.ods") == (
        "g.ods: row 2, column A: the front is empty"
    )


def test_an_empty_workbook_is_refused() -> None:
    assert refusal(xlsx_bytes([]), "e.xlsx") == "e.xlsx: the first sheet is empty"
    assert refusal(ods_rows([]), "e.ods") == "e.ods: the first sheet is empty"


def test_files_are_read_by_content_not_by_name() -> None:
    rows = [["Hund", "dog"], ["Katze", "cat"]]
    cards = (Card("Hund", "dog"), Card("Katze", "cat"))
    assert read_upload(xlsx_bytes(rows), "exported.csv").deck.cards == cards
    assert read_upload(ods_rows(rows), "exported.xlsx").deck.cards == cards
    assert read_upload(b"Hund,dog\nKatze,cat\n", "really a csv.xlsx").deck.cards == cards


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "this is a PDF document, not a deck"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a PNG picture, not a deck"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "this is a JPEG picture, not a deck"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "an Excel 97–2003 (.xls) workbook or another old Office file; save it as .xlsx or "
            ".csv and send that",
        ),
        (b"PK\x03\x04 cut short", "a damaged zip file (cut short?), not a readable spreadsheet"),
    ],
)
def test_wrong_content_under_a_right_name_is_named(data: bytes, reason: str) -> None:
    assert refusal(data, "deck.xlsx") == f"deck.xlsx: {reason}"


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_other_zips_are_refused_with_what_they_are() -> None:
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert refusal(docx, "deck.xlsx") == (
        "deck.xlsx: a zip file, but not an Excel (.xlsx) or OpenDocument (.ods) spreadsheet"
    )
    anki = _zip({"collection.anki2": b"SQLite format 3\x00", "media": b"{}"})
    assert refusal(anki, "deck.csv") == (
        "deck.csv: this is an Anki package under another name; send it named .apkg"
    )


# --- hostile workbooks -------------------------------------------------------------------------


def bomb(name: str, size: int) -> bytes:
    """A zip whose part `name` unpacks to `size` zero bytes (about a thousandth of that packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open(name, "w", force_zip64=True) as part:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_it_is_unpacked() -> None:
    data = bomb("xl/worksheets/sheet1.xml", 256 * 1024 * 1024)
    assert len(data) < 1024 * 1024
    assert refusal(data, "bomb.xlsx") == (
        f"bomb.xlsx: the file says it unpacks to 256 MB; a spreadsheet I read unpacks to at most "
        f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB"
    )


def test_a_zip_that_lies_about_its_sizes_is_refused_while_it_unpacks() -> None:
    content = ods_bytes(ods_table([["a", "b"]], tail=False))
    big = ods_bytes(content=zipfile.ZipFile(io.BytesIO(content)).read("content.xml").decode()
                    + " " * (4 * 1024 * 1024))  # fmt: skip
    size = zipfile.ZipFile(io.BytesIO(big)).getinfo("content.xml").file_size
    # The directory and the local header both say 1,000 bytes: the rest would be a surprise.
    liar = big.replace(struct.pack("<I", size), struct.pack("<I", 1000))
    assert refusal(liar, "liar.ods") == (
        "liar.ods: the part 'content.xml' cannot be unpacked (the zip is damaged or uses a "
        "compression I do not read)"
    )


def test_a_zip_of_too_many_parts_is_refused() -> None:
    parts = {f"xl/part{i}.xml": b"" for i in range(MAX_PARTS + 1)}
    parts["xl/workbook.xml"] = b"<workbook/>"
    assert refusal(_zip(parts), "many.xlsx") == (
        f"many.xlsx: the file holds {MAX_PARTS + 2:,} parts; a spreadsheet I read holds at most "
        f"{MAX_PARTS:,}"
    )


def test_a_sheet_with_one_far_cell_is_refused_before_the_reader_allocates_its_grid() -> None:
    # One cell in A1 and one in XFD1048576: the reader would ask for 17 billion cells at once.
    far = _edited(
        xlsx_bytes([["front", "back"]]),
        "xl/worksheets/sheet1.xml",
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )
    assert refusal(far, "far.xlsx") == (
        f"far.xlsx: the first sheet spans more than {MAX_ROWS:,} rows (the limit), from A1 to "
        "XFD1048576 at least; delete the cells far from the cards, or copy the two columns to a "
        "new sheet"
    )


def _edited(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """A zip with one part's bytes edited."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {name: source.read(name) for name in source.namelist()}
    assert old in parts[part]
    parts[part] = parts[part].replace(old, new)
    return _zip(parts)


def test_a_huge_sheet_is_refused_by_its_rows_and_its_cells() -> None:
    rows = [[f"q{i}", f"a{i}"] for i in range(MAX_ROWS + 1)]
    assert "more than 20,000 rows (the limit), from A1 to B20001" in refusal(
        ods_rows(rows, tail=False), "rows.ods"
    )
    wide = ods_bytes(
        '<table:table table:name="S"><table:table-row table:number-rows-repeated="1000">'
        + ods_cell("x", 16384)
        + "</table:table-row></table:table>"
    )
    assert refusal(wide, "wide.ods").startswith(
        f"wide.ods: the first sheet spans more than {MAX_CELLS:,} cells (the limit), from A1 to "
        f"{column_letters(16384)}"
    )


def test_repeated_filled_rows_count_as_the_rows_they_make() -> None:
    data = ods_bytes(
        '<table:table table:name="S"><table:table-row table:number-rows-repeated="999999999999999">'
        + ods_cell("x", 2)
        + "</table:table-row></table:table>"
    )
    assert "more than 20,000 rows" in refusal(data, "rep.ods")


def test_a_sheet_that_is_not_xml_is_refused() -> None:
    data = _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content><unclosed>",
        }
    )
    assert refusal(data, "bad.ods").startswith("bad.ods: the spreadsheet is not well-formed XML")


def test_a_workbook_without_sheets_is_refused() -> None:
    data = _zip({"xl/workbook.xml": b"<workbook><sheets/></workbook>"})
    assert refusal(data, "nosheet.xlsx") == "nosheet.xlsx: the workbook lists no sheet I can find"


def test_column_letters() -> None:
    assert [column_letters(n) for n in (1, 2, 26, 27, 28, 702, 703, 16384)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA", "XFD"
    ]  # fmt: skip


# --- damaged workbooks --------------------------------------------------------------------------

SAMPLES = {
    "s.xlsx": xlsx_bytes([["Term", "Definition"], ["Hund", "dog"], ["Jahr", 1990], [2.5, None]]),
    "s.ods": ods_rows([["Term", "Definition"], ["Hund", "dog"], ["Jahr", 1990]], tail=False),
}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(SAMPLES)),
    st.data(),
    st.lists(st.tuples(st.integers(0, 2**31), st.binary(min_size=1, max_size=8)), max_size=4),
)
def test_a_workbook_damaged_anywhere_inside_gives_a_deck_or_a_deck_error(
    name: str, draw: st.DataObject, edits: list[tuple[int, bytes]]
) -> None:
    # The bytes of one unpacked part are overwritten, then zipped again: the zip stays valid and
    # the XML, the references and the values inside are what breaks.
    source = zipfile.ZipFile(io.BytesIO(SAMPLES[name]))
    parts = {n: source.read(n) for n in source.namelist()}
    part = draw.draw(st.sampled_from(sorted(parts)))
    data = bytearray(parts[part])
    for at, new in edits:
        start = at % max(1, len(data))
        data[start : start + len(new)] = new
    parts[part] = bytes(data)
    try:
        deck = read_upload(_zip(parts), name).deck
    except DeckError as exc:
        assert str(exc).startswith(f"{name}: ")
        return
    assert deck.cards


def test_a_workbook_whose_part_lost_its_name_is_refused_as_damaged() -> None:
    data = bytearray(SAMPLES["s.ods"])
    start = 4 + 733 % (len(data) - 4)  # the byte hypothesis found: a part's name becomes empty
    data[start] = 0
    with pytest.raises(DeckError) as refused:
        read_upload(bytes(data), "s.ods")
    assert str(refused.value).startswith("s.ods: ")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(SAMPLES)),
    st.lists(st.tuples(st.integers(0, 2**31), st.binary(min_size=1, max_size=8)), max_size=4),
)
def test_a_workbook_damaged_in_its_zip_gives_a_deck_or_a_deck_error(
    name: str, edits: list[tuple[int, bytes]]
) -> None:
    data = bytearray(SAMPLES[name])
    for at, new in edits:
        start = 4 + at % (len(data) - 4)  # the zip's signature stays: it is still read as one
        data[start : start + len(new)] = new
    try:
        deck = read_upload(bytes(data), name).deck
    except DeckError as exc:
        assert str(exc).startswith(f"{name}: ")
        return
    assert deck.cards
