"""Three bot processes on one PostgreSQL database behind the webhook balancer, one killed with
kill -9 in the middle of everything: 100 people mid-quiz, a group battle and a reminder sweep.

Whatever the killed process had in hand is taken over by the others: every tap is answered exactly
once, every person finishes the quiz session they were in (each gets its summary, "Session
complete"), every reminder arrives, the battle ends with exactly one podium and its points are
counted once, and the database holds together.
The one thing no design can rule out is allowed: a message the killed process had on its way
(Telegram took it, the process died before writing that down) may arrive twice. Anything else
fails the test. Skipped without a reachable PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.storage.db import Database, open_database
from tests.backends import fresh_schema, postgres_url_or_skip
from tests.e2e.conftest import TOKEN
from tests.scaleout.battle import OVER, ROUNDS, BattleTaps, play_battle, round_title
from tests.scaleout.cluster import Cluster, Senders, WebhookProcess, scrape
from tests.scaleout.crowd import SUMMARY, Crowd, Person, Tap, is_question, is_summary
from tests.scaleout.world import make_reminders_due, prepare
from tests.token_scan import leaks_in

PROCESSES = 3
QUIZZERS = 100
REMINDED = 60
PLAYERS = 4
# How long anyone waits for an answer: a killed process's chats are taken over first.
PATIENCE = 20.0
# Load kept up after the kill, for the survivors to take over under it.
AFTER_KILL = 6.0
VERDICTS = {"✅ Right!", "❌ Not quite"}
CLOSED = "This question is closed"
REMINDER = "Time for your daily review"
QUESTION_NUMBER = re.compile(r"^Question (\d+)/(\d+)")
SESSION_SIZE = 10  # the quizzers' setting (tests/scaleout/world.py)


@pytest.fixture
async def schema_url() -> AsyncIterator[str]:
    """A fresh, empty schema on the test PostgreSQL server (skips without one)."""
    async with fresh_schema(await postgres_url_or_skip()) as url:
        yield url


@pytest.fixture
async def balancer() -> AsyncIterator[tuple[SandboxServer, Senders]]:
    """The sandbox delivering updates by webhook, round-robin over every process, and telling
    which process sent each message."""
    server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0, webhook_delivery=True)
    senders = Senders(server)
    await server.start()
    yield server, senders
    await server.stop()


def first_version(message: SandboxMessage) -> str:
    """A message's text as it was sent, before any edit."""
    return (message.edits[0].text or "") if message.edits else message.text


def same_send(one: SandboxMessage, other: SandboxMessage) -> bool:
    """Whether two messages are the same send: the same text as sent, but for the seconds a battle
    round has left (a round posted again shows the time left by then)."""
    return _without_clock(first_version(one)) == _without_clock(first_version(other))


def _without_clock(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("⏱"))


def killed_repeats(messages: list[SandboxMessage], senders: Senders, victim: str) -> set[int]:
    """Messages the killed process sent but did not live to record, then sent again (same text)
    by the process that took its work over. Telegram cannot tell a repeated send from a new one,
    so a send on its way when a process is killed may arrive twice: such a first copy is told
    apart here (untouched since, from the killed process, its repeat right after it)."""
    return {
        message.message_id
        for message, after in itertools.pairwise(messages)
        if not message.edits
        and same_send(after, message)
        and senders.sender(message.chat_id, message.message_id) == victim
    }


async def reminder_senders(
    http: aiohttp.ClientSession, cluster: Cluster
) -> list[tuple[WebhookProcess, float]]:
    """The live processes that have sent reminders so far, with how many."""
    found = []
    for member in cluster.alive:
        sent = await scrape(http, member, "quizmaster_reminders_sent_total")
        if sent:
            found.append((member, sent))
    return found


def reminders_of(user: SandboxUser) -> int:
    """Reminder messages in a person's chat."""
    return sum(REMINDER in m.text for m in user.messages)


def reminder_problems(reminded: list[SandboxUser], senders: Senders, victim: str) -> list[str]:
    """Every reminder arrived, once (or twice when the killed process's copy was on its way)."""
    problems: list[str] = []
    repeated = 0
    for user in reminded:
        shown = [m for m in user.messages if REMINDER in m.text]
        repeats = killed_repeats(shown, senders, victim)
        repeated += len(repeats)
        if len(shown) - len(repeats) != 1:
            problems.append(f"{user.name}: {len(shown)} reminders ({len(repeats)} explained)")
    if problems:
        problems.append(f"({repeated} reminders repeated after the kill in all)")
    return problems


async def kill_a_reminder_sender(
    cluster: Cluster, reminded: list[SandboxUser], within: float
) -> WebhookProcess:
    """kill -9 the first process caught sending reminders while some are still unsent (any live
    process if none is caught within `within` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    victim: WebhookProcess | None = None
    async with aiohttp.ClientSession() as http:
        while victim is None and loop.time() < deadline:
            arrived = sum(reminders_of(u) for u in reminded)
            senders = await reminder_senders(http, cluster)
            if senders and arrived < len(reminded):
                victim = senders[0][0]
            await asyncio.sleep(0.02)
    victim = victim or cluster.alive[0]
    victim.process.kill9()
    await victim.process.proc.wait()
    return victim


def transcript(person: Person, senders: Senders) -> str:
    """A quizzer's chat as it stands, with who sent what and what they tapped, for a failure."""
    toasts = {t.message_id: t.query.text for t in person.taps}
    lines = [f"{person.user.name} (stuck: {person.stuck}):"]
    for m in person.user.chat.history:
        sender = senders.sender(m.chat_id, m.message_id) if m.from_bot else "user"
        tapped = f" tapped → {toasts[m.message_id]!r}" if m.message_id in toasts else ""
        lines.append(
            f"    #{m.message_id} {sender}: {first_version(m).splitlines()[0][:40]!r} "
            f"edits={len(m.edits)} buttons={bool(m.buttons)}{tapped}"
        )
    return "\n".join(lines)


def session_completed(person: Person) -> bool:
    """Whether the person finished the session they were in: its summary is the last thing the
    bot showed them, after a session's last answer."""
    last = person.user.chat.last
    return person.summaries > 0 and last is not None and is_summary(last)


def owed_tap(person: Person) -> Tap | None:
    """The tap a person gave up on because nothing came after it (it was answered, then neither
    the reveal nor the next question came), if that is why they stopped."""
    if person.stuck is None or not person.taps:
        return None
    last = person.taps[-1]
    waited = person.stuck.startswith(f"tap on message {last.message_id}: answered,")
    return last if waited else None


def slots(messages: list[SandboxMessage], senders: Senders, victim: str) -> list[list[int]]:
    """The ids of a chat's bot messages, grouped: a message the killed process sent is one slot
    with its repeat (same text as sent) right after it, see `killed_repeats`."""
    grouped: list[list[int]] = []
    previous: SandboxMessage | None = None
    for message in messages:
        if (
            previous is not None
            and same_send(message, previous)
            and senders.sender(previous.chat_id, previous.message_id) == victim
        ):
            grouped[-1].append(message.message_id)
        else:
            grouped.append([message.message_id])
        previous = message
    return grouped


@dataclass
class Seen:
    """What one quizzer's chat shows, checked against their taps."""

    problems: list[str] = field(default_factory=list)
    answers: int = 0  # questions answered: each must be one review


def quietly_closed(tap: Tap) -> bool:
    """Whether a tap on a question already answered was told so: "This question is closed", or
    no toast at all when the bot shows the tapped copy as the question stands instead."""
    return tap.query.answered and (tap.query.text or "") in (CLOSED, "")


def check_person(person: Person, senders: Senders, victim: str) -> Seen:
    """What a quizzer saw, against what they did: each question answered once, with a verdict on
    the tap; the question turned into its reveal once; exactly one message after it.

    A message the killed process had on its way may come twice (one slot, see `slots`); the person
    may tap either copy, and a tap on the other then gets "This question is closed" (or shows
    that copy as the question stands, without a toast). A person left waiting after a tap (see
    `owed_tap`) is a problem: whatever the killed process owed them (a reveal, the next question,
    the summary) is finished by the process taking the chat over.
    """
    seen = Seen()
    who = person.user.name
    shown = {m.message_id: m for m in person.user.messages}
    owed = owed_tap(person)
    if person.stuck is not None:
        why = " (nothing came after the answer)" if owed is not None else ""
        seen.problems.append(f"{who} stuck: {person.stuck}{why}")
    grouped = slots(list(shown.values()), senders, victim)
    taps_on: dict[int, list[Tap]] = {}
    for tap in person.taps:
        taps_on.setdefault(tap.message_id, []).append(tap)
    follow_ups = 0
    expected_next = 1
    session_size = 0  # "Question k/N": N grows when missed questions are asked again at the end
    for index, slot in enumerate(grouped):
        messages = [shown[i] for i in slot]
        first = messages[0]
        last_slot = index == len(grouped) - 1
        taps = [t for i in slot for t in taps_on.get(i, [])]
        if any(len(taps_on.get(i, [])) > 1 for i in slot):
            seen.problems.append(f"{who}: a question message tapped twice")
        if is_summary(first):
            if expected_next - 1 != session_size or session_size < SESSION_SIZE:
                seen.problems.append(
                    f"{who}: a summary after question {expected_next - 1} of {session_size}"
                )
            expected_next = 1
            continue
        number = QUESTION_NUMBER.match(first_version(first))
        if number is None:
            seen.problems.append(f"{who}: unexpected message {first.text[:60]!r}")
            continue
        if int(number.group(1)) != expected_next:
            seen.problems.append(f"{who}: question {number.group(1)} where {expected_next} was due")
        expected_next = int(number.group(1)) + 1
        session_size = int(number.group(2))
        verdicts = [t for t in taps if t.query.text in VERDICTS]
        others = [t for t in taps if t.query.text not in VERDICTS]
        is_owed = owed is not None and owed in taps
        if owed is not None and is_owed and owed.query.text == CLOSED:
            verdicts.append(owed)  # the killed process stored the answer before the re-run
            others.remove(owed)
        if not verdicts and not last_slot and others and all(quietly_closed(t) for t in others):
            # The killed process stored the answer and died before its toast: the tap made again
            # shows the question as it stands, and what it owed came from the process taking
            # over. The stored reviews, checked against the answers counted, keep this honest.
            verdicts, others = others[:1], others[1:]
        seen.answers += len(verdicts)
        if len(verdicts) > 1 or any(not quietly_closed(t) for t in others):
            seen.problems.append(
                f"{who}: question {first.message_id} taps answered "
                + ", ".join(repr(t.query.text) for t in taps)
            )
        if not verdicts:
            if not (last_slot and is_question(messages[-1])):
                seen.problems.append(f"{who}: question {first.message_id} left unanswered")
            continue
        if is_owed:
            continue  # its reveal and the next message are the follow-up it is owed
        follow_ups += 1
        revealed = [m for m in messages if m.edits]
        # The answered copy shows its reveal; another copy tapped after shows the question as it
        # stands: each edited once, its buttons gone.
        once = all(len(m.edits) == 1 and not m.buttons for m in revealed)
        if once and 1 <= len(revealed) <= 1 + len({t.message_id for t in others}):
            continue
        seen.problems.append(
            f"{who}: question {first.message_id} edited "
            + ", ".join(f"{len(m.edits)}" for m in messages)
            + " times"
        )
    # One slot per answer that was followed up (the next question or the summary) and one per
    # /quiz (a question).
    if len(grouped) != follow_ups + person.commands:
        seen.problems.append(
            f"{who}: {len(grouped)} messages (repeats counted once) for {follow_ups} answers "
            f"followed up and {person.commands} /quiz"
        )
    return seen


async def one_value(db: Database, sql: str, *params: object) -> int:
    """A single number from the database."""
    row = await db.fetchone(sql, params)
    assert row is not None
    return int(row[0] or 0)


async def database_problems(db: Database) -> list[str]:
    """Invariants of the stored data, whatever happened to the processes writing it."""
    problems: list[str] = []
    sessions = await db.fetchall(
        """SELECT s.id, s.position, s.size, s.finished_at IS NOT NULL, s.correct,
                  (SELECT COUNT(*) FROM reviews r WHERE r.session_id = s.id),
                  (SELECT COUNT(*) FROM reviews r WHERE r.session_id = s.id AND r.correct = 1),
                  (SELECT COUNT(*) FROM session_items i
                    WHERE i.session_id = s.id AND i.answered_at IS NOT NULL),
                  (SELECT COALESCE(MAX(i.position), -1) FROM session_items i
                    WHERE i.session_id = s.id AND i.answered_at IS NOT NULL)
             FROM quiz_sessions s"""
    )
    for sid, position, size, finished, correct, reviews, right, answered, top in sessions:
        if not position == reviews == answered == top + 1:
            problems.append(
                f"session {sid}: position {position}, {reviews} reviews, {answered} items answered"
            )
        if correct != right:
            problems.append(f"session {sid}: {correct} correct counted, {right} right reviews")
        if finished != (position >= size):
            problems.append(f"session {sid}: finished={finished} at position {position}/{size}")
    open_twice = await one_value(
        db,
        """SELECT COUNT(*) FROM (SELECT user_id FROM quiz_sessions WHERE finished_at IS NULL
             GROUP BY user_id HAVING COUNT(*) > 1) AS twice""",
    )
    if open_twice:
        problems.append(f"{open_twice} users with two open sessions")
    # Every review moved the question's schedule on by one: none lost, none applied twice.
    drift = await db.fetchall(
        """SELECT s.user_id, s.question_id, s.reps, COUNT(r.id)
             FROM review_states s JOIN reviews r
               ON r.user_id = s.user_id AND r.question_id = s.question_id
            GROUP BY s.user_id, s.question_id, s.reps
           HAVING s.reps <> COUNT(r.id)"""
    )
    problems += [f"user {u} question {q}: reps {reps}, {n} reviews" for u, q, reps, n in drift]
    orphans = {
        "reviews without a schedule": """SELECT COUNT(*) FROM reviews r
            LEFT JOIN review_states s ON s.user_id = r.user_id AND s.question_id = r.question_id
            WHERE s.user_id IS NULL""",
        "battle reviews without a review": """SELECT COUNT(*) FROM battle_reviews b
            LEFT JOIN users u ON u.id = b.user_id WHERE u.id IS NULL""",
        "session items of no session": """SELECT COUNT(*) FROM session_items i
            LEFT JOIN quiz_sessions s ON s.id = i.session_id WHERE s.id IS NULL""",
    }
    for what, sql in orphans.items():
        if count := await one_value(db, sql):
            problems.append(f"{count} {what}")
    problems += await unfinished_work(db)
    return problems


async def unfinished_work(db: Database) -> list[str]:
    """Rows of work queues (the update inbox, the reminders to send: any table with a `done_at`
    column) that are still not done."""
    tables = await db.fetchall(
        """SELECT table_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'done_at'"""
    )
    problems = []
    for (table,) in tables:
        # The table name comes from the catalogue, not from anything a user sent.
        sql = f"SELECT COUNT(*) FROM {table} WHERE done_at IS NULL"
        if left := await one_value(db, sql):
            problems.append(f"{left} rows of {table} not done")
    return problems


async def battle_problems(
    db: Database, taps: BattleTaps, players: list[SandboxUser], posted: list[SandboxMessage]
) -> list[str]:
    """Every battle tap answered once, every answer in the battle's record, points counted once,
    every round asked and revealed in one message, the end posted once, even for a round the
    killed process opened or closed in the database and died before posting."""
    problems: list[str] = []
    if taps.stuck:
        problems.append(f"battle: {taps.stuck}")
    for uid, toast in taps.joins.items():
        if toast != "You're in!":
            problems.append(f"battle: join of {uid} answered {toast!r}")
    if taps.start is None:
        problems.append("battle: the Start tap was never answered")
    row = await db.fetchone("SELECT id, state, finished FROM battles ORDER BY id DESC LIMIT 1")
    if row is None:
        return [*problems, "battle: none stored"]
    state: dict[str, Any] = json.loads(row[1])
    if not row[2]:
        problems.append("battle: not finished")
    played = state["played"]
    if len(played) != ROUNDS:
        problems.append(f"battle: {len(played)} rounds played")
    messages = {
        int(r[0]): r[1]
        for r in await db.fetchall(
            "SELECT round_no, message_id FROM battle_rounds WHERE battle_id = ?", (row[0],)
        )
    }
    points = {p.id: 0 for p in players}
    right = dict.fromkeys(points, 0)
    answered = dict.fromkeys(points, 0)
    for number, play in enumerate(played, start=1):
        given = [answer[0] for answer in play["answers"]]
        if len(given) != len(set(given)):
            problems.append(f"battle round {number}: an answer recorded twice")
        shown = [m for m in posted if first_version(m).startswith(round_title(number))]
        if number not in taps.asked:
            if messages.get(number) is None and not shown:
                problems.append(f"battle round {number}: opened, its message never posted")
            else:
                problems.append(f"battle round {number}: posted, never seen with its buttons")
        else:
            for player in players:
                letter, toast = taps.answers.get((number, player.id), ("", None))
                if toast != f"Locked in: {letter}":
                    problems.append(f"battle round {number}: {player.name}'s tap got {toast!r}")
                elif player.id not in given:
                    problems.append(f"battle round {number}: {player.name}'s answer not recorded")
        asking = {m.message_id for m in shown}
        if len(asking) > 1:
            problems.append(f"battle round {number}: asked in {len(asking)} messages")
        if any(m.buttons for m in shown):
            if play.get("revealed_at"):
                problems.append(f"battle round {number}: closed, its reveal never posted")
            else:
                problems.append(f"battle round {number}: never closed")
        for answer in play["answers"]:
            points[answer[0]] += answer[4]
            right[answer[0]] += int(bool(answer[3]))
            answered[answer[0]] += 1
    if len([m for m in posted if OVER in m.text]) != 1:
        problems.append(
            f"battle: {len([m for m in posted if OVER in m.text])} podiums ({OVER!r}), "
            "where it ends with exactly one"
        )
    table = {
        int(r[0]): (int(r[1]), int(r[2]), int(r[3]), int(r[4]))
        for r in await db.fetchall(
            "SELECT user_id, points, battles, right_answers, answered FROM group_leaderboard"
        )
    }
    for player in players:
        expected = (points[player.id], 1, right[player.id], answered[player.id])
        if table.get(player.id) != expected:
            problems.append(
                f"leaderboard {player.name}: {table.get(player.id)} (points, battles, right, "
                f"answered), the rounds add up to {expected}"
            )
    reviews = await one_value(db, "SELECT COUNT(*) FROM battle_reviews WHERE battle_id = ?", row[0])
    if reviews != sum(answered.values()):
        problems.append(f"battle: {reviews} battle reviews for {sum(answered.values())} answers")
    return problems


async def test_three_processes_one_killed_mid_run_every_tap_reminder_and_point_once(
    schema_url: str, balancer: tuple[SandboxServer, Senders], tmp_path: Path
) -> None:
    sandbox, senders = balancer
    quizzers = [sandbox.user(f"Quizzer {n}", started=True) for n in range(QUIZZERS)]
    reminded = [sandbox.user(f"Reminded {n}", started=True) for n in range(REMINDED)]
    players = [sandbox.user(name) for name in ("Ann", "Ben", "Cat", "Dan")[:PLAYERS]]
    group = sandbox.group("Revision club", members=players, supergroup=True)
    db = await open_database(schema_url)
    cluster = Cluster(sandbox, schema_url, tmp_path)
    crowd = Crowd(sandbox, quizzers, patience=PATIENCE)
    battle_taps = BattleTaps()
    battle: asyncio.Task[None] | None = None
    try:
        await prepare(db, [u.id for u in quizzers], [u.id for u in reminded])
        await cluster.start(PROCESSES)

        # All at once: the battle, the people quizzing, then every reminder falling due.
        battle = asyncio.create_task(play_battle(db, group, players, PATIENCE, battle_taps))
        crowd.start()
        assert await sandbox.wait_until(lambda: crowd.taps >= 2 * QUIZZERS, timeout=30)
        await make_reminders_due(db, [u.id for u in reminded])
        # kill -9 the process sending reminders while it still has some to send (its quiz and
        # battle updates in hand go down with it).
        victim = await kill_a_reminder_sender(cluster, reminded, within=15)
        taps_at_kill = crowd.taps
        await asyncio.sleep(AFTER_KILL)  # the survivors take over under full load
        # Everyone mid-quiz carries on to the end of their session, whatever process had it.
        await crowd.finish()
        try:
            async with asyncio.timeout(PATIENCE * 3):
                await battle
        except TimeoutError:
            battle_taps.stuck = "the battle did not finish"
        except AssertionError as exc:  # a message the players waited for in vain
            battle_taps.stuck = str(exc).splitlines()[0]
        await sandbox.wait_until(
            lambda: all(reminders_of(u) >= 1 for u in reminded), timeout=PATIENCE
        )
        left = PATIENCE
        while left > 0 and await unfinished_work(db):
            await asyncio.sleep(0.2)
            left -= 0.2
        # A clean stop of the survivors: whatever they still had in hand is done, and nothing
        # can arrive after the counts below.
        await cluster.stop()
        survivors = [m for m in cluster.members if m is not victim]
        for member in survivors:
            assert member.process.proc.returncode == 0, f"{member.name} did not stop cleanly"

        problems: list[str] = []
        reviews = {
            int(r[0]): int(r[1])
            for r in await db.fetchall(
                "SELECT user_id, COUNT(*) FROM reviews WHERE session_id IS NOT NULL "
                "GROUP BY user_id"
            )
        }
        transcripts: list[str] = []
        for person in crowd.people:
            seen = check_person(person, senders, victim.name)
            problems += seen.problems
            if seen.problems and len(transcripts) < 2:
                transcripts.append(transcript(person, senders))
            if reviews.get(person.user.id, 0) != seen.answers:
                problems.append(
                    f"{person.user.name}: {reviews.get(person.user.id, 0)} reviews stored "
                    f"for {seen.answers} questions answered"
                )
        unfinished = [p.user.name for p in crowd.people if not session_completed(p)]
        if unfinished:
            problems.append(
                f"{len(unfinished)} of {QUIZZERS} people mid-quiz did not finish their session "
                f"with its summary ({SUMMARY!r}): {', '.join(unfinished[:5])}"
            )
        problems += reminder_problems(reminded, senders, victim.name)
        today = datetime.now(UTC).date().isoformat()
        stamped = await one_value(
            db,
            "SELECT COUNT(*) FROM users WHERE last_remind_day = ? AND next_remind_at > ?",
            today,
            int(time.time()),
        )
        if stamped != REMINDED:
            problems.append(f"{stamped} of {REMINDED} reminders marked sent today")
        if sum(reminders_of(u) for u in quizzers):
            problems.append("a quizzer without a reminder got one")
        posted = group.messages
        posted = [
            m for m in posted if m.message_id not in killed_repeats(posted, senders, victim.name)
        ]
        problems += await battle_problems(db, battle_taps, players, posted)
        problems += await database_problems(db)
        for member in survivors:
            if "Traceback" in member.process.log:
                problems.append(f"{member.name} logged a traceback")
        for member in cluster.members:
            assert not leaks_in(member.process.log), f"the token leaked into {member.name}'s log"

        assert not problems, (
            f"{len(problems)} problems after killing {victim.name} "
            f"({crowd.taps} taps, {taps_at_kill} before the kill):\n  " + "\n  ".join(problems[:40])
        )
    finally:
        await crowd.cancel()
        if battle is not None and not battle.done():
            battle.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await battle
        await cluster.reap()
        await db.close()
