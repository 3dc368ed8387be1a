"""Questions made from cards: what is asked, what counts as right, and a stable key for scheduling."""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.cards.model import Card, Deck

CHOICE_OPTIONS = 4
MASK = "___"


class QuestionKind(StrEnum):
    """How a question is asked and answered."""

    RECALL = "recall"  # front shown, back revealed, self-graded Again/Hard/Good/Easy
    CHOICE = "choice"  # back shown with the front's words masked, pick the right front of 4
    CLOZE = "cloze"  # a back sentence with one fact blanked, pick (or type) the fact
    TYPED = "typed"  # front shown, the user types the (short) back


@dataclass(frozen=True, slots=True)
class Question:
    """One schedulable question; `key` is stable while the card's front stays the same."""

    key: str
    card_key: str
    kind: QuestionKind
    prompt: str
    answer: str
    distractors: tuple[str, ...] = field(default=())


def normalize_front(text: str) -> str:
    """The form of a front that identifies its card: case, accents and spacing do not matter."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())


def card_key(card: Card) -> str:
    """A stable identifier for a card within its deck, derived from its front."""
    return hashlib.sha1(normalize_front(card.front).encode(), usedforsecurity=False).hexdigest()[:16]


def _word_pattern(front: str) -> re.Pattern[str] | None:
    words = [w for w in re.findall(r"\w+", front) if len(w) > 3]
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)


def mask_front_words(back: str, front: str) -> str:
    """The back with the front's significant words hidden, so a choice question does not give itself away."""
    pattern = _word_pattern(front)
    if pattern is None:
        return back
    return pattern.sub(MASK, back)


def recall_question(card: Card) -> Question:
    """Front shown, back revealed on request, graded by the user."""
    key = card_key(card)
    return Question(f"recall:{key}", key, QuestionKind.RECALL, card.front, card.back)


def choice_question(card: Card) -> Question:
    """The back (front words masked) shown; the right front is one of four options."""
    key = card_key(card)
    prompt = mask_front_words(card.back, card.front)
    return Question(f"choice:{key}", key, QuestionKind.CHOICE, prompt, card.front)


def make_questions(deck: Deck) -> list[Question]:
    """Every question the deck yields, in card order; choice needs at least 4 cards to offer 4 options."""
    questions: list[Question] = []
    with_choice = len(deck.cards) >= CHOICE_OPTIONS
    for card in deck.cards:
        questions.append(recall_question(card))
        if with_choice:
            questions.append(choice_question(card))
    return questions


def choice_options(
    answer: str, candidates: Sequence[str], rng: random.Random, count: int = CHOICE_OPTIONS
) -> tuple[list[str], int]:
    """`count` shuffled options: the answer plus distinct wrong candidates; returns (options, right index)."""
    seen = {normalize_front(answer)}
    wrong: list[str] = []
    pool = list(candidates)
    rng.shuffle(pool)
    for option in pool:
        norm = normalize_front(option)
        if norm in seen:
            continue
        seen.add(norm)
        wrong.append(option)
        if len(wrong) == count - 1:
            break
    options = [answer, *wrong]
    rng.shuffle(options)
    return options, options.index(answer)
