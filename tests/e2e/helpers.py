"""Helpers for driving a quiz as a user would, reading the right answers from the database."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.services.container import Services
from bot.views.quiz import LETTERS, SHORT_OPTION_CHARS

SELF_GRADED = ("recall", "reverse")


def _lettered(options: list[str]) -> bool:
    return any(len(option) > SHORT_OPTION_CHARS for option in options)


@dataclass(frozen=True)
class OnScreen:
    """The open question of a user's session, as the database knows it."""

    kind: str
    right_label: str | None  # the label of the right option's button (a letter for long options)
    wrong_label: str | None
    message_id: int | None
    answer: str = ""

    @property
    def typed(self) -> bool:
        """Whether it is answered by typing (no option buttons)."""
        return self.kind not in SELF_GRADED and self.right_label is None


async def open_question(services: Services, user_id: int) -> OnScreen | None:
    """The question the user's open session is asking now."""
    row = await services.db.fetchone(
        """SELECT q.kind, i.options, i.right_index, i.message_id, q.answer
             FROM quiz_sessions s
             JOIN session_items i ON i.session_id = s.id AND i.position = s.position
             JOIN questions q ON q.id = i.question_id
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (user_id,),
    )
    if row is None:
        return None
    options = json.loads(row[1])
    # Long options are listed in the message and their buttons carry letters.
    labels = [LETTERS[i] for i in range(len(options))] if _lettered(options) else options
    right = row[2]
    right_label = labels[right] if right is not None else None
    wrong_label = next((o for i, o in enumerate(labels) if i != right), None)
    return OnScreen(row[0], right_label, wrong_label, row[3], row[4])


async def shown_question(services: Services, user_id: int) -> OnScreen:
    """The open question once the bot has recorded the message showing it (5 s at most)."""
    async with asyncio.timeout(5):
        while True:
            on_screen = await open_question(services, user_id)
            if on_screen is not None and on_screen.message_id is not None:
                return on_screen
            await asyncio.sleep(0.01)


def latest_question(user: SandboxUser) -> SandboxMessage:
    """The newest bot message in the user's chat that asks a question."""
    for message in reversed(user.messages):
        if message.text.startswith("Question "):
            return message
    raise AssertionError("no question on screen")


async def answer(user: SandboxUser, services: Services, right: bool, grade: str = "Good") -> str:
    """Answer the open question right or wrong (self-graded ones with `grade`); returns its kind."""
    on_screen = await shown_question(services, user.id)
    question = await user.wait_for(lambda m: m.message_id == on_screen.message_id)
    if on_screen.kind in SELF_GRADED:
        await user.tap("Show answer", message=question)
        label = grade if right else "Again"
        # A grade button reads "Good 10m": its name, then what it will do.
        await user.wait_for(
            lambda m: (
                m.message_id == question.message_id
                and any(x.split(" ", 1)[0] == label for x in m.labels)
            )
        )
        await user.tap(label, message=question)
    elif on_screen.typed:
        await user.send(on_screen.answer if right else "certainly not this")
    else:
        option = on_screen.right_label if right else on_screen.wrong_label
        assert option is not None
        await user.tap(option, message=question)
    return on_screen.kind
