"""Imports at their edges: downloads that lie about their size, NUL bytes, long names and deck
paths, a long history saved, and text that is not valid Unicode."""

from __future__ import annotations

import io
import logging
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

import genanki
import pytest

from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot
from tests.e2e.test_import import is_preview, owned_decks, upload
from tests.reliability.helpers import problems

CSV = b"front,back\nhola,hello\nadios,goodbye\n"


def package(deck_name: str, reviews: int = 0) -> bytes:
    """A genanki package of three notes in `deck_name`, with `reviews` revlog rows over them."""
    deck = genanki.Deck(1_234_567_890, deck_name)
    for front, back in (("xin chào", "hello"), ("cảm ơn", "thank you"), ("tạm biệt", "goodbye")):
        deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[front, back]))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(target), timestamp=1_700_000_000.0)
        collection = Path(tmp) / "collection.anki2"
        collection.write_bytes(zipfile.ZipFile(target).read("collection.anki2"))
        db = sqlite3.connect(collection)
        cards = [row[0] for row in db.execute("SELECT id FROM cards ORDER BY id")]
        # One review a minute, taking turns over the three cards, rated Good.
        db.execute(
            """INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)
               WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n LIMIT ?)
               SELECT 1600000000000 + i * 60000,
                      CASE i % 3 WHEN 0 THEN ? WHEN 1 THEN ? ELSE ? END,
                      0, 3, 1, 0, 2500, 5000, 1 FROM n""",
            (reviews, *cards),
        )
        db.commit()
        db.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("collection.anki2", collection.read_bytes())
            archive.writestr("media", "{}")
        return buffer.getvalue()


@pytest.mark.parametrize("announced", [1024, None], ids=["lying", "missing"])
async def test_a_download_stops_at_the_limit_whatever_the_file_announced(
    sandbox: SandboxServer, bot: RunningBot, announced: int | None
) -> None:
    alice = sandbox.user("Alice")
    big = b"front,back\n" + b"word,meaning\n" * (12 * 1024 * 1024 // 13)
    sent = await alice.send_document("big.csv", big, announced_size=announced)
    refused = await alice.wait_for(
        lambda m: m.edited and not m.text.startswith("📥"), since=sent, timeout=15
    )
    assert refused.text == (
        "⚠️ I couldn't read this file: big.csv: the file is larger than 10 MB (the download "
        "stopped there); the limit is 10 MB"
    )
    assert sandbox.calls["getFile"] == 1
    # The next file is read as usual.
    preview = await upload(alice, "small.csv", CSV)
    assert is_preview(preview)


async def test_nul_bytes_never_reach_the_database(sandbox: SandboxServer, bot: RunningBot) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, "nul.csv", b"front,back\nho\x00la,hello\nadios,good\x00bye\n")
    assert "⚠️ 2 NUL characters (invisible, \\0) removed: they cannot be stored" in preview.text
    await alice.tap("Save", message=preview)
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    rows = await bot.services.db.fetchall(
        "SELECT c.front, c.back FROM cards c JOIN decks d ON d.id = c.deck_id WHERE d.owner_id = ?",
        (alice.id,),
    )
    assert sorted(tuple(r) for r in rows) == [("adios", "goodbye"), ("hola", "hello")]


async def test_a_long_file_name_keeps_its_extension(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    name = "Spanish vocabulary for the spring term, " * 5 + "week 1.csv"
    preview = await upload(alice, name, CSV)
    assert is_preview(preview)
    source = preview.text.splitlines()[1]
    assert source.startswith("2 cards · from Spanish vocabulary") and source.endswith("…")
    await alice.tap("Save", message=preview)
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)


async def test_a_long_anki_deck_path_is_titled_by_its_innermost_decks(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    path = "::".join(["Languages", "Asian languages", "Vietnamese " * 15, "Lesson 1 greetings"])
    preview = await upload(alice, "deep.apkg", package(path))
    title = "… / " + " ".join(("Vietnamese " * 15).split()) + " / Lesson 1 greetings"
    assert preview.text.startswith("📦 … / Vietnamese Vietnamese")  # clipped to fit the preview
    await alice.tap("Save", message=preview)
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    assert [t for _, t in await owned_decks(bot, alice.id)] == [title]


async def test_save_with_history_answers_the_tap_at_once_and_shows_progress(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, "history.apkg", package("Vietnamese basics", reviews=150_000))
    assert "150,000 reviews from Anki" in preview.text
    start = time.monotonic()
    toast = await alice.tap("Save with my Anki history", message=preview, timeout=10)
    answered = time.monotonic() - start
    assert toast == "Saving Vietnamese basics…"
    saved = await alice.wait_for(
        lambda m: m.message_id == preview.message_id and "✅" in m.text, timeout=60
    )
    finished = time.monotonic() - start
    assert "Replayed 150,000 Anki reviews into the schedules of 3 Anki cards." in saved.text
    # The tap was answered before the work, well within Telegram's 15 s, and the message said
    # what was going on meanwhile.
    assert answered < 2.0 < finished or answered < finished / 2
    versions = alice.chat.record.messages[preview.message_id].history
    assert any(
        v.text and v.text.startswith("⏳ Saving Vietnamese basics (3 cards)…") for v in versions
    )


async def test_invalid_unicode_in_a_paste_is_replaced_without_a_traceback(
    sandbox: SandboxServer, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    alice = sandbox.user("Alice")
    with caplog.at_level(logging.INFO):
        await alice.send("Capitals\nFrance :: Pa\ud800ris\nSpain :: Madrid")
        preview = await alice.wait_for(is_preview)
    assert "France\n    Pa\ufffdris" in preview.text
    assert problems(caplog.records) == []
    assert not [r for r in caplog.records if r.exc_info]
