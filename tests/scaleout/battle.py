"""A group battle played by real people through the sandbox while the bot runs as several processes."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.battle import option_letter
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.storage.db import Database

ROUNDS = 3
ROUND_SECONDS = 10
LOBBY = "Revision battle"
OVER = "Battle over"


def round_title(number: int) -> str:
    """How the message asking round `number` begins."""
    return f"⚔️ Round {number}/{ROUNDS}"


def round_of(message: SandboxMessage) -> int | None:
    """The number of the round a message asks (or revealed), if it is a round's message."""
    for number in range(1, ROUNDS + 1):
        if message.text.startswith(round_title(number)):
            return number
    return None


@dataclass
class BattleTaps:
    """What the players tapped and the toasts they got (None: never answered)."""

    joins: dict[int, str | None] = field(default_factory=dict)
    start: str | None = None
    # (round, user id) -> (letter tapped, toast)
    answers: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)
    asked: list[int] = field(default_factory=list)  # the rounds the players saw and answered
    stuck: str | None = None
    final: SandboxMessage | None = None


async def _tap(
    player: SandboxUser, label: str, group: SandboxChat, message: int, patience: float
) -> str | None:
    """Tap and return the toast; None when the tap was never answered within `patience`."""
    try:
        return await player.tap(label, chat=group, message=message, timeout=patience)
    except AssertionError as exc:
        if "did not answer the callback query" in str(exc):
            return None
        raise


async def round_letters(db: Database, group: SandboxChat, number: int) -> tuple[str, str]:
    """The right and a wrong letter of round `number` of the group's battle."""
    row = await db.fetchone(
        """SELECT r.right_index FROM battle_rounds r JOIN battles b ON b.id = r.battle_id
            WHERE b.chat_id = ? AND r.round_no = ? ORDER BY b.id DESC LIMIT 1""",
        (group.id, number),
    )
    assert row is not None
    right = int(row[0])
    return option_letter(right), option_letter(0 if right != 0 else 1)


async def play_battle(
    db: Database,
    group: SandboxChat,
    players: list[SandboxUser],
    patience: float,
    taps: BattleTaps,
) -> None:
    """The first player hosts, the others join, everyone answers every round (the last player
    always wrongly) as soon as it is asked; `taps` is filled in as it goes."""
    host = players[0]
    sent = await host.send(f"/battle {ROUNDS} {ROUND_SECONDS}", chat=group)
    lobby = await group.wait_for(lambda m: LOBBY in m.text, timeout=patience, since=sent)
    for player in players[1:]:
        taps.joins[player.id] = await _tap(player, "Join", group, lobby.message_id, patience)
    taps.start = await _tap(host, "Start", group, lobby.message_id, patience)
    number = 1
    while number <= ROUNDS:
        # Rounds open on the timer: at least 10 s apart, found by any process's sweep. A round
        # whose message never comes is passed over when a later one (or the end) is posted.
        asked = await group.wait_for(
            lambda m: (
                OVER in m.text or ((round_of(m) or 0) >= number and bool(m.buttons))  # noqa: B023
            ),
            timeout=ROUND_SECONDS * 3 + patience,
        )
        shown = round_of(asked)
        if shown is None:
            break
        right, wrong = await round_letters(db, group, shown)
        for index, player in enumerate(players):
            letter = wrong if index == len(players) - 1 else right
            toast = await _tap(player, letter, group, asked.message_id, patience)
            taps.answers[(shown, player.id)] = (letter, toast)
        taps.asked.append(shown)
        number = shown + 1
    taps.final = await group.wait_for(lambda m: OVER in m.text, timeout=ROUND_SECONDS * 3)
