"""kill -9 of the bot process in the middle of battle rounds, then a restart: nothing lost, nothing
counted twice, and the rounds keep to the deadlines stored before the crash."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.battle import option_letter
from bot.sandbox.driver import SandboxChat
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from tests.reliability.process import BotProcess, query, spawn
from tests.token_scan import leaks_in

# Reveals wait for the real deadline (10 s rounds) and the process's 5 s sweep.
SLOW = 40.0


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """Processes the test starts; any left running are killed, and every log is scanned."""
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.reap()
    for process in started:
        assert not leaks_in(process.log), f"the token leaked into {process.log_path.name}"


def battle_state(database: Path, group: SandboxChat) -> dict[str, Any]:
    """The group's newest battle as stored (`BattleState.to_dict()`)."""
    rows = query(
        database, "SELECT state FROM battles WHERE chat_id = ? ORDER BY id DESC", (group.id,)
    )
    return dict(json.loads(str(rows[0][0])))


def right_letter(database: Path, group: SandboxChat, round_no: int) -> str:
    """The letter of the right answer of a round of the group's newest battle."""
    rows = query(
        database,
        """SELECT r.right_index FROM battle_rounds r JOIN battles b ON b.id = r.battle_id
            WHERE b.chat_id = ? AND r.round_no = ? ORDER BY b.id DESC LIMIT 1""",
        (group.id, round_no),
    )
    return option_letter(int(str(rows[0][0])))


def count(database: Path, sql: str, *params: object) -> int:
    """A single COUNT(*) from the bot's database."""
    return int(str(query(database, sql, params)[0][0]))


async def round_message(group: SandboxChat, round_no: int) -> SandboxMessage:
    """The message asking round `round_no`, once it is posted with its buttons."""
    return await group.wait_for(
        lambda m: m.text.startswith(f"⚔️ Round {round_no}/") and bool(m.buttons), timeout=SLOW
    )


def shown(group: SandboxChat, message_id: int) -> SandboxMessage:
    """A bot message in the group as it stands now."""
    return next(m for m in group.messages if m.message_id == message_id)


async def test_kill_9_mid_round_then_restart_keeps_deadlines_and_counts_once(
    sandbox: SandboxServer, tmp_path: Path, processes: list[BotProcess]
) -> None:
    database = tmp_path / "bot.sqlite3"
    alice, bob, carol = sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Carol")
    group = sandbox.group("Revision club", members=[alice, bob, carol], supergroup=True)
    first = await spawn(sandbox, database, tmp_path / "first.log")
    processes.append(first)
    await alice.send("/battle 3 10", chat=group)
    lobby = await group.wait_for(lambda m: "Revision battle" in m.text, timeout=10)
    for player in (bob, carol):
        assert await player.tap("Join", chat=group, message=lobby, timeout=10) == "You're in!"
    await alice.tap("Start", chat=group, message=lobby, timeout=10)

    # Round 1: Alice answers, then the process dies before anyone else does.
    r1 = await round_message(group, 1)
    letter = right_letter(database, group, 1)
    toast = await alice.tap(letter, chat=group, message=r1, timeout=10)
    assert toast == f"Locked in: {letter}"
    deadline = battle_state(database, group)["played"][0]["deadline"]
    first.kill9()
    await first.proc.wait()
    assert str(query(database, "PRAGMA integrity_check")[0][0]) == "ok"
    # The answer is stored, as its review, once: it was written before the toast went out.
    assert count(database, "SELECT COUNT(*) FROM reviews WHERE user_id = ?", alice.id) == 1
    assert count(database, "SELECT COUNT(*) FROM battle_reviews") == 1

    # Restart at once: round 1 continues and closes at the deadline stored before the crash.
    second = await spawn(sandbox, database, tmp_path / "second.log")
    processes.append(second)
    assert await sandbox.wait_until(lambda: not shown(group, r1.message_id).buttons, SLOW)
    reveal = shown(group, r1.message_id).text
    assert "✅ Alice +" in reveal
    assert "⌛ Bob — no answer" in reveal and "⌛ Carol — no answer" in reveal
    played = battle_state(database, group)["played"][0]
    assert played["deadline"] == deadline  # the restart did not give the round more time
    assert datetime.fromisoformat(played["revealed_at"]) >= datetime.fromisoformat(deadline)
    assert [a[0] for a in played["answers"]] == [alice.id]

    # Round 2: everyone answers (Carol wrongly), so it closes at once.
    r2 = await round_message(group, 2)
    letter = right_letter(database, group, 2)
    wrong = "A" if letter != "A" else "B"
    await alice.tap(letter, chat=group, message=r2, timeout=10)
    await bob.tap(letter, chat=group, message=r2, timeout=10)
    await carol.tap(wrong, chat=group, message=r2, timeout=10)
    assert await sandbox.wait_until(lambda: not shown(group, r2.message_id).buttons, 10)

    # Round 3: Bob answers, the process dies, and comes back only after the deadline passed.
    r3 = await round_message(group, 3)
    letter = right_letter(database, group, 3)
    assert await bob.tap(letter, chat=group, message=r3, timeout=10) == f"Locked in: {letter}"
    second.kill9()
    await second.proc.wait()
    assert str(query(database, "PRAGMA integrity_check")[0][0]) == "ok"
    deadline = datetime.fromisoformat(battle_state(database, group)["played"][2]["deadline"])
    await asyncio.sleep(max((deadline - datetime.now(deadline.tzinfo)).total_seconds(), 0) + 0.5)
    assert shown(group, r3.message_id).buttons != []  # nobody closed it meanwhile
    third = await spawn(sandbox, database, tmp_path / "third.log")
    processes.append(third)
    final = await group.wait_for(lambda m: "Battle over" in m.text, timeout=SLOW)
    reveal = shown(group, r3.message_id).text
    assert "✅ Bob +" in reveal and "⌛ Alice — no answer" in reveal

    # Every answer counted once: in the reviews, in the battle's record, on the leaderboard.
    reviews = query(
        database,
        "SELECT user_id, COUNT(*), SUM(correct) FROM reviews GROUP BY user_id ORDER BY user_id",
    )
    assert [tuple(r) for r in reviews] == [(alice.id, 2, 2), (bob.id, 2, 2), (carol.id, 1, 0)]
    assert count(database, "SELECT COUNT(*) FROM battle_reviews") == 5
    state = battle_state(database, group)
    points = {p[0]: 0 for p in state["players"]}
    for play in state["played"]:
        for answer in play["answers"]:
            points[answer[0]] += answer[4]
    table = query(
        database,
        """SELECT user_id, points, battles, right_answers, answered FROM group_leaderboard
            WHERE chat_id = ? ORDER BY user_id""",
        (group.id,),
    )
    assert [tuple(r) for r in table] == [
        (alice.id, points[alice.id], 1, 2, 2),
        (bob.id, points[bob.id], 1, 2, 2),
        (carol.id, 0, 1, 0, 1),
    ]
    assert points[alice.id] > 0 and points[bob.id] > 0
    assert f"{points[alice.id]} pts" in final.text and f"{points[bob.id]} pts" in final.text
    assert len([m for m in group.messages if "Battle over" in m.text]) == 1
    assert count(database, "SELECT COUNT(*) FROM battles WHERE finished = 0") == 0
    for process in (first, second, third):
        assert "Traceback" not in process.log
    third.terminate()
    assert await third.exit_code() == 0
