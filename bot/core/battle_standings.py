"""Battle standings: totals per player, the fastest right answer and the 🥇🥈🥉 podium."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.battle_state import BattleState

MEDALS = ("🥇", "🥈", "🥉")


@dataclass(frozen=True, slots=True)
class Standing:
    """One player's line in the table; `place` is 1-based and unique (ties are broken)."""

    place: int
    user_id: int
    name: str
    points: int
    right: int
    answered: int
    answer_seconds: float  # total time over every answer given, the third tie-breaker

    @property
    def medal(self) -> str:
        """🥇, 🥈 or 🥉 for the top three places, else an empty string."""
        return MEDALS[self.place - 1] if self.place <= len(MEDALS) else ""


@dataclass(frozen=True, slots=True)
class FastestAnswer:
    """The quickest right answer of the battle."""

    user_id: int
    name: str
    seconds: float
    round_no: int


@dataclass(frozen=True, slots=True)
class Standings:
    """The table after the revealed rounds, best first."""

    table: tuple[Standing, ...]
    fastest: FastestAnswer | None
    rounds_played: int

    @property
    def podium(self) -> tuple[Standing, ...]:
        """The top three (fewer if fewer played)."""
        return self.table[: len(MEDALS)]


def standings(state: BattleState) -> Standings:
    """Standings over revealed rounds only: an open or cancelled round does not count.

    Order: more points, then more right answers, then less total answer time, then earlier join.
    """
    revealed = [p for p in state.played if p.revealed_at is not None]
    rows: list[tuple[int, int, int, float, int]] = []  # points, right, answered, seconds, join idx
    fastest: FastestAnswer | None = None
    for index, player in enumerate(state.players):
        points = right = answered = 0
        seconds = 0.0
        for round_no, play in enumerate(revealed, start=1):
            answer = play.answer_of(player.user_id)
            if answer is None:
                continue
            answered += 1
            points += answer.points
            seconds += answer.seconds
            if answer.correct:
                right += 1
                # Strictly faster only: an equal time keeps the earlier round, then earlier joiner.
                if fastest is None or (answer.seconds, round_no) < (
                    fastest.seconds,
                    fastest.round_no,
                ):
                    fastest = FastestAnswer(player.user_id, player.name, answer.seconds, round_no)
        rows.append((points, right, answered, seconds, index))
    rows.sort(key=lambda r: (-r[0], -r[1], r[3], r[4]))
    table = tuple(
        Standing(
            place=place,
            user_id=state.players[index].user_id,
            name=state.players[index].name,
            points=points,
            right=right,
            answered=answered,
            answer_seconds=seconds,
        )
        for place, (points, right, answered, seconds, index) in enumerate(rows, start=1)
    )
    return Standings(table=table, fastest=fastest, rounds_played=len(revealed))
