"""Whatever people type or send, the bot answers briefly or stays quiet, and never errs."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.storage.decks import sync_deck
from bot.views.commands import GROUP_COMMANDS, PRIVATE_COMMANDS
from bot.views.texts import SORRY
from tests.e2e.conftest import RunningBot
from tests.reliability.helpers import problems, quiz_with

# Missing, extra, malformed and absurd arguments, and text that looks like markup.
BAD_ARGUMENTS = [
    "",
    "25:99",
    "Mars/Olympus",
    "10000",
    "-1 0 999999999999999999999999",
    "<b>x</b> & *y* _z_ [a](b)",
    "🙂" * 40,
    "x" * 3000,
]
FORGIVING = ("help", "start", "quiz", "streak", "stats", "decks", "leaderboard", "export")


def newer_than(count: int) -> Callable[[SandboxMessage], bool]:
    """Matches bot messages newer than the first `count` messages of a chat."""
    return lambda message: message.message_id > count


def _reply_lines(texts: list[str]) -> bool:
    return all(0 < len(text) <= 4096 for text in texts)


@pytest.mark.parametrize("command", [name for name, _ in PRIVATE_COMMANDS])
async def test_every_private_command_with_bad_arguments_gets_a_short_answer(
    sandbox: SandboxServer, bot: RunningBot, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    alice = sandbox.user("Alice")
    with caplog.at_level(logging.INFO):
        for argument in BAD_ARGUMENTS:
            before = len(alice.chat.history)
            await alice.send(f"/{command} {argument}".rstrip())
            await alice.wait_for(newer_than(before), timeout=10)
            await sandbox.settle()
            replies = [m for m in alice.chat.history[before:] if m.from_bot]
            assert replies, f"/{command} {argument[:20]!r} got no answer"
            assert _reply_lines([m.text or "." for m in replies])
            if argument and command not in FORGIVING:
                # a command that takes no such argument says what would work, in one message
                assert len(replies) == 1, f"/{command} {argument[:20]!r}"
    assert not [m for m in alice.messages if SORRY in m.text]
    assert problems(caplog.records) == []


@pytest.mark.parametrize("command", [name for name, _ in GROUP_COMMANDS])
async def test_every_group_command_with_bad_arguments_gets_a_short_answer(
    sandbox: SandboxServer, bot: RunningBot, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    group = sandbox.group("Revision", members=[bob], admins=[alice])
    with caplog.at_level(logging.INFO):
        for argument in BAD_ARGUMENTS[1:]:
            before = len(group.history)
            await bob.send(f"/{command} {argument}", chat=group)
            await group.wait_for(newer_than(before), timeout=10)
            await sandbox.settle()
            replies = [m for m in group.history[before:] if m.from_bot]
            assert replies and _reply_lines([m.text for m in replies])
            await alice.send("/stopbattle", chat=group)
            await sandbox.settle()
    assert not [m for m in group.messages if SORRY in m.text]
    assert problems(caplog.records) == []


async def test_unexpected_messages_get_a_pointer_or_silence_never_an_error(
    sandbox: SandboxServer, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    alice = sandbox.user("Alice")
    with caplog.at_level(logging.INFO):
        await alice.send_sticker()
        await alice.send_photo(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
        await alice.send_location(48.85, 2.35)
        await alice.send("x" * 4000)
        sent = await alice.send("hello")
        await alice.edit(sent, "hello, edited")  # edits are not requested: nothing happens
        channel = sandbox.group("News", admins=[alice], supergroup=True)
        await alice.send("a post in a group without a command", chat=channel)
        await sandbox.settle()
    replies = alice.messages
    assert len(replies) == 5  # sticker, photo, location, long text, hello: one pointer each
    assert all(len(m.text) < 300 for m in replies)
    assert channel.messages == []
    assert problems(caplog.records) == []


NASTY_NAME = "Zoë <b>&amp; \"quotes\" 'q' *bold* _it_ [l](x) `c` \u200fשלום\u200e a\u200bb 🎉"


async def test_names_with_markup_rtl_and_zero_width_characters_arrive_as_written(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    zoe = sandbox.user(NASTY_NAME)
    await zoe.send("/start")
    welcome = await zoe.wait_for(lambda m: "Quizmaster" in m.text)
    assert f"Hi {NASTY_NAME}!" in welcome.text


async def test_the_longest_question_and_reveal_fit_and_keep_their_characters(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await quiz_with(bot, alice, "selfgraded")
    front = ("<&> *_` \u200fשלום\u200e \u200b🎉 " * 100)[:2000]
    back = ('"q" & <i>x</i> ' * 150)[:2000]
    deck = Deck("T" * 200 + " <&>", tuple(Card(f"{n} {front}", f"{n} {back}") for n in range(4)))
    deck_id = await sync_deck(bot.services.db, deck, "huge", None, int(clock.now().timestamp()))
    await bot.services.db.execute(
        "UPDATE users SET active_deck_id = ? WHERE id = ?", (deck_id, alice.id)
    )
    await bot.services.db.execute(
        "UPDATE quiz_sessions SET finished_at = 1 WHERE user_id = ?", (alice.id,)
    )
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/") and "<&>" in m.text)
    await alice.tap("Show answer", message=question)
    reveal = await alice.wait_for(
        lambda m: (
            m.message_id == question.message_id and any(x.startswith("Good") for x in m.labels)
        )
    )
    await alice.tap("Good", message=question)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    await sandbox.settle()
    for message in (question, reveal, *alice.messages):
        assert len(message.text) <= 4096
    # Long sides are trimmed with "…", and what is kept is exactly what the deck says.
    assert "…" in reveal.text
    assert "0 <&> *_` \u200fשלום\u200e \u200b🎉 <&>" in reveal.text
    assert '0 "q" & <i>x</i> "q"' in reveal.text
    assert sandbox.rate_violations() == []
