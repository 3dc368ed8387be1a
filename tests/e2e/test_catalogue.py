"""The starter catalogue end to end: a newcomer's /start offers its decks, a tap adds one as their
own, /decks lists it, a quiz asks it; a second tap, even on an old message, copies nothing."""

from __future__ import annotations

from bot.cards.catalogue import catalogue_decks, find_catalogue_deck
from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import answer, shown_question

TIMES = "times-tables"


async def owned_decks(bot: RunningBot, user_id: int) -> list[tuple[int, str]]:
    """The user's decks as stored: (id, title)."""
    rows = await bot.services.db.fetchall(
        "SELECT id, title FROM decks WHERE owner_id = ? ORDER BY id", (user_id,)
    )
    return [(int(r[0]), str(r[1])) for r in rows]


async def test_a_newcomer_picks_a_starter_deck_and_is_quizzed_on_it(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    times = find_catalogue_deck(TIMES)
    assert times is not None
    await alice.send("/start")
    first = await alice.wait_for(lambda m: "What would you like to learn?" in m.text)
    assert "Hi Alice" in first.text
    # one button per catalogue deck, with its size, then the deck everyone has
    assert first.labels == [f"{d.mark} {d.title} · {d.cards}" for d in catalogue_decks()] + [
        "▶️ Start quiz"
    ]
    sent = await alice.send("/start")  # a second catalogue message, tapped later
    second = await alice.wait_for(lambda m: "What would you like to learn?" in m.text, since=sent)

    assert await alice.tap(times.title, message=first) == "Adding Times tables 2 to 12…"
    added = await alice.wait_for(lambda m: m.message_id == first.message_id and m.edited)
    assert "✅ <b>Times tables 2 to 12</b> is in your decks now (121 cards)" in added.html
    assert added.labels == ["▶️ Start quiz", "📚 Browse decks"]
    ((deck_id, title),) = await owned_decks(bot, alice.id)
    assert title == times.title

    sent = await alice.send("/decks")
    listing = await alice.wait_for(lambda m: "Your decks" in m.text, since=sent)
    assert "✅ Times tables 2 to 12 — 121 cards" in listing.text
    assert listing.labels[-1] == "📚 Browse catalogue"

    await alice.tap("Start quiz", message=added)
    on_screen = await shown_question(bot.services, alice.id)
    question = await alice.wait_for(lambda m: m.message_id == on_screen.message_id)
    assert "What is" in question.text and "×" in question.text
    await answer(alice, bot.services, right=True)
    reviewed = await bot.services.db.fetchall(
        "SELECT deck_id FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert [int(r[0]) for r in reviewed] == [deck_id]

    # the same deck tapped on the older message: it is there already, nothing is copied
    assert await alice.tap(times.title, message=second) == "Already in your decks"
    again = await alice.wait_for(lambda m: m.message_id == second.message_id and m.edited)
    assert "is already in your decks (121 cards)" in again.text
    assert again.labels == ["▶️ Start quiz", "📚 Browse decks"]
    assert await owned_decks(bot, alice.id) == [(deck_id, times.title)]


async def test_a_returning_user_browses_the_catalogue_from_start_and_decks(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    bob = sandbox.user("Bob")
    await bob.send("/start")
    first = await bob.wait_for(lambda m: "What would you like to learn?" in m.text)
    await bob.tap("Capitals of Africa", message=first)
    await bob.wait_for(lambda m: m.message_id == first.message_id and m.edited)

    # no longer new: greeted as before, the catalogue one tap away, the added deck ticked
    sent = await bob.send("/start")
    welcome = await bob.wait_for(lambda m: "Quizmaster" in m.text, since=sent)
    assert "What would you like to learn?" not in welcome.text
    assert welcome.labels == ["▶️ Start quiz", "📚 Browse decks"]
    await bob.tap("Browse decks", message=welcome)
    shown = await bob.wait_for(lambda m: "Starter decks" in m.text, since=sent)
    assert "✅ 🌍 <b>Capitals of Africa</b> — 52 cards" in shown.html
    assert "CC BY 4.0" in shown.text  # each deck's source and licence
    assert shown.labels[0].startswith("✅ 🌍 Capitals of Africa")

    sent = await bob.send("/decks")
    listing = await bob.wait_for(lambda m: "Your decks" in m.text, since=sent)
    await bob.tap("Browse catalogue", message=listing)
    again = await bob.wait_for(lambda m: "Starter decks" in m.text, since=sent)
    assert again.labels == shown.labels
    assert len(await owned_decks(bot, bob.id)) == 1
    # The catalogue is no dead end: Start quiz, or back to My decks in its place.
    assert again.labels[-2:] == ["▶️ Start quiz", "📚 My decks"]
    await bob.tap("My decks", message=again)
    back = await bob.wait_for(lambda m: m.message_id == again.message_id and "Your decks" in m.text)
    assert "Browse catalogue" in " ".join(back.labels)
