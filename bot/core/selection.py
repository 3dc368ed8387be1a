"""Which questions a quiz session asks, and in what order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    """A question that could be asked: its id, the card it came from and, if reviewed before, its due time."""

    question_id: int
    card_id: int
    due: datetime | None = None  # None for a question never asked


def pick_session(
    due: Sequence[Candidate], new: Sequence[Candidate], size: int, new_allowed: int
) -> list[Candidate]:
    """Due questions first (most overdue first), then new ones up to `new_allowed`, `size` at most.

    The result is then ordered so that two questions of the same card never follow each other when
    another order exists.
    """
    if size <= 0:
        return []
    chosen = sorted(due, key=lambda c: (c.due or datetime.max, c.question_id))[:size]
    room = min(size - len(chosen), max(new_allowed, 0))
    chosen.extend(list(new)[:room])
    return spread_siblings(chosen)


def spread_siblings(items: Sequence[Candidate]) -> list[Candidate]:
    """Reorder as little as possible so that no two neighbours share a card, when that is possible.

    Greedy: at each place take the earliest remaining item whose card differs from the previous one,
    unless that would leave the rest impossible to separate (the most common card must still fit).
    """
    remaining = list(items)
    ordered: list[Candidate] = []
    while remaining:
        previous = ordered[-1].card_id if ordered else None
        pick = None
        for index, item in enumerate(remaining):
            if item.card_id == previous:
                continue
            rest = remaining[:index] + remaining[index + 1 :]
            if _separable(rest, item.card_id):
                pick = index
                break
        if pick is None:
            # Every choice repeats the card or strands the rest: fall back to the earliest other card,
            # or, when only one card is left, accept the repeat.
            pick = next((i for i, it in enumerate(remaining) if it.card_id != previous), 0)
        ordered.append(remaining.pop(pick))
    return ordered


def _separable(rest: Sequence[Candidate], previous: int) -> bool:
    """Whether `rest` can be ordered after a question of card `previous` with no neighbours alike."""
    if not rest:
        return True
    counts: dict[int, int] = {}
    for item in rest:
        counts[item.card_id] = counts.get(item.card_id, 0) + 1
    n = len(rest)
    # Any card may fill at most every other place; the previous card cannot take the first place.
    return max(counts.values()) <= (n + 1) // 2 and counts.get(previous, 0) <= n // 2
