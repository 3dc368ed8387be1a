"""Questions made from cards: what is asked, what counts as right, a stable key for scheduling."""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.cards.cloze import (
    DISTRACTORS,
    Fact,
    FactPool,
    Sentence,
    blank_out,
    find_facts,
    make_distractors,
    split_sentences,
)
from bot.cards.model import Card, Deck
from bot.core.grading import normalize_answer

CHOICE_OPTIONS = 4
MASK = "___"
TYPED_MAX_CHARS = 40
MIN_CLOZE_WORDS = 3  # words a sentence keeps around its blanks


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
    return hashlib.sha1(normalize_front(card.front).encode(), usedforsecurity=False).hexdigest()[
        :16
    ]


def _word_pattern(front: str) -> re.Pattern[str] | None:
    words = [w for w in re.findall(r"\w+", front) if len(w) > 3]
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)


def mask_front_words(back: str, front: str) -> str:
    """The back with the front's significant words hidden, so a choice question does not tell."""
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


def typed_question(card: Card) -> Question | None:
    """Front shown, the user types the back; only for short one-line backs."""
    if "\n" in card.back or len(card.back) > TYPED_MAX_CHARS:
        return None
    key = card_key(card)
    return Question(f"typed:{key}", key, QuestionKind.TYPED, card.front, card.back)


def _fact_hash(sentence: str, answer: str) -> str:
    material = f"{normalize_front(sentence)}\x1f{normalize_answer(answer)}"
    return hashlib.sha1(material.encode(), usedforsecurity=False).hexdigest()[:10]


def _cloze_prompt(sentence: Sentence, blanked: str, answer: str) -> str:
    """The blanked sentence, as a bullet under its lead line when it is one (unless that tells)."""
    text = f"- {blanked}" if sentence.bullet else blanked
    lead = sentence.lead
    if lead and f" {normalize_answer(answer)} " not in f" {normalize_answer(lead)} ":
        return f"{lead}\n{text}"
    return text


def cloze_questions(card: Card, pool: FactPool) -> list[Question]:
    """One question per fact of each back sentence, each with 3 wrong options of the same kind.

    A fact written twice in one sentence is blanked everywhere in it (one question). Skipped: a
    fact for which the deck cannot supply 3 wrong options, and sentences too short to ask about.
    """
    key = card_key(card)
    questions: list[Question] = []
    seen: set[str] = set()
    for sentence in split_sentences(card.back):
        facts = find_facts(sentence.text)
        if len(blank_out(sentence.text, facts).split()) - len(facts) < MIN_CLOZE_WORDS:
            continue  # "1956" or "In 1956." says nothing once blanked; a typed question asks it
        groups: dict[str, list[Fact]] = {}
        for fact in facts:
            groups.setdefault(normalize_answer(fact.text), []).append(fact)
        for group in groups.values():
            fact = group[0]
            digest = _fact_hash(sentence.text, fact.text)
            qkey = f"cloze:{key}:{digest}"
            if qkey in seen:
                continue
            wrong = make_distractors(sentence.text, fact, pool, seed=f"{key}:{digest}")
            if len(wrong) < DISTRACTORS:
                continue
            seen.add(qkey)
            prompt = _cloze_prompt(sentence, blank_out(sentence.text, group), fact.text)
            questions.append(Question(qkey, key, QuestionKind.CLOZE, prompt, fact.text, wrong))
    return questions


def make_questions(deck: Deck) -> list[Question]:
    """Every question the deck yields, card by card: recall, choice (4+ cards), typed, cloze."""
    questions: list[Question] = []
    with_choice = len(deck.cards) >= CHOICE_OPTIONS
    pool = FactPool.from_deck(deck)
    for card in deck.cards:
        questions.append(recall_question(card))
        if with_choice:
            questions.append(choice_question(card))
        typed = typed_question(card)
        if typed is not None:
            questions.append(typed)
        questions.extend(cloze_questions(card, pool))
    return questions


def cloze_options(question: Question) -> tuple[list[str], int]:
    """The answer and its distractors in a stable shuffled order; returns (options, right index)."""
    rng = random.Random(question.key)
    return choice_options(question.answer, question.distractors, rng, len(question.distractors) + 1)


def choice_options(
    answer: str, candidates: Sequence[str], rng: random.Random, count: int = CHOICE_OPTIONS
) -> tuple[list[str], int]:
    """Shuffled options: the answer and `count - 1` distinct wrong ones; (options, right index)."""
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
