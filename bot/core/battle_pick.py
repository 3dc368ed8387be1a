"""Which cards a battle asks: the ones its players find hardest or have due, then new ones."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HARD_DIFFICULTY = 5.0  # FSRS difficulty runs 1–10; a first "Hard" rating lands at about 5
LEECH_LAPSES = 8  # Anki calls a card with 8 lapses a leech; more lapses add no more weight


@dataclass(frozen=True, slots=True)
class BattleCandidate:
    """A question the battle could ask (choice or cloze) and the card it comes from."""

    question_key: str
    card_key: str


@dataclass(frozen=True, slots=True)
class CardMemory:
    """One player's FSRS memory of one card, as of the battle's start."""

    user_id: int
    card_key: str
    difficulty: float  # FSRS difficulty, 1 (easy) – 10 (hard)
    stability: float  # FSRS stability in days
    lapses: int
    due: bool


def hardness(memory: CardMemory) -> float:
    """How much a player struggles with a card: difficulty, low stability, lapses and being due."""
    return (
        (min(max(memory.difficulty, 1.0), 10.0) - 1.0) / 9.0
        + 1.0 / (1.0 + max(memory.stability, 0.0))
        + min(max(memory.lapses, 0), LEECH_LAPSES) / LEECH_LAPSES
        + (1.0 if memory.due else 0.0)
    )


def needs_work(memory: CardMemory) -> bool:
    """A card worth revising now: due, forgotten before, or rated hard."""
    return memory.due or memory.lapses > 0 or memory.difficulty >= HARD_DIFFICULTY


def pick_battle_questions(
    candidates: Sequence[BattleCandidate],
    player_states: Iterable[CardMemory],
    rounds: int,
    rng: random.Random,
) -> list[BattleCandidate]:
    """Up to `rounds` questions, never two from one card, in a shuffled play order.

    Cards come in three tiers: those some player needs to work on (hardest for the group first),
    then cards no player has seen (at random), then the seen cards everyone is comfortable with
    (hardest first). Fewer than `rounds` cards in the deck gives fewer questions.
    """
    by_card: dict[str, list[BattleCandidate]] = {}
    for candidate in candidates:
        by_card.setdefault(candidate.card_key, []).append(candidate)
    score: dict[str, float] = {}
    struggling: set[str] = set()
    for memory in player_states:
        if memory.card_key not in by_card:
            continue
        score[memory.card_key] = score.get(memory.card_key, 0.0) + hardness(memory)
        if needs_work(memory):
            struggling.add(memory.card_key)

    def tier(card: str) -> int:
        if card in struggling:
            return 0
        return 1 if card not in score else 2

    # One random draw per card in deck order keeps the result a function of the seed alone.
    tie = {card: rng.random() for card in by_card}
    ranked = sorted(by_card, key=lambda card: (tier(card), -score.get(card, 0.0), tie[card]))
    chosen = [rng.choice(by_card[card]) for card in ranked[: max(rounds, 0)]]
    rng.shuffle(chosen)
    return chosen
