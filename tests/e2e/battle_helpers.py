"""Helpers for driving a group battle as its players would, reading rounds from the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.clock import ManualClock
from bot.core.battle import option_letter
from bot.handlers.battle import sweep_battles
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.services.battles import BattleService
from bot.storage.outbox import Holder
from tests.e2e.conftest import RunningBot


@dataclass(frozen=True)
class Round:
    """A round as the database knows it: the message showing it and its right/wrong letters."""

    message_id: int
    right: str
    wrong: str


async def battle_id(bot: RunningBot, group: SandboxChat) -> int:
    """The id of the group's newest battle."""
    row = await bot.services.db.fetchone(
        "SELECT id FROM battles WHERE chat_id = ? ORDER BY id DESC LIMIT 1", (group.id,)
    )
    assert row is not None
    return int(row[0])


async def current_round(
    sandbox: SandboxServer, bot: RunningBot, group: SandboxChat, number: int
) -> Round:
    """Round `number` of the group's battle, once its message is on screen."""
    await group.wait_for(lambda m: m.text.startswith(f"⚔️ Round {number}/") and bool(m.buttons))
    await sandbox.settle()
    row = await bot.services.db.fetchone(
        """SELECT r.message_id, r.right_index, r.options FROM battle_rounds r
             JOIN battles b ON b.id = r.battle_id
            WHERE b.chat_id = ? AND r.round_no = ? ORDER BY b.id DESC LIMIT 1""",
        (group.id, number),
    )
    assert row is not None and row[0] is not None
    right = int(row[1])
    wrong = next(i for i in range(len(json.loads(row[2]))) if i != right)
    return Round(int(row[0]), option_letter(right), option_letter(wrong))


async def tap(
    sandbox: SandboxServer, user: SandboxUser, group: SandboxChat, label: str, message: int
) -> str:
    """Tap a button of one message and wait until the bot has shown what it did."""
    toast = await user.tap(label, chat=group, message=message)
    await sandbox.settle()
    return toast


async def tick(sandbox: SandboxServer, bot: RunningBot, clock: ManualClock, seconds: float) -> None:
    """Let time pass, then run the battle and outbox sweeps as the background loops would."""
    clock.advance(timedelta(seconds=seconds))
    await sweep_battles(bot.app)
    await bot.services.delivery().sweep()
    await sandbox.settle()


def dead_process(bot: RunningBot) -> BattleService:
    """The battle service of a process that died right after each transition it stored: what it
    owes the group is left to the others (held by nobody)."""
    return replace(bot.services.battles, holder=Holder("gone-host:1:dead", 0))


def podium(text: str) -> list[str]:
    """The medal lines of a final standings message."""
    return [line for line in text.splitlines() if line[:1] in ("🥇", "🥈", "🥉")]


def message(group: SandboxChat, message_id: int) -> SandboxMessage:
    """One of the bot's messages in the group, as it stands now."""
    return next(m for m in group.messages if m.message_id == message_id)


async def open_lobby(
    sandbox: SandboxServer, host: SandboxUser, group: SandboxChat, args: str = "3 20"
) -> SandboxMessage:
    """The host sends /battle; returns the lobby message."""
    sent = await host.send(f"/battle {args}".strip(), chat=group)
    lobby = await group.wait_for(lambda m: "Revision battle" in m.text, since=sent)
    await sandbox.settle()
    return lobby


async def start_battle(
    sandbox: SandboxServer,
    host: SandboxUser,
    group: SandboxChat,
    joiners: tuple[SandboxUser, ...],
    args: str = "3 20",
) -> SandboxMessage:
    """The host opens a lobby, the others join, the host starts; returns the lobby message."""
    lobby = await open_lobby(sandbox, host, group, args)
    for player in joiners:
        await tap(sandbox, player, group, "🙋 Join", lobby.message_id)
    await tap(sandbox, host, group, "🚀 Start", lobby.message_id)
    return lobby
