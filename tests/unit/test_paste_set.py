"""Every deck of the labelled paste set (tests/fixtures/pastes/) splits as recorded beside it."""

from __future__ import annotations

import pytest

from tests.deck_notes import said
from tests.pastes import LabelledPaste, labelled_pastes, misread, read

PASTES = labelled_pastes()


def test_the_set_is_there() -> None:
    assert len(PASTES) >= 40
    assert sum(len(paste.cards) for paste in PASTES) >= 300


@pytest.mark.parametrize("paste", PASTES, ids=[paste.name for paste in PASTES])
def test_every_card_splits_as_labelled(paste: LabelledPaste) -> None:
    deck = read(paste)
    assert deck.title == paste.title
    assert said(deck.warnings) == said(paste.warnings)
    wrong = misread(paste, deck)
    assert wrong == list(paste.misread)
    if not wrong:
        assert deck.cards == paste.cards
    # A card read wrong is never read wrong silently: a guess warning names it.
    guesses = [w for w in said(deck.warnings) if "I guessed" in w]
    for front in wrong:
        assert any(front[:30] in warning for warning in guesses), front
