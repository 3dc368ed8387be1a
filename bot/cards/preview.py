"""Every question a deck yields, as `python -m bot deck questions` prints it (text or JSON)."""

from __future__ import annotations

import random

from bot.cards.model import Deck
from bot.cards.questions import Question, card_key, make_questions, question_options


def drawn_options(question: Question, seed: int) -> list[str] | None:
    """The options a quiz would show for the question, drawn with `seed` (None when typed)."""
    drawn = question_options(question, random.Random(f"{seed}:{question.key}"))
    return drawn[0] if drawn is not None else None


def deck_questions_json(deck: Deck, seed: int = 0) -> dict[str, object]:
    """The deck's title, every question (card, kind, prompt, options, answer, accepted), warnings."""
    fronts = {card_key(card): card.front for card in deck.cards}
    return {
        "title": deck.title,
        "questions": [
            {
                "card": fronts[question.card_key],
                "kind": str(question.kind),
                "prompt": question.prompt,
                "options": drawn_options(question, seed),
                "answer": question.answer,
                "accepted": list(question.accepted),
            }
            for question in make_questions(deck)
        ],
        "warnings": [str(w) for w in deck.warnings],
    }


def render_questions(deck: Deck, seed: int = 0) -> str:
    """The questions as readable text, card by card."""
    fronts = {card_key(card): card.front for card in deck.cards}
    lines = [f"{deck.title} — {len(deck.cards)} cards"]
    current: str | None = None
    number = 0
    for question in make_questions(deck):
        if question.card_key != current:
            current = question.card_key
            number += 1
            lines.append(f"\n{number}. {fronts[question.card_key]}")
        lines.append(f"   [{question.kind}]")
        lines.extend(f"      {line}" for line in question.prompt.splitlines())
        options = drawn_options(question, seed)
        if options is not None:
            lines.append("      options: " + " | ".join(options))
        lines.append(f"      answer: {question.answer}")
        if question.accepted:
            lines.append("      also right: " + " | ".join(question.accepted))
    return "\n".join(lines)
