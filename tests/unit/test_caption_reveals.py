"""A question shown with the card's picture is a caption (1,024 characters): once answered, its
reveal shortens the card to fit, never the verdict, the answer or the next review."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.views import QuestionView, RevealView
from bot.views.fmt import TEXT_LIMIT, visible_length
from bot.views.quiz import reveal_text

DUE = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def _question(front_chars: int, back_chars: int) -> QuestionView:
    front = ("What did the reform of 1957 change? " * 40)[:front_chars]
    return QuestionView(
        session_id=1,
        position=1,
        size=10,
        deck_title="History",
        kind="typed",
        prompt=front,
        answer="Sovnarkhozy",
        front=front,
        back=("Regional economic councils replaced ministries. " * 80)[:back_chars],
        options=(),
        right_index=None,
        accepted=("economic councils",),
        front_media="ab" * 32,
    )


@pytest.mark.parametrize(("front_chars", "back_chars"), [(40, 60), (900, 40), (300, 3000)])
@pytest.mark.parametrize("outcome", ["right", "wrong"])
def test_a_picture_questions_reveal_fits_its_caption(
    front_chars: int, back_chars: int, outcome: str
) -> None:
    question = _question(front_chars, back_chars)
    given = None if outcome == "right" else "councils of ministers"
    revealed = RevealView(question, outcome, given, DUE, "UTC", answered_again=True)
    text = reveal_text(revealed, "tomorrow at 09:00", room=1024)
    assert visible_length(text) <= 1024
    assert "Sovnarkhozy" in text and "tomorrow at 09:00" in text
    assert "economic councils" in text  # the other right answers
    if given is not None:
        assert given in text
    if front_chars + back_chars < 500:
        # Nothing to shorten: the whole card shows.
        assert question.front in text and question.back in text
    # In a message of its own the card is not cut for a caption's sake.
    whole = reveal_text(revealed, "tomorrow at 09:00")
    assert visible_length(whole) <= TEXT_LIMIT and question.back[:2000] in whole
