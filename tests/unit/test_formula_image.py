"""Formulas on a card's front typeset as a PNG with mathtext, or left as readable text."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cards.formats.apkg_media import MAX_DECK_MEDIA_FILES, MediaFile, sniff
from bot.cards.formula_image import (
    MAX_FORMULA_CHARS,
    formula_png,
    front_formulas,
    with_formula_pictures,
)
from bot.cards.model import Card, Deck
from bot.cards.richtext import has_formula, readable_latex
from bot.cards.upload import Upload, read_upload

# The shared Anki fixture sits beside the repository; the criterion test skips without it.
LEGACY = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "fixtures"
    / "anki"
    / "category-theory-legacy.apkg"
)
PNG = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_a_formula_mathtext_can_parse_becomes_a_small_png() -> None:
    data = formula_png([r"\forall f \in \mathrm{Hom}(A, B),\ \frac{a}{b} = \alpha^2"])
    assert data is not None and data.startswith(PNG)
    assert sniff(data) == ("photo", "image/png")
    width, height = _png_size(data)
    assert width <= 20 * height and height >= 20  # within Telegram's photo proportions
    assert len(data) < 50_000


def test_a_formula_mathtext_cannot_parse_gets_no_picture() -> None:
    assert formula_png([r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}"]) is None
    assert formula_png([r"\frac{a}{"]) is None


def test_which_fronts_get_a_picture() -> None:
    assert front_formulas(r"Square: \(\alpha^2\)") == [r"\alpha^2"]
    assert front_formulas(r"[$]\textbf{C}[/$]") == [r"\mathbf{C}"]  # text styles as math styles
    assert front_formulas("[latex]$x^2$[/latex]") == ["x^2"]
    assert front_formulas("[latex]Some prose with $x$ in it[/latex]") is None  # text mode
    assert front_formulas("no formula") is None
    assert front_formulas(f"[$]{'x+' * MAX_FORMULA_CHARS}x[/$]") is None


def test_a_front_with_its_own_picture_or_unparsable_formula_keeps_it() -> None:
    own = MediaFile("d" * 64, "photo", "image/png", PNG + b"0" * 8)
    deck = Deck(
        "Formulas",
        (
            Card(r"\(x^2\)", "square"),
            Card(r"\(x^2\)", "same formula, same picture"),
            Card(r"\(\begin{matrix}a\end{matrix}\)", "matrix"),
            Card(r"\(y\)", "own picture", front_media=own.digest),
            Card("plain", "text"),
        ),
    )
    saved = with_formula_pictures(Upload(deck, media=(own,)))
    cards = saved.deck.cards
    assert cards[0].front_media is not None and cards[0].front_media == cards[1].front_media
    assert cards[2].front_media is None and cards[3].front_media == own.digest
    assert cards[4].front_media is None
    assert [c.front for c in cards] == [c.front for c in deck.cards]  # the text is unchanged
    assert len(saved.media) == 2 and saved.media[0] == own
    assert with_formula_pictures(Upload(Deck("Plain", (Card("a", "b"),)))).media == ()


def test_pictures_stop_at_the_deck_media_file_limit() -> None:
    owned = tuple(
        MediaFile(f"{i:064x}", "photo", "image/png", PNG) for i in range(MAX_DECK_MEDIA_FILES)
    )
    saved = with_formula_pictures(Upload(Deck("Full", (Card(r"\(x\)", "x"),)), media=owned))
    assert saved.deck.cards[0].front_media is None and len(saved.media) == MAX_DECK_MEDIA_FILES


@pytest.mark.skipif(not LEGACY.exists(), reason="the shared Anki fixture is not here")
def test_criterion_every_latex_front_of_the_fixture() -> None:
    upload = read_upload(LEGACY.read_bytes(), LEGACY.name)
    latex = [c for c in upload.deck.cards if has_formula(c.front)]
    saved = with_formula_pictures(upload)
    files = {m.digest: m for m in saved.media}
    pictured = [c for c in saved.deck.cards if has_formula(c.front) and c.front_media]
    fell_back = len(latex) - len(pictured)
    print(f"\n{len(latex)} LaTeX fronts: {len(pictured)} typeset, {fell_back} text only")
    assert len(latex) == 11
    assert len(pictured) == 11 and fell_back == 0
    for card in pictured:
        assert card.front_media is not None
        data = files[card.front_media].data
        assert data.startswith(PNG) and sniff(data) == ("photo", "image/png")
        assert "\\" not in readable_latex(card.front)  # the caption stays readable text
