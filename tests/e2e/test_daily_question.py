"""A week of daily group questions under a hand-wound clock: quiz polls posted at the group's
local time, three members answering, each poll closed with its first right answerer, the weekly
table crowning the best, and restarts that neither skip nor double a day."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.core import daily as core
from bot.handlers.daily import sweep_daily
from bot.sandbox.api_polls import vote
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import StoredMessage
from tests.e2e.conftest import RunningBot

pytestmark = pytest.mark.telegram_limits

# Monday 2 March 2026; Berlin is UTC+1 then: 19:00 there is 18:00 UTC.
MONDAY_POST = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def polls(group: SandboxChat) -> list[StoredMessage]:
    """The bot's polls in the group, oldest first."""
    return [m for m in group.record.messages.values() if m.poll is not None]


def questions(group: SandboxChat) -> list[StoredMessage]:
    """The bot's questions of the day in the group, as polls or with buttons, oldest first."""
    return [
        m
        for m in group.record.messages.values()
        if m.poll is not None or (m.text is not None and "❓ Question of the day" in m.text.text)
    ]


def texts(group: SandboxChat) -> list[str]:
    """The text of every message the bot sent to the group, oldest first."""
    return [m.text for m in group.messages if m.from_bot and m.text]


async def sweep(sandbox: SandboxServer, bot: RunningBot) -> None:
    """What the periodic sweep does, once."""
    await sweep_daily(bot.app)
    await sandbox.settle()


async def answers(bot: RunningBot) -> int:
    """How many daily answers are stored."""
    row = await bot.services.db.fetchone("SELECT COUNT(*) FROM daily_answers")
    assert row is not None
    return int(row[0])


async def answer(
    sandbox: SandboxServer,
    bot: RunningBot,
    clock: ManualClock,
    user: SandboxUser,
    poll: StoredMessage,
    right: bool,
    group: SandboxChat,
) -> None:
    """A member votes (or taps a letter) a second after the previous answer and the bot stores
    it."""
    clock.advance(timedelta(seconds=1))
    before = await answers(bot)
    if poll.poll is None:  # too long for a poll: asked with buttons
        row = await bot.services.db.fetchone(
            "SELECT right_index, options FROM daily_questions WHERE message_id = ?",
            (poll.message_id,),
        )
        assert row is not None
        choice = int(row[0]) if right else (int(row[0]) + 1) % len(json.loads(row[1]))
        assert poll.reply_markup is not None
        label = poll.reply_markup["inline_keyboard"][choice][0]["text"]
        assert await user.tap(label, chat=group, message=poll.message_id) == "Locked in"
        other = poll.reply_markup["inline_keyboard"][(choice + 1) % 2][0]["text"]
        again = await user.tap(other, chat=group, message=poll.message_id)
        assert again == "You already answered"
        return
    correct = poll.poll["correct_option_ids"][0]
    choice = correct if right else (correct + 1) % len(poll.poll["options"])
    vote(sandbox, user.record, poll.poll["id"], [choice])
    for _ in range(100):
        if await answers(bot) > before:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{user.name}'s answer was not stored")


async def test_a_week_of_daily_questions_with_closes_a_weekly_table_and_restarts(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, bob, carol, dana = (sandbox.user(n) for n in ("Alice", "Bob", "Carol", "Dana"))
    group = sandbox.group("Quiz club", members=[alice, bob, carol], admins=[dana])
    await alice.send("/start")  # Alice studies with the bot too; Bob and Carol never wrote to it
    await dana.send("/timezone Europe/Berlin")
    await dana.wait_for(lambda m: "Europe/Berlin" in m.text)

    # A member cannot turn it on; the admin can, and the group takes her time zone.
    sent = await alice.send("/dailyq 19:00", chat=group)
    refused = await group.wait_for(lambda m: "Only the group's admins" in m.text, since=sent)
    assert refused.from_bot
    sent = await dana.send("/dailyq 19:00", chat=group)
    on = await group.wait_for(lambda m: "Daily question: every day" in m.text, since=sent)
    assert "19:00" in on.text and "Europe/Berlin" in on.text and "12 hours" in on.text
    assert "takes yours" in on.text

    # Before 19:00 nothing is posted.
    clock.set(MONDAY_POST - timedelta(minutes=1))
    await sweep(sandbox, bot)
    assert polls(group) == []

    firsts = [alice, alice, alice, alice, alice, bob, bob]
    for day in range(7):
        if day == 5:
            await bot.restart()  # a restart before the day's post: the day still comes, once
        clock.set(MONDAY_POST + timedelta(days=day))
        await sweep(sandbox, bot)
        if day == 2:
            await sweep(sandbox, bot)  # a second sweep at the same moment posts nothing more
        assert len(questions(group)) == day + 1
        poll = questions(group)[-1]
        if poll.poll is not None:
            assert poll.poll["type"] == "quiz" and poll.poll["is_anonymous"] is False
            assert 2 <= len(poll.poll["options"]) <= 10
        first = firsts[day]
        second = bob if first is alice else alice
        await answer(sandbox, bot, clock, first, poll, right=True, group=group)
        if day == 3:
            # A restart with the poll open: no second poll that day, and votes still count.
            await bot.restart()
            await sweep(sandbox, bot)
            assert len(questions(group)) == day + 1
        await answer(sandbox, bot, clock, second, poll, right=True, group=group)
        await answer(sandbox, bot, clock, carol, poll, right=False, group=group)
        if day == 1:
            sent = await carol.send("/dailyq top", chat=group)
            top = await group.wait_for(lambda m: "This week so far" in m.text, since=sent)
            assert "1. Alice — 2 right · 2 first" in top.text
            assert "3. Carol — 0 right · 0 first" in top.text

        # Twelve hours later the poll closes and the first right answerer is named.
        clock.set(MONDAY_POST + timedelta(days=day, hours=12))
        await sweep(sandbox, bot)
        assert poll.poll is None or poll.poll["is_closed"] is True
        close = next(m for m in group.messages if m.reply_to == poll.message_id)
        assert f"First right answer: {first.name}" in close.text
        assert "2 of 3 answers right" in close.text

    # The next Monday: last week's table first, then the new question.
    before = len(texts(group))
    clock.set(MONDAY_POST + timedelta(days=7))
    await sweep(sandbox, bot)
    new = texts(group)[before:]
    (table,) = [t for t in new if "The week of" in t]
    assert new.index(table) == 0  # the table comes before the week's first question
    assert "1. Alice — 7 right · 5 first" in table
    assert "2. Bob — 7 right · 2 first" in table
    assert "3. Carol — 0 right · 0 first" in table
    assert "Best of the week: Alice" in table
    assert len(questions(group)) == 8
    # A question too long for a poll (over 300 characters) is asked with buttons instead.
    # (answered by tapping a letter, once: see `answer`)
    assert any(m.poll is None for m in questions(group))
    days = await bot.services.db.fetchall(
        "SELECT day FROM daily_questions WHERE chat_id = ? ORDER BY day", (group.id,)
    )
    assert [r[0] for r in days] == [f"2026-03-{d:02d}" for d in range(2, 10)]

    # Alice's answers are reviews in her own schedule (the bundled deck); Bob never used the bot.
    reviewed = await bot.services.db.fetchall(
        "SELECT user_id, COUNT(*) FROM reviews GROUP BY user_id ORDER BY user_id"
    )
    assert [(int(r[0]), int(r[1])) for r in reviewed] == [(alice.id, 7)]

    # Off: no more questions.
    sent = await dana.send("/dailyq off", chat=group)
    await group.wait_for(lambda m: "No daily question" in m.text, since=sent)
    clock.set(MONDAY_POST + timedelta(days=8))
    await sweep(sandbox, bot)
    clock.set(MONDAY_POST + timedelta(days=8, hours=12))
    await sweep(sandbox, bot)
    assert len(questions(group)) == 8


async def test_a_month_of_questions_never_repeats_a_card_within_eight_days_nor_leaks_an_answer(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    dana = sandbox.user("Dana")
    group = sandbox.group("Quiz club", members=[], admins=[dana])
    clock.set(MONDAY_POST - timedelta(hours=1))
    sent = await dana.send("/dailyq 18:00", chat=group)
    await group.wait_for(lambda m: "Daily question: every day" in m.text, since=sent)
    for day in range(31):
        clock.set(MONDAY_POST + timedelta(days=day))
        await sweep(sandbox, bot)
        clock.set(MONDAY_POST + timedelta(days=day, hours=12))
        await sweep(sandbox, bot)

    rows = await bot.services.db.fetchall(
        """SELECT d.day, q.card_id, d.prompt, d.options, d.right_index FROM daily_questions d
             JOIN questions q ON q.id = d.question_id
            WHERE d.chat_id = ? ORDER BY d.day""",
        (group.id,),
    )
    assert len(rows) == 31
    cards = await bot.services.db.fetchone(
        "SELECT COUNT(DISTINCT card_id) FROM questions WHERE id IN "
        "(SELECT question_id FROM daily_questions)"
    )
    assert cards is not None and int(cards[0]) == 9  # every card of the 9-card deck came up
    asked = [(date.fromisoformat(r[0]), int(r[1]), str(r[2]), json.loads(r[3])[r[4]]) for r in rows]
    # Every question as the group saw it was posted (poll or buttons).
    shown = " ".join(
        [m.poll["question"] for m in polls(group) if m.poll is not None] + texts(group)
    )
    for on, card, prompt, answer in asked:
        assert " ".join(prompt.split())[:40] in " ".join(shown.split())
        # No card twice within 8 days.
        again = [d for d, c, _p, _a in asked if c == card and on < d <= on + timedelta(days=8)]
        assert again == [], f"card {card} asked on {on} and again on {again}"
        # No answer printed in a question asked earlier in the same week.
        monday = on - timedelta(days=on.weekday())
        for earlier, _c, text, _a in asked:
            if monday <= earlier < on:
                assert not core.leaks(answer, text), f"{on}'s answer {answer!r} was in {text!r}"


async def test_dailyq_says_what_is_wrong_and_says_things_once(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    dana = sandbox.user("Dana")
    group = sandbox.group("Quiz club", members=[], admins=[dana])
    sent = await dana.send("/dailyq 25:00", chat=group)
    wrong = await group.wait_for(lambda m: m.from_bot, since=sent)
    assert "25:00 is not a time of day: use HH:MM, e.g. 19:00" in wrong.text
    sent = await dana.send("/dailyq 19:00 99", chat=group)
    wrong = await group.wait_for(lambda m: m.from_bot, since=sent)
    assert "99 is not a number of hours" in wrong.text

    # Off: the status and how to turn it on, each said once.
    sent = await dana.send("/dailyq", chat=group)
    off = await group.wait_for(lambda m: m.from_bot, since=sent)
    assert "No daily question in this group" in off.text
    assert off.text.count("/dailyq 19:00") == 2  # the usage line's two examples, once each
    assert off.text.count("/dailyq off") == 1

    # On: the status does not promise a poll, as long questions come with buttons.
    sent = await dana.send("/dailyq 19:00", chat=group)
    on = await group.wait_for(lambda m: "Daily question: every day" in m.text, since=sent)
    assert "Answer the poll" not in on.text and "buttons" in on.text
