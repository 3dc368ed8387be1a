"""Many simulated people quizzing at once, each tap written down for checking afterwards.

Each person taps the first option of their newest question, waits for the tap to be answered and
for the bot's next message, and carries on (a new `/quiz` after each session summary); told to
stop, they finish the session they are in, up to its summary. Waiting is
event-driven, per chat: one subscription to the sandbox wakes only the person concerned. A tap or
command that gets no answer in time is written down as stuck and that person stops, so the test
can say exactly what went missing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import CallbackRecord

QUESTION = "Question "
SUMMARY = "Session complete"


@dataclass(frozen=True)
class Tap:
    """One tap on a quiz question, as Telegram delivered it."""

    user_id: int
    message_id: int
    query: CallbackRecord


@dataclass
class Person:
    """One quizzing person and what they did."""

    user: SandboxUser
    taps: list[Tap] = field(default_factory=list)
    commands: int = 0  # /quiz sent
    summaries: int = 0  # sessions finished: "Session complete" after their last answer
    stuck: str | None = None  # what they waited for in vain


def is_question(message: SandboxMessage) -> bool:
    """A quiz question still waiting for its answer."""
    return message.text.startswith(QUESTION) and bool(message.buttons)


def is_summary(message: SandboxMessage) -> bool:
    """The message that ends a session."""
    return SUMMARY in message.text


class Crowd:
    """People quizzing until told to stop."""

    def __init__(self, server: SandboxServer, users: list[SandboxUser], patience: float) -> None:
        """`patience`: how long a person waits for an answer before giving up as stuck."""
        self.server = server
        self.people = [Person(user) for user in users]
        self.patience = patience
        self.stopping = False
        self._signals: dict[int, asyncio.Event] = {u.id: asyncio.Event() for u in users}
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def taps(self) -> int:
        """Taps made so far by everyone."""
        return sum(len(p.taps) for p in self.people)

    @property
    def stuck(self) -> list[Person]:
        """People who waited in vain."""
        return [p for p in self.people if p.stuck is not None]

    def start(self) -> None:
        """Everyone starts quizzing."""
        self._tasks.append(asyncio.create_task(self._route()))
        self._tasks += [asyncio.create_task(self._play(p)) for p in self.people]

    async def finish(self) -> None:
        """Ask everyone to stop once the session they are in is complete (its summary shown),
        and wait until they have."""
        self.stopping = True
        router, players = self._tasks[0], self._tasks[1:]
        await asyncio.gather(*players)
        router.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await router
        self._tasks.clear()

    async def cancel(self) -> None:
        """Stop everything at once (a failing test's clean-up)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    async def _route(self) -> None:
        subscription = self.server.subscribe()
        try:
            async for event in subscription:
                signal = self._signals.get(event.chat_id)
                if signal is not None:
                    signal.set()
        finally:
            subscription.close()

    async def _until(self, person: Person, condition: Callable[[], bool]) -> bool:
        """Wait until `condition()` holds for this person's chat; False after `patience`."""
        signal = self._signals[person.user.id]
        try:
            async with asyncio.timeout(self.patience):
                while True:
                    signal.clear()
                    if condition():
                        return True
                    await signal.wait()
        except TimeoutError:
            return False

    def _newest(self, person: Person, after: int) -> SandboxMessage | None:
        """The bot's newest message in the private chat, if newer than message `after`."""
        last = person.user.chat.last
        return last if last is not None and last.message_id > after else None

    def _press(self, person: Person, message: SandboxMessage, data: str) -> Tap:
        """A tap as Telegram delivers it (the driver's tap, without its waiting)."""
        user = person.user
        query = user.press(message, data)
        tap = Tap(user.id, message.message_id, query)
        person.taps.append(tap)
        return tap

    async def _ask(self, person: Person, after: int) -> SandboxMessage | None:
        """Send /quiz; the question it brings (None when stuck)."""
        sent = await person.user.send("/quiz")
        person.commands += 1
        after = max(after, sent.message_id)
        if not await self._until(person, lambda: self._question_after(person, after) is not None):
            person.stuck = f"no question after /quiz #{person.commands}"
            return None
        return self._question_after(person, after)

    def _question_after(self, person: Person, after: int) -> SandboxMessage | None:
        newest = self._newest(person, after)
        return newest if newest is not None and is_question(newest) else None

    async def _play(self, person: Person) -> None:
        question = await self._ask(person, 0)
        while question is not None:
            data = question.buttons[0][0][1]
            assert data is not None
            tap = self._press(person, question, data)
            asked = question.message_id

            def followed() -> bool:
                # The tap is answered and something came after the question: the next question
                # or the summary.
                newest = self._newest(person, asked)  # noqa: B023 - read while this tap waits
                return tap.query.answered and newest is not None  # noqa: B023

            if not await self._until(person, followed):
                person.stuck = (
                    f"tap on message {asked}: "
                    + ("answered" if tap.query.answered else "never answered")
                    + ", no message after it"
                )
                return
            newest = self._newest(person, asked)
            assert newest is not None
            if is_summary(newest):
                person.summaries += 1
                if self.stopping:
                    return
                question = await self._ask(person, newest.message_id)
            elif is_question(newest):
                question = newest
            else:
                person.stuck = f"unexpected message after a tap: {newest.text[:80]!r}"
                return
