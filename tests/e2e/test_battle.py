"""Group battles end to end: three players, a hand-wound clock, real HTTP and SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.handlers.battle import sweep_battles
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.server import SandboxServer
from tests.e2e.battle_helpers import (
    battle_id,
    current_round,
    message,
    open_lobby,
    podium,
    start_battle,
    tap,
    tick,
)
from tests.e2e.conftest import RunningBot

# The sandbox runs on the bot's clock and answers floods with 429, as Telegram does.
pytestmark = pytest.mark.telegram_limits


@pytest.fixture
def people(sandbox: SandboxServer) -> tuple[SandboxUser, SandboxUser, SandboxUser, SandboxUser]:
    """Alice, Bob and Carol play; Dana administers the group."""
    return (
        sandbox.user("Alice"),
        sandbox.user("Bob"),
        sandbox.user("Carol"),
        sandbox.user("Dana"),
    )


@pytest.fixture
def group(sandbox: SandboxServer, people: tuple[SandboxUser, ...]) -> SandboxChat:
    """A supergroup with the three players and Dana as its admin."""
    alice, bob, carol, dana = people
    return sandbox.group(
        "Revision club", members=[alice, bob, carol], admins=[dana], supergroup=True
    )


async def test_a_full_three_round_battle_scores_speed_streaks_and_podium(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, carol, _dana = people
    lobby = await open_lobby(sandbox, alice, group)
    assert "3 rounds · 20 s each" in lobby.text
    assert "Players (1): Alice (host)" in lobby.text
    assert lobby.labels == ["🙋 Join", "🚀 Start"]
    assert await tap(sandbox, bob, group, "🙋 Join", lobby.message_id) == "You're in!"
    assert await tap(sandbox, bob, group, "🙋 Join", lobby.message_id) == "You're already in"
    assert await tap(sandbox, carol, group, "🙋 Join", lobby.message_id) == "You're in!"
    # Lobby edits are throttled: Carol shows up with the start, not in an edit of her own.
    assert "Players (2)" in message(group, lobby.message_id).text
    assert (
        await tap(sandbox, bob, group, "🚀 Start", lobby.message_id)
        == "Only the host can start the battle"
    )
    await tap(sandbox, alice, group, "🚀 Start", lobby.message_id)
    started = message(group, lobby.message_id)
    assert "Players (3): Alice (host), Bob, Carol" in started.text
    assert "The battle is on" in started.text and started.buttons == []

    # Round 1: Alice right at 2 s, Bob right at 5 s, Carol wrong at 10 s (all in: closes at once).
    r1 = await current_round(sandbox, bot, group, 1)
    assert message(group, r1.message_id).labels[:2] == ["A", "B"]
    clock.advance(timedelta(seconds=2))
    assert await tap(sandbox, alice, group, r1.right, r1.message_id) == f"Locked in: {r1.right}"
    assert await tap(sandbox, alice, group, r1.wrong, r1.message_id) == "You already answered"
    clock.advance(timedelta(seconds=3))
    await tap(sandbox, bob, group, r1.right, r1.message_id)
    clock.advance(timedelta(seconds=5))
    await tap(sandbox, carol, group, r1.wrong, r1.message_id)
    reveal = message(group, r1.message_id)
    assert reveal.buttons == [] and reveal.edited
    assert "✅ Alice +950 (2.0 s)" in reveal.text
    assert "✅ Bob +875 (5.0 s)" in reveal.text
    assert f"❌ Carol chose {r1.wrong} — 0" in reveal.text
    # The next round waits for the reveal pause (4 s), not a moment less.
    await tick(sandbox, bot, clock, 3)
    assert not any(m.text.startswith("⚔️ Round 2/") for m in group.messages)
    await tick(sandbox, bot, clock, 1)

    # Round 2: Bob wrong at 1 s, Alice right at 4 s (+100 streak), Carol right at 10 s.
    r2 = await current_round(sandbox, bot, group, 2)
    clock.advance(timedelta(seconds=1))
    await tap(sandbox, bob, group, r2.wrong, r2.message_id)
    clock.advance(timedelta(seconds=3))
    await tap(sandbox, alice, group, r2.right, r2.message_id)
    clock.advance(timedelta(seconds=6))
    await tap(sandbox, carol, group, r2.right, r2.message_id)
    reveal = message(group, r2.message_id)
    assert "✅ Alice +1000 (4.0 s)" in reveal.text
    assert "✅ Carol +750 (10.0 s)" in reveal.text
    await tick(sandbox, bot, clock, 4)

    # Round 3: Bob right at 1 s (his streak was reset), Carol right at 6 s (+100), Alice too late.
    r3 = await current_round(sandbox, bot, group, 3)
    clock.advance(timedelta(seconds=1))
    await tap(sandbox, bob, group, r3.right, r3.message_id)
    clock.advance(timedelta(seconds=5))
    await tap(sandbox, carol, group, r3.right, r3.message_id)
    await tick(sandbox, bot, clock, 13)  # 19 s: still open
    assert message(group, r3.message_id).buttons != []
    clock.advance(timedelta(seconds=2))
    assert await tap(sandbox, alice, group, r3.right, r3.message_id) == "Time's up"
    reveal = message(group, r3.message_id)
    assert "⌛ Alice — no answer" in reveal.text
    assert "✅ Bob +975 (1.0 s)" in reveal.text
    assert "✅ Carol +950 (6.0 s)" in reveal.text

    final = await group.wait_for(lambda m: "Battle over" in m.text)
    assert podium(final.text) == [
        "🥇 Alice — 1950 pts · 2/3 right",
        "🥈 Bob — 1850 pts · 2/3 right",
        "🥉 Carol — 1700 pts · 2/3 right",
    ]
    assert "⚡ Fastest answer: Bob, 1.0 s (round 3)" in final.text
    # The buttons are gone; a tap from a stale screen still gets a polite answer.
    stale = f"b:{await battle_id(bot, group)}:a3:0"
    assert await carol.tap_data(r3.message_id, stale, chat=group) == "This battle is over"

    # Every answer given in time is one review in that player's own schedule, and only one.
    reviews = await bot.services.db.fetchall(
        "SELECT user_id, COUNT(*), SUM(correct) FROM reviews WHERE session_id IS NULL "
        "GROUP BY user_id ORDER BY user_id"
    )
    assert [tuple(r) for r in reviews] == [(alice.id, 2, 2), (bob.id, 3, 2), (carol.id, 3, 2)]

    await carol.send("/leaderboard", chat=group)
    table = await group.wait_for(lambda m: "All-time leaderboard" in m.text)
    assert table.text.splitlines()[2:] == [
        "1. Alice — 1950 pts · 1 win in 1 battle · 100% right",
        "2. Bob — 1850 pts · 0 wins in 1 battle · 67% right",
        "3. Carol — 1700 pts · 0 wins in 1 battle · 67% right",
    ]
    assert sandbox.rate_violations() == []


async def test_a_ten_round_battle_never_floods_the_group(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, carol, _dana = people
    lobby = await open_lobby(sandbox, alice, group, "10 10")
    for player in (bob, carol):
        await tap(sandbox, player, group, "🙋 Join", lobby.message_id)
    await tap(sandbox, alice, group, "🚀 Start", lobby.message_id)
    number = 0
    while not any("Battle over" in m.text for m in group.messages):
        number += 1
        played = await current_round(sandbox, bot, group, number)
        clock.advance(timedelta(seconds=1))
        for player in (alice, bob, carol):
            await tap(sandbox, player, group, played.right, played.message_id)
        # Everyone answered at once: the round closes early; the sweep opens the next when due.
        for _ in range(12):
            upcoming = f"⚔️ Round {number + 1}/"
            shown = [m.text for m in group.messages]
            if any(t.startswith(upcoming) or "Battle over" in t for t in shown):
                break
            await tick(sandbox, bot, clock, 1)
    final = await group.wait_for(lambda m: "Battle over" in m.text)
    chosen = await bot.services.db.fetchone("SELECT COUNT(*) FROM battle_rounds")
    assert chosen is not None
    assert f"{chosen[0]} rounds played" in final.text
    assert sandbox.rate_violations() == []


async def test_the_lobby_starts_itself_after_a_minute_or_closes_without_players(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, _carol, _dana = people
    lobby = await open_lobby(sandbox, alice, group)
    await tick(sandbox, bot, clock, 60)
    closed = message(group, lobby.message_id)
    assert "Not enough players joined in time" in closed.text and closed.buttons == []
    lobby = await open_lobby(sandbox, alice, group)
    assert lobby.message_id != closed.message_id
    await tap(sandbox, bob, group, "🙋 Join", lobby.message_id)
    await tick(sandbox, bot, clock, 59)
    assert "The battle is on" not in message(group, lobby.message_id).text
    await tick(sandbox, bot, clock, 1)
    assert "The battle is on" in message(group, lobby.message_id).text
    await current_round(sandbox, bot, group, 1)


async def test_one_battle_per_group_and_battles_are_for_groups(
    sandbox: SandboxServer,
    bot: RunningBot,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, _carol, _dana = people
    lobby = await open_lobby(sandbox, alice, group)
    await bob.send("/battle", chat=group)
    pointer = await group.wait_for(lambda m: "already running" in m.text)
    assert pointer.reply_to == lobby.message_id
    await bob.send("/battle 99", chat=group)
    refusal = await group.wait_for(lambda m: "not 99" in m.text)
    assert "A battle has 3 to 20 rounds" in refusal.text
    await alice.send("/battle")
    private = await alice.wait_for(lambda m: "Battles are for groups" in m.text)
    assert private.buttons == []
    menu = sandbox.commands[('{"type": "all_group_chats"}', "")]
    assert [c["command"] for c in menu] == [
        "battle",
        "stopbattle",
        "leaderboard",
        "groupdeck",
        "dailyq",
        "stats",
        "language",
        "help",
    ]


async def test_stopbattle_is_refused_to_players_and_accepted_from_an_admin(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, carol, dana = people
    lobby = await start_battle(sandbox, alice, group, (bob,))
    r1 = await current_round(sandbox, bot, group, 1)
    clock.advance(timedelta(seconds=2))
    await tap(sandbox, alice, group, r1.right, r1.message_id)
    await tap(sandbox, bob, group, r1.wrong, r1.message_id)
    await tick(sandbox, bot, clock, 8)  # a round cycle is at least 10 s
    r2 = await current_round(sandbox, bot, group, 2)

    await carol.send("/stopbattle", chat=group)
    refused = await group.wait_for(lambda m: "Only the host or a group admin" in m.text)
    assert message(group, r2.message_id).buttons != []
    await dana.send("/stopbattle", chat=group)
    stopped = await group.wait_for(lambda m: "Battle stopped" in m.text, since=refused)
    assert podium(stopped.text) == [
        "🥇 Alice — 950 pts · 1/1 right",
        "🥈 Bob — 0 pts · 0/1 right",
    ]
    await sandbox.settle()
    cancelled = message(group, r2.message_id)
    assert "this round does not count" in cancelled.text and cancelled.buttons == []
    stale = f"b:{await battle_id(bot, group)}:a2:0"
    assert await bob.tap_data(r2.message_id, stale, chat=group) == "This battle is over"
    # The host may stop their own battle too.
    lobby = await open_lobby(sandbox, bob, group)
    await bob.send("/stopbattle", chat=group)
    await sandbox.settle()
    assert "called off" in message(group, lobby.message_id).text
    assert sandbox.rate_violations() == []


async def test_forged_taps_change_nothing(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, carol, dana = people
    other = sandbox.group("Other club", members=[carol], admins=[dana], supergroup=True)
    await start_battle(sandbox, alice, group, (bob,))
    r1 = await current_round(sandbox, bot, group, 1)
    ours = await battle_id(bot, group)
    before = await bot.services.db.fetchone(
        "SELECT state, version FROM battles WHERE id = ?", (ours,)
    )
    other_lobby = await open_lobby(sandbox, dana, other)
    right = ord(r1.right) - ord("A")
    # Another group's lobby carries none of our battle's buttons; round 1's message none of
    # round 7's, nor of the lobby's.
    for data in (f"b:{ours}:a1:{right}", f"b:{ours}:j"):
        assert await carol.tap_data(other_lobby, data) == "This button no longer works"
    for data in (f"b:{ours}:a7:{right}", f"b:{ours}:j", f"b:{ours}:s"):
        assert await bob.tap_data(r1.message_id, data, chat=group) == (
            "This button no longer works"
        )
    assert await bob.tap_data(r1.message_id, f"b:{ours}:a1:9", chat=group) == (
        "That is not one of the options"
    )
    for junk in ("b:1:zz", f"b:{ours}:a1", "b:0:j", "b:" + "9" * 40 + ":j", "x" * 65):
        assert await bob.tap_data(r1.message_id, junk, chat=group) == "This button no longer works"
    await sandbox.settle()
    after = await bot.services.db.fetchone(
        "SELECT state, version FROM battles WHERE id = ?", (ours,)
    )
    assert before is not None and after is not None and tuple(after) == tuple(before)
    reviews = await bot.services.db.fetchone("SELECT COUNT(*) FROM battle_reviews")
    assert reviews is not None and reviews[0] == 0


async def test_a_restart_mid_round_continues_with_the_time_left_or_reveals(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, _carol, _dana = people
    await start_battle(sandbox, alice, group, (bob,))
    r1 = await current_round(sandbox, bot, group, 1)
    clock.advance(timedelta(seconds=4))
    await tap(sandbox, alice, group, r1.right, r1.message_id)

    # Restarted with 16 s left: the round is still open and Bob's answer counts.
    await bot.restart()
    clock.advance(timedelta(seconds=4))
    await sweep_battles(bot.app)
    assert await tap(sandbox, bob, group, r1.right, r1.message_id) == f"Locked in: {r1.right}"
    reveal = message(group, r1.message_id)
    assert "✅ Alice +900 (4.0 s)" in reveal.text
    assert "✅ Bob +800 (8.0 s)" in reveal.text
    await tick(sandbox, bot, clock, 4)

    # Restarted again, and back only after the deadline: the sweep reveals the round.
    r2 = await current_round(sandbox, bot, group, 2)
    clock.advance(timedelta(seconds=1))
    await tap(sandbox, bob, group, r2.right, r2.message_id)
    await bot.restart()
    await tick(sandbox, bot, clock, 30)
    reveal = message(group, r2.message_id)
    assert "⌛ Alice — no answer" in reveal.text
    assert "✅ Bob +1075 (1.0 s)" in reveal.text
    stale = f"b:{await battle_id(bot, group)}:a2:0"
    assert await alice.tap_data(r2.message_id, stale, chat=group) == "Time's up"

    await tick(sandbox, bot, clock, 4)
    r3 = await current_round(sandbox, bot, group, 3)
    await bot.restart()
    clock.advance(timedelta(seconds=10))
    await tap(sandbox, alice, group, r3.wrong, r3.message_id)
    await tap(sandbox, bob, group, r3.right, r3.message_id)
    final = await group.wait_for(lambda m: "Battle over" in m.text)
    assert podium(final.text) == [
        "🥇 Bob — 2825 pts · 3/3 right",
        "🥈 Alice — 900 pts · 1/3 right",
    ]
    await sweep_battles(bot.app)
    await sandbox.settle()
    assert sum(1 for m in group.messages if "Battle over" in m.text) == 1
    lines = await bot.services.db.fetchall(
        "SELECT user_id, points, battles, wins FROM group_leaderboard ORDER BY points DESC"
    )
    assert [tuple(r) for r in lines] == [(bob.id, 2825, 1, 1), (alice.id, 900, 1, 0)]
    reviews = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM reviews WHERE session_id IS NULL"
    )
    assert reviews is not None and reviews[0] == 5


async def test_a_group_that_becomes_a_supergroup_keeps_its_leaderboard(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
) -> None:
    alice, bob, _carol, dana = people
    group = sandbox.group("Basic club", members=[alice, bob], admins=[dana])
    old_id = group.id
    await start_battle(sandbox, alice, group, (bob,))
    for number in (1, 2, 3):
        played = await current_round(sandbox, bot, group, number)
        clock.advance(timedelta(seconds=2))
        await tap(sandbox, alice, group, played.right, played.message_id)
        await tap(sandbox, bob, group, played.wrong, played.message_id)
        await tick(sandbox, bot, clock, 10)
    await group.wait_for(lambda m: "Battle over" in m.text)
    await sandbox.migrate_group(group)
    assert group.id != old_id
    await sandbox.settle()
    await bob.send("/leaderboard", chat=group)
    table = await group.wait_for(lambda m: "All-time leaderboard" in m.text)
    assert table.text.splitlines()[2] == "1. Alice — 3150 pts · 1 win in 1 battle · 100% right"
    left = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM group_leaderboard WHERE chat_id = ?", (old_id,)
    )
    assert left is not None and left[0] == 0


async def test_a_battle_carries_on_when_its_group_becomes_a_supergroup_mid_battle(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
) -> None:
    alice, bob, _carol, dana = people
    group = sandbox.group("Basic club", members=[alice, bob], admins=[dana])
    old_id = group.id
    await start_battle(sandbox, alice, group, (bob,))
    r1 = await current_round(sandbox, bot, group, 1)
    clock.advance(timedelta(seconds=2))
    await tap(sandbox, alice, group, r1.right, r1.message_id)
    await tap(sandbox, bob, group, r1.right, r1.message_id)
    # The next round is due the moment the group migrates: whichever the bot hears of first,
    # the service message or Telegram's refusal to post in the old group, the battle follows.
    clock.advance(timedelta(seconds=10))
    await sandbox.migrate_group(group)
    await sweep_battles(bot.app)
    await sandbox.settle()
    assert group.id != old_id
    for number in (2, 3):
        played = await current_round(sandbox, bot, group, number)
        clock.advance(timedelta(seconds=2))
        await tap(sandbox, alice, group, played.right, played.message_id)
        await tap(sandbox, bob, group, played.wrong, played.message_id)
        await tick(sandbox, bot, clock, 10)
    final = await group.wait_for(lambda m: "Battle over" in m.text)
    assert podium(final.text) == [
        "🥇 Alice — 3150 pts · 3/3 right",
        "🥈 Bob — 950 pts · 1/3 right",
    ]
    moved = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM group_leaderboard WHERE chat_id = ?", (group.id,)
    )
    assert moved is not None and moved[0] == 2


async def test_a_battle_stays_in_the_forum_topic_it_was_started_in(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
) -> None:
    alice, bob, _carol, dana = people
    forum = sandbox.group("Forum club", members=[alice, bob], admins=[dana], forum=True)
    topic = forum.create_topic("Revision", by=dana)
    sent = await alice.send("/battle 3 20", chat=forum, thread_id=topic)
    lobby = await forum.wait_for(lambda m: "Revision battle" in m.text, since=sent)
    await sandbox.settle()
    await tap(sandbox, bob, forum, "🙋 Join", lobby.message_id)
    await tap(sandbox, alice, forum, "🚀 Start", lobby.message_id)
    r1 = await current_round(sandbox, bot, forum, 1)
    await tap(sandbox, alice, forum, r1.right, r1.message_id)
    await bob.send("/leaderboard", chat=forum, thread_id=topic)
    await forum.wait_for(lambda m: "No battles finished here yet" in m.text)
    await sandbox.settle()
    assert [m.thread_id for m in forum.messages] == [topic] * len(forum.messages)


async def test_a_round_telegram_refused_to_post_does_not_stop_the_battle(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, _carol, _dana = people
    await start_battle(sandbox, alice, group, (bob,))
    r1 = await current_round(sandbox, bot, group, 1)
    await tap(sandbox, alice, group, r1.right, r1.message_id)
    await tap(sandbox, bob, group, r1.right, r1.message_id)
    sandbox.faults.error("sendMessage", 502, "Bad Gateway")
    await tick(sandbox, bot, clock, 10)
    assert not any(m.text.startswith("⚔️ Round 2/") for m in group.messages)
    await tick(sandbox, bot, clock, 20)  # round 2 closes unseen at its deadline
    await tick(sandbox, bot, clock, 4)
    r3 = await current_round(sandbox, bot, group, 3)
    await tap(sandbox, alice, group, r3.right, r3.message_id)
    await tap(sandbox, bob, group, r3.wrong, r3.message_id)
    final = await group.wait_for(lambda m: "Battle over" in m.text)
    assert podium(final.text) == [
        "🥇 Alice — 2000 pts · 2/3 right",
        "🥈 Bob — 1000 pts · 1/3 right",
    ]


async def test_a_round_closed_after_its_group_became_a_supergroup_is_closed_there(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
) -> None:
    alice, bob, _carol, dana = people
    group = sandbox.group("Basic club", members=[alice, bob], admins=[dana])
    old_id = group.id
    await start_battle(sandbox, alice, group, (bob,))
    r1 = await current_round(sandbox, bot, group, 1)
    clock.advance(timedelta(seconds=2))
    await tap(sandbox, alice, group, r1.right, r1.message_id)
    await sandbox.migrate_group(group)
    await sandbox.settle()
    # The open question is asked again where the group is now, with the time it has left.
    again = await current_round(sandbox, bot, group, 1)
    assert "⏱ 18 s" in message(group, again.message_id).text

    await tick(sandbox, bot, clock, 20)  # round 1's deadline
    reveal = message(group, again.message_id)
    assert reveal.text.startswith("⚔️ Round 1/3 · closed") and "✅ Alice" in reveal.text
    # The old group's round stays as it was; its buttons no longer count.
    old = sandbox.chat(old_id)
    assert await bob.tap(r1.right, chat=old, message=r1.message_id) == (
        "This button belongs to another chat's battle"
    )
    await tick(sandbox, bot, clock, 4)
    r2 = await current_round(sandbox, bot, group, 2)
    assert r2.message_id > again.message_id
    assert sandbox.rate_violations() == []


async def test_a_question_on_screen_when_the_group_moves_is_asked_again_in_the_supergroup(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
) -> None:
    alice, bob, _carol, dana = people
    group = sandbox.group("Basic club", members=[alice, bob], admins=[dana])
    await start_battle(sandbox, alice, group, (bob,))
    r1 = await current_round(sandbox, bot, group, 1)
    old_round = message(group, r1.message_id)
    clock.advance(timedelta(seconds=5))
    await sandbox.migrate_group(group)
    await sandbox.settle()
    # Asked at once where the group is now, with the time it has left.
    again = await current_round(sandbox, bot, group, 1)
    asked = message(group, again.message_id)
    assert asked.chat_id != old_round.chat_id and "15 s" in asked.text
    await tap(sandbox, alice, group, again.right, again.message_id)
    await tap(sandbox, bob, group, again.wrong, again.message_id)
    closed = message(group, again.message_id)
    assert "closed" in closed.text and closed.buttons == []
    assert sum(1 for m in group.messages if m.text.startswith("⚔️ Round 1/")) == 1


async def test_only_members_of_the_group_join_and_answer_asked_at_each_tap(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    people: tuple[SandboxUser, ...],
    group: SandboxChat,
) -> None:
    alice, bob, carol, dana = people
    eve, mallory = sandbox.user("Eve"), sandbox.user("Mallory")
    group.add_member(mallory, "kicked")
    not_a_member = "Battles are for the group's members: join the group to play"
    lobby = await open_lobby(sandbox, alice, group)
    asked = sandbox.calls["getChatMember"]
    assert await tap(sandbox, eve, group, "🙋 Join", lobby.message_id) == not_a_member
    assert await tap(sandbox, mallory, group, "🙋 Join", lobby.message_id) == not_a_member
    assert await tap(sandbox, bob, group, "🙋 Join", lobby.message_id) == "You're in!"
    assert await tap(sandbox, alice, group, "🚀 Start", lobby.message_id) == ""
    assert sandbox.calls["getChatMember"] - asked == 3  # one per Join; Start asks nothing
    assert "Players (2): Alice (host), Bob" in message(group, lobby.message_id).text

    r1 = await current_round(sandbox, bot, group, 1)
    asked = sandbox.calls["getChatMember"]
    group.add_member(bob, "left")  # Bob leaves mid-battle
    group.add_member(carol, "restricted")  # Carol is muted, but still in the group
    for outsider in (bob, eve, mallory):
        assert await tap(sandbox, outsider, group, r1.right, r1.message_id) == not_a_member
    assert await tap(sandbox, carol, group, r1.right, r1.message_id) == f"Locked in: {r1.right}"
    assert await tap(sandbox, dana, group, r1.wrong, r1.message_id) == f"Locked in: {r1.wrong}"
    assert sandbox.calls["getChatMember"] - asked == 5  # one per answer
    await tick(sandbox, bot, clock, 20)
    reveal = message(group, r1.message_id)
    assert "⌛ Bob — no answer" in reveal.text and "✅ Carol" in reveal.text
    assert "Eve" not in reveal.text and "Mallory" not in reveal.text
    answered = await bot.services.db.fetchall("SELECT user_id FROM battle_reviews ORDER BY user_id")
    assert [r[0] for r in answered] == sorted([carol.id, dana.id])
