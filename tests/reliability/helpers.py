"""Helpers for fault tests: fixed question kinds, counting what a user saw, redelivering updates."""

from __future__ import annotations

import json
import logging

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import Update
from tests.e2e.conftest import RunningBot


async def quiz_with(bot: RunningBot, user: SandboxUser, mix: str) -> SandboxMessage:
    """Start a quiz whose questions are all of one mix (`choice`, `typed`, `selfgraded`)."""
    await user.send("/start")
    await user.wait_for(lambda m: "Quizmaster" in m.text)
    await bot.services.db.execute("UPDATE users SET question_mix = ? WHERE id = ?", (mix, user.id))
    await user.send("/quiz")
    return await user.wait_for(lambda m: m.text.startswith("Question 1/") and bool(m.buttons))


def questions(user: SandboxUser, number: int) -> list[SandboxMessage]:
    """Every bot message in the user's chat that shows question `number`."""
    return [m for m in user.messages if m.text.startswith(f"Question {number}/")]


async def review_count(bot: RunningBot, user: SandboxUser) -> int:
    """How many answers of the user the database holds."""
    row = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM reviews WHERE user_id = ?", (user.id,)
    )
    assert row is not None
    return int(row[0])


async def right_option(bot: RunningBot, user: SandboxUser) -> str:
    """The label of the right button of the user's open choice question."""
    # The options are stored as JSON text on both backends; they are read here, not in SQL.
    row = await bot.services.db.fetchone(
        """SELECT i.options, i.right_index FROM quiz_sessions s
             JOIN session_items i ON i.session_id = s.id AND i.position = s.position
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (user.id,),
    )
    assert row is not None and row[1] is not None
    return str(json.loads(row[0])[row[1]])


async def open_answer(bot: RunningBot, user: SandboxUser) -> str:
    """The expected answer of the user's open question."""
    row = await bot.services.db.fetchone(
        """SELECT q.answer FROM quiz_sessions s
             JOIN session_items i ON i.session_id = s.id AND i.position = s.position
             JOIN questions q ON q.id = i.question_id
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (user.id,),
    )
    assert row is not None
    return str(row[0])


def message_update(sandbox: SandboxServer, update_id: int, message: SandboxMessage) -> Update:
    """The update Telegram delivered for a user's message, to deliver it again."""
    world = sandbox.world
    stored = world.chats[message.chat_id].messages[message.message_id]
    return Update(update_id, "message", world.message_json(stored))


def redeliver(sandbox: SandboxServer, update: Update) -> None:
    """Queue an update again as if its offset had never been confirmed (a crash before that)."""
    sandbox.world.updates.insert(0, update)
    sandbox.pulse.fire()


def problems(records: list[logging.LogRecord]) -> list[str]:
    """Log lines at WARNING or above from the bot's own code."""
    return [
        f"{r.name}: {r.getMessage()}"
        for r in records
        if r.levelno >= logging.WARNING and r.name.startswith("bot.")
    ]
