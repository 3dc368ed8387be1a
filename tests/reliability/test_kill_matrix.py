"""The kill matrix: a bot process killed at each Bot API call of a flow, on both backends.

For each call a flow makes (a quiz tap: its toast, the reveal, the next question; /quiz: the
question; a daily reminder; a group battle: its lobby, a round's question, a round's reveal, the
podium), the process (`python -m bot run`) is killed with SIGKILL by the
sandbox itself at that call: (a) after Telegram performed it, before the bot could record it, and
(b) before Telegram performed it. A new process then starts on the same database, and the person
must see exactly the screen they should: what was owed arrives (once in case (b), at most twice
in case (a)), every question shown has working buttons, and the quiz (or the battle, to exactly
one podium with every point counted once) goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.battle import option_letter
from bot.core.learning_days import LearningDays
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.storage.db import Database, open_database
from tests.backends import BACKENDS, backend_url
from tests.e2e.conftest import TOKEN
from tests.reliability.process import BotProcess, launch
from tests.token_scan import leaks_in

TAP, COMMAND, REMINDER, BATTLE = "a quiz tap", "/quiz", "a daily reminder", "a group battle"
# The battle's calls, told apart by what they show (a flow that makes one method's call more than
# once names the one cut as `method: what`).
LOBBY, QUESTION, REVEAL, PODIUM = (
    "the lobby",
    "round 2's question",
    "round 2's reveal",
    "the podium",
)


@dataclass(frozen=True)
class Cut:
    """Where the process dies: at `call` of `flow`, after (a) or before (b) Telegram did it."""

    flow: str
    call: str
    applied: bool

    @property
    def method(self) -> str:
        """The Bot API method cut."""
        return self.call.partition(":")[0]

    @property
    def what(self) -> str:
        """Which of the flow's calls of that method, when it makes several ("" otherwise)."""
        return self.call.partition(":")[2].strip()

    @property
    def sends(self) -> bool:
        """Whether the cut call makes a new message (the one kind a repeat can show twice)."""
        return self.method == "sendMessage"

    def __str__(self) -> str:
        return f"{self.flow}, {self.call}, {'after' if self.applied else 'before'}"


CALLS = {
    TAP: ("answerCallbackQuery", "editMessageText", "sendMessage"),
    COMMAND: ("sendMessage",),
    REMINDER: ("sendMessage",),
    BATTLE: (
        f"sendMessage: {LOBBY}",
        f"sendMessage: {QUESTION}",
        f"editMessageText: {REVEAL}",
        f"sendMessage: {PODIUM}",
    ),
}
MATRIX = [
    Cut(flow, call, applied)
    for flow, calls in CALLS.items()
    for call in calls
    for applied in (True, False)
]


@dataclass
class World:
    """The sandbox, the database the processes share, and the processes started so far."""

    sandbox: SandboxServer
    url: str
    db: Database
    folder: Path
    processes: list[BotProcess]

    async def start(self) -> BotProcess:
        """One more bot process, polling the sandbox."""
        polls = self.sandbox.calls["getUpdates"]
        process = await launch(
            self.folder / f"bot-{len(self.processes)}.log",
            BOT_TOKEN=TOKEN,
            BOT_API_URL=self.sandbox.base_url,
            DATABASE_URL=self.url,
            LOG_LEVEL="DEBUG",
            OUTBOX_LEASE_SECONDS="3",
        )
        self.processes.append(process)
        if not await self.sandbox.wait_until(
            lambda: self.sandbox.calls["getUpdates"] > polls, timeout=30
        ):
            raise AssertionError(f"the bot never polled; its log:\n{process.log[-3000:]}")
        return process

    async def right_label(self, user: SandboxUser) -> str:
        """The right option of the user's open question."""
        row = await self.db.fetchone(
            """SELECT i.options, i.right_index FROM quiz_sessions s
                 JOIN session_items i ON i.session_id = s.id AND i.position = s.position
                WHERE s.user_id = ? AND s.finished_at IS NULL""",
            (user.id,),
        )
        assert row is not None and row[1] is not None
        return str(json.loads(row[0])[int(row[1])])


@pytest.fixture(params=BACKENDS)
async def world(
    request: pytest.FixtureRequest, sandbox: SandboxServer, tmp_path: Path
) -> AsyncIterator[World]:
    """A fresh database on the backend, and the processes a test starts (reaped at the end)."""
    async with backend_url(request.param, tmp_path) as url:
        db = await open_database(url)
        started = World(sandbox, url, db, tmp_path, [])
        try:
            yield started
        finally:
            for process in started.processes:
                await process.reap()
            await db.close()
    for process in started.processes:
        assert not leaks_in(process.log), f"the token leaked into {process.log_path.name}"
        assert "Traceback" not in process.log, process.log[-4000:]


def questions(user: SandboxUser, number: int) -> list[SandboxMessage]:
    """The bot's messages showing question `number`."""
    return [m for m in user.messages if m.text.startswith(f"Question {number}/")]


def reminders(user: SandboxUser) -> list[SandboxMessage]:
    """The bot's daily reminders."""
    return [m for m in user.messages if "daily review" in m.text]


async def quiz_started(world: World, alice: SandboxUser) -> SandboxMessage:
    """Alice on multiple-choice questions, question 1 on screen."""
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=15)
    await world.db.execute("UPDATE users SET question_mix = 'choice' WHERE id = ?", (alice.id,))
    await alice.send("/quiz")
    return await alice.wait_for(lambda m: m.text.startswith("Question 1/"), timeout=15)


async def killed(world: World, process: BotProcess, cut: Cut) -> None:
    """Arm the cut: the sandbox kills `process` at the call."""
    world.sandbox.faults.cut(cut.method, process.kill9, applied=cut.applied)


async def died(process: BotProcess) -> None:
    """Wait for the SIGKILL to land."""
    async with asyncio.timeout(20):
        await process.proc.wait()


async def answers_go_on(world: World, alice: SandboxUser, number: int) -> None:
    """Question `number`'s newest copy answers, and question `number + 1` follows."""
    copies = questions(alice, number)
    await alice.tap(await world.right_label(alice), message=copies[-1], timeout=15)
    await alice.wait_for(lambda m: m.text.startswith(f"Question {number + 1}/"), timeout=15)
    for older in copies[:-1]:
        # An older copy's buttons answer nothing twice: a tap shows the question as it stands.
        assert await alice.tap(older.labels[0], message=older, timeout=15) == ""
        await alice.wait_for(shown_without_buttons(older.message_id), timeout=15)


def shown_without_buttons(message_id: int) -> Callable[[SandboxMessage], bool]:
    """Whether a message is this one, left with no buttons."""
    return lambda m: m.message_id == message_id and not m.buttons


def allowed(cut: Cut, owed_by_cut: bool) -> set[int]:
    """How many copies of a message the person may see: one, or two when the cut call was its
    own send and Telegram had performed it."""
    return {1, 2} if owed_by_cut and cut.sends and cut.applied else {1}


async def run_tap(world: World, alice: SandboxUser, cut: Cut) -> None:
    first = await world.start()
    question = await quiz_started(world, alice)
    label = await world.right_label(alice)
    await killed(world, first, cut)
    tap = asyncio.create_task(alice.tap(label, message=question, timeout=30))
    await died(first)
    await world.start()
    with contextlib.suppress(Exception):
        await tap  # its toast may have died with the process
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"), timeout=20)
    reveal = await alice.wait_for(
        lambda m: m.message_id == question.message_id and "Right!" in m.text, timeout=20
    )
    assert not reveal.buttons
    await world.sandbox.settle(quiet=0.5)
    assert len(questions(alice, 2)) in allowed(cut, cut.sends)
    assert len(questions(alice, 1)) == 1
    row = await world.db.fetchone("SELECT COUNT(*) FROM reviews WHERE user_id = ?", (alice.id,))
    assert row is not None and row[0] == 1
    await answers_go_on(world, alice, 2)


async def run_command(world: World, alice: SandboxUser, cut: Cut) -> None:
    first = await world.start()
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=15)
    await world.db.execute("UPDATE users SET question_mix = 'choice' WHERE id = ?", (alice.id,))
    await killed(world, first, cut)
    await alice.send("/quiz")
    await died(first)
    await world.start()
    await alice.wait_for(lambda m: m.text.startswith("Question 1/"), timeout=20)
    await world.sandbox.settle(quiet=0.5)
    assert len(questions(alice, 1)) in allowed(cut, True)
    sessions = await world.db.fetchone(
        "SELECT COUNT(*) FROM quiz_sessions WHERE user_id = ?", (alice.id,)
    )
    assert sessions is not None and sessions[0] == 1
    await answers_go_on(world, alice, 1)


async def run_reminder(world: World, alice: SandboxUser, cut: Cut) -> None:
    first = await world.start()
    await alice.send("/remind 18:30")
    await alice.wait_for(lambda m: "every day at" in m.text, timeout=15)
    now = datetime.now(UTC)
    # The learning day before today's (days start at 04:00): between midnight and 04:00 UTC the
    # calendar's yesterday is still today's learning day, whose streak is not at stake.
    yesterday = (LearningDays.of("UTC").day_of(now) - timedelta(days=1)).isoformat()
    await killed(world, first, cut)
    # A streak at stake today, and the reminder due a minute ago: the next sweep sends it.
    await world.db.execute(
        "UPDATE users SET streak_current = 3, streak_best = 3, streak_last_day = ?, "
        "next_remind_at = ?, timezone = 'UTC' WHERE id = ?",
        (yesterday, int(now.timestamp()) - 60, alice.id),
    )
    await died(first)
    await world.start()
    await alice.wait_for(lambda m: "daily review" in m.text, timeout=30)
    await world.sandbox.settle(quiet=1.0)
    assert len(reminders(alice)) in allowed(cut, True)


# Three rounds of 20 s: each closes on its last answer, long before its deadline, and a question
# posted by the process taking over (after the dead one's hold ran out) is still open for answers.
BATTLE_ROUNDS, BATTLE_SECONDS = 3, 20
LOBBY_TEXT, OVER = "Revision battle", "Battle over"


def first_text(message: SandboxMessage) -> str:
    """A message's text as it was sent, before any edit."""
    return (message.edits[0].text or "") if message.edits else message.text


def posts(group: SandboxChat, begins: str) -> list[SandboxMessage]:
    """The bot's messages in the group that were sent showing `begins` (their copies included)."""
    return [m for m in group.messages if first_text(m).startswith(begins)]


def round_title(number: int) -> str:
    """How the message asking (then revealing) round `number` begins."""
    return f"⚔️ Round {number}/{BATTLE_ROUNDS}"


async def through(
    world: World, process: BotProcess, cut: Cut, step: str, action: Awaitable[object] | None
) -> None:
    """Do what makes the battle's next call (`action`; None: the battle's timer makes it). If the
    row cuts that call, the process dies on it and a new one starts on the same database."""
    if cut.what != step:
        if action is not None:
            await action
        return
    await killed(world, process, cut)
    task = asyncio.ensure_future(action if action is not None else asyncio.sleep(0))
    await died(process)
    await world.start()
    with contextlib.suppress(Exception):
        await task  # what it waited for (a toast) may have died with the process


async def letters(world: World, group: SandboxChat, number: int) -> tuple[str, str]:
    """The right and a wrong letter of round `number` of the group's battle."""
    row = await world.db.fetchone(
        """SELECT r.right_index FROM battle_rounds r JOIN battles b ON b.id = r.battle_id
            WHERE b.chat_id = ? AND r.round_no = ?""",
        (group.id, number),
    )
    assert row is not None
    right = int(row[0])
    return option_letter(right), option_letter(0 if right else 1)


async def nothing_owed(world: World) -> bool:
    """Whether every battle message owed is delivered."""
    row = await world.db.fetchone(
        "SELECT COUNT(*) FROM outbox WHERE outcome IS NULL AND kind LIKE 'battle.%'"
    )
    return row is not None and row[0] == 0


async def run_battle(world: World, alice: SandboxUser, cut: Cut) -> None:
    bob = world.sandbox.user("Bob")
    group = world.sandbox.group("Revision club", members=[alice, bob], supergroup=True)
    first = await world.start()
    command = alice.send(f"/battle {BATTLE_ROUNDS} {BATTLE_SECONDS}", chat=group)
    await through(world, first, cut, LOBBY, command)

    def lobby_open(m: SandboxMessage) -> bool:
        return LOBBY_TEXT in m.text and bool(m.buttons)

    lobby = await group.wait_for(lobby_open, timeout=30)
    assert await bob.tap("Join", chat=group, message=lobby, timeout=20) == "You're in!"
    lobby = await group.wait_for(lobby_open, timeout=20)  # the newest copy, if it came twice
    await alice.tap("Start", chat=group, message=lobby, timeout=20)

    for number in range(1, BATTLE_ROUNDS + 1):
        if number == 2:
            await through(world, first, cut, QUESTION, None)  # the timer posts round 2

        def asking(m: SandboxMessage, number: int = number) -> bool:
            return m.text.startswith(round_title(number)) and bool(m.buttons)

        question = await group.wait_for(asking, timeout=40)
        right, wrong = await letters(world, group, number)
        toast = await alice.tap(right, chat=group, message=question, timeout=20)
        assert toast == f"Locked in: {right}"
        # Bob's answer (wrong in round 2) closes the round: its reveal, and after round 3 the podium.
        bobs = bob.tap(wrong if number == 2 else right, chat=group, message=question, timeout=30)
        step = {2: REVEAL, 3: PODIUM}.get(number, "")
        await through(world, first, cut, step, bobs)

        def revealed(m: SandboxMessage, number: int = number) -> bool:
            return m.text.startswith(f"{round_title(number)} · closed") and not m.buttons

        await group.wait_for(revealed, timeout=30)
    await group.wait_for(lambda m: OVER in m.text, timeout=30)
    # Whatever a process still owes (a repeat after a dead one) is done before the counts.
    for _ in range(200):
        if await nothing_owed(world):
            break
        await asyncio.sleep(0.1)
    assert await nothing_owed(world)
    await world.sandbox.settle(quiet=1.0)
    await battle_as_it_should_be(world, group, cut, (alice, bob))


async def battle_as_it_should_be(
    world: World, group: SandboxChat, cut: Cut, players: tuple[SandboxUser, SandboxUser]
) -> None:
    """Each message owed arrived (once, or twice when the cut was its own send and Telegram had
    done it), the battle ended with one podium, no button is left doing nothing, and every
    answer counts once: in the reviews, in the battle's record, on the group's table."""
    assert len(posts(group, "⚔️ Revision battle!")) in allowed(cut, cut.what == LOBBY)
    for number in range(1, BATTLE_ROUNDS + 1):
        copies = posts(group, round_title(number))
        assert len(copies) in allowed(cut, cut.what == QUESTION and number == 2), number
        assert any(m.text.startswith(f"{round_title(number)} · closed") for m in copies)
    assert len([m for m in group.messages if OVER in m.text]) in allowed(cut, cut.what == PODIUM)
    for message in [m for m in group.messages if m.buttons]:
        # A copy the dead process sent and never recorded: its buttons answer nothing twice, a
        # tap shows it as the battle stands (the lobby closed, the round revealed).
        await players[0].tap(message.labels[0], chat=group, message=message, timeout=15)
        await group.wait_for(shown_without_buttons(message.message_id), timeout=15)

    row = await world.db.fetchone(
        "SELECT id, state, finished FROM battles WHERE chat_id = ?", (group.id,)
    )
    assert row is not None and row[2]
    state = json.loads(row[1])
    points = {p.id: 0 for p in players}
    answered = dict.fromkeys(points, 0)
    right = dict.fromkeys(points, 0)
    for play in state["played"]:
        assert len({a[0] for a in play["answers"]}) == len(play["answers"]) == 2
        for answer in play["answers"]:
            points[answer[0]] += answer[4]
            answered[answer[0]] += 1
            right[answer[0]] += int(bool(answer[3]))
    assert answered == {p.id: BATTLE_ROUNDS for p in players}
    assert right == {players[0].id: 3, players[1].id: 2}
    reviews = await world.db.fetchall(
        "SELECT user_id, COUNT(*), SUM(correct) FROM reviews GROUP BY user_id ORDER BY user_id"
    )
    assert [tuple(r) for r in reviews] == [(p.id, BATTLE_ROUNDS, right[p.id]) for p in players]
    table = await world.db.fetchall(
        """SELECT user_id, points, battles, right_answers, answered FROM group_leaderboard
            WHERE chat_id = ? ORDER BY user_id""",
        (group.id,),
    )
    assert [tuple(r) for r in table] == [
        (p.id, points[p.id], 1, right[p.id], BATTLE_ROUNDS) for p in players
    ]
    podium = next(m for m in group.messages if OVER in m.text)
    for player in players:
        assert f"{player.name} — {points[player.id]} pts" in podium.text


FLOWS = {TAP: run_tap, COMMAND: run_command, REMINDER: run_reminder, BATTLE: run_battle}


@pytest.mark.parametrize("cut", MATRIX, ids=str)
async def test_a_process_killed_at_any_call_leaves_every_screen_as_it_should_be(
    world: World, cut: Cut
) -> None:
    alice = world.sandbox.user("Alice")
    await FLOWS[cut.flow](world, alice, cut)
    assert world.sandbox.faults.pending == 0  # the cut happened where the row says
