"""CSV/TSV decks: delimiter sniffing, header rows, quoting, encodings and errors that name the line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cards.formats import read_deck_bytes
from bot.cards.formats.csv_deck import parse_csv_deck
from bot.cards.model import Card, DeckError

CAPITALS = (Card("France", "Paris"), Card("Spain", "Madrid"), Card("Italy", "Rome"))


@pytest.mark.parametrize(
    "text",
    [
        "France,Paris\nSpain,Madrid\nItaly,Rome\n",
        "France;Paris\nSpain;Madrid\nItaly;Rome\n",
        "France\tParis\nSpain\tMadrid\nItaly\tRome\n",
        "front,back\nFrance,Paris\nSpain,Madrid\nItaly,Rome\n",
        "Term;Definition\nFrance;Paris\nSpain;Madrid\nItaly;Rome\n",
        "QUESTION\tANSWER\nFrance\tParis\nSpain\tMadrid\nItaly\tRome\n",
        '"France","Paris"\r\n"Spain","Madrid"\r\n"Italy","Rome"\r\n',
        "\n\nFrance,Paris\n\nSpain,Madrid\nItaly,Rome\n\n",
        "France,Paris,\nSpain,Madrid,\nItaly,Rome,\n",
    ],
)
def test_delimiters_headers_and_blank_lines(text: str) -> None:
    deck = parse_csv_deck(text, "capitals.csv")
    assert deck.cards == CAPITALS
    assert deck.title == "capitals"


def test_bytes_with_and_without_a_bom_and_utf16_from_excel() -> None:
    text = "Word;Meaning\ngrüßen;to greet\nÄpfel;apples\n"
    expected = (Card("grüßen", "to greet"), Card("Äpfel", "apples"))
    assert parse_csv_deck(text.encode(), "de.csv").cards == expected
    assert parse_csv_deck(b"\xef\xbb\xbf" + text.encode(), "de.csv").cards == expected
    assert parse_csv_deck(text.encode("utf-16"), "de.csv").cards == expected


def test_header_names_pick_their_columns_in_any_order() -> None:
    text = "Definition,Notes,Term\nto greet,verb,grüßen\napples,plural,Äpfel\n"
    deck = parse_csv_deck(text, "german_words.csv")
    assert deck.cards == (Card("grüßen", "to greet"), Card("Äpfel", "apples"))
    assert deck.title == "german words"


def test_quoted_fields_keep_commas_quotes_and_line_breaks() -> None:
    text = (
        "front,back\n"
        '"Causes of WW1","Militarism\nAlliances\nImperialism\nNationalism"\n'
        '"Churchill, 1946","""An iron curtain has descended across the Continent"""\n'
    )
    deck = parse_csv_deck(text, "history.csv")
    assert deck.cards == (
        Card("Causes of WW1", "Militarism\nAlliances\nImperialism\nNationalism"),
        Card("Churchill, 1946", '"An iron curtain has descended across the Continent"'),
    )


def test_semicolon_beats_commas_inside_the_text() -> None:
    text = "Photosynthesis;light, water and CO2 make glucose\nRespiration;glucose, oxygen\n"
    assert parse_csv_deck(text, "bio.csv").cards == (
        Card("Photosynthesis", "light, water and CO2 make glucose"),
        Card("Respiration", "glucose, oxygen"),
    )


def test_quizlet_tab_export_with_commas_in_definitions() -> None:
    text = "ephemeral\tlasting a very short time, fleeting\nubiquitous\tpresent, appearing everywhere\n"
    deck = parse_csv_deck(text, "vocab.tsv")
    assert [c.back for c in deck.cards] == [
        "lasting a very short time, fleeting",
        "present, appearing everywhere",
    ]


def test_anki_text_export_header_lines() -> None:
    text = "#separator:tab\n#html:false\n#tags column:3\nhund\tdog\ttag1\nkatze\tcat\ttag2\n"
    deck = parse_csv_deck(text, "anki.txt.csv")
    assert deck.cards == (Card("hund", "dog"), Card("katze", "cat"))


def test_dispatcher_reads_csv_and_tsv() -> None:
    assert read_deck_bytes(b"a,b\nc,d\n", "x.csv").cards == (Card("a", "b"), Card("c", "d"))
    assert read_deck_bytes(b"a\tb\nc\td\n", "x.TSV").cards == (Card("a", "b"), Card("c", "d"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "deck.csv: no rows found (the file is empty)"),
        (b"\n \n", "deck.csv: no rows found (the file is empty)"),
        (
            b"one\ntwo\n",
            "deck.csv: line 1: expected a front and a back separated by a tab, comma or semicolon",
        ),
        (
            b"a,b\nc,d\ne\nf,g\n",
            "deck.csv: line 3: expected 2 fields separated by comma, found 1",
        ),
        (
            b"front;back\na;b\nc;d;e\n",
            "deck.csv: line 3: expected 2 fields separated by semicolon, found 3",
        ),
        (b"a,b\nc,\n", "deck.csv: line 2, field 2: the back is empty"),
        (b"a,b\n ,d\n", "deck.csv: line 2, field 1: the front is empty"),
        (b"a,b\nA,c\n", "deck.csv: line 2: the front 'A' repeats line 1"),
        (b'a,b\nc,"unclosed\nquote\n', "deck.csv: line 2: unexpected end of data"),
        (
            b"a,b\ncaf\xe9\x00,coffee\n",
            "deck.csv: this is not text in any encoding I know (is it a document or a picture "
            "under another name?)",
        ),
        (b"front,back\n", "deck.csv: the deck has no cards"),
    ],
)
def test_errors_name_the_line_and_field(data: bytes, message: str) -> None:
    with pytest.raises(DeckError) as caught:
        parse_csv_deck(data, "deck.csv")
    assert str(caught.value) == message


def test_line_numbers_count_multi_line_fields() -> None:
    data = b'front,back\n"a","multi\nline\nback"\nc,d\ne\n'
    with pytest.raises(DeckError, match=r"^deck\.csv: line 6: expected 2 fields"):
        parse_csv_deck(data, "deck.csv")


def test_a_side_over_the_limit_names_its_line() -> None:
    data = "a,b\nc," + "x" * 2001 + "\n"
    with pytest.raises(DeckError, match=r"^deck\.csv: line 2: the back is 2001 characters long"):
        parse_csv_deck(data, "deck.csv")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_deck_or_a_deck_error(data: bytes) -> None:
    try:
        deck = parse_csv_deck(data, "fuzz.csv")
    except DeckError:
        return
    assert deck.cards


CELL = st.text(alphabet=st.sampled_from('ab ,;\t"\n\r\x00é'), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELL, min_size=1, max_size=4), max_size=8))
def test_delimiter_heavy_text_gives_a_deck_or_a_deck_error(rows: list[list[str]]) -> None:
    text = "\n".join(",".join(row) for row in rows)
    try:
        deck = parse_csv_deck(text, "fuzz.tsv")
    except DeckError:
        return
    assert all(card.front and card.back for card in deck.cards)
