"""Callback data is written by the client: foreign, stale, unknown or malformed taps change nothing."""

from __future__ import annotations

import logging

import pytest

from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.server import SandboxServer
from tests.e2e.battle_helpers import battle_id, current_round, start_battle
from tests.e2e.conftest import RunningBot
from tests.reliability.helpers import problems, quiz_with, review_count, right_option

COUNTS = (
    "SELECT (SELECT COUNT(*) FROM reviews), (SELECT COUNT(*) FROM decks), "
    "(SELECT COUNT(*) FROM quiz_sessions WHERE finished_at IS NULL)"
)


async def snapshot(bot: RunningBot) -> tuple[object, ...]:
    """What a tap could change: answers, decks, open sessions and where each session is."""
    counts = await bot.services.db.fetchone(COUNTS)
    positions = await bot.services.db.fetchall("SELECT id, position FROM quiz_sessions ORDER BY id")
    return (*(counts or ()), [tuple(r) for r in positions])


async def test_taps_naming_what_is_not_yours_or_not_there_get_a_toast_and_change_nothing(
    sandbox: SandboxServer, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    alice, mallory = sandbox.user("Alice"), sandbox.user("Mallory")
    question = await quiz_with(bot, alice, "choice")
    row = await bot.services.db.fetchone(
        "SELECT s.id, s.deck_id FROM quiz_sessions s WHERE s.user_id = ?", (alice.id,)
    )
    assert row is not None
    session, deck = row[0], row[1]
    right = await right_option(bot, alice)
    index = question.labels.index(right)
    await mallory.send("/start")
    own = await mallory.wait_for(lambda m: "Quizmaster" in m.text)
    before = await snapshot(bot)
    forged = [
        f"q:{session}:0:o{index}",  # Alice's open question, from Mallory's chat
        f"q:{session}:0:s",
        f"q:{session}:0:x",
        f"q:{session}:0:g3",
        f"q:{session}:9:o0",  # a question the session does not have
        f"q:{session + 1}:0:o0",  # a session that does not exist
        f"d:{deck}:d",  # delete a deck that is not Mallory's
        f"d:{deck}:y",
        f"i:{session}:s",  # save an import that is not Mallory's
        "b:1:j",  # a battle from a private chat
        "q:1:0:o",
        "q:-1:0:o1",
        "q::0:s",
        "m:" + "a" * 30,
        "x" * 64,
        "é" * 40,  # 80 bytes
        "\x00\x01",
    ]
    with caplog.at_level(logging.INFO):
        for data in forged:
            toast = await mallory.tap_data(own, data)
            assert toast, f"no toast for {data!r}"
        await sandbox.settle()
    assert await snapshot(bot) == before
    assert problems(caplog.records) == []
    # Alice's own tap still works, once; the same tap again changes nothing and shows the
    # question as it stands (its reveal), with no toast about a state she cannot see.
    assert await alice.tap(right, message=question) == "✅ Right!"
    assert await alice.tap_data(question, f"q:{session}:0:o{index}") == ""
    await sandbox.settle()
    shown = next(m for m in alice.messages if m.message_id == question.message_id)
    assert "Right!" in shown.text and not shown.buttons
    assert await review_count(bot, alice) == 1


def screen(chat: SandboxChat) -> list[tuple[object, ...]]:
    """Every bot message in a chat as shown: id, text, buttons and how often it was edited."""
    return [(m.message_id, m.text, m.buttons, len(m.edits)) for m in chat.messages]


@pytest.mark.telegram_limits
async def test_a_tap_is_taken_only_from_the_kind_of_message_that_carries_it(
    sandbox: SandboxServer, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    group = sandbox.group("Revision club", members=[alice, bob], supergroup=True)
    question = await quiz_with(bot, alice, "choice")
    await alice.send("/settings")
    menu = await alice.wait_for(lambda m: "⚙️ Settings" in m.text)
    await alice.send("/remind")
    remind = await alice.wait_for(lambda m: "Daily reminder" in m.text and bool(m.buttons))
    await start_battle(sandbox, alice, group, (bob,))
    lobby = next(m for m in group.messages if "Revision battle" in m.text)
    r1 = await current_round(sandbox, bot, group, 1)
    battle = await battle_id(bot, group)
    session = await bot.services.db.fetchone(
        "SELECT id FROM quiz_sessions WHERE user_id = ?", (alice.id,)
    )
    assert session is not None
    settings_data, remind_data, quiz_data = (
        m.buttons[0][0][1] or "" for m in (menu, remind, question)
    )
    group_before, private_before = screen(group), screen(alice.chat)
    db_before = await snapshot(bot), await battle_row(bot, battle), await alice_row(bot, alice)

    private_only = "That button works in our private chat"
    out_of_place = "This button no longer works"
    with caplog.at_level(logging.INFO):
        # Private actions tapped in the group: a settings tap on a live round, a reminder tap on
        # the lobby, Start quiz thirty times, a forget confirmation, a deck, an import, a quiz.
        in_group = [
            (r1.message_id, settings_data),
            (lobby.message_id, remind_data),
            *[(r1.message_id if n % 2 else lobby.message_id, "m:quiz") for n in range(30)],
            (r1.message_id, "m:forget:yes"),
            (lobby.message_id, f"d:{session[0]}:u"),
            (lobby.message_id, f"i:{session[0]}:s"),
            (r1.message_id, quiz_data),
        ]
        for message_id, data in in_group:
            assert await alice.tap_data(message_id, data, chat=group) == private_only, data
        # A battle tap from a message of the battle that does not carry it.
        for message_id, data in (
            (r1.message_id, f"b:{battle}:j"),
            (r1.message_id, f"b:{battle}:s"),
            (lobby.message_id, f"b:{battle}:a1:0"),
        ):
            assert await bob.tap_data(message_id, data, chat=group) == out_of_place, data
        # In the private chat, each tap on a message of another kind.
        for target, data in (
            (question, settings_data),
            (question, remind_data),
            (question, f"b:{battle}:a1:0"),
            (menu, quiz_data),
            (menu, f"d:{session[0]}:u"),
            (menu, "m:quiz"),
            (remind, settings_data),
            (remind, "m:forget:yes"),
        ):
            assert await alice.tap_data(target, data) == out_of_place, data
        await sandbox.settle()

    assert screen(group) == group_before  # no message edited, none posted
    assert screen(alice.chat) == private_before
    assert bob.messages == []
    after = await snapshot(bot), await battle_row(bot, battle), await alice_row(bot, alice)
    assert after == db_before
    assert problems(caplog.records) == []
    # The same buttons still work where they belong.
    assert await alice.tap(r1.right, chat=group, message=r1.message_id) == f"Locked in: {r1.right}"
    await alice.tap(menu.labels[0], message=menu)
    await alice.wait_for(lambda m: m.message_id == menu.message_id and m.edited)


async def battle_row(bot: RunningBot, battle: int) -> tuple[object, ...]:
    """A battle's stored state and version."""
    row = await bot.services.db.fetchone(
        "SELECT state, version, lobby_message_id FROM battles WHERE id = ?", (battle,)
    )
    assert row is not None
    return tuple(row)


async def alice_row(bot: RunningBot, user: SandboxUser) -> tuple[object, ...]:
    """A user's stored settings and reminder."""
    row = await bot.services.db.fetchone(
        "SELECT session_size, question_mix, remind_time, timezone, active_deck_id FROM users "
        "WHERE id = ?",
        (user.id,),
    )
    assert row is not None
    return tuple(row)
