"""Battle state as plain immutable values that round-trip through JSON-ready dicts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.core.battle_config import BattleConfig

STATE_VERSION = 1
# A player's name once /forget took the person away: their seat, answers and points stay, so a
# podium and a group's totals still add up, under no name (the views say "a former player").
FORMER_PLAYER_NAME = ""


class Phase(StrEnum):
    """Where a battle is: LOBBY → ROUND_OPEN(n) → ROUND_REVEALED(n) → … → FINISHED, or STOPPED."""

    LOBBY = "lobby"
    ROUND_OPEN = "round_open"
    ROUND_REVEALED = "round_revealed"
    FINISHED = "finished"
    STOPPED = "stopped"


def utc(now: datetime) -> datetime:
    """`now` in UTC; a naive datetime is refused because its zone is a guess."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("battle times must be tz-aware")
    return now.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Player:
    """Someone in the battle; their position in `BattleState.players` is their join order."""

    user_id: int
    name: str


@dataclass(frozen=True, slots=True)
class RoundSpec:
    """What one round asks: the question, its card, how many options and which one is right."""

    question_key: str
    card_key: str
    options: int
    correct_option: int

    def __post_init__(self) -> None:
        if not 0 <= self.correct_option < self.options:
            raise ValueError(f"right option {self.correct_option} not among {self.options}")


@dataclass(frozen=True, slots=True)
class Answer:
    """A player's first tap in a round, scored when made (points include the streak bonus)."""

    user_id: int
    option: int
    seconds: float
    correct: bool
    points: int
    streak: int  # right answers in a row including this one; 0 after a wrong answer


@dataclass(frozen=True, slots=True)
class RoundPlay:
    """One round as played: when it opened, its deadline, the answers, and when it was revealed."""

    opened_at: datetime
    deadline: datetime
    answers: tuple[Answer, ...] = ()
    revealed_at: datetime | None = None

    def answer_of(self, user_id: int) -> Answer | None:
        """This user's answer in the round, if any."""
        return next((a for a in self.answers if a.user_id == user_id), None)


@dataclass(frozen=True, slots=True)
class BattleState:
    """Everything about one battle; stored as `to_dict()`, restored with `from_dict`."""

    config: BattleConfig
    host_id: int
    created_at: datetime
    lobby_deadline: datetime
    phase: Phase = Phase.LOBBY
    players: tuple[Player, ...] = ()
    rounds: tuple[RoundSpec, ...] = ()  # chosen at start; may be fewer than config.rounds
    played: tuple[RoundPlay, ...] = ()  # the current (last) round is played[-1]
    next_round_at: datetime | None = None
    lobby_edited_at: datetime | None = None
    lobby_dirty: bool = False  # a join not yet shown in the lobby message (edits are throttled)
    ended_at: datetime | None = None

    @property
    def round_no(self) -> int:
        """The current or last round, 1-based; 0 before the first round."""
        return len(self.played)

    @property
    def current(self) -> RoundPlay | None:
        """The round being played or last revealed."""
        return self.played[-1] if self.played else None

    @property
    def is_over(self) -> bool:
        """True once the battle is finished or stopped."""
        return self.phase in (Phase.FINISHED, Phase.STOPPED)

    def player(self, user_id: int) -> Player | None:
        """The player with this id, if they joined."""
        return next((p for p in self.players if p.user_id == user_id), None)

    def forgetting(self, user_id: int, stand_in: int) -> BattleState:
        """A copy in which the person `user_id` is a nameless `stand_in`: as a player, in every
        answer they gave, and as the host; the points, places and rounds are unchanged."""

        def who(uid: int) -> int:
            return stand_in if uid == user_id else uid

        players = tuple(
            Player(stand_in, FORMER_PLAYER_NAME) if p.user_id == user_id else p
            for p in self.players
        )
        played = tuple(
            replace(play, answers=tuple(replace(a, user_id=who(a.user_id)) for a in play.answers))
            for play in self.played
        )
        return replace(self, host_id=who(self.host_id), players=players, played=played)

    def with_current(self, play: RoundPlay) -> BattleState:
        """A copy with the current round replaced."""
        return replace(self, played=(*self.played[:-1], play))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (ISO datetimes, lists, ints, strings)."""
        return {
            "v": STATE_VERSION,
            "config": {"rounds": self.config.rounds, "seconds": self.config.seconds},
            "host_id": self.host_id,
            "created_at": _iso(self.created_at),
            "lobby_deadline": _iso(self.lobby_deadline),
            "phase": self.phase.value,
            "players": [[p.user_id, p.name] for p in self.players],
            "rounds": [
                [r.question_key, r.card_key, r.options, r.correct_option] for r in self.rounds
            ],
            "played": [
                {
                    "opened_at": _iso(p.opened_at),
                    "deadline": _iso(p.deadline),
                    "revealed_at": _iso(p.revealed_at),
                    "answers": [
                        [a.user_id, a.option, a.seconds, a.correct, a.points, a.streak]
                        for a in p.answers
                    ],
                }
                for p in self.played
            ],
            "next_round_at": _iso(self.next_round_at),
            "lobby_edited_at": _iso(self.lobby_edited_at),
            "lobby_dirty": self.lobby_dirty,
            "ended_at": _iso(self.ended_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BattleState:
        """Rebuild a state from `to_dict()` output; raises ValueError on data it cannot trust."""
        try:
            if data["v"] != STATE_VERSION:
                raise ValueError(f"unknown battle state version {data['v']!r}")
            return cls(
                config=BattleConfig(int(data["config"]["rounds"]), int(data["config"]["seconds"])),
                host_id=int(data["host_id"]),
                created_at=_dt(data["created_at"]),
                lobby_deadline=_dt(data["lobby_deadline"]),
                phase=Phase(data["phase"]),
                players=tuple(Player(int(u), str(n)) for u, n in data["players"]),
                rounds=tuple(
                    RoundSpec(str(q), str(c), int(o), int(r)) for q, c, o, r in data["rounds"]
                ),
                played=tuple(
                    RoundPlay(
                        opened_at=_dt(p["opened_at"]),
                        deadline=_dt(p["deadline"]),
                        revealed_at=_opt_dt(p["revealed_at"]),
                        answers=tuple(
                            Answer(int(u), int(o), float(s), bool(c), int(pt), int(st))
                            for u, o, s, c, pt, st in p["answers"]
                        ),
                    )
                    for p in data["played"]
                ),
                next_round_at=_opt_dt(data["next_round_at"]),
                lobby_edited_at=_opt_dt(data["lobby_edited_at"]),
                lobby_dirty=bool(data["lobby_dirty"]),
                ended_at=_opt_dt(data["ended_at"]),
            )
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"malformed battle state: {exc!r}") from exc


def _iso(when: datetime | None) -> str | None:
    return None if when is None else utc(when).isoformat()


def _dt(text: str) -> datetime:
    return utc(datetime.fromisoformat(text))


def _opt_dt(text: str | None) -> datetime | None:
    return None if text is None else _dt(text)
