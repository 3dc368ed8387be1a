"""The group's own deck end to end: an admin picks it, a battle plays it, a member copies it."""

from __future__ import annotations

import pytest

from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.server import SandboxServer
from tests.e2e.battle_helpers import battle_id, open_lobby, tap
from tests.e2e.conftest import RunningBot

pytestmark = pytest.mark.telegram_limits

HISTORY_CSV = b"""front,back
Capital of France,Paris
Capital of Spain,Madrid
Capital of Italy,Rome
Capital of Germany,Berlin
Capital of Portugal,Lisbon
Capital of Austria,Vienna
"""


async def own_deck(sandbox: SandboxServer, user: SandboxUser, filename: str) -> None:
    """The user imports a deck in their private chat and saves it."""
    await user.send("/start")
    sent = await user.send_document(filename, HISTORY_CSV)
    preview = await user.wait_for(lambda m: m.text.startswith("📦") and bool(m.buttons), since=sent)
    await user.tap("Save", message=preview)
    await sandbox.settle()


async def deck_ids(bot: RunningBot, user_id: int) -> list[int]:
    """The ids of the decks a user owns."""
    rows = await bot.services.db.fetchall(
        "SELECT id FROM decks WHERE owner_id = ? ORDER BY id", (user_id,)
    )
    return [int(r[0]) for r in rows]


async def group_deck_message(
    sandbox: SandboxServer, user: SandboxUser, group: SandboxChat
) -> tuple[str, list[str], int]:
    """/groupdeck sent by `user`: the answer's text, its buttons and its message id."""
    sent = await user.send("/groupdeck", chat=group)
    shown = await group.wait_for(lambda m: "This group plays" in m.text, since=sent)
    await sandbox.settle()
    return shown.text, shown.labels, shown.message_id


async def test_an_admin_picks_the_group_deck_a_battle_plays_it_and_members_copy_it(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice, bob, carol, dana = (sandbox.user(n) for n in ("Alice", "Bob", "Carol", "Dana"))
    group = sandbox.group("Geography club", members=[alice, bob, carol], admins=[dana])
    await own_deck(sandbox, dana, "capitals.csv")
    (dana_deck,) = await deck_ids(bot, dana.id)

    # A member sees the default deck and no deck to pick.
    text, labels, _ = await group_deck_message(sandbox, alice, group)
    assert "This group plays the default deck" in text
    assert labels == ["➕ Add to my decks"]

    # The admin gets her own deck among the choices; a member's tap on it is refused.
    text, labels, shown = await group_deck_message(sandbox, dana, group)
    assert "capitals" in labels
    toast = await tap(sandbox, alice, group, "capitals", shown)
    assert toast == "Only the group's admins can choose its deck"
    toast = await tap(sandbox, dana, group, "capitals", shown)
    assert toast == "The group now plays capitals"
    text, labels, _ = await group_deck_message(sandbox, carol, group)
    assert "This group plays capitals (6 cards)" in text
    # Add under her own deck makes no second copy of it.
    toast = await tap(sandbox, dana, group, "Add to my decks", shown)
    assert toast == "This deck is already yours"
    assert await deck_ids(bot, dana.id) == [dana_deck]

    # A battle started after the choice plays the group's deck.
    await open_lobby(sandbox, alice, group)
    row = await bot.services.db.fetchone(
        "SELECT deck_id FROM battles WHERE id = ?", (await battle_id(bot, group),)
    )
    assert row is not None and int(row[0]) == dana_deck

    # Carol has talked to the bot: one tap copies the deck and a private note says so.
    await carol.send("/start")
    _, _, shown = await group_deck_message(sandbox, carol, group)
    toast = await tap(sandbox, carol, group, "Add to my decks", shown)
    assert toast == "Added to your decks: capitals"
    (copy,) = await deck_ids(bot, carol.id)
    assert copy != dana_deck
    note = await carol.wait_for(lambda m: "is now one of your decks" in m.text)
    assert "capitals" in note.text and "6 cards" in note.text
    row = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM cards WHERE deck_id = ? AND retired = 0", (copy,)
    )
    assert row is not None and int(row[0]) == 6

    # Bob never opened the private chat: the deck is his, and the answer links to the bot.
    toast = await tap(sandbox, bob, group, "Add to my decks", shown)
    assert toast.startswith("Saved to your decks. Open a private chat with me")
    (answer,) = [q for q in sandbox.world.callbacks.values() if q.user_id == bob.id]
    assert answer.url is not None and answer.url.startswith("https://t.me/")
    assert len(await deck_ids(bot, bob.id)) == 1

    # Dana deletes her deck: the group falls back to the default and says so.
    await bot.services.decks.delete(dana.id, dana_deck)
    text, _, _ = await group_deck_message(sandbox, alice, group)
    assert "was deleted by its owner" in text
    assert "This group plays the default deck" in text


async def test_an_anonymous_admin_sees_the_choices_and_groupdeck_in_private_points_to_groups(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice, dana = sandbox.user("Alice"), sandbox.user("Dana")
    group = sandbox.group("Geography club", members=[alice], admins=[dana], supergroup=True)
    sent = await dana.send_as_chat("/groupdeck", chat=group)
    shown = await group.wait_for(lambda m: "This group plays" in m.text, since=sent)
    assert "Admins: pick the group's deck" in shown.text
    assert len(shown.labels) > 1  # the bundled decks besides Add to my decks
    await dana.send("/groupdeck")
    reply = await dana.wait_for(lambda m: "/groupdeck there" in m.text)
    assert "chosen in the group" in reply.text


async def test_add_under_the_group_deck_an_admin_took_from_the_catalogue_makes_no_second_copy(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    dana = sandbox.user("Dana")
    group = sandbox.group("Maths club", members=[], admins=[dana])
    await dana.send("/start")
    first = await dana.wait_for(lambda m: "What would you like to learn?" in m.text)
    await dana.tap("Times tables 2 to 12", message=first)
    await dana.wait_for(lambda m: m.message_id == first.message_id and m.edited)
    (deck,) = await deck_ids(bot, dana.id)

    _, _, shown = await group_deck_message(sandbox, dana, group)
    assert await tap(sandbox, dana, group, "Times tables 2 to 12", shown) == (
        "The group now plays Times tables 2 to 12"
    )
    toast = await tap(sandbox, dana, group, "Add to my decks", shown)
    assert toast == "This deck is already yours"
    assert await deck_ids(bot, dana.id) == [deck]
