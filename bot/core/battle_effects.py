"""What a battle transition asks the caller to do: messages to post or edit, and toasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.battle_standings import Standings
from bot.core.battle_state import Player


class Notice(StrEnum):
    """What a toast tells the one who tapped; bot.views.battle words each."""

    LOCKED_IN = "locked_in"  # their answer counts (the toast's `option` says which)
    ALREADY_ANSWERED = "already_answered"
    TIMES_UP = "times_up"
    NOT_OPEN = "not_open"  # a round not asked yet, or a tap before the start
    NOT_AN_OPTION = "not_an_option"
    BATTLE_OVER = "battle_over"
    JOINED = "joined"
    ALREADY_JOINED = "already_joined"
    ONLY_HOST_STARTS = "only_host_starts"
    NEED_PLAYERS = "need_players"  # fewer than MIN_PLAYERS joined
    ALREADY_STARTED = "already_started"


def option_letter(option: int) -> str:
    """The button label of an option: 0 → A, 1 → B, …"""
    return chr(ord("A") + option)


class LobbyOutcome(StrEnum):
    """Why the lobby message is closed (its Join/Start buttons removed)."""

    STARTED = "started"
    NOT_ENOUGH_PLAYERS = "not_enough_players"  # the 60 s ran out with fewer than 2 players
    STOPPED = "stopped"  # /stopbattle before the start


@dataclass(frozen=True, slots=True)
class Toast:
    """A private answer to one user's button tap (answerCallbackQuery)."""

    user_id: int
    notice: Notice
    option: int | None = None  # the option locked in, with Notice.LOCKED_IN


@dataclass(frozen=True, slots=True)
class EditLobby:
    """Edit the lobby message to list these players (throttled by the state machine)."""

    players: tuple[Player, ...]


@dataclass(frozen=True, slots=True)
class CloseLobby:
    """Edit the lobby message one last time: final player list and why it closed."""

    players: tuple[Player, ...]
    outcome: LobbyOutcome


@dataclass(frozen=True, slots=True)
class PostRound:
    """Post round `round_no` of `total` with its answer buttons, open until `deadline`."""

    round_no: int
    total: int
    question_key: str
    options: int
    deadline: datetime


@dataclass(frozen=True, slots=True)
class RoundResult:
    """One player's outcome in a revealed round (option/seconds are None if they did not answer)."""

    user_id: int
    name: str
    option: int | None
    seconds: float | None
    correct: bool
    points: int


@dataclass(frozen=True, slots=True)
class RevealRound:
    """Edit round `round_no`'s message into the reveal: right option and every player's result."""

    round_no: int
    question_key: str
    correct_option: int
    results: tuple[RoundResult, ...]  # in join order


@dataclass(frozen=True, slots=True)
class CancelRound:
    """Edit round `round_no`'s message: the battle stopped before it closed; it does not count."""

    round_no: int
    question_key: str


@dataclass(frozen=True, slots=True)
class Finish:
    """Post the final standings (podium, fastest answer); `stopped` if ended by /stopbattle."""

    standings: Standings
    stopped: bool


Effect = Toast | EditLobby | CloseLobby | PostRound | RevealRound | CancelRound | Finish
MESSAGE_EFFECTS = (EditLobby, CloseLobby, PostRound, RevealRound, CancelRound, Finish)
"""Effects that send or edit a group message, and so count against the group's rate limit."""
