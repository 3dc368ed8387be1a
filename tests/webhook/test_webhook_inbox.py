"""Webhook mode on a shared database: updates stored before their 200, handled once and in order
by several bot instances, and taken over from an instance killed in the middle of one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from bot.storage import inbox
from bot.storage.db import Database, open_database
from tests.e2e.conftest import TOKEN
from tests.e2e.helpers import open_question
from tests.reliability.process import launch
from tests.webhook.conftest import SECRET, HookedBot, free_port, webhook_settings
from tests.webhook.scrape import sample
from tests.webhook.test_webhook_security import handled, start_update

LEASE = 2  # seconds: a killed instance's chats are taken over quickly
# Each command and a piece of text only its reply carries.
COMMANDS = [
    ("/start", "Quizmaster"),
    ("/help", "What I can do"),
    ("/streak", "Current streak"),
    ("/remind", "Daily reminder"),
    ("/timezone", "Your time zone"),
]


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 20.0) -> bool:
    """Whether `check()` comes true within `within` seconds (asked every 50 ms)."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return True
            await asyncio.sleep(0.05)


async def one(db: Database, sql: str, *params: object) -> int:
    """A single number from the database."""
    row = await db.fetchone(sql, params)
    assert row is not None
    return int(row[0] or 0)


async def all_done(db: Database) -> bool:
    """Whether every stored update has been handled."""
    return await inbox.pending_count(db) == 0


@pytest.fixture
async def shared(database_url: str) -> AsyncIterator[Database]:
    """The database the instances share, opened once more for the test to look into."""
    db = await open_database(database_url)
    yield db
    await db.close()


@pytest.fixture
async def instances(
    hooked: SandboxServer, database_url: str, clock: ManualClock, shared: Database
) -> AsyncIterator[list[HookedBot]]:
    """Instances the test starts on the shared database; all stopped at the end."""
    started: list[HookedBot] = []
    yield started
    for instance in started:
        await instance.stop()


async def start_instances(
    count: int, hooked: SandboxServer, database_url: str, clock: ManualClock, into: list[HookedBot]
) -> list[HookedBot]:
    """`count` instances behind the sandbox, which hands updates to them in turn."""
    for _ in range(count):
        instance = HookedBot(webhook_settings(hooked, database_url, LEASE), clock)
        await instance.start()
        into.append(instance)
    # Each registered its own URL (the last one is the webhook); the balancer knows them all.
    hooked.webhook_targets[:] = [
        i.settings.webhook_url
        for i in into
        if i.settings.webhook_url and i.settings.webhook_url != hooked.webhook.url
    ]
    return into


async def test_an_update_is_stored_before_its_200_and_a_redelivery_is_handled_once(
    hooked: SandboxServer, hook: HookedBot
) -> None:
    db = hook.services.db
    assert await hook.post(start_update(41)) == 200
    # The 200 went out after the update was stored: from there it survives the process.
    assert await one(db, "SELECT COUNT(*) FROM inbox WHERE update_id = 41") == 1
    # Telegram did not get that 200 (a network cut) and delivers the update again.
    assert await hook.post(start_update(41)) == 200
    assert await eventually(lambda: all_done(db))
    await hooked.settle(quiet=0.1)
    assert await handled(hook) == 1
    assert await one(db, "SELECT attempts FROM inbox WHERE update_id = 41") == 1


async def test_an_update_the_database_cannot_take_gets_503_and_comes_again(
    hooked: SandboxServer, hook: HookedBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(*args: object) -> bool:
        raise OSError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(inbox, "store", unreachable)
        assert await hook.post(start_update(42)) == 503
    await hooked.settle(quiet=0.1)
    assert await handled(hook) == 0
    _, page = await hook.get("/metrics")
    assert sample(page, "quizmaster_webhook_requests_total", status="503") == 1
    # Telegram tries again, and this time the database answers.
    assert await hook.post(start_update(42)) == 200
    assert await eventually(lambda: all_done(hook.services.db))
    assert await handled(hook) == 1


async def test_three_instances_handle_each_update_once_and_each_chat_in_order(
    hooked: SandboxServer,
    database_url: str,
    clock: ManualClock,
    shared: Database,
    instances: list[HookedBot],
) -> None:
    await start_instances(3, hooked, database_url, clock, instances)
    people = [hooked.user(f"User {n}") for n in range(6)]
    for command, _ in COMMANDS:
        for person in people:
            await person.send(command)
    for person in people:
        await person.wait_for(lambda m: COMMANDS[-1][1] in m.text, timeout=20)
    assert await eventually(lambda: all_done(shared))
    await hooked.settle(quiet=0.2)
    for person in people:
        replies = [m.text for m in person.messages]
        assert len(replies) == len(COMMANDS), (person.name, replies)
        for (command, marker), reply in zip(COMMANDS, replies, strict=True):
            assert marker in reply, (person.name, command, reply)
    total = len(people) * len(COMMANDS)
    assert await one(shared, "SELECT COUNT(*) FROM inbox WHERE attempts = 1") == total
    counts = [await handled(i) for i in instances]
    assert sum(counts) == total
    assert sum(1 for c in counts if c) >= 2  # the balancer spread the work
    assert await one(shared, "SELECT COUNT(*) FROM chat_leases") == 0


async def quiz_tap(hooked: SandboxServer, person: SandboxUser, bot: HookedBot) -> None:
    """The person starts a choice-only quiz and taps the right answer to question 1."""
    await person.send("/start")
    await person.wait_for(lambda m: "Quizmaster" in m.text)
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'choice' WHERE id = ?", (person.id,)
    )
    await person.send("/quiz")
    question = await person.wait_for(lambda m: m.text.startswith("Question 1/") and bool(m.buttons))
    on_screen = await open_question(bot.services, person.id)
    assert on_screen is not None and on_screen.right_label is not None
    assert await person.tap(on_screen.right_label, message=question) == "✅ Right!"
    await person.wait_for(lambda m: m.text.startswith("Question 2/"))


async def test_a_tap_handled_again_after_its_instance_died_before_marking_it_changes_nothing(
    hooked: SandboxServer,
    database_url: str,
    clock: ManualClock,
    shared: Database,
    instances: list[HookedBot],
) -> None:
    (first,) = await start_instances(1, hooked, database_url, clock, instances)
    alice = hooked.user("Alice")
    await quiz_tap(hooked, alice, first)
    assert await eventually(lambda: all_done(shared))
    await hooked.settle(quiet=0.1)
    shown = len(alice.messages)
    # The instance handled the tap and died before its row was marked done: the row is pending
    # again, with no live lease, and another instance takes it over.
    tap = await one(
        shared, "SELECT MAX(update_id) FROM inbox WHERE payload LIKE ?", '%"callback_query"%'
    )
    await first.stop()
    instances.remove(first)
    await shared.execute("UPDATE inbox SET done_at = NULL WHERE update_id = ?", (tap,))
    (second,) = await start_instances(1, hooked, database_url, clock, instances)
    assert await eventually(lambda: all_done(shared))
    await hooked.settle(quiet=0.2)
    assert await one(shared, "SELECT attempts FROM inbox WHERE update_id = ?", tap) == 2
    _, page = await second.get("/metrics")
    assert sample(page, "quizmaster_inbox_handled_again_total") == 1
    # Handled twice, seen once: one review, no message sent or edited again.
    assert await one(shared, "SELECT COUNT(*) FROM reviews WHERE user_id = ?", alice.id) == 1
    assert len(alice.messages) == shown
    assert [len(m.edits) for m in alice.messages if m.text.startswith("Question 1/")] == [1]


async def test_an_update_stored_by_a_process_killed_mid_handling_is_handled_by_another(
    hooked: SandboxServer,
    database_url: str,
    clock: ManualClock,
    shared: Database,
    instances: list[HookedBot],
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    log_path = tmp_path / "victim.log"
    victim = (
        await launch(
            log_path,
            "--webhook",
            BOT_TOKEN=TOKEN,
            BOT_API_URL=hooked.base_url,
            DATABASE_URL=database_url,
            LOG_LEVEL="DEBUG",
            WEBHOOK_URL=url,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN=f"127.0.0.1:{port}",
            INBOX_LEASE_SECONDS=str(LEASE),
        )
    ).proc
    try:
        assert await hooked.wait_until(lambda: hooked.webhook.url == url, timeout=30)
        # Its reply hangs at the Bot API, so the process dies in the middle of the update.
        stall = hooked.faults.delay("sendMessage", 60)
        alice = hooked.user("Alice")
        await alice.send("/start")

        async def begun() -> bool:
            # Killed only once its reply is stalled at the Bot API: before that, the kill would
            # land while /start still reads (a newcomer's catalogue), not mid-send.
            leased = await one(shared, "SELECT COUNT(*) FROM inbox WHERE attempts = 1") == 1
            return leased and stall not in hooked.faults.rules

        assert await eventually(begun)
        victim.kill()  # SIGKILL: no cleanup, its chat lease left to expire
        await victim.wait()
    finally:
        if victim.returncode is None:
            victim.kill()
            await victim.wait()
    assert await inbox.pending_count(shared) == 1
    (survivor,) = await start_instances(1, hooked, database_url, clock, instances)
    welcome = await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=20)
    assert "Hi Alice" in welcome.text
    assert await eventually(lambda: all_done(shared))
    # Once: the dead process's stalled send has no effect (its connection is gone).
    assert [m.text for m in alice.messages] == [welcome.text]
    assert await one(shared, "SELECT attempts FROM inbox") == 2
    _, page = await survivor.get("/metrics")
    assert sample(page, "quizmaster_inbox_handled_again_total") == 1
    assert SECRET not in log_path.read_text(encoding="utf-8", errors="replace")
