"""Bringing a deck end to end: documents, pastes and Anki packages, previews, /decks, a quiz."""

from __future__ import annotations

import io
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import genanki
import pytest

from bot.clock import ManualClock
from bot.handlers.imports import sweep_imports
from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.storage import imports as import_store
from bot.views.callbacks import ImportTap, decode
from tests.conftest import SHARED
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import answer, shown_question
from tests.pastes import PASTES

# "When…?" fronts are asked for the year their back holds; short backs are typed whole.
HISTORY_CSV = b"""front,back
When did Sputnik launch?,Sputnik was launched in 1957.
When did Apollo 11 land?,Apollo 11 landed on the Moon in 1969.
When did the Berlin Wall fall?,The Berlin Wall fell in 1989.
When did Gagarin fly?,Yuri Gagarin flew into space in 1961.
When did the Soviet Union end?,The Soviet Union was dissolved in 1991.
When was the UN founded?,The United Nations was founded in 1945.
Capital of France,Paris
Capital of Spain,Madrid
"""
BUNDLED_TITLE = "Khrushchev's attempts to reform government"
REAL_PACKAGE = SHARED / "fixtures" / "anki" / "vietnamese-anki21b-with-reviews.apkg"


def asks(heading: str) -> Callable[[SandboxMessage], bool]:
    """A matcher for the question message that starts with `heading`."""
    return lambda message: message.text.startswith(heading)


def is_preview(message: SandboxMessage) -> bool:
    """A preview message with its buttons."""
    return message.text.startswith("📦") and bool(message.buttons)


def import_id_of(preview: SandboxMessage) -> int:
    """The stored preview a preview message shows, from its Cancel button."""
    tap = decode(preview.data_for("✖️ Cancel"))
    assert isinstance(tap, ImportTap)
    return tap.import_id


async def upload(user: SandboxUser, filename: str, data: bytes) -> SandboxMessage:
    """Send a file and wait for the bot's answer to it (the edited progress message)."""
    sent = await user.send_document(filename, data)
    return await user.wait_for(
        lambda m: m.edited and not m.text.startswith("📥"), since=sent, timeout=10
    )


async def owned_decks(bot: RunningBot, user_id: int) -> list[tuple[int, str]]:
    """The user's decks as stored: (id, title)."""
    rows = await bot.services.db.fetchall(
        "SELECT id, title FROM decks WHERE owner_id = ? ORDER BY id", (user_id,)
    )
    return [(r[0], r[1]) for r in rows]


async def active_deck(bot: RunningBot, user_id: int) -> int | None:
    """The user's active deck id as stored (None means the default deck)."""
    row = await bot.services.db.fetchone(
        "SELECT active_deck_id FROM users WHERE id = ?", (user_id,)
    )
    assert row is not None
    return row[0] if row[0] is None else int(row[0])


def anki_package(
    reviews: list[tuple[int, int, int]], model: genanki.Model = genanki.BASIC_MODEL
) -> bytes:
    """A genanki package of three notes, with revlog rows (ms timestamp, card position by note
    and template, ease)."""
    deck = genanki.Deck(1_234_567_890, "Vietnamese basics")
    for front, back in (("xin chào", "hello"), ("cảm ơn", "thank you"), ("tạm biệt", "goodbye")):
        deck.add_note(genanki.Note(model=model, fields=[front, back]))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(target), timestamp=1_700_000_000.0)
        collection = Path(tmp) / "collection.anki2"
        collection.write_bytes(zipfile.ZipFile(target).read("collection.anki2"))
        db = sqlite3.connect(collection)
        ids = [row[0] for row in db.execute("SELECT id FROM cards ORDER BY nid, ord")]
        for stamp, position, ease in reviews:
            db.execute(
                "INSERT INTO revlog VALUES (?, ?, -1, ?, 1, 0, 2500, 8000, 1)",
                (stamp, ids[position], ease),
            )
        db.commit()
        db.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("collection.anki2", collection.read_bytes())
            archive.writestr("media", "{}")
        return buffer.getvalue()


async def test_each_direction_of_a_reversed_note_keeps_its_own_history_and_is_asked(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    day = 86_400_000
    start = 1_760_000_000_000  # October 2025, before the test clock's March 2026
    # Card positions: 0 xin chào forward, 1 xin chào reverse, 2 cảm ơn forward, …
    package = anki_package(
        [(start, 0, 3), (start + 4 * day, 0, 3), (start + 2 * day, 1, 1), (start + 5 * day, 1, 3)],
        model=genanki.BASIC_AND_REVERSED_CARD_MODEL,
    )
    preview = await upload(alice, "vietnamese.apkg", package)
    assert "3 cards have a reverse card in Anki: each is asked back to front too" in preview.text
    await alice.tap("Save with my Anki history", message=preview)
    saved = await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    assert "Replayed 4 Anki reviews into the schedules of 2 Anki cards." in saved.text
    rows = await bot.services.db.fetchall(
        """SELECT q.kind, q.prompt, rs.reps, rs.lapses, rs.last_review FROM review_states rs
             JOIN questions q ON q.id = rs.question_id WHERE rs.user_id = ? ORDER BY q.kind""",
        (alice.id,),
    )
    assert [tuple(r) for r in rows] == [
        ("recall", "xin chào", 2, 0, (start + 4 * day) // 1000),
        ("reverse", "hello", 2, 0, (start + 5 * day) // 1000),
    ]
    # Both are long overdue; the reverse one (a lapse at first: less stable) is asked first,
    # back to front, and graded as a recall question is.
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/"))
    assert "Recall — the other way round" in question.text
    assert "hello" in question.text and "xin chào" not in question.text
    await alice.tap("Show answer", message=question)
    shown = await alice.wait_for(
        lambda m: m.message_id == question.message_id and "xin chào" in m.text
    )
    assert [label.split(" ", 1)[0] for label in shown.labels] == ["Again", "Hard", "Good", "Easy"]
    good = next(label for label in shown.labels if label.startswith("Good"))
    await alice.tap(good, message=shown)
    await alice.wait_for(lambda m: m.message_id == question.message_id and "Graded" in m.text)
    reps = await bot.services.db.fetchall(
        """SELECT q.kind, rs.reps FROM review_states rs JOIN questions q ON q.id = rs.question_id
            WHERE rs.user_id = ? ORDER BY q.kind""",
        (alice.id,),
    )
    assert [tuple(r) for r in reps] == [("recall", 2), ("reverse", 3)]


async def test_a_csv_upload_is_previewed_saved_switched_and_quizzed_typed(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/import")
    how = await alice.wait_for(lambda m: "Bring your own deck" in m.text)
    assert ".apkg" in how.text and "10 MB" in how.text
    preview = await upload(alice, "history.csv", HISTORY_CSV)
    assert is_preview(preview)
    assert preview.text.splitlines()[:2] == ["📦 history", "8 cards · from history.csv"]
    assert "1. When did Sputnik launch?" in preview.text
    assert "8. Capital of Spain" in preview.text  # 8 cards fit on one page: no page buttons
    assert preview.labels == ["💾 Save", "✖️ Cancel"]
    assert sandbox.calls["getFile"] == 1
    assert await owned_decks(bot, alice.id) == []  # nothing is stored before Save

    toast = await alice.tap("Save", message=preview)
    assert toast == "Saved: history"
    saved = await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    assert "Saved <b>history</b> (8 cards)" in saved.html
    assert saved.labels == ["▶️ Start quiz"]
    ((deck_id, title),) = await owned_decks(bot, alice.id)
    assert title == "history"
    assert await active_deck(bot, alice.id) == deck_id

    # /decks: the new deck is ticked; switching away and back keeps both decks on offer
    await alice.send("/decks")
    listing = await alice.wait_for(lambda m: "Your decks" in m.text)
    assert "✅ history — 8 cards" in listing.text
    assert listing.labels == [
        "Khrushchev's attempts to reform governm…",
        "✅ history",
        "⇄",
        "🔗",
        "🗑",
        "📚 Browse catalogue",
    ]
    assert await alice.tap("Khrushchev", message=listing) == f"Now studying: {BUNDLED_TITLE}"
    await alice.wait_for(lambda m: m.message_id == listing.message_id and "✅ Khru" in m.text)
    assert await active_deck(bot, alice.id) != deck_id
    assert await alice.tap("history", message=listing) == "Now studying: history"
    await alice.wait_for(lambda m: m.message_id == listing.message_id and "✅ history" in m.text)
    assert await active_deck(bot, alice.id) == deck_id

    # a quiz on the new deck, typed only: one typed question per card, the year each back holds
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'typed', new_per_day = 20 WHERE id = ?", (alice.id,)
    )
    await alice.send("/quiz")
    for number in range(1, 9):
        question = await alice.wait_for(asks(f"Question {number}/8"))
        assert "· history" in question.text
        on_screen = await shown_question(bot.services, alice.id)
        assert on_screen.typed and not question.labels[:-1]  # only "I don't know"
        await answer(alice, bot.services, right=True)
    summary = await alice.wait_for(lambda m: "Session complete" in m.text)
    assert "8/8 right" in summary.text
    rows = await bot.services.db.fetchall(
        """SELECT q.kind, q.answer, r.outcome FROM reviews r JOIN questions q ON q.id = r.question_id
            WHERE r.user_id = ? AND r.deck_id = ?""",
        (alice.id, deck_id),
    )
    assert (
        len(rows) == 8 and {r[2] for r in rows} == {"right"} and {r[0] for r in rows} == {"typed"}
    )
    assert {r[1] for r in rows} >= {"1957", "1969", "Paris"}


async def test_importing_the_same_deck_again_updates_it_and_keeps_progress(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    first = await upload(alice, "history.csv", HISTORY_CSV)
    await alice.tap("Save", message=first)
    await alice.wait_for(lambda m: m.message_id == first.message_id and "✅" in m.text)
    ((deck_id, _),) = await owned_decks(bot, alice.id)
    await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/8"))
    await answer(alice, bot.services, right=True)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/8"))

    edited = HISTORY_CSV + b"Capital of Italy,Rome\n"
    second = await upload(alice, "history.csv", edited)
    assert "9 cards" in second.text
    assert "saving updates it" in second.text
    await alice.tap("Save", message=second)
    updated = await alice.wait_for(lambda m: m.message_id == second.message_id and "✅" in m.text)
    assert "Updated <b>history</b> (9 cards)" in updated.html
    assert await owned_decks(bot, alice.id) == [(deck_id, "history")]
    states = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM review_states WHERE user_id = ? AND deck_id = ?", (alice.id, deck_id)
    )
    assert states is not None and states[0] == 1  # the answered question kept its schedule
    # saving closed the open session, so the next /quiz starts afresh on the updated deck
    await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/"), since=updated)


async def test_a_pasted_deck_is_previewed_and_can_be_cancelled(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("Capitals\nFrance :: Paris\nSpain :: Madrid\nItaly :: Rome")
    preview = await alice.wait_for(is_preview)
    assert preview.text.splitlines()[:2] == ["📦 Capitals", "3 cards · pasted text"]
    assert await alice.tap("Cancel", message=preview) == "Cancelled"
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "cancelled" in m.text)
    assert await owned_decks(bot, alice.id) == []
    assert await alice.tap_data(preview, preview.buttons[0][0][1] or "") == (
        "This preview is gone — send the deck again"
    )
    # ordinary chat is not mistaken for a deck
    await alice.send("hello there\nhow are you")
    await alice.wait_for(lambda m: m.text.startswith("I didn't get that"))


async def test_a_preview_survives_a_restart_but_not_a_day(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, mallory = sandbox.user("Alice"), sandbox.user("Mallory")
    preview = await upload(alice, "history.csv", HISTORY_CSV)
    await bot.restart()
    data = preview.buttons[0][0][1]
    assert data is not None
    await mallory.send("/help")  # a message of Mallory's with no button of its own
    mallory_message = await mallory.wait_for(lambda m: "What I can do" in m.text)
    assert await mallory.tap_data(mallory_message, data) == (
        "This preview is gone — send the deck again"
    )
    await alice.tap("Save", message=preview)
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    assert [t for _, t in await owned_decks(bot, alice.id)] == ["history"]
    assert await owned_decks(bot, mallory.id) == []

    stale = await upload(alice, "other.csv", HISTORY_CSV)
    clock.advance(timedelta(hours=25))
    await sweep_imports(bot.app)
    # No preview is left open (what became of each is kept, for their old messages).
    for kept in (preview, stale):
        assert await import_store.get_pending(bot.services.db, import_id_of(kept)) is None
    assert await alice.tap("Save", message=stale) == "This preview is gone — send the deck again"
    await alice.wait_for(lambda m: m.message_id == stale.message_id and "expired" in m.text)


async def test_an_anki_package_saved_with_its_history_continues_the_schedule(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    day = 86_400_000
    start = 1_760_000_000_000  # October 2025, before the test clock's March 2026
    package = anki_package(
        [(start, 0, 3), (start + 3 * day, 0, 3), (start + 10 * day, 0, 1), (start + 1, 1, 4)]
    )
    preview = await upload(alice, "vietnamese.apkg", package)
    assert preview.text.splitlines()[:2] == [
        "📦 Vietnamese basics",
        "3 cards · from vietnamese.apkg",
    ]
    assert "4 reviews from Anki" in preview.text
    assert preview.labels == ["💾 Save with my Anki history", "🆕 Save as new", "✖️ Cancel"]
    await alice.tap("Save with my Anki history", message=preview)
    saved = await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    assert "Replayed 4 Anki reviews into the schedules of 2 Anki cards." in saved.text
    rows = await bot.services.db.fetchall(
        """SELECT c.front, q.kind, rs.reps, rs.lapses, rs.last_review FROM review_states rs
             JOIN questions q ON q.id = rs.question_id JOIN cards c ON c.id = q.card_id
            WHERE rs.user_id = ? ORDER BY c.position""",
        (alice.id,),
    )
    assert [tuple(r) for r in rows] == [
        ("xin chào", "recall", 3, 1, (start + 10 * day) // 1000),
        ("cảm ơn", "recall", 1, 0, (start + 1) // 1000),
    ]
    # replayed history is not a quiz answer: no review log rows, no streak
    logged = await bot.services.db.fetchone(
        "SELECT (SELECT COUNT(*) FROM reviews WHERE user_id = ?), streak_current FROM users "
        "WHERE id = ?",
        (alice.id, alice.id),
    )
    assert logged is not None and tuple(logged) == (0, 0)

    # "Save as new" stores the same deck without touching schedules
    bob = sandbox.user("Bob")
    fresh = await upload(bob, "vietnamese.apkg", package)
    await bob.tap("Save as new", message=fresh)
    await bob.wait_for(lambda m: m.message_id == fresh.message_id and "✅" in m.text)
    none = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM review_states WHERE user_id = ?", (bob.id,)
    )
    assert none is not None and none[0] == 0


@pytest.mark.skipif(not REAL_PACKAGE.exists(), reason="shared Anki fixtures not available")
async def test_the_real_anki_package_replays_its_history(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, REAL_PACKAGE.name, REAL_PACKAGE.read_bytes())
    assert "💾 Save with my Anki history" in preview.labels
    await alice.tap("Save with my Anki history", message=preview, timeout=30)
    saved = await alice.wait_for(
        lambda m: m.message_id == preview.message_id and "✅" in m.text, timeout=30
    )
    assert "Replayed" in saved.text
    stats = await bot.services.db.fetchone(
        "SELECT COUNT(*), MIN(reps), SUM(reps) FROM review_states WHERE user_id = ?", (alice.id,)
    )
    assert stats is not None and stats[0] > 100 and stats[1] > 0
    # each replayed review is one repetition of a card's recall question
    assert (
        f"Replayed {stats[2]:,} Anki reviews into the schedules of {stats[0]:,} Anki cards"
        in saved.text
    )


async def test_bad_files_are_refused_with_a_reason_and_big_ones_without_download(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    broken = await upload(alice, "broken.apkg", b"this is not a zip archive at all")
    assert broken.text.startswith("⚠️ I couldn't read this file: broken.apkg: not an Anki package")
    empty = await upload(alice, "empty.csv", b"")
    assert empty.text.startswith("⚠️ I couldn't read this file: empty.csv:")
    downloads = sandbox.calls["getFile"]
    assert downloads == 2

    sent = await alice.send_document("huge.csv", b"a,b\n" * (3 * 1024 * 1024))
    refused = await alice.wait_for(lambda m: "couldn't read" in m.text, since=sent)
    assert refused.text == (
        "⚠️ I couldn't read this file: huge.csv: the file is 12.0 MB; the limit is 10 MB"
    )
    sent = await alice.send_document("holiday.jpg", b"\xff\xd8\xff")
    refused = await alice.wait_for(lambda m: "couldn't read" in m.text, since=sent)
    assert "unsupported file type '.jpg'" in refused.text
    assert sandbox.calls["getFile"] == downloads  # neither was downloaded


async def test_an_own_deck_can_be_asked_both_ways_from_decks(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, "history.csv", HISTORY_CSV)
    await alice.tap("Save", message=preview)
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    await alice.send("/decks")
    listing = await alice.wait_for(lambda m: "Your decks" in m.text)
    assert "⇄ asks one of your decks both ways" in listing.text
    assert "· ⇄ both ways" not in listing.text
    toast = await alice.tap("⇄", message=listing)
    assert toast == "⇄ history: every card is asked both ways now"
    after = await alice.wait_for(
        lambda m: m.message_id == listing.message_id and "✓" in str(m.labels)
    )
    assert "history — 8 cards · ⇄ both ways" in after.text
    assert "⇄ ✓" in after.labels
    ((deck_id, _),) = await owned_decks(bot, alice.id)
    made = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM questions WHERE deck_id = ? AND kind = 'reverse' AND retired = 0",
        (deck_id,),
    )
    assert made is not None and made[0] == 8
    # someone else cannot turn it on or off
    mallory = sandbox.user("Mallory")
    await mallory.send("/decks")
    theirs = await mallory.wait_for(lambda m: "Your decks" in m.text)
    assert await mallory.tap_data(theirs, f"d:{deck_id}:b") == "That deck is no longer there"
    # off again: the reverse questions are retired (with any schedule), the list says so
    await alice.tap("⇄ ✓", message=after)
    off = await alice.wait_for(
        lambda m: m.message_id == listing.message_id and "⇄ ✓" not in m.labels
    )
    assert "· ⇄ both ways" not in off.text
    left = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM questions WHERE deck_id = ? AND kind = 'reverse' AND retired = 0",
        (deck_id,),
    )
    assert left is not None and left[0] == 0


async def test_deleting_a_deck_asks_first_and_falls_back_to_the_default(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, "history.csv", HISTORY_CSV)
    await alice.tap("Save", message=preview)
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    await alice.send("/decks")
    listing = await alice.wait_for(lambda m: "Your decks" in m.text)
    await alice.tap("🗑", message=listing)
    confirm = await alice.wait_for(
        lambda m: m.message_id == listing.message_id and "Delete" in m.text
    )
    assert "Delete <b>history</b> (8 cards)?" in confirm.html
    assert confirm.labels == ["🗑 Delete", "↩️ Keep it"]
    await alice.tap("Keep it", message=confirm)
    await alice.wait_for(lambda m: m.message_id == listing.message_id and "Your decks" in m.text)
    assert len(await owned_decks(bot, alice.id)) == 1
    delete_data = confirm.buttons[0][0][1]
    assert delete_data is not None
    # someone else can neither switch to nor delete another person's deck
    mallory = sandbox.user("Mallory")
    await mallory.send("/decks")
    theirs = await mallory.wait_for(lambda m: "Your decks" in m.text)
    assert "history" not in theirs.text
    ((deck_id, _),) = await owned_decks(bot, alice.id)
    for forged in (f"d:{deck_id}:u", f"d:{deck_id}:d", f"d:{deck_id}:y"):
        assert await mallory.tap_data(theirs, forged) == "That deck is no longer there"
    assert len(await owned_decks(bot, alice.id)) == 1

    await alice.tap("🗑", message=listing)
    await alice.wait_for(lambda m: m.message_id == listing.message_id and "Delete" in m.text)
    assert await alice.tap("🗑 Delete", message=listing) == "Deleted"
    after = await alice.wait_for(
        lambda m: m.message_id == listing.message_id and "Deleted" in m.text
    )
    assert f"✅ {BUNDLED_TITLE}" in after.text and "none yet" in after.text
    assert await owned_decks(bot, alice.id) == []
    assert await active_deck(bot, alice.id) is None
    assert await alice.tap_data(listing, delete_data) == "That deck is no longer there"
    await alice.send("/quiz")
    await alice.wait_for(
        lambda m: m.text.startswith("Question 1/9") and BUNDLED_TITLE[:10] in m.text
    )


async def test_a_single_card_is_a_deck_and_a_broken_paste_says_what_is_wrong(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("Capital of Italy :: Rome")
    preview = await alice.wait_for(is_preview)
    assert preview.text.splitlines()[:4] == [
        "📦 Pasted flashcards",
        "1 card · pasted text",
        "",
        "1. Capital of Italy",
    ]
    await alice.tap("Save", message=preview)
    saved = await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    assert "Saved <b>Pasted flashcards</b> (1 card)" in saved.html
    assert [t for _, t in await owned_decks(bot, alice.id)] == ["Pasted flashcards"]

    sent = await alice.send("Q: Capital of Spain? A: Madrid")
    one = await alice.wait_for(is_preview, since=sent)
    assert "1. Capital of Spain?" in one.text

    # several lines meant as flashcards, but broken: one sentence says what is wrong
    sent = await alice.send("Q: Capital of Spain?\nQ: Capital of France?\nA: Paris")
    refused = await alice.wait_for(lambda m: m.text.startswith("⚠️"), since=sent)
    assert refused.text == (
        "⚠️ I couldn't read those flashcards: line 1: a Q: line without an A: line after it. "
        "Send /import to see the forms I read."
    )
    sent = await alice.send("Mitochondria\nThe powerhouse of the cell.\nIt makes ATP.")
    refused = await alice.wait_for(lambda m: m.text.startswith("⚠️"), since=sent)
    assert refused.text.startswith("⚠️ I could only see one card in that, “Mitochondria”")

    # a line that is no card is chat, as before
    sent = await alice.send("Rome")
    await alice.wait_for(lambda m: m.text.startswith("I didn't get that"), since=sent)
    assert [m.message_id for m in alice.messages if is_preview(m)] == [one.message_id]


async def test_a_typed_answer_shaped_like_a_card_is_still_an_answer(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    preview = await upload(alice, "history.csv", HISTORY_CSV)
    await alice.tap("Save", message=preview)
    await alice.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'typed', new_per_day = 20 WHERE id = ?", (alice.id,)
    )
    await alice.send("/quiz")
    await alice.wait_for(asks("Question 1/8"))
    await shown_question(bot.services, alice.id)
    await alice.send("Capital of Italy :: Rome")
    await alice.wait_for(asks("Question 2/8"))
    answered = await bot.services.db.fetchone(
        "SELECT COUNT(*), MAX(outcome) FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert answered is not None and tuple(answered) == (1, "wrong")
    assert not [m for m in alice.messages if is_preview(m) and "Capital of Italy" in m.text]


def numbered_deck(cards: int) -> str:
    """A pasted deck of `cards` question cards, one of them without its question mark."""
    lines = ["World facts Flashcards", f"({cards} cards)"]
    for n in range(1, cards + 1):
        mark = "" if n == 11 else "?"
        lines += [f"What is fact number {n}{mark}", f"Fact {n} is a fact."]
    return "\n".join(lines)


def shown_numbers(message: SandboxMessage) -> list[int]:
    """The card numbers a preview page lists."""
    return [int(m[1]) for m in re.finditer(r"(?m)^(\d+)\. ", message.text)]


async def test_the_preview_pages_through_every_card_and_old_pages_show_what_became_of_it(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await alice.send(numbered_deck(20))
    first = await alice.wait_for(is_preview)
    assert first.text.splitlines()[:3] == ["📦 World facts", "20 cards · pasted text", "page 1/3"]
    assert shown_numbers(first) == list(range(1, 9))
    assert first.labels == ["▶", "💾 Save", "✖️ Cancel"]

    assert await alice.tap("▶", message=first) == ""
    second = await alice.wait_for(
        lambda m: m.message_id == first.message_id and "page 2/3" in m.text
    )
    assert shown_numbers(second) == list(range(9, 17))
    assert "11. What is fact number 11\n" in second.text + "\n"
    assert second.labels == ["◀", "▶", "💾 Save", "✖️ Cancel"]
    await alice.tap("▶", message=second)
    third = await alice.wait_for(
        lambda m: m.message_id == first.message_id and "page 3/3" in m.text
    )
    assert shown_numbers(third) == [17, 18, 19, 20]
    assert third.labels == ["◀", "💾 Save", "✖️ Cancel"]
    await alice.tap("◀", message=third)
    await alice.wait_for(lambda m: m.message_id == first.message_id and "page 2/3" in m.text)
    back_data = third.data_for("◀")
    assert back_data is not None

    # Save from any page; an old page button then shows what is true now, in the message.
    await alice.tap("Save", message=third)
    await alice.wait_for(lambda m: m.message_id == first.message_id and "✅ Saved" in m.text)
    assert await alice.tap_data(third, back_data) == ""
    told = await alice.wait_for(
        lambda m: m.message_id == first.message_id and "This preview was saved" in m.text
    )
    assert told.text == (
        "✅ This preview was saved as World facts (20 cards). /decks lists your decks."
    )
    assert told.labels == ["▶️ Start quiz"]

    # ... and once that deck is deleted, says so
    await alice.send("/decks")
    listing = await alice.wait_for(lambda m: "Your decks" in m.text)
    await alice.tap("🗑", message=listing)
    await alice.wait_for(lambda m: m.message_id == listing.message_id and "Delete" in m.text)
    await alice.tap("🗑 Delete", message=listing)
    await alice.wait_for(lambda m: m.message_id == listing.message_id and "Deleted" in m.text)
    await alice.tap_data(third, back_data)
    await alice.wait_for(lambda m: m.message_id == first.message_id and "deleted since" in m.text)

    # a cancelled preview's page button says it was cancelled
    sent = await alice.send(numbered_deck(12))
    other = await alice.wait_for(is_preview, since=sent)
    forward = other.data_for("▶")
    assert forward is not None
    await alice.tap("Cancel", message=other)
    await alice.wait_for(lambda m: m.message_id == other.message_id and "cancelled" in m.text)
    assert await alice.tap_data(other, forward) == ""
    await alice.wait_for(
        lambda m: (
            m.message_id == other.message_id
            and m.text == "Import cancelled — nothing was saved."
            and not m.buttons
        )
    )

    # an expired one's says it expired
    sent = await alice.send(numbered_deck(10))
    late = await alice.wait_for(is_preview, since=sent)
    clock.advance(timedelta(hours=25))
    await sweep_imports(bot.app)
    assert await alice.tap("▶", message=late) == ""
    await alice.wait_for(
        lambda m: (
            m.message_id == late.message_id
            and m.text == "⌛ This preview expired after a day — send the deck again."
        )
    )

    # someone else's page button only gets a toast
    mallory = sandbox.user("Mallory")
    await mallory.send("/help")
    theirs = await mallory.wait_for(lambda m: "What I can do" in m.text)
    assert await mallory.tap_data(theirs, forward) == "This preview is gone — send the deck again"
    assert not theirs.edited


async def test_guesses_show_on_the_first_page_naming_the_card(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send((PASTES / "economics-questions.txt").read_text(encoding="utf-8"))
    preview = await alice.wait_for(is_preview)
    assert (
        "⚠️ card 5 (line 11, 'Why do governments tax cigarettes'): I guessed line 13, "
        "'To raise revenue', belongs to its back — check it in the preview"
    ) in preview.text
    assert "5. Why do governments tax cigarettes" in preview.text
