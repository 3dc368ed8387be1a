"""Sharing a deck by link, end to end with three people: Alice shares from /decks, Bob opens the
link, sees the preview, adds the deck and answers from it; Alice's re-import reaches Bob's deck with
his schedule kept; Alice revokes, Carol is told so and Bob keeps the deck."""

from __future__ import annotations

import re

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import answer

SPANISH_CSV = b"""front,back
1 < 2 & <b>hola</b>,hello
adios,goodbye
gracias,thank you
perro,dog
gato,cat
"""
LINK = re.compile(r"https://t\.me/\S+\?start=d_[A-Za-z0-9_-]{32}")


async def upload_and_save(user: SandboxUser, data: bytes) -> SandboxMessage:
    """Send a deck file and tap Save on its preview; returns the saved message."""
    sent = await user.send_document("spanish.csv", data)
    preview = await user.wait_for(
        lambda m: m.edited and not m.text.startswith("📥"), since=sent, timeout=10
    )
    await user.tap("Save", message=preview)
    return await user.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)


async def state_of(bot: RunningBot, user_id: int, question_id: int) -> tuple[object, ...] | None:
    """A user's schedule of one question, as stored."""
    row = await bot.services.db.fetchone(
        "SELECT stability, difficulty, due, reps FROM review_states WHERE user_id = ? AND question_id = ?",
        (user_id, question_id),
    )
    return None if row is None else tuple(row)


async def test_a_shared_deck_is_added_followed_and_kept_after_the_link_is_revoked(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice, bob, carol = sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Carol")
    await upload_and_save(alice, SPANISH_CSV)

    # Alice shares her deck from /decks: the list's message becomes its Share screen
    await alice.send("/decks")
    listing = await alice.wait_for(lambda m: "Your decks" in m.text)
    assert "🔗 shares one of your decks by a link." in listing.text
    await alice.tap("🔗", message=listing)
    screen = await alice.wait_for(
        lambda m: m.message_id == listing.message_id and "🔗 Share" in m.text
    )
    assert "Who adds it follows your later edits" in screen.text
    assert screen.labels == ["📄 Give copies instead", "🚫 Revoke link", "↩️ Back"]
    found = LINK.search(screen.text)
    assert found is not None
    url = found.group(0)

    # Bob opens it: a preview, escaped, and Add
    await bob.open_link(url)
    preview = await bob.wait_for(lambda m: m.text.startswith("📚"))
    assert preview.text.splitlines()[:2] == ["📚 spanish", "Shared by Alice · 5 cards"]
    assert "<b>1 &lt; 2 &amp; &lt;b&gt;hola&lt;/b&gt;</b>\nhello" in preview.html
    assert "adios" in preview.text and "gracias" in preview.text and "perro" not in preview.text
    assert "Adding it follows Alice's later edits" in preview.text
    assert preview.labels == ["➕ Add to my decks"]
    assert await bob.tap("Add", message=preview) == "Added to your decks"
    added = await bob.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)
    assert "Added <b>spanish</b> to your decks" in added.html
    assert added.labels == ["▶️ Start quiz"]
    # the same link again: no second deck
    await bob.open_link(url)
    again = await bob.wait_for(lambda m: "You already have this deck" in m.text, since=added)
    assert again.labels == ["▶️ Start quiz", "📚 My decks"]  # not a dead end
    await bob.tap("My decks", message=again)
    await bob.wait_for(lambda m: m.message_id == again.message_id and "Your decks" in m.text)
    rows = await bot.services.db.fetchall("SELECT id FROM decks WHERE owner_id = ?", (bob.id,))
    assert len(rows) == 1
    bobs_deck = int(rows[0][0])

    # Bob answers a question from it
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'choice' WHERE id = ?", (bob.id,)
    )
    await bob.tap("Start quiz", message=added)
    question = await bob.wait_for(lambda m: m.text.startswith("Question 1/"))
    assert "· spanish" in question.text
    await answer(bob, bot.services, right=True)
    await bob.wait_for(lambda m: m.text.startswith("Question 2/"))
    answered = await bot.services.db.fetchone(
        "SELECT question_id FROM review_states WHERE user_id = ? AND deck_id = ?",
        (bob.id, bobs_deck),
    )
    assert answered is not None
    question_id = int(answered[0])
    before = await state_of(bot, bob.id, question_id)
    assert before is not None

    # Alice edits her deck (re-import): Bob's deck shows it, his schedule kept
    edited = SPANISH_CSV.replace(b"gato,cat", b"gato,the cat") + b"casa,house\n"
    await upload_and_save(alice, edited)
    sent = await bob.send("/decks")
    bobs_list = await bob.wait_for(
        lambda m: "Your decks" in m.text and "spanish" in m.text, since=sent
    )
    assert "spanish — 6 cards" in bobs_list.text
    cat = await bot.services.db.fetchone(
        "SELECT back FROM cards WHERE deck_id = ? AND front = 'gato' AND retired = 0", (bobs_deck,)
    )
    assert cat is not None and cat[0] == "the cat"
    assert await state_of(bot, bob.id, question_id) == before
    retired = await bot.services.db.fetchone(
        "SELECT retired FROM questions WHERE id = ?", (question_id,)
    )
    assert retired is not None and retired[0] == 0

    # Carol opens the link while it works, but taps Add only after Alice revoked it
    await carol.open_link(url)
    carols_preview = await carol.wait_for(lambda m: m.text.startswith("📚"))
    assert carols_preview.labels == ["➕ Add to my decks"]

    # Alice revokes: the screen says so; Carol is told the link was revoked; Bob keeps his deck
    await alice.tap("Revoke", message=screen)
    revoked = await alice.wait_for(
        lambda m: m.message_id == listing.message_id and "Link revoked" in m.text
    )
    assert revoked.labels == ["🔗 New link", "↩️ Back"]
    assert url not in revoked.text
    assert await carol.tap("Add", message=carols_preview) == "This link was revoked"
    told = await carol.wait_for(
        lambda m: m.message_id == carols_preview.message_id and "revoked" in m.text
    )
    assert told.text.startswith("🚫 This link was revoked by its owner")
    assert told.labels == ["📚 Browse decks"]  # no dead end: the starter decks instead
    await carol.open_link(url)
    opened = await carol.wait_for(lambda m: "revoked" in m.text, since=told)
    assert opened.text == told.text
    await carol.tap("Browse decks", message=opened)
    browsed = await carol.wait_for(lambda m: "Starter decks" in m.text, since=opened)
    assert "Capitals of Africa" in browsed.text
    assert (
        await bot.services.db.fetchall("SELECT id FROM decks WHERE owner_id = ?", (carol.id,)) == []
    )
    await bob.send("/decks")
    kept = await bob.wait_for(lambda m: "Your decks" in m.text, since=bobs_list)
    assert "spanish — 6 cards" in kept.text


async def test_a_made_up_link_is_told_apart_from_a_plain_start(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    mallory = sandbox.user("Mallory")
    # the right shape but no such link: said so, nothing to tap
    sent = await mallory.send("/start d_" + "A" * 32)
    told = await mallory.wait_for(lambda m: m.text.startswith("🔗"), since=sent)
    assert told.text.startswith("🔗 This link does not lead to a deck")
    assert told.labels == ["📚 Browse decks"]
    # not the shape of a link at all: the plain /start greeting
    for payload in ("d_short", "d_" + "A" * 31 + "<", "d_" + "A" * 40):
        sent = await mallory.send(f"/start {payload}")
        greeted = await mallory.wait_for(lambda m: "I'm Quizmaster" in m.text, since=sent)
        assert "link" not in greeted.text
    assert (
        await bot.services.db.fetchall("SELECT id FROM decks WHERE owner_id = ?", (mallory.id,))
        == []
    )


async def test_a_link_to_a_deck_you_have_starts_a_quiz_with_it(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    await upload_and_save(alice, SPANISH_CSV)
    await alice.send("/decks")
    listing = await alice.wait_for(lambda m: "Your decks" in m.text)
    await alice.tap("🔗", message=listing)
    screen = await alice.wait_for(
        lambda m: m.message_id == listing.message_id and "🔗 Share" in m.text
    )
    found = LINK.search(screen.text)
    assert found is not None
    await bob.open_link(found.group(0))
    preview = await bob.wait_for(lambda m: m.text.startswith("📚"))
    await bob.tap("Add", message=preview)
    added = await bob.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)

    # Bob goes back to the bundled deck, then opens the link again: Start quiz is with this deck.
    sent = await bob.send("/decks")
    decks = await bob.wait_for(lambda m: "Your decks" in m.text, since=sent)
    await bob.tap("Khrushchev", message=decks)
    await bob.wait_for(lambda m: m.message_id == decks.message_id and m.edited)
    await bob.open_link(found.group(0))
    again = await bob.wait_for(lambda m: "You already have this deck" in m.text, since=added)
    await bob.tap("Start quiz", message=again)
    question = await bob.wait_for(
        lambda m: m.message_id > again.message_id and m.labels != [], since=again
    )
    assert "spanish" in question.text
    row = await bot.services.db.fetchone(
        "SELECT d.title FROM users u JOIN decks d ON d.id = u.active_deck_id WHERE u.id = ?",
        (bob.id,),
    )
    assert row is not None and row[0] == "spanish"
