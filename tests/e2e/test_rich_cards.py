"""An Anki package with formatting and LaTeX, imported and played through the sandbox."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import genanki

from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.sandbox.validate import parse_html
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import shown_question
from tests.e2e.test_import import asks, upload

NOTES = [
    (
        "<b>Hom-set</b> of <i>A</i> and <i>B</i>",
        "The set [$]\\text{Hom}(A,B)[/$] of <u>all</u> arrows"
        "<ul><li>from <code>A</code></li><li>to <s>C</s> B</li></ul>"
        '<a href="javascript:alert(1)">see</a><script>alert(2)</script>',
    ),
    ("Square of <b>alpha</b>", "\\(\\alpha^2 = \\alpha \\cdot \\alpha\\)"),
    ("Golden ratio", "[latex]\\varphi = \\frac{1}{2}(1 + \\sqrt{5})[/latex]"),
]
RAW_LATEX = ("[$]", "[/$]", "\\text{", "\\(", "[latex]", "\\frac", "\\alpha")


def edited(message: SandboxMessage, text: str) -> Callable[[SandboxMessage], bool]:
    """A matcher for `message` once it shows `text`."""
    return lambda m: m.message_id == message.message_id and text in m.text


def rich_package() -> bytes:
    """A genanki package of three notes with Anki formatting and LaTeX."""
    deck = genanki.Deck(1_987_654_321, "Rich cards")
    for front, back in NOTES:
        deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[front, back]))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "rich.apkg"
        genanki.Package(deck).write_to_file(str(target), timestamp=1_700_000_000.0)
        return target.read_bytes()


async def test_formatting_and_formulas_arrive_as_telegram_html(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, "rich.apkg", rich_package())
    await alice.tap("Save", message=preview)
    await alice.wait_for(edited(preview, "✅"))
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'selfgraded', new_per_day = 20 WHERE id = ?", (alice.id,)
    )
    await alice.send("/quiz")
    shown: dict[str, str] = {}
    for number in range(1, 4):
        question = await alice.wait_for(asks(f"Question {number}/3"))
        on_screen = await shown_question(bot.services, alice.id)
        await alice.tap("Show answer", message=question)
        revealed = await alice.wait_for(edited(question, "How well"))
        parse_html(revealed.html)  # what Telegram itself would parse
        shown[revealed.text.split("\n\n")[1]] = revealed.html
        await alice.tap("Good", message=revealed)
        await alice.wait_for(edited(question, "Graded"))
        assert on_screen.kind == "recall"
    hom = next(html for front, html in shown.items() if front.startswith("Hom-set"))
    assert "<b><b>Hom-set</b> of <i>A</i> and <i>B</i></b>" in hom
    assert (
        "The set Hom(A,B) of <u>all</u> arrows\n- from <code>A</code>\n- to <s>C</s> B\nsee" in hom
    )
    assert "javascript" not in hom and "alert" not in hom and "href" not in hom
    square = next(html for front, html in shown.items() if front.startswith("Square"))
    assert "α² = α · α" in square and "<b>alpha</b>" in square
    golden = next(html for front, html in shown.items() if front.startswith("Golden"))
    assert "φ = 1/2(1 + √(5))" in golden
    for message in alice.messages:
        assert not any(raw in message.text for raw in RAW_LATEX), message.text
    stored = await bot.services.db.fetchall(
        "SELECT front, front_html, back_html FROM cards WHERE front LIKE 'Hom-set%'"
    )
    assert [tuple(row) for row in stored] == [
        (
            "Hom-set of A and B",
            "<b>Hom-set</b> of <i>A</i> and <i>B</i>",
            "The set Hom(A,B) of <u>all</u> arrows\n- from <code>A</code>\n- to <s>C</s> B\nsee",
        )
    ]


async def test_the_import_preview_shows_the_cards_formatting(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, "rich.apkg", rich_package())
    parse_html(preview.html)  # what Telegram itself would parse
    assert "<b><b>Hom-set</b> of <i>A</i> and <i>B</i></b>" in preview.html
    assert "The set Hom(A,B) of <u>all</u> arrows / - from <code>A</code>" in preview.html
    assert "<b>Square of <b>alpha</b></b>" in preview.html
    assert "javascript" not in preview.html and "<script" not in preview.html
