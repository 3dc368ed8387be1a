"""Formulas as readable text, Anki HTML as Telegram HTML, and questions that never blank a formula."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cards.formats.apkg import read_apkg
from bot.cards.formats.apkg_html import field_to_html, field_to_text
from bot.cards.model import Card, Deck
from bot.cards.questions import MASK, QuestionKind, make_questions
from bot.cards.richtext import card_html, formula_text, has_formula, html_text, readable_latex
from bot.sandbox.validate import parse_html
from tests.conftest import shared_path

RAW_LATEX = ("[$]", "[/$]", "[$$]", "\\text{", "\\(", "\\)", "\\[", "[latex]", "\\frac", "\\alpha")


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        (r"\text{Hom}(A,B)", "Hom(A,B)"),
        (r"\alpha + \beta", "α + β"),
        (r"x^2 + y^{10}", "x² + y¹⁰"),
        (r"a_1, a_{ij}", "a₁, aᵢⱼ"),
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{1}{x+1}", "1/(x + 1)"),
        (r"e^{i\pi} + 1 = 0", "e^(iπ) + 1 = 0"),
        (r"\sum_{k=1}^{n} k", "∑ₖ₌₁ⁿ k"),
        (r"f \circ g: A \to B", "f ∘ g: A → B"),
        (r"\textbf{C}^{op}", "Cᵒᵖ"),
        (r"\mathbb{N}", "ℕ"),
        (r"x^{\prime}", "x′"),
        (r"1_{F(A)}", "1_(F(A))"),
    ],
)
def test_formulas_read_as_text(latex: str, shown: str) -> None:
    assert formula_text(latex) == shown


@pytest.mark.parametrize(
    "text",
    [
        r"[$]\text{Hom}(A,B)[/$]",
        r"[$$]\text{Hom}(A,B)[/$$]",
        r"\(\text{Hom}(A,B)\)",
        r"\[\text{Hom}(A,B)\]",
        r"[latex]\text{Hom}(A,B)[/latex]",
    ],
)
def test_every_anki_delimiter_is_read(text: str) -> None:
    assert has_formula(text)
    assert readable_latex(f"The set {text} of arrows") == "The set Hom(A,B) of arrows"


def test_text_without_formulas_is_left_alone() -> None:
    for text in ("costs $5 and $10", "a [bracket] and C:\\path", "plain"):
        assert not has_formula(text)
        assert readable_latex(text) == text


def test_anki_formatting_becomes_telegram_html() -> None:
    field = (
        "<div><b>Bold</b>, <strong>strong</strong>, <i>italic</i>, <em>em</em>, <u>under</u>, "
        "<s>strike</s>, <del>del</del>, <code>x = 1</code></div>"
        "<ul><li>one</li><li><b>two</b></li></ul>first<br>second"
    )
    assert field_to_html(field) == (
        "<b>Bold</b>, <b>strong</b>, <i>italic</i>, <i>em</i>, <u>under</u>, <s>strike</s>, "
        "<s>del</s>, <code>x = 1</code>\n- one\n- <b>two</b>\nfirst\nsecond"
    )


def test_nothing_unsafe_passes() -> None:
    field = (
        '<a href="javascript:alert(1)">link</a> <script>alert(2)</script><style>b{}</style>'
        '<span style="color:red" onclick="x()">span</span> <font color="red">font</font> '
        '<img src="x.png" onerror="y()"><iframe src="http://evil"></iframe>'
        "<b>bold <i>crossed</b> tags</i> <blockquote>quote</blockquote> &lt;b&gt;text&lt;/b&gt;"
    )
    shown = field_to_html(field)
    assert shown is not None
    assert shown == (
        "link span font <b>bold <i>crossed</i></b><i> tags</i>\nquote\n&lt;b&gt;text&lt;/b&gt;"
    )
    parse_html(shown)  # Telegram's parser takes it (raises on an unbalanced or unknown tag)


def test_hostile_markup_is_shown_as_text() -> None:
    """Deep nesting, a field too long to be a side and markup far longer than its text keep no
    formatting, and cost no more than reading their text."""
    assert field_to_html("<b>" * 50_000 + "x") is None
    assert field_to_html("<b>x</b>" * 100_000) is None
    assert field_to_html("<b><i><u>" * 300 + "x") is None
    assert field_to_html("<b>x</b> " * 3_000) is None


def test_plain_fields_keep_no_html() -> None:
    assert field_to_html("just <div>text</div> with lines<br>and&nbsp;spaces") is None
    assert field_to_html('<a href="https://x">only a link</a>') is None
    assert field_to_html("cứ<i>&nbsp;<b></b></i>") is None  # formatting around nothing


def test_formulas_inside_formatting_are_readable() -> None:
    assert field_to_html(r"<b>[$]\text{Hom}(A,B)[/$]</b> is a set") == "<b>Hom(A,B)</b> is a set"


def test_a_side_shows_its_html_when_it_fits_else_its_text_escaped() -> None:
    assert card_html("Bold", "<b>Bold</b>", 100) == "<b>Bold</b>"
    assert card_html("a < b", None, 100) == "a &lt; b"
    assert card_html(r"[$]\alpha[/$] <x>", None, 100) == "α &lt;x&gt;"
    assert card_html("long " * 40, "<b>" + "long " * 40 + "</b>", 20) == "long long long long…"


_TAGS = ["b", "i", "u", "s", "em", "strong", "code", "pre", "div", "li", "ul", "a", "font", "span"]
_PIECES = st.one_of(
    st.sampled_from([f"<{t}>" for t in _TAGS] + [f"</{t}>" for t in _TAGS]),
    st.sampled_from(["<br>", "&amp;", "&lt;", "&nbsp;", "<", ">", "&", '"', "[$]x^2[/$]", "\\("]),
    st.text(alphabet="ab <>&;/=\"'\n", max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_any_field_gives_valid_telegram_html_with_the_plain_text(field: str) -> None:
    shown = field_to_html(field)
    if shown is None:
        return
    parsed = parse_html(shown)  # balanced, known tags only
    assert " ".join(parsed.text.split()) == " ".join(
        readable_latex(field_to_text(field).text).split()
    )
    assert html_text(shown).strip() == parsed.text


def _deck(*cards: Card) -> Deck:
    return Deck("Formulas", cards)


def test_questions_never_blank_or_mask_inside_a_formula() -> None:
    deck = _deck(
        Card(
            "Quadratic",
            r"The square [$]x^2 + 3x + 1990[/$] was written in 1990 by 12 people in Paris.",
        ),
        Card("Square", r"[$]x^2 = x \cdot x[/$] gives the square of x", reverse=True),
        Card("Euler", r"[$]e^{i\pi} + 1 = 0[/$]"),
        Card("Gauss", r"[$]\sum_{k=1}^{n} k = \frac{n(n+1)}{2}[/$]"),
        Card("Newton", r"[$]F = m a[/$]"),
    )
    questions = make_questions(deck)
    for question in questions:
        for text in (question.prompt, question.answer, *question.distractors, *question.accepted):
            assert not any(raw in text for raw in RAW_LATEX), (question.kind, text)
    cloze = [q for q in questions if q.kind is QuestionKind.CLOZE and q.card_key]
    blanked = {q.answer for q in cloze if "x² + 3x + 1990" in q.prompt}
    assert blanked <= {"1990", "12"}  # the formula itself keeps every number
    assert all(
        f"x² + 3x + 1990 was written in {MASK}" in q.prompt for q in cloze if q.answer == "1990"
    )
    reverse = next(q for q in questions if q.kind is QuestionKind.REVERSE)
    assert reverse.prompt == f"x² = x · x gives the {MASK} of x"


def test_shared_latex_deck_shows_no_raw_latex() -> None:
    """Criterion: no question of the shared category-theory deck shows LaTeX markup."""
    package = shared_path("fixtures", "anki", "category-theory-legacy.apkg")
    deck = read_apkg(package.read_bytes(), package.name).deck
    formulas = [card for card in deck.cards if has_formula(card.front + card.back)]
    assert len(formulas) == 11
    questions = make_questions(deck)
    shown = [
        text
        for question in questions
        for text in (question.prompt, question.answer, *question.distractors)
    ]
    raw = [text for text in shown if any(mark in text for mark in RAW_LATEX)]
    assert questions and not raw
    for card in deck.cards:  # what a reveal shows of each side
        for side, formatted in ((card.front, card.front_html), (card.back, card.back_html)):
            assert not any(mark in card_html(side, formatted, 3000) for mark in RAW_LATEX)
