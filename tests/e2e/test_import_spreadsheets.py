"""Spreadsheets end to end: documents sent through the sandbox, read in reader processes, previewed
and saved; hostile workbooks answered with their reason (never a reader crash)."""

from __future__ import annotations

from collections.abc import Callable

from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot
from tests.e2e.test_import import is_preview, owned_decks, upload
from tests.sheets import Row, ods_rows, xlsx_bytes
from tests.unit.test_format_spreadsheets import EXCEL_CSV, bomb


def saved(preview: SandboxMessage) -> Callable[[SandboxMessage], bool]:
    """A matcher for the preview's message once it says the deck was saved."""
    return lambda m: m.message_id == preview.message_id and "✅" in m.text


async def stored_cards(bot: RunningBot, user_id: int) -> list[tuple[str, str]]:
    """The cards of the user's decks as stored: (front, back)."""
    rows = await bot.services.db.fetchall(
        """SELECT c.front, c.back FROM cards c JOIN decks d ON d.id = c.deck_id
            WHERE d.owner_id = ? ORDER BY d.id, c.position""",
        (user_id,),
    )
    return [(str(r[0]), str(r[1])) for r in rows]


async def test_an_excel_cp1252_csv_is_previewed_with_its_accents_and_saved(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, "French words.csv", EXCEL_CSV.encode("cp1252"))
    assert is_preview(preview)
    assert preview.text.splitlines()[:2] == ["📦 French words", "4 cards · from French words.csv"]
    assert "1. café" in preview.text and "2. naïve" in preview.text
    assert "size (€ and £ too)" in preview.text
    assert "I read it as Windows-1252 (Western European) text" in preview.text
    assert await owned_decks(bot, alice.id) == []

    assert await alice.tap("Save", message=preview) == "Saved: French words"
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    assert await stored_cards(bot, alice.id) == [
        ("café", "coffee shop"),
        ("naïve", "innocent — “unworldly”"),
        ("Größe", "size (€ and £ too)"),
        ("crème brûlée", "burnt cream"),
    ]


async def test_xlsx_and_ods_workbooks_are_previewed_and_saved(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    rows: list[Row] = [["Term", "Definition"], ["Hund", "dog"], ["Katze", "cat"], ["Jahr", 1990]]
    for name, data in (("German.xlsx", xlsx_bytes(rows)), ("Animals.ods", ods_rows(rows))):
        preview = await upload(alice, name, data)
        assert is_preview(preview), preview.text
        assert f"3 cards · from {name}" in preview.text
        assert "1. Hund" in preview.text and "3. Jahr" in preview.text
        title = name.rsplit(".", 1)[0]
        assert await alice.tap("Save", message=preview) == f"Saved: {title}"
        await alice.wait_for(saved(preview))
    assert [title for _, title in await owned_decks(bot, alice.id)] == ["German", "Animals"]
    assert (
        await stored_cards(bot, alice.id)
        == [("Hund", "dog"), ("Katze", "cat"), ("Jahr", "1990")] * 2
    )


async def test_hostile_workbooks_are_refused_with_their_reason_and_nothing_is_kept(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    refused = await upload(alice, "bomb.xlsx", bomb("xl/worksheets/sheet1.xml", 256 * 1024 * 1024))
    assert refused.text.startswith(
        "⚠️ I couldn't read this file: bomb.xlsx: the file says it unpacks to 256 MB"
    )
    # One cell far away: without the check the reader would abort allocating its grid.
    far = xlsx_bytes([["front", "back"]] + [[None]] * 30_000 + [["x", "y"]])
    refused = await upload(alice, "far.xlsx", far)
    assert refused.text.startswith(
        "⚠️ I couldn't read this file: far.xlsx: the first sheet spans more than 20,000 rows"
    )
    refused = await upload(alice, "report.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert refused.text == (
        "⚠️ I couldn't read this file: report.xlsx: this is a PDF document, not a deck"
    )
    assert await owned_decks(bot, alice.id) == []
    assert await bot.services.db.fetchall("SELECT id FROM pending_imports") == []


async def test_a_large_anki_package_is_told_how_to_export_it_without_media(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    downloads = sandbox.calls["getFile"]
    sent = await alice.send_document("Japanese.apkg", bytes(11 * 1024 * 1024))
    refused = await alice.wait_for(lambda m: "couldn't read" in m.text, since=sent)
    assert refused.text == (
        "⚠️ I couldn't read this file: Japanese.apkg: the file is 11.0 MB; the limit is 10 MB — "
        "export the deck again without its pictures and sounds: in Anki, File ▸ Export…, choose "
        "Anki Deck Package (.apkg) and untick “Include media”"
    )
    assert sandbox.calls["getFile"] == downloads  # refused before any download
