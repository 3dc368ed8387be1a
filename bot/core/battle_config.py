"""The `/battle` settings (rounds, seconds per round) and the friendly parse of its args."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MIN_ROUNDS = 3
MAX_ROUNDS = 20
DEFAULT_ROUNDS = 10
MIN_SECONDS = 10
MAX_SECONDS = 60
DEFAULT_SECONDS = 20

# ASCII digits only: int() would also accept "1_0", " 5 " and other scripts' digits.
_NUMBER = re.compile(r"[0-9]{1,6}", re.ASCII)

USAGE = (
    f"Try /battle, /battle 5 (rounds, {MIN_ROUNDS}–{MAX_ROUNDS}, default {DEFAULT_ROUNDS}) "
    f"or /battle 5 15 (and seconds per round, {MIN_SECONDS}–{MAX_SECONDS}, "
    f"default {DEFAULT_SECONDS})."
)


class BattleArgsError(ValueError):
    """`/battle` arguments that cannot be used; `str(error)` is the text to show the user."""


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
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise BattleArgsError(f"“{shown}” is not a number of {what}. {USAGE}")
    return int(text)


def parse_battle_args(args: Sequence[str]) -> BattleConfig:
    """Read `/battle [rounds [seconds]]`; raises BattleArgsError whose text says what works."""
    if len(args) > 2:
        raise BattleArgsError(f"/battle takes at most two numbers. {USAGE}")
    rounds = _number(args[0], "rounds") if args else DEFAULT_ROUNDS
    seconds = _number(args[1], "seconds") if len(args) > 1 else DEFAULT_SECONDS
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise BattleArgsError(
            f"A battle has {MIN_ROUNDS} to {MAX_ROUNDS} rounds, not {rounds}. {USAGE}"
        )
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise BattleArgsError(
            f"A round lasts {MIN_SECONDS} to {MAX_SECONDS} seconds, not {seconds}. {USAGE}"
        )
    return BattleConfig(rounds=rounds, seconds=seconds)
