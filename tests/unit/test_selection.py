"""Session selection: due first (most overdue first), new up to the limit, no sibling in a row."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.selection import Candidate, pick_session, spread_siblings

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def due(qid: int, card: int, hours_ago: int) -> Candidate:
    return Candidate(qid, card, T0 - timedelta(hours=hours_ago))


def test_due_come_first_most_overdue_first_then_new() -> None:
    picked = pick_session(
        [due(1, 1, 1), due(2, 2, 30), due(3, 3, 5)],
        [Candidate(10, 10), Candidate(11, 11)],
        size=10,
        new_allowed=10,
    )
    assert [c.question_id for c in picked] == [2, 3, 1, 10, 11]


def test_new_questions_stop_at_the_daily_limit() -> None:
    new = [Candidate(i, i) for i in range(10, 20)]
    picked = pick_session([due(1, 1, 1)], new, size=10, new_allowed=3)
    assert [c.question_id for c in picked] == [1, 10, 11, 12]


def test_session_size_caps_due_questions_too() -> None:
    picked = pick_session([due(i, i, i) for i in range(1, 30)], [Candidate(99, 99)], 10, 10)
    assert len(picked) == 10
    assert 99 not in [c.question_id for c in picked]


def test_zero_size_or_nothing_available_gives_an_empty_session() -> None:
    assert pick_session([due(1, 1, 1)], [], 0, 10) == []
    assert pick_session([], [], 10, 10) == []


def test_siblings_are_separated_when_possible() -> None:
    items = [Candidate(1, 1), Candidate(2, 1), Candidate(3, 2), Candidate(4, 2), Candidate(5, 3)]
    assert [c.card_id for c in spread_siblings(items)] == [1, 2, 1, 2, 3]


def test_siblings_follow_each_other_only_when_nothing_else_is_left() -> None:
    items = [Candidate(1, 1), Candidate(2, 1), Candidate(3, 1), Candidate(4, 2)]
    assert [c.card_id for c in spread_siblings(items)] == [1, 2, 1, 1]


@given(st.lists(st.integers(min_value=1, max_value=5), max_size=20))
def test_no_two_neighbours_share_a_card_whenever_an_order_exists(cards: list[int]) -> None:
    items = [Candidate(i, card) for i, card in enumerate(cards)]
    ordered = spread_siblings(items)
    assert sorted(c.question_id for c in ordered) == list(range(len(cards)))
    most = max((cards.count(c) for c in set(cards)), default=0)
    if most <= (len(cards) + 1) // 2:
        assert all(a.card_id != b.card_id for a, b in itertools.pairwise(ordered))
