"""/settings end to end: every button stores its choice, and the next /quiz obeys it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cards.formats import read_deck_file
from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.core.learning_days import LearningDays
from bot.core.scheduling import Grade, review
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from bot.storage.decks import sync_deck
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import shown_question


async def open_settings(user: SandboxUser) -> None:
    await user.send("/settings")
    await user.wait_for(lambda m: "⚙️ Settings" in m.text and bool(m.buttons))


async def choose(user: SandboxUser, section: str, label: str) -> str:
    """Open a section of the menu and tap a choice; returns the confirmation text."""
    await open_settings(user)
    menu = user.messages[-1]
    await user.tap(section, message=menu)
    await user.wait_for(lambda m: m.message_id == menu.message_id and "« Back" in m.labels)
    toast = await user.tap(label, message=menu)
    assert toast.startswith("Saved: ")
    edited = await user.wait_for(lambda m: m.message_id == menu.message_id and "Saved" in m.text)
    assert "Questions per session" in edited.labels[0]  # back on the main menu, edited in place
    return edited.text


QUALITY = Path(__file__).resolve().parents[1] / "fixtures" / "quality"


async def study_a_big_deck(bot: RunningBot, user: SandboxUser, clock: ManualClock) -> None:
    """Make a 30-card deck of every kind of question the user's active one (the bundled deck has
    9 cards, and a session asks one question per card)."""
    deck = read_deck_file(QUALITY / "history-questions.txt")
    deck_id = await sync_deck(bot.services.db, deck, "history", None, int(clock.now().timestamp()))
    await user.send("/start")
    await user.wait_for(lambda m: "Quizmaster" in m.text)
    await bot.services.db.execute(
        "UPDATE users SET active_deck_id = ? WHERE id = ?", (deck_id, user.id)
    )


async def answer_easy(bot: RunningBot, user: SandboxUser) -> None:
    """Start a quiz and grade its first (self-graded) question Easy."""
    await user.send("/quiz")
    await shown_question(bot.services, user.id)
    await user.tap("Show answer")
    await user.wait_for(lambda m: any(x.startswith("Easy") for x in m.labels))
    await user.tap("Easy")
    await user.wait_for(lambda m: m.text.startswith("Question 2/"))


async def setting(bot: RunningBot, user: SandboxUser, column: str) -> object:
    row = await bot.services.db.fetchone(f"SELECT {column} FROM users WHERE id = ?", (user.id,))
    assert row is not None
    return row[0]


async def quiz_size(user: SandboxUser) -> int:
    """Send /quiz and read N from 'Question 1/N'."""
    sent = await user.send("/quiz")
    first = await user.wait_for(lambda m: m.text.startswith("Question 1/"), since=sent)
    return int(first.text.split("/", 1)[1].split()[0])


@pytest.mark.parametrize("size", [5, 10, 20])
async def test_questions_per_session(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock, size: int
) -> None:
    alice = sandbox.user("Alice")
    await study_a_big_deck(bot, alice, clock)
    await alice.send("/quiz")  # an open session with the old size is replaced
    await alice.wait_for(lambda m: m.text.startswith("Question 1/10"))
    await choose(alice, "New per day", "50")  # so the new-question allowance is not the limit
    text = await choose(alice, "Questions per session", str(size))
    assert f"Saved — Questions per session: {size}" in text
    assert await setting(bot, alice, "session_size") == size
    assert await quiz_size(alice) == size


@pytest.mark.parametrize(("new", "expected"), [(5, 5), (10, 10), (20, 20), (50, 20)])
async def test_new_cards_per_day(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock, new: int, expected: int
) -> None:
    alice = sandbox.user("Alice")
    await study_a_big_deck(bot, alice, clock)
    await choose(alice, "Questions per session", "20")
    await choose(alice, "New per day", str(new))
    assert await setting(bot, alice, "new_per_day") == new
    # a fresh user has only new cards: the session holds as many as the day allows
    assert await quiz_size(alice) == expected


async def test_no_new_questions_per_day(sandbox: SandboxServer, bot: RunningBot) -> None:
    alice = sandbox.user("Alice")
    await choose(alice, "New per day", "0")
    assert await setting(bot, alice, "new_per_day") == 0
    sent = await alice.send("/quiz")
    reply = await alice.wait_for(lambda m: True, since=sent)
    assert not reply.text.startswith("Question")
    assert "new" in reply.text.lower()


MIX_KINDS = {
    "mixed": {"recall", "choice", "identify", "cloze", "typed"},
    "choice": {"choice", "identify", "cloze"},
    "typed": {"typed", "cloze"},
    "selfgraded": {"recall"},
}


@pytest.mark.parametrize(
    ("label", "mix"),
    [
        ("Mixed", "mixed"),
        ("Choice only", "choice"),
        ("Typed only", "typed"),
        ("Self-graded only", "selfgraded"),
    ],
)
async def test_question_mix(sandbox: SandboxServer, bot: RunningBot, label: str, mix: str) -> None:
    alice = sandbox.user("Alice")
    if mix == "mixed":
        await choose(alice, "Question mix", "Choice only")  # away from the default, and back
    await choose(alice, "Question mix", label)
    assert await setting(bot, alice, "question_mix") == mix
    await quiz_size(alice)
    rows = await bot.services.db.fetchall(
        """SELECT q.kind FROM quiz_sessions s JOIN session_items i ON i.session_id = s.id
             JOIN questions q ON q.id = i.question_id
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (alice.id,),
    )
    kinds = {r[0] for r in rows}
    assert kinds and kinds <= MIX_KINDS[mix]


@pytest.mark.parametrize("percent", [80, 85, 90, 95])
async def test_desired_retention_reaches_fsrs(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock, percent: int
) -> None:
    alice = sandbox.user("Alice")
    await choose(alice, "Question mix", "Self-graded only")
    text = await choose(alice, "Retention", f"{percent}%")
    assert f"Retention: {percent}%" in text
    assert await setting(bot, alice, "desired_retention") == percent / 100
    await answer_easy(bot, alice)
    row = await bot.services.db.fetchone(
        "SELECT due - reviewed_at FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert row is not None
    days = LearningDays.of("UTC")  # Alice's zone and day start, both as they come
    expected = review(None, Grade.EASY, clock.now(), percent / 100, fuzz=False, days=days)
    assert row[0] == int((expected.due - clock.now()).total_seconds())
    other = 0.9 if percent != 90 else 0.8
    assert row[0] != int(
        (
            review(None, Grade.EASY, clock.now(), other, fuzz=False, days=days).due - clock.now()
        ).total_seconds()
    )


async def test_the_new_day_hour_sets_when_answers_fall_due_and_which_day_they_count_for(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await choose(alice, "Question mix", "Self-graded only")
    text = await choose(alice, "🌅 New day at", "06:00")
    assert "New day at: 06:00" in text
    assert await setting(bot, alice, "day_start_hour") == 6
    # 05:30 in Alice's zone (UTC): still the day before, for her streak and her schedule.
    clock.set(datetime(2026, 3, 3, 5, 30, tzinfo=UTC))
    await answer_easy(bot, alice)
    row = await bot.services.db.fetchone(
        "SELECT local_day, due FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert row is not None and row[0] == "2026-03-02"
    due = datetime.fromtimestamp(row[1], UTC)
    # Due from the start of its due day (06:00), a whole number of days after 2 March's start.
    assert (due.hour, due.minute) == (6, 0)
    assert (due - datetime(2026, 3, 2, 6, 0, tzinfo=UTC)).total_seconds() % 86400 == 0
    assert (await bot.services.users.touch(alice.id, "Alice")).streak_last_day == date(2026, 3, 2)


async def test_active_deck_lists_bundled_and_own_decks(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    for user in (alice, bob):
        await user.send("/start")
        await user.wait_for(lambda m: "Quizmaster" in m.text)
    now = int(clock.now().timestamp())
    deck = Deck(
        "Capitals", (Card("France", "Paris"), Card("Peru", "Lima"), Card("Chad", "N'Djamena"))
    )
    own = await sync_deck(bot.services.db, deck, "capitals", alice.id, now)
    bobs = await sync_deck(bot.services.db, Deck("Bob's", deck.cards), "bobs", bob.id, now)
    await open_settings(alice)
    menu = alice.messages[-1]
    await alice.tap("Deck", message=menu)
    page = await alice.wait_for(
        lambda m: m.message_id == menu.message_id and "Capitals" in m.labels
    )
    assert "Bob's" not in page.labels
    assert any(label.startswith("✓ ") for label in page.labels)  # the bundled deck, active now
    await alice.tap("Capitals", message=menu)
    await alice.wait_for(lambda m: m.message_id == menu.message_id and "Deck: Capitals" in m.text)
    assert await setting(bot, alice, "active_deck_id") == own
    sent = await alice.send("/quiz")
    first = await alice.wait_for(lambda m: m.text.startswith("Question 1/"), since=sent)
    assert "Capitals" in first.text
    # someone else's deck, forged into the button data, is refused and changes nothing
    toast = await alice.tap_data(menu, f"m:settings:set.deck.{bobs}")
    assert toast == "That choice is no longer on offer"
    assert await setting(bot, alice, "active_deck_id") == own


async def test_time_zone_and_reminder_point_to_their_commands(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await open_settings(alice)
    menu = alice.messages[-1]
    await alice.tap("Time zone", message=menu)
    page = await alice.wait_for(lambda m: m.message_id == menu.message_id and "/timezone" in m.text)
    assert "Now: UTC" in page.text
    await alice.tap("« Back", message=menu)
    await alice.wait_for(lambda m: m.message_id == menu.message_id and "⚙️ Settings" in m.text)
    await alice.tap("Reminder", message=menu)
    await alice.wait_for(lambda m: m.message_id == menu.message_id and "/remind 18:30" in m.text)


@pytest.mark.parametrize(
    "data",
    [
        "m:settings:set.size.7",
        "m:settings:set.ret.99",
        "m:settings:set.mix.all",
        "m:settings:bogus",
        "m:settings",
        "m:settings:set.new.00000000000000000005",
    ],
)
async def test_forged_settings_buttons_are_refused(
    sandbox: SandboxServer, bot: RunningBot, data: str
) -> None:
    alice = sandbox.user("Alice")
    await open_settings(alice)
    before = [
        await setting(bot, alice, c)
        for c in ("session_size", "new_per_day", "question_mix", "desired_retention")
    ]
    toast = await alice.tap_data(alice.messages[-1], data)
    assert toast in ("That choice is no longer on offer", "This button no longer works")
    after = [
        await setting(bot, alice, c)
        for c in ("session_size", "new_per_day", "question_mix", "desired_retention")
    ]
    assert after == before


async def test_settings_in_a_group_point_to_the_private_chat(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    group = sandbox.group("Study club", members=[alice])
    await alice.send("/settings", chat=group)
    reply = await group.wait_for(lambda m: "private chat" in m.text)
    # No menu in the group: only the link that opens it in the private chat.
    assert reply.urls == {"Open a private chat": "https://t.me/quizmaster_bot?start=settings"}
    assert reply.labels == ["Open a private chat"]
