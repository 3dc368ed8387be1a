"""`read_deck_bytes`: the extension picks the reader; every failure is a DeckError naming the file."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cards.formats import MAX_FILE_BYTES, read_deck_bytes
from bot.cards.model import Card, DeckError


def test_txt_files_are_pasted_flashcards_titled_by_the_file_name() -> None:
    deck = read_deck_bytes(b"Q: 2 + 2?\nA: 4\n", "maths_quiz.txt")
    assert (deck.title, deck.cards) == ("maths quiz", (Card("2 + 2?", "4"),))


def test_txt_files_exported_from_anki_read_as_tab_separated_html() -> None:
    data = b"#separator:tab\n#html:true\nHund\tthe <b>dog</b>\nKatze\tthe cat&nbsp;<br>(female)\n"
    deck = read_deck_bytes(data, "German.txt")
    assert deck.cards == (Card("Hund", "the dog"), Card("Katze", "the cat\n(female)"))


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"x",
            "notes.docx",
            "notes.docx: unsupported file type '.docx' (send .toml, .txt, .csv, .tsv, .xlsx, .ods, .apkg)",
        ),
        (
            b"x",
            "README",
            "README: the file's name has no type (send .toml, .txt, .csv, .tsv, .xlsx, .ods, .apkg)",
        ),
        (b"\xff\xfeA\x00\x00\xd8", "a.txt", "a.txt: not valid UTF-16 text (byte 4)"),
        (
            b"ok\n\x00\xc3(",
            "a.txt",
            "a.txt: this is not text in any encoding I know (is it a document or a picture under "
            "another name?)",
        ),
        (bytes(MAX_FILE_BYTES + 1), "big.csv", "big.csv: the file is larger than 10 MB"),
    ],
)
def test_refusals_name_the_file_and_the_reason(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(DeckError) as caught:
        read_deck_bytes(data, filename)
    assert str(caught.value) == message


@settings(max_examples=400, deadline=None)
@given(
    st.binary(max_size=300),
    st.sampled_from(["d.txt", "d.csv", "d.tsv", "d.xlsx", "d.ods", "d.apkg", "d.toml"]),
)
def test_any_bytes_under_any_extension_give_a_deck_or_a_deck_error(
    data: bytes, filename: str
) -> None:
    try:
        deck = read_deck_bytes(data, filename)
    except DeckError as exc:
        assert str(exc).startswith(f"{filename}: ")
        return
    assert deck.cards
