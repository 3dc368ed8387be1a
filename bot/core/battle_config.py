"""The `/battle` settings (rounds, seconds per round) and the friendly parse of its args."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

MIN_ROUNDS = 3
MAX_ROUNDS = 20
DEFAULT_ROUNDS = 10
MIN_SECONDS = 10
MAX_SECONDS = 60
DEFAULT_SECONDS = 20

# ASCII digits only: int() would also accept "1_0", " 5 " and other scripts' digits.
_NUMBER = re.compile(r"[0-9]{1,6}", re.ASCII)


class ArgsProblem(StrEnum):
    """What is wrong with `/battle`'s arguments (bot.views.battle words each)."""

    TOO_MANY = "too_many"  # more than two numbers
    NOT_A_NUMBER = "not_a_number"  # `value` is not a number of `what`
    ROUNDS = "rounds"  # `value` rounds is out of range
    SECONDS = "seconds"  # `value` seconds is out of range


class BattleArgsError(ValueError):
    """`/battle` arguments that cannot be used: the problem, and the argument at fault."""

    def __init__(self, problem: ArgsProblem, value: str = "", what: str = "") -> None:
        super().__init__(f"/battle arguments: {problem} {what} {value!r}".replace("  ", " "))
        self.problem = problem
        self.value = value  # the argument as typed
        self.what = what  # "rounds" or "seconds", for NOT_A_NUMBER


@dataclass(frozen=True, slots=True)
class BattleConfig:
    """How many rounds a battle has and how many seconds each round lasts."""

    rounds: int = DEFAULT_ROUNDS
    seconds: int = DEFAULT_SECONDS

    def __post_init__(self) -> None:
        if not MIN_ROUNDS <= self.rounds <= MAX_ROUNDS:
            raise ValueError(f"rounds must be {MIN_ROUNDS}–{MAX_ROUNDS}, got {self.rounds}")
        if not MIN_SECONDS <= self.seconds <= MAX_SECONDS:
            raise ValueError(f"seconds must be {MIN_SECONDS}–{MAX_SECONDS}, got {self.seconds}")


def _number(text: str, what: str) -> int:
    if _NUMBER.fullmatch(text) is None:
        raise BattleArgsError(ArgsProblem.NOT_A_NUMBER, text, what)
    return int(text)


def parse_battle_args(args: Sequence[str]) -> BattleConfig:
    """Read `/battle [rounds [seconds]]`; raises BattleArgsError saying what is wrong."""
    if len(args) > 2:
        raise BattleArgsError(ArgsProblem.TOO_MANY)
    rounds = _number(args[0], "rounds") if args else DEFAULT_ROUNDS
    seconds = _number(args[1], "seconds") if len(args) > 1 else DEFAULT_SECONDS
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise BattleArgsError(ArgsProblem.ROUNDS, str(rounds))
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise BattleArgsError(ArgsProblem.SECONDS, str(seconds))
    return BattleConfig(rounds=rounds, seconds=seconds)
