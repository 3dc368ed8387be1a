"""Reminders and time zones end to end: the real bot, the sandbox over HTTP, the sweep by hand.

The sandbox runs on a virtual clock that moves only when the paced sender sleeps, and only once
every request already sent has landed, so the sandbox's per-second records are exact and the
tests run in compressed time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.broadcast import BroadcastSender
from bot.clock import ManualClock
from bot.handlers.reminder_sweep import sweep_reminders
from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from tests.conftest import T0
from tests.e2e.conftest import TOKEN, RunningBot
from tests.e2e.helpers import answer

REMINDER = "Time for your daily review"
EVENING = datetime(2026, 3, 2, 18, 30, 30, tzinfo=UTC)  # 18:30 in London (UTC+0 in March)


class VirtualTime:
    """The sandbox's clock and the sender's monotonic time: seconds pass only in `sleep`."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.seconds = 0.0
        self.sender: BroadcastSender | None = None

    def now(self) -> datetime:
        """What the sandbox stamps on messages and rate records."""
        return self.start + timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        """The sender's pacing clock."""
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        """Let every request in flight land at the current instant, then jump ahead."""
        while self.sender is not None and self.sender.in_flight:  # noqa: ASYNC110 - a counter
            await asyncio.sleep(0.001)
        self.seconds += seconds


@pytest.fixture
def vtime() -> VirtualTime:
    return VirtualTime(T0)


@pytest.fixture
async def sandbox(vtime: VirtualTime) -> AsyncIterator[SandboxServer]:
    """The sandbox on the virtual clock."""
    server = SandboxServer(token=TOKEN, clock=vtime)
    await server.start()
    yield server
    await server.stop()


def paced_sender(bot: RunningBot, vtime: VirtualTime) -> BroadcastSender:
    """Give the running bot a sender on virtual time (again after each restart)."""
    sender = BroadcastSender(bot.app.bot, monotonic=vtime.monotonic, sleep=vtime.sleep)
    vtime.sender = sender
    bot.app.bot_data.reminder_sender = sender
    return sender


async def say(user: SandboxUser, text: str, expect: str) -> SandboxMessage:
    """Send a command and wait for the bot's answer containing `expect`."""
    last = user.messages[-1].message_id if user.messages else 0
    await user.send(text)
    return await user.wait_for(lambda m: expect in m.text, since=last)


async def with_streak_at_stake(bot: RunningBot, user: SandboxUser, days: int = 3) -> None:
    """The user studied every day up to yesterday (arranged in the database)."""
    await bot.services.db.execute(
        "UPDATE users SET streak_current = ?, streak_best = ?, streak_last_day = '2026-03-01' "
        "WHERE id = ?",
        (days, days, user.id),
    )


def reminders_for(user: SandboxUser) -> list[SandboxMessage]:
    return [m for m in user.messages if REMINDER in m.text]


async def evening_reminder(sandbox: SandboxServer, bot: RunningBot) -> SandboxUser:
    """Alice sets London and 18:30, has a 3-day streak at stake, and it is now 18:30."""
    alice = sandbox.user("Alice")
    await say(alice, "/timezone london", "Time zone set: Europe/London")
    confirmed = await say(alice, "/remind 18:30", "every day at")
    assert "<b>18:30</b>" in confirmed.html
    await with_streak_at_stake(bot, alice)
    clock: ManualClock = bot.clock
    clock.set(EVENING)
    return alice


async def test_a_reminder_arrives_once_with_the_streak_and_a_start_button(
    sandbox: SandboxServer, bot: RunningBot, vtime: VirtualTime
) -> None:
    alice = await evening_reminder(sandbox, bot)
    paced_sender(bot, vtime)
    clock: ManualClock = bot.clock
    clock.set(EVENING - timedelta(minutes=1))
    await sweep_reminders(bot.app)
    assert reminders_for(alice) == []
    clock.set(EVENING)
    await sweep_reminders(bot.app)
    await sweep_reminders(bot.app)
    (reminder,) = reminders_for(alice)
    assert reminder.text == (
        "⏰ Time for your daily review!\n🔥 Your 3-day streak is at stake — study today to keep it."
    )
    assert reminder.labels == ["▶️ Start quiz"]
    await alice.tap("Start quiz", message=reminder)
    await alice.wait_for(lambda m: m.text.startswith("Question 1/"))
    clock.advance(timedelta(hours=12))  # later the same local day: still only one
    await sweep_reminders(bot.app)
    assert len(reminders_for(alice)) == 1


async def test_someone_who_studied_today_gets_no_reminder(
    sandbox: SandboxServer, bot: RunningBot, vtime: VirtualTime
) -> None:
    alice = await evening_reminder(sandbox, bot)
    await bot.services.db.execute(
        "UPDATE users SET streak_last_day = '2026-03-02' WHERE id = ?", (alice.id,)
    )
    paced_sender(bot, vtime)
    await sweep_reminders(bot.app)
    assert reminders_for(alice) == []
    setting = await bot.services.reminders.current(alice.id)
    assert setting.next_at == datetime(2026, 3, 3, 18, 30, tzinfo=UTC)


async def test_a_user_who_blocked_the_bot_is_turned_off_until_they_come_back(
    sandbox: SandboxServer, bot: RunningBot, vtime: VirtualTime
) -> None:
    alice = await evening_reminder(sandbox, bot)
    alice.block_bot()
    sender = paced_sender(bot, vtime)
    await sweep_reminders(bot.app)
    assert sender.stats.blocked == 1 and sender.stats.sent == 0
    row = await bot.services.db.fetchone(
        "SELECT active, remind_time, next_remind_at FROM users WHERE id = ?", (alice.id,)
    )
    assert row is not None and tuple(row) == (0, None, None)
    clock: ManualClock = bot.clock
    clock.advance(timedelta(days=1))  # no retry the next day
    await sweep_reminders(bot.app)
    assert sandbox.calls["sendMessage"] == 3  # the two confirmations, and the refused one
    alice.unblock_bot()
    shown = await say(alice, "/remind", "Daily reminder")
    assert "<b>off</b>" in shown.html
    active = await bot.services.db.fetchone("SELECT active FROM users WHERE id = ?", (alice.id,))
    assert active is not None and active[0] == 1


async def test_a_429_pauses_the_sender_and_the_reminder_still_arrives_exactly_once(
    sandbox: SandboxServer, bot: RunningBot, vtime: VirtualTime
) -> None:
    alice = await evening_reminder(sandbox, bot)
    sender = paced_sender(bot, vtime)
    sandbox.faults.error("sendMessage", 429, retry_after=7)
    refused_at = vtime.now()
    await sweep_reminders(bot.app)
    (reminder,) = reminders_for(alice)
    assert sender.stats.retry_after == 1 and sender.stats.sent == 1
    assert reminder.date >= (refused_at + timedelta(seconds=7)).replace(microsecond=0)


async def test_a_restart_between_sweeps_sends_nothing_twice(
    sandbox: SandboxServer, bot: RunningBot, vtime: VirtualTime
) -> None:
    alice = await evening_reminder(sandbox, bot)
    clock: ManualClock = bot.clock
    clock.set(T0)
    bob = sandbox.user("Bob")
    await say(bob, "/timezone london", "Time zone set")
    await say(bob, "/remind 18:30", "every day at")
    await with_streak_at_stake(bot, bob)
    clock.set(EVENING)
    paced_sender(bot, vtime)
    await sweep_reminders(bot.app)
    assert len(reminders_for(alice)) == len(reminders_for(bob)) == 1
    await bot.restart()
    paced_sender(bot, vtime)
    await sweep_reminders(bot.app)
    assert len(reminders_for(alice)) == len(reminders_for(bob)) == 1


async def test_a_crash_after_the_claim_still_sends_the_reminder_once(
    sandbox: SandboxServer, bot: RunningBot, vtime: VirtualTime
) -> None:
    alice = await evening_reminder(sandbox, bot)
    # The sweep claimed its batch, then the process died before sending (kill -9).
    plan = await bot.services.reminders.plan_batch()
    assert [s.user_id for s in plan.sends] == [alice.id]
    await bot.restart()
    paced_sender(bot, vtime)
    await sweep_reminders(bot.app)
    # The claim queued the reminder in its own transaction: the next sweep sends it, once.
    assert len(reminders_for(alice)) == 1
    await sweep_reminders(bot.app)
    assert len(reminders_for(alice)) == 1


async def test_a_broadcast_never_puts_more_than_30_messages_in_any_second(
    sandbox: SandboxServer, bot: RunningBot, vtime: VirtualTime
) -> None:
    sandbox.enforce_limits = True  # anything over Telegram's limits would get a 429
    people = [sandbox.user(f"User {n}", started=True) for n in range(95)]
    due = int(EVENING.timestamp()) - 30
    for person in people:
        await bot.services.db.execute(
            "INSERT INTO users (id, first_name, created_at, remind_time, next_remind_at, "
            "streak_current, streak_best, streak_last_day) "
            "VALUES (?, ?, ?, '18:30', ?, 2, 2, '2026-03-01')",
            (person.id, person.name, due, due),
        )
    clock: ManualClock = bot.clock
    clock.set(EVENING)
    sender = paced_sender(bot, vtime)
    await sweep_reminders(bot.app)
    assert [len(reminders_for(p)) for p in people] == [1] * 95
    assert sender.stats.retry_after == 0
    assert sandbox.rate_violations() == []
    starts = sorted(r.at for r in sandbox.rates.records if r.kind == "message")
    busiest = max(
        sum(1 for t in starts[i:] if t < start + timedelta(seconds=1))
        for i, start in enumerate(starts)
    )
    assert busiest == 30  # at the limit, never over it
    assert vtime.seconds >= 3.0  # 95 messages need at least four one-second windows


async def test_the_first_finished_quiz_offers_a_reminder_once(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await say(alice, "/start", "Quizmaster")
    await bot.services.db.execute("UPDATE users SET session_size = 1 WHERE id = ?", (alice.id,))
    for _ in range(2):
        await alice.send("/quiz")
        await answer(alice, bot.services, right=True)
        await alice.wait_for(lambda m: "Session complete" in m.text)
        await sandbox.settle(quiet=0.1)
    offers = [m for m in alice.messages if "Remind me every day at this time" in m.text]
    assert len(offers) == 1
    assert "<b>09:00</b>" in offers[0].html and "/timezone" in offers[0].text
    await alice.tap("Yes, remind me", message=offers[0])
    confirmed = await alice.wait_for(lambda m: m.message_id == offers[0].message_id and m.edited)
    assert "every day at 09:00" in confirmed.text
    assert (await bot.services.reminders.current(alice.id)).remind_time == "09:00"


async def test_time_zone_buttons_and_reminder_presets(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    choices = await say(alice, "/timezone valencia", "Which one is yours?")
    assert len(choices.labels) == 5
    await alice.tap("Europe/Madrid", message=choices)
    await alice.wait_for(lambda m: m.message_id == choices.message_id and "Madrid" in m.text)
    shown = await say(alice, "/timezone", "Your time zone")
    assert "Europe/Madrid (UTC+01:00), where it is now 10:00" in shown.text
    setting = await say(alice, "/remind", "Daily reminder")
    await alice.tap("21:00", message=setting)
    await alice.wait_for(lambda m: m.message_id == setting.message_id and "21:00" in m.text)
    assert (await bot.services.reminders.current(alice.id)).next_at == datetime(
        2026, 3, 2, 20, 0, tzinfo=UTC
    )
    again = await say(alice, "/remind", "Daily reminder at")
    await alice.tap("Off", message=again)
    await alice.wait_for(lambda m: m.message_id == again.message_id and "off" in m.text)
    assert (await bot.services.reminders.current(alice.id)).remind_time is None
    toast = await alice.tap_data(again, "m:tz:Mars/Olympus_Mons")
    assert toast == "This button no longer works"
    toast = await alice.tap_data(again, "m:remind:2599")
    assert toast == "This button no longer works"


BAD_ARGUMENTS = [
    ("/remind 25:00", "I could not read that as a time of day"),
    ("/remind soon", "I could not read that as a time of day"),
    ("/remind 6:30xm", "I could not read that as a time of day"),
    ("/remind " + "9" * 30, "I could not read that as a time of day"),
    ("/timezone +15", "That offset does not exist on Earth"),
    ("/timezone Qwxzyv", "I could not find that place"),
    ("/timezone " + "x" * 70, "That is too long for a time zone"),
]


async def test_every_bad_argument_gets_one_friendly_line(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    for command, expected in BAD_ARGUMENTS:
        before = len(alice.messages)
        reply = await say(alice, command, expected)
        await sandbox.settle(quiet=0.05)
        assert len(alice.messages) == before + 1, command
        assert "\n" not in reply.text, command
    assert (await bot.services.reminders.current(alice.id)).remind_time is None


async def test_reminders_and_time_zones_are_set_in_private(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    group = sandbox.group("Study group", members=[alice])
    await alice.send("/remind 18:30", chat=group)
    await group.wait_for(lambda m: "private chat" in m.text)
    await alice.send("/timezone london", chat=group)
    await group.wait_for(lambda m: "/timezone there" in m.text)
