"""Every text format stops at the card limit while reading, and no NUL character gets through."""

from __future__ import annotations

import pytest

from bot.cards.formats import read_deck_bytes
from bot.cards.formats.csv_deck import parse_csv_deck
from bot.cards.formats.text import MAX_SPLIT_LINES, parse_flashcard_text
from bot.cards.formats.toml_deck import parse_toml_deck
from bot.cards.model import MAX_CARDS, Card, Deck, DeckError
from bot.cards.upload import read_paste, refuse_before_download, safe_filename
from bot.cards.validate import build_deck
from tests.deck_notes import said

NUL_WARNING = "2 NUL characters (invisible, \\0) removed: they cannot be stored"


def test_a_csv_stops_reading_at_the_first_card_past_the_limit() -> None:
    rows = [f"q{n},a{n}" for n in range(MAX_CARDS + 1)]
    # A broken row after the limit is never reached: reading stopped before it.
    data = ("front,back\n" + "\n".join(rows) + '\n"never closed,x\n').encode()
    with pytest.raises(DeckError) as caught:
        parse_csv_deck(data, "big.csv")
    assert str(caught.value) == (
        f"big.csv: more than {MAX_CARDS:,} cards (the limit): reading stopped at line "
        f"{MAX_CARDS + 2}; split the deck"
    )


def test_a_csv_at_the_limit_is_read_whole() -> None:
    rows = [f"q{n},a{n}" for n in range(MAX_CARDS)]
    deck = parse_csv_deck(("\n".join(rows) + "\n").encode(), "full.csv")
    assert len(deck.cards) == MAX_CARDS


@pytest.mark.parametrize("separator", [" :: ", "\t"])
def test_marked_lines_stop_at_the_card_limit(separator: str) -> None:
    text = "\n".join(f"q{n}{separator}a{n}" for n in range(MAX_CARDS + 50))
    with pytest.raises(DeckError, match=rf"reading stopped at line {MAX_CARDS + 1}; split"):
        parse_flashcard_text(text, "lines.txt")


def test_q_and_a_cards_stop_at_the_card_limit() -> None:
    text = "\n".join(f"Q: q{n}?\nA: a{n}" for n in range(MAX_CARDS + 5))
    with pytest.raises(DeckError, match=rf"reading stopped at line {2 * MAX_CARDS + 1}; split"):
        parse_flashcard_text(text, "qa.txt")


def test_an_unmarked_text_is_split_only_up_to_its_line_limit() -> None:
    lines = [f"What is number {n}?\nIt is {n}." for n in range(MAX_SPLIT_LINES)]
    with pytest.raises(DeckError) as caught:
        parse_flashcard_text("\n".join(lines), "huge.txt")
    assert str(caught.value) == (
        f"huge.txt: line {MAX_SPLIT_LINES + 1}: more than {MAX_SPLIT_LINES:,} lines without "
        f"marks between the cards (the limit, for {MAX_CARDS:,} cards); reading stopped there. "
        "Split the deck, or mark the cards (front :: back)"
    )


def test_a_toml_deck_counts_its_cards_before_parsing() -> None:
    cards = "".join(f'\n[[cards]]\nfront = "q{n}"\nback = "a"\n' for n in range(MAX_CARDS + 1))
    with pytest.raises(DeckError, match=r"reading stopped at line 20003; split the deck"):
        parse_toml_deck('title = "Big"\n' + cards, "big.toml")


def test_a_list_over_the_limit_is_refused_naming_the_first_card_beyond() -> None:
    cards = [Card(f"q{n}", "a") for n in range(MAX_CARDS + 1)]
    with pytest.raises(DeckError, match=r"reading stopped at card 5001; split"):
        build_deck("Big", cards)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"front,back\nFra\x00nce,Paris\nSpain,Ma\x00drid\n", "nul.csv"),
        (b"France :: Pa\x00ris\nSpain :: Mad\x00rid\n", "nul.txt"),
        (b"#separator:tab\nFrance\tPa\x00ris\nSpain\tMad\x00rid\n", "anki-export.txt"),
    ],
)
def test_nul_characters_in_files_are_removed_with_a_warning(data: bytes, name: str) -> None:
    deck = read_deck_bytes(data, name)
    assert deck.cards == (Card("France", "Paris"), Card("Spain", "Madrid"))
    assert NUL_WARNING in said(deck.warnings)
    assert all("\0" not in c.front + c.back for c in deck.cards)


def test_nul_characters_in_a_paste_are_removed_with_a_warning() -> None:
    read = read_paste("Fra\0nce :: Paris\nSpain :: Madr\0id")
    assert isinstance(read, Deck)
    assert read.cards == (Card("France", "Paris"), Card("Spain", "Madrid"))
    assert NUL_WARNING in said(read.warnings)


def test_no_nul_character_survives_a_deck_built_any_way() -> None:
    deck = build_deck("Ti\0tle", [Card("a\0", "b"), Card("c", "\0d")])
    assert (deck.title, deck.cards) == ("Title", (Card("a", "b"), Card("c", "d")))
    assert said(deck.warnings) == (
        "3 NUL characters (invisible, \\0) removed: they cannot be stored",
    )


def test_a_long_file_name_is_still_read_by_its_extension() -> None:
    name = safe_filename("Spanish vocabulary " * 20 + ".csv")
    assert len(name) == 120 and name.endswith("….csv")
    assert refuse_before_download(name, 100) is None
    assert read_deck_bytes(b"hola,hello\nadios,goodbye\n", name).cards[0] == Card("hola", "hello")
