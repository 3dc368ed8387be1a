"""Simulated people for offline group play: they join the bot's battles and answer its rounds.

They act only through taps, as people do: a lobby's Join button brings each of them in, and each
round's option buttons get one tap from each, after a delay drawn from their style, right with
the style's accuracy. Which option is right is asked of an `AnswerKey` (offline play reads it
from the bot's database); without one they guess.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer, Subscription
from bot.views.callbacks import BattleTap, decode

# The option a battle's round counts as right: (battle id, round number) -> option index.
AnswerKey = Callable[[int, int], Awaitable[int | None]]
NAMES = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay")
MAX_PLAYERS = len(NAMES)
_OPTION = re.compile(r"(players|accuracy|delay)=(\S+)")


@dataclass(frozen=True)
class PlayerStyle:
    """How the simulated players play: how many, how often right, how many seconds to answer."""

    players: int = 3
    accuracy: float = 0.7
    min_delay: float = 2.0
    max_delay: float = 6.0

    def delay(self, rng: random.Random) -> float:
        """Seconds before one tap."""
        return rng.uniform(self.min_delay, self.max_delay)


def parse_group(arguments: str) -> tuple[str, PlayerStyle]:
    """`NAME [players=3] [accuracy=70%] [delay=2-6]` as a title and a style; ValueError if bad."""
    style = PlayerStyle()
    options = dict(_OPTION.findall(arguments))
    title = _OPTION.sub("", arguments).strip()
    if not title:
        raise ValueError("a group needs a name, like :group Revision club")
    players, accuracy = style.players, style.accuracy
    low, high = style.min_delay, style.max_delay
    if "players" in options:
        players = int(options["players"])
    if "accuracy" in options:
        text = options["accuracy"]
        accuracy = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    if "delay" in options:
        first, _, last = options["delay"].removesuffix("s").partition("-")
        low = float(first)
        high = float(last) if last else low
    if not 1 <= players <= MAX_PLAYERS:
        raise ValueError(f"players= takes 1 to {MAX_PLAYERS}")
    if not 0 <= accuracy <= 1:
        raise ValueError("accuracy= takes 0 to 1 (or 0% to 100%)")
    if not 0 <= low <= high <= 120:
        raise ValueError("delay= takes seconds, like delay=2-6")
    return title, PlayerStyle(players, accuracy, low, high)


def _battle_taps(message: SandboxMessage) -> list[tuple[str, BattleTap]]:
    """The message's buttons that belong to a battle, with what they mean."""
    found: list[tuple[str, BattleTap]] = []
    for row in message.buttons:
        for _, data in row:
            tap = decode(data) if data is not None else None
            if isinstance(tap, BattleTap) and data is not None:
                found.append((data, tap))
    return found


class GroupPlayers:
    """The simulated members of one group, watching the bot's messages there."""

    def __init__(
        self,
        server: SandboxServer,
        group: SandboxChat,
        people: list[SandboxUser],
        style: PlayerStyle,
        answer_key: AnswerKey | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.server = server
        self.group = group
        self.people = people
        self.style = style
        self.answer_key = answer_key
        self.rng = rng or random.Random()
        self._seen: set[tuple[int, str, int]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._subscription: Subscription | None = None
        self._watcher: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin watching the group."""
        self._subscription = self.server.subscribe()
        self._watcher = asyncio.create_task(self._watch(self._subscription))

    async def stop(self) -> None:
        """Stop watching and cancel the taps still waiting."""
        if self._subscription is not None:
            self._subscription.close()
        pending = [*self._tasks, *([self._watcher] if self._watcher else [])]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _watch(self, subscription: Subscription) -> None:
        while True:
            event = await subscription.queue.get()
            try:
                if event.chat_id == self.group.id and event.message is not None:
                    self.react(event.message)
            finally:
                subscription.queue.task_done()

    def react(self, message: SandboxMessage) -> None:
        """Join a lobby, or answer a round, the first time its buttons are seen."""
        taps = _battle_taps(message)
        joins = [data for data, tap in taps if tap.action == "join"]
        answers = [(data, tap) for data, tap in taps if tap.action == "answer"]
        if joins and self._first((message.message_id, "join", 0)):
            for person in self.people:
                self._later(functools.partial(self._tap, person, message, joins[0]))
        if answers:
            battle_id, round_no = answers[0][1].battle_id, answers[0][1].round_no
            if self._first((battle_id, "answer", round_no)):
                for person in self.people:
                    self._later(functools.partial(self._answer, person, message, answers))

    def _first(self, key: tuple[int, str, int]) -> bool:
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _later(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` after one of the style's delays (people take their time)."""
        delay = self.style.delay(self.rng)

        async def run() -> None:
            await asyncio.sleep(delay)
            await action()

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(
        self, person: SandboxUser, message: SandboxMessage, answers: list[tuple[str, BattleTap]]
    ) -> None:
        """Tap the right option with the style's accuracy, else another one."""
        first = answers[0][1]
        right: int | None = None
        if self.answer_key is not None:
            try:
                right = await self.answer_key(first.battle_id, first.round_no)
            except Exception:  # the key is out of reach (the bot stopping): the player guesses
                right = None
        options = [data for data, _ in answers]
        if right is None or not 0 <= right < len(options):
            choice = self.rng.choice(options)
        elif self.rng.random() < self.style.accuracy or len(options) == 1:
            choice = options[right]
        else:
            choice = self.rng.choice([d for i, d in enumerate(options) if i != right])
        await self._tap(person, message, choice)

    async def _tap(self, person: SandboxUser, message: SandboxMessage, data: str) -> None:
        # A tap the bot no longer answers (a round already closed) is no concern of a player.
        with contextlib.suppress(AssertionError, KeyError):
            await person.tap_data(message, data, chat=self.group, timeout=10.0)


def open_group(
    server: SandboxServer,
    host: SandboxUser,
    title: str,
    style: PlayerStyle,
    answer_key: AnswerKey | None = None,
) -> tuple[SandboxChat, GroupPlayers]:
    """A new supergroup of `host` (its creator), the bot and simulated players, who start
    watching it."""
    names = [name for name in NAMES if name != host.name][: style.players]
    people = [server.user(name, username=f"{name.lower()}_plays", started=True) for name in names]
    group = server.group(title, members=people, creator=host, supergroup=True)
    players = GroupPlayers(server, group, people, style, answer_key)
    players.start()
    return group, players
