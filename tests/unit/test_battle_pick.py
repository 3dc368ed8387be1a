"""Card choice for a battle: hard or due cards first, then new ones, never one card twice."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bot.core.battle import BattleCandidate, CardMemory, pick_battle_questions


def deck(cards: int) -> list[BattleCandidate]:
    """Two questions (choice and cloze) for each of `cards` cards."""
    return [
        BattleCandidate(f"{kind}:c{i}", f"c{i}")
        for i in range(cards)
        for kind in ("choice", "cloze")
    ]


def easy(user_id: int, card: str) -> CardMemory:
    """A card this player knows well."""
    return CardMemory(user_id, card, difficulty=2.0, stability=40.0, lapses=0, due=False)


def cards_of(picked: list[BattleCandidate]) -> set[str]:
    """The card keys of the picked questions."""
    return {q.card_key for q in picked}


def test_never_the_same_card_twice() -> None:
    picked = pick_battle_questions(deck(10), [], 10, random.Random(1))
    assert len(picked) == 10
    assert len(cards_of(picked)) == 10


def test_small_deck_gives_fewer_rounds() -> None:
    picked = pick_battle_questions(deck(4), [], 10, random.Random(1))
    assert cards_of(picked) == {"c0", "c1", "c2", "c3"}


def test_hard_and_due_cards_come_first() -> None:
    memories = [easy(1, f"c{i}") for i in range(12)] + [
        CardMemory(1, "c3", difficulty=8.0, stability=2.0, lapses=0, due=False),  # hard
        CardMemory(2, "c7", difficulty=3.0, stability=10.0, lapses=0, due=True),  # due for Bob
        CardMemory(2, "c9", difficulty=3.0, stability=10.0, lapses=3, due=False),  # forgotten
    ]
    for seed in range(20):
        picked = pick_battle_questions(deck(20), memories, 3, random.Random(seed))
        assert cards_of(picked) == {"c3", "c7", "c9"}


def test_hardest_for_the_group_wins_when_there_are_too_many_hard_cards() -> None:
    memories = [
        CardMemory(1, "c0", difficulty=6.0, stability=5.0, lapses=0, due=False),
        CardMemory(1, "c1", difficulty=9.0, stability=0.5, lapses=4, due=True),
        CardMemory(2, "c1", difficulty=7.0, stability=1.0, lapses=1, due=True),
        CardMemory(2, "c2", difficulty=6.0, stability=5.0, lapses=0, due=True),
    ]
    picked = pick_battle_questions(deck(5), memories, 2, random.Random(3))
    assert cards_of(picked) == {"c1", "c2"}


def test_new_cards_fill_before_cards_everyone_knows() -> None:
    memories = [easy(1, f"c{i}") for i in range(8)]
    picked = pick_battle_questions(deck(10), memories, 3, random.Random(5))
    # c8 and c9 are new to everyone; the last place goes to one of the equally known cards.
    assert {"c8", "c9"} <= cards_of(picked)
    assert len(cards_of(picked)) == 3


def test_memories_of_cards_outside_the_deck_are_ignored() -> None:
    memories = [CardMemory(1, "elsewhere", difficulty=10.0, stability=0.1, lapses=9, due=True)]
    picked = pick_battle_questions(deck(3), memories, 3, random.Random(0))
    assert cards_of(picked) == {"c0", "c1", "c2"}


def test_same_seed_same_battle() -> None:
    memories = [easy(1, "c1"), easy(2, "c4")]
    first = pick_battle_questions(deck(15), memories, 6, random.Random(42))
    again = pick_battle_questions(deck(15), memories, 6, random.Random(42))
    assert first == again


@given(
    cards=st.integers(min_value=0, max_value=30),
    rounds=st.integers(min_value=0, max_value=20),
    seed=st.integers(min_value=0, max_value=2**32),
    memories=st.lists(
        st.builds(
            CardMemory,
            user_id=st.integers(1, 4),
            card_key=st.integers(0, 35).map(lambda i: f"c{i}"),
            difficulty=st.floats(1, 10),
            stability=st.floats(0, 1000),
            lapses=st.integers(0, 30),
            due=st.booleans(),
        ),
        max_size=40,
    ),
)
def test_pick_invariants(cards: int, rounds: int, seed: int, memories: list[CardMemory]) -> None:
    candidates = deck(cards)
    picked = pick_battle_questions(candidates, memories, rounds, random.Random(seed))
    assert len(picked) == min(rounds, cards)
    assert len(cards_of(picked)) == len(picked)
    assert all(q in candidates for q in picked)
