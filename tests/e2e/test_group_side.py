"""The group side end to end: /stats and /help in a group, and anonymous administrators."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.server import SandboxServer
from tests.e2e.battle_helpers import current_round, message, open_lobby, start_battle, tap, tick
from tests.e2e.conftest import RunningBot

GROUP_ANONYMOUS_BOT = 1087968824

# The sandbox runs on the bot's clock and answers floods with 429, as Telegram does.
pytestmark = pytest.mark.telegram_limits


@pytest.fixture
def people(sandbox: SandboxServer) -> tuple[SandboxUser, SandboxUser, SandboxUser]:
    """Alice and Bob play; Dana administers the group."""
    return sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Dana")


@pytest.fixture
def group(sandbox: SandboxServer, people: tuple[SandboxUser, ...]) -> SandboxChat:
    """A supergroup with the two players and Dana as its admin."""
    alice, bob, dana = people
    return sandbox.group("Revision club", members=[alice, bob], admins=[dana], supergroup=True)


async def test_stats_in_a_group_show_the_table_and_the_battle_just_played(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, _dana = people
    await bob.send("/stats", chat=group)
    empty = await group.wait_for(lambda m: "No battles yet" in m.text)
    assert empty.photo is None

    await start_battle(sandbox, alice, group, (bob,))
    # Bob is right at 2 s every round; Alice picks a wrong answer at 3 s.
    for number in (1, 2, 3):
        played = await current_round(sandbox, bot, group, number)
        clock.advance(timedelta(seconds=2))
        await tap(sandbox, bob, group, played.right, played.message_id)
        clock.advance(timedelta(seconds=1))
        await tap(sandbox, alice, group, played.wrong, played.message_id)
        assert message(group, played.message_id).buttons == []  # both in: revealed at once
        await tick(sandbox, bot, clock, 7)
    await group.wait_for(lambda m: "Battle over" in m.text)

    sent = await alice.send("/stats", chat=group)
    board = await group.wait_for(lambda m: "Last battles" in m.text, since=sent)
    assert board.photo is None
    assert board.text.splitlines() == [
        "🏆 All-time leaderboard",
        "",
        "1. Bob — 3150 pts · 1 win in 1 battle · 100% right",
        "2. Alice — 0 pts · 0 wins in 1 battle · 0% right",
        "",
        "⚔️ Last battles",
        "• 2026-03-02 · 3 rounds · Bob, Alice — 🥇 Bob (3150 pts)",
    ]
    assert sandbox.rate_violations() == []


async def test_help_in_a_group_lists_the_group_commands(
    sandbox: SandboxServer, bot: RunningBot, people: tuple[SandboxUser, ...], group: SandboxChat
) -> None:
    alice, _bob, _dana = people
    await alice.send("/help", chat=group)
    shown = await group.wait_for(lambda m: "What I can do" in m.text)
    commands = [line.split(" — ")[0] for line in shown.text.splitlines() if line.startswith("/")]
    assert commands == [
        "/battle",
        "/stopbattle",
        "/leaderboard",
        "/groupdeck",
        "/dailyq",
        "/stats",
        "/language",
        "/help",
    ]
    assert "private chat" in shown.text
    await alice.send("/help")
    private = await alice.wait_for(lambda m: "What I can do" in m.text)
    listed = [line.split(" — ")[0] for line in private.text.splitlines() if line.startswith("/")]
    assert "/quiz" in listed and "/battle" not in listed


async def test_an_anonymous_admin_stops_the_battle_and_the_bare_anonymous_account_cannot(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, dana = people
    forger = sandbox.group_anonymous_bot()
    group.add_member(forger)
    lobby = await open_lobby(sandbox, alice, group, "3 20")
    await tap(sandbox, bob, group, "🙋 Join", lobby.message_id)
    # Not the host, whatever account it is.
    assert (
        await tap(sandbox, forger, group, "🚀 Start", lobby.message_id)
        == "Only the host can start the battle"
    )
    await tap(sandbox, alice, group, "🚀 Start", lobby.message_id)
    first = await current_round(sandbox, bot, group, 1)

    # GroupAnonymousBot without sender_chat == the group proves nothing: refused, battle goes on.
    asked = sandbox.calls["getChatMember"]  # so far only whether Bob, joining, is a member
    sent = await forger.send("/stopbattle", chat=group)
    refused = await group.wait_for(lambda m: "Only the host or a group admin" in m.text, since=sent)
    assert refused.reply_to == sent.message_id
    assert message(group, first.message_id).buttons != []
    assert sandbox.calls["getChatMember"] == asked  # the id alone is refused without asking

    # An administrator posting as the group is an administrator.
    sent = await dana.send_as_chat("/stopbattle", chat=group)
    stopped = await group.wait_for(lambda m: "Battle stopped" in m.text, since=sent)
    assert "No round was finished" in stopped.text
    await sandbox.settle()
    assert message(group, first.message_id).buttons == []
    running = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM battles WHERE chat_id = ? AND finished = 0", (group.id,)
    )
    assert running is not None and running[0] == 0
    # Hosting needs a person: an anonymous admin's /battle is turned away politely.
    sent = await dana.send_as_chat("/battle", chat=group)
    await group.wait_for(lambda m: "posting as the group" in m.text, since=sent)
