"""What a user sends: refused before download, read by type, kept as JSON, named by a slug."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cards.formats import ImportedReview
from bot.cards.model import Card, Deck, DeckError
from bot.cards.problems import Problem
from bot.cards.upload import (
    MAX_PASTE_CHARS,
    PasteRefusal,
    Upload,
    deck_slug,
    decode_upload,
    encode_upload,
    read_paste,
    read_upload,
    refuse_before_download,
    safe_filename,
    surely_chat,
    valid_unicode,
)
from bot.views.deck_problems import english, render


@pytest.mark.parametrize(
    ("name", "size", "refusal"),
    [
        ("deck.csv", 100, None),
        ("DECK.APKG", 10 * 1024 * 1024, None),
        ("notes.txt", None, None),
        ("words.tsv", 0, None),
        ("huge.csv", 10 * 1024 * 1024 + 1, "huge.csv: the file is 10.0 MB; the limit is 10 MB"),
        (
            "big.apkg",
            25 * 1024 * 1024,
            "big.apkg: the file is 25.0 MB; the limit is 10 MB — export the deck again without "
            "its pictures and sounds: in Anki, File ▸ Export…, choose Anki Deck Package (.apkg) "
            "and untick “Include media”",
        ),
        (
            "photo.jpg",
            10,
            "photo.jpg: unsupported file type '.jpg' (send .txt, .csv, .tsv, .xlsx, .ods, .apkg)",
        ),
        (
            "README",
            10,
            "README: the file's name has no type (send .txt, .csv, .tsv, .xlsx, .ods, .apkg)",
        ),
        (
            "deck.toml",
            10,
            "deck.toml: unsupported file type '.toml' (send .txt, .csv, .tsv, .xlsx, .ods, .apkg)",
        ),
    ],
)
def test_documents_are_refused_by_type_and_announced_size(
    name: str, size: int | None, refusal: str | None
) -> None:
    found = refuse_before_download(name, size)
    assert (found and english(found)) == refusal


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("deck.csv", "deck.csv"),
        ("../../etc/passwd.csv", "passwd.csv"),
        ("C:\\Users\\me\\words.tsv", "words.tsv"),
        ("evil\u202e\n.csv", "evil.csv"),
        (None, "document"),
        ("", "document"),
        # A long name keeps its extension, which says how to read the file.
        ("x" * 300 + ".csv", "x" * 115 + "….csv"),
        ("y" * 200 + ".verylongextension", "y" * 119 + "…"),
        ("x" * 120 + ".apkg", "x" * 114 + "….apkg"),
        ("d" * 116 + ".csv", "d" * 116 + ".csv"),
        ("bad\ud800name.txt", "badname.txt"),
    ],
)
def test_file_names_are_reduced_to_a_plain_name(raw: str | None, safe: str) -> None:
    assert safe_filename(raw) == safe


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Spanish verbs", "spanish-verbs"),
        ("  Spanish   VERBS!! ", "spanish-verbs"),
        ("Khrushchev's reforms (1953–1964)", "khrushchev-s-reforms-1953-1964"),
        ("Tiếng Việt cơ bản", "tiếng-việt-cơ-bản"),
        ("日本語", "日本語"),
        ("!!!", "deck"),
        ("a" * 100, "a" * 60),
    ],
)
def test_deck_slugs_come_from_the_title_words(title: str, slug: str) -> None:
    assert deck_slug(title) == slug


@given(st.text(max_size=300))
def test_a_slug_is_never_empty_and_never_long(title: str) -> None:
    slug = deck_slug(title)
    assert 0 < len(slug) <= 60
    assert deck_slug(slug) == slug


sides = st.text(min_size=1, max_size=40)


@given(
    st.lists(st.tuples(sides, sides), min_size=1, max_size=8),
    st.lists(st.text(max_size=30), max_size=3),
    st.lists(
        st.tuples(
            st.integers(0, 7),
            st.integers(0, 253_402_300_799_999),
            st.integers(1, 4),
        ),
        max_size=10,
    ),
)
def test_an_upload_survives_its_json_unchanged(
    cards: list[tuple[str, str]], warnings: list[str], reviews: list[tuple[int, int, int]]
) -> None:
    # Every other card is meant both ways, every third answer was given back to front.
    deck = Deck(
        "A title",
        tuple(Card(f, b, reverse=n % 2 == 1) for n, (f, b) in enumerate(cards)),
        tuple(warnings),
    )
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    history = tuple(
        ImportedReview(i, epoch + timedelta(milliseconds=ms), r, 0, reverse=n % 3 == 2)
        for n, (i, ms, r) in enumerate(reviews)
    )
    upload = Upload(deck, history)
    assert decode_upload(encode_upload(upload)) == upload


def test_a_csv_file_is_read_by_its_extension() -> None:
    upload = read_upload(b"front,back\nhola,hello\nadios,goodbye\n", "spanish_words.csv")
    assert upload.deck.title == "spanish words"
    assert upload.deck.cards == (Card("hola", "hello"), Card("adios", "goodbye"))
    assert upload.reviews == ()


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"not a zip", "x.apkg", "x.apkg: not an Anki package"),
        (b"", "empty.csv", "empty.csv:"),
        (b"a,b\n", "photo.png", "photo.png: unsupported file type '.png'"),
        (b"a,b\n" * (3 * 1024 * 1024), "big.csv", "big.csv: the file is 12.0 MB"),
    ],
)
def test_unreadable_files_raise_a_reason_naming_the_file(
    data: bytes, name: str, reason: str
) -> None:
    with pytest.raises(DeckError) as caught:
        read_upload(data, name)
    assert str(caught.value).startswith(reason)


@pytest.mark.parametrize(
    ("text", "cards"),
    [
        ("Capitals\nFrance :: Paris\nSpain :: Madrid", 2),
        ("Q: 2+2?\nA: 4\nQ: 3+3?\nA: 6", 2),
        ("hola\thello\nadios\tgoodbye", 2),
        ("Mitochondria\nMakes ATP\nRibosomes\nMake proteins", 2),
        # A single card is a deck when it is marked as one.
        ("Capital of Italy :: Rome", 1),
        ("Capital of Italy\tRome", 1),
        ("Q: Capital of Italy? A: Rome", 1),
        ("Q: Capital of Italy? / A: Rome", 1),
        ("Q: Capital of Italy?\nA: Rome", 1),
        ("Capitals\nFrance :: Paris", 1),
        # Chat is not a deck.
        ("hello there\nhow are you", None),
        ("hello", None),
        ("Rome", None),
        ("", None),
        ("  \n ", None),
    ],
)
def test_a_paste_is_a_deck_of_two_cards_or_one_marked_card(text: str, cards: int | None) -> None:
    read = read_paste(text)
    assert (len(read.cards) if isinstance(read, Deck) else read) == cards


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (
            "Q: one?\nA: 1\nQ: two?",
            PasteRefusal("unreadable", "line 3: a Q: line without an A: line after it"),
        ),
        (
            "Q: Capital of Italy?",
            PasteRefusal("unreadable", "line 1: a Q: line without an A: line after it"),
        ),
        ("Capital of Italy ::", PasteRefusal("unreadable", "line 1: the back is empty")),
        (
            "Dog :: Hund\ndog :: Hündin",
            PasteRefusal("unreadable", "line 2: the front 'dog' repeats line 1"),
        ),
        (
            "Biology Flashcards\n(3 cards)\n",
            PasteRefusal("unreadable", "line 1: a title but no cards below it"),
        ),
        (
            "Mitochondria\nThe powerhouse of the cell.\nIt makes ATP.",
            PasteRefusal(
                "one_card",
                card=Card("Mitochondria", "The powerhouse of the cell.\nIt makes ATP."),
            ),
        ),
    ],
)
def test_a_paste_meant_as_flashcards_is_refused_with_what_is_wrong(
    text: str, refusal: PasteRefusal
) -> None:
    found = read_paste(text)
    if isinstance(found, PasteRefusal) and isinstance(found.problem, Problem):
        # The reason as the learner reads it in English, without the paste's name.
        found = replace(found, problem=render(found.problem, with_file=False))
    assert found == refusal


def test_a_paste_over_the_limit_is_refused_unread() -> None:
    line = "front :: back\n"
    text = "Big\n" + "".join(f"q{i} :: a{i}\n" for i in range(MAX_PASTE_CHARS // len(line) + 10))
    assert len(text) > MAX_PASTE_CHARS
    assert read_paste(text) == PasteRefusal("too_long")


@given(st.text(max_size=400))
def test_no_paste_makes_the_reader_raise(text: str) -> None:
    read = read_paste(text)
    assert read is None or isinstance(read, PasteRefusal) or len(read.cards) >= 1


@given(st.text(max_size=200))
def test_text_told_as_chat_without_a_reader_is_what_the_reader_calls_chat(text: str) -> None:
    if surely_chat(text):
        assert read_paste(text) is None


@pytest.mark.parametrize(
    ("text", "chat"),
    [
        ("hello", True),
        ("  ", True),
        ("Rome", True),
        ("Biology flashcards", False),
        ("(3 cards)", False),
        ("Capital of Italy :: Rome", False),
        ("Q: Capital of Italy? A: Rome", False),
        ("hola\tadios", False),
        ("first line\nsecond line", False),
        ("one\u2028two", False),
    ],
)
def test_only_one_line_without_any_card_mark_is_chat_at_once(text: str, chat: bool) -> None:
    assert surely_chat(text) is chat


def test_invalid_unicode_becomes_replacement_characters() -> None:
    assert valid_unicode("Pa\ud800ris \U0001f600") == "Pa\ufffdris \U0001f600"
    assert valid_unicode("fine") == "fine"
