"""A battle whose transitions were stored by a process that died before showing them (what kill -9
between the commit and Telegram leaves): the outbox's sweep posts the lost rounds with the time they
have left, closes them in place, posts the lost podium once, and every answer counts once."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from bot.clock import ManualClock
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.server import SandboxServer
from bot.services.battles import Outcome
from tests.e2e.battle_helpers import (
    battle_id,
    current_round,
    dead_process,
    message,
    open_lobby,
    podium,
    tap,
    tick,
)
from tests.e2e.conftest import RunningBot


def rounds_shown(group: SandboxChat, number: int) -> int:
    """How many of the group's messages ask or reveal round `number`."""
    return sum(1 for m in group.messages if m.text.startswith(f"⚔️ Round {number}/"))


async def test_rounds_and_a_podium_nobody_showed_are_shown_by_the_sweep_and_count_once(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, bob, carol = sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Carol")
    players: tuple[SandboxUser, ...] = (alice, bob, carol)
    group = sandbox.group("Revision club", members=list(players), supergroup=True)
    lobby = await open_lobby(sandbox, alice, group, "3 20")
    for player in (bob, carol):
        await tap(sandbox, player, group, "🙋 Join", lobby.message_id)
    battles = dead_process(bot)
    ours = await battle_id(bot, group)

    # The process that took the Start tap stored round 1 and died before posting it.
    assert isinstance(await battles.start(group.id, ours, alice.id, "Alice"), Outcome)
    await sandbox.settle()
    assert rounds_shown(group, 1) == 0
    await tick(sandbox, bot, clock, 3)  # another process's sweep, 3 s on
    r1 = await current_round(sandbox, bot, group, 1)
    assert "⏱ 17 s" in message(group, r1.message_id).text  # the time left, not a fresh 20 s
    for player in players:
        assert (
            await tap(sandbox, player, group, r1.right, r1.message_id) == f"Locked in: {r1.right}"
        )
    reveal = message(group, r1.message_id)
    assert "closed" in reveal.text and reveal.buttons == []
    assert "✅ Alice +" in reveal.text and "(3.0 s)" in reveal.text  # timed from the stored open
    assert rounds_shown(group, 1) == 1

    # Round 2 opened by a process that died before posting it; the next sweep posts it.
    clock.advance(timedelta(seconds=7))
    opened = await battles.tick(ours)
    assert opened is not None and opened.state.round_no == 2
    await sandbox.settle()
    assert rounds_shown(group, 2) == 0
    await tick(sandbox, bot, clock, 1)
    r2 = await current_round(sandbox, bot, group, 2)
    assert "⏱ 19 s" in message(group, r2.message_id).text
    await tap(sandbox, alice, group, r2.right, r2.message_id)
    await tap(sandbox, bob, group, r2.wrong, r2.message_id)
    await tap(sandbox, carol, group, r2.right, r2.message_id)
    assert message(group, r2.message_id).buttons == []
    await tick(sandbox, bot, clock, 10)

    # Round 3 is shown as usual; Carol's answer closes it and ends the battle in a process that
    # dies before editing the round or posting the podium.
    r3 = await current_round(sandbox, bot, group, 3)
    await tap(sandbox, alice, group, r3.right, r3.message_id)
    await tap(sandbox, bob, group, r3.right, r3.message_id)
    ended = await battles.answer(group.id, ours, carol.id, "Carol", 3, ord(r3.wrong) - ord("A"))
    assert isinstance(ended, Outcome) and ended.state.is_over
    await sandbox.settle()
    assert message(group, r3.message_id).buttons != []
    assert not any("Battle over" in m.text for m in group.messages)
    await tick(sandbox, bot, clock, 1)
    reveal = message(group, r3.message_id)
    assert "closed" in reveal.text and reveal.buttons == []
    assert "❌ Carol chose" in reveal.text
    final = await group.wait_for(lambda m: "Battle over" in m.text)
    await tick(sandbox, bot, clock, 1)
    await tick(sandbox, bot, clock, 10)
    assert sum(1 for m in group.messages if "Battle over" in m.text) == 1
    for number in (1, 2, 3):
        assert rounds_shown(group, number) == 1

    # Every answer counted once: the battle's record, the reviews, the podium and the table agree.
    row = await bot.services.db.fetchone("SELECT state FROM battles WHERE id = ?", (ours,))
    assert row is not None
    played = json.loads(row[0])["played"]
    points = {p.id: 0 for p in players}
    right = dict.fromkeys(points, 0)
    for play in played:
        assert sorted(a[0] for a in play["answers"]) == sorted(points)
        for answer in play["answers"]:
            points[answer[0]] += answer[4]
            right[answer[0]] += int(answer[3])
    assert right == {alice.id: 3, bob.id: 2, carol.id: 2}
    reviews = await bot.services.db.fetchall(
        "SELECT user_id, COUNT(*) FROM reviews WHERE session_id IS NULL GROUP BY user_id"
    )
    assert sorted(tuple(r) for r in reviews) == sorted((p.id, 3) for p in players)
    table = await bot.services.db.fetchall(
        "SELECT user_id, points, battles, right_answers, answered FROM group_leaderboard"
    )
    assert sorted(tuple(r) for r in table) == sorted(
        (p.id, points[p.id], 1, right[p.id], 3) for p in players
    )
    assert podium(final.text)[0] == f"🥇 Alice — {points[alice.id]} pts · 3/3 right"


async def test_a_round_post_whose_answer_was_lost_is_posted_again_and_either_copy_plays(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    group = sandbox.group("Revision club", members=[alice, bob], supergroup=True)
    lobby = await open_lobby(sandbox, alice, group, "3 20")
    await tap(sandbox, bob, group, "🙋 Join", lobby.message_id)
    # Telegram posts round 1 but its answer never comes back: the bot cannot know its message.
    sandbox.faults.drop_after_apply("sendMessage")
    await tap(sandbox, alice, group, "🚀 Start", lobby.message_id)
    asked = [m for m in group.messages if m.text.startswith("⚔️ Round 1/")]
    assert len(asked) == 1
    # Once the Bot API answers again it is posted once more (a second copy beats silence), and
    # that copy is the round's message.
    await asyncio.sleep(1.1)  # the outbox's first backoff, on the wall clock
    await tick(sandbox, bot, clock, 1)
    await tick(sandbox, bot, clock, 1)
    asked = [m for m in group.messages if m.text.startswith("⚔️ Round 1/")]
    assert len(asked) == 2 and all(m.buttons for m in asked)
    r1 = await current_round(sandbox, bot, group, 1)
    assert r1.message_id == asked[1].message_id
    # Either copy's buttons play the round; the round closes on its own message.
    assert (
        await tap(sandbox, alice, group, r1.right, asked[0].message_id) == f"Locked in: {r1.right}"
    )
    assert await tap(sandbox, bob, group, r1.wrong, r1.message_id) == f"Locked in: {r1.wrong}"
    reveal = message(group, r1.message_id)
    assert "closed" in reveal.text and reveal.buttons == [] and "✅ Alice +" in reveal.text
    # A tap on the copy the bot never knew shows it closed too: no button is left doing nothing.
    await tap(sandbox, bob, group, r1.right, asked[0].message_id)
    await tick(sandbox, bot, clock, 0)
    assert message(group, asked[0].message_id).buttons == []
    assert "closed" in message(group, asked[0].message_id).text
    await tick(sandbox, bot, clock, 10)
    assert sum(1 for m in group.messages if m.text.startswith("⚔️ Round 1/")) == 2
    await current_round(sandbox, bot, group, 2)
