"""Cards whose front is only a picture or a sound: imported with a label for their front text,
asked with the picture as the question, and never shown that label as an option, answer or prompt."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.cards.formats.apkg import read_apkg
from bot.cards.model import Deck, is_media_front, media_front, media_only
from bot.cards.questions import QuestionKind, make_questions
from bot.services.views import QuestionView
from bot.storage.battles import RoundRow
from bot.views import battle as battle_view
from bot.views.i18n import using_locale
from bot.views.quiz import question_text
from tests.deck_notes import said
from tests.media import ELF, media_package, mp3_bytes, png_bytes

ANIMALS = ["cat", "dog", "bird", "fish", "horse", "sheep"]
ALLOWED = {QuestionKind.RECALL, QuestionKind.CHOICE, QuestionKind.TYPED}


def _animal_deck() -> Deck:
    """Picture-only fronts, a sound-only one and a text card."""
    notes = [(f'<img src="{name}.png">', name) for name in ANIMALS]
    notes.append(("[sound:cow.mp3]", "cow"))
    notes.append(("Which animal purrs?", "a cat"))
    files = {f"{name}.png": png_bytes(i + 2, i + 2) for i, name in enumerate(ANIMALS)}
    files["cow.mp3"] = mp3_bytes()
    return read_apkg(media_package(notes, files), "animals.apkg").deck


def test_picture_and_sound_only_fronts_import_with_a_unique_neutral_label() -> None:
    deck = _animal_deck()
    alone = [card for card in deck.cards if media_only(card)]
    assert len(alone) == 7 and len(deck.cards) == 8
    fronts = [card.front for card in alone]
    assert len(set(fronts)) == 7
    # The file's name ("cat.png") would spell the answer: the label does not carry it.
    assert all(card.back not in card.front for card in alone)
    assert sum(front.startswith("🔊 sound ") for front in fronts) == 1
    assert "7 of them have no text on the front: the picture or sound is asked" in said(
        deck.warnings
    )
    assert media_front("photo", "cat.png") == media_front("photo", "cat.png")
    assert is_media_front(media_front("audio", "x.mp3")) and not is_media_front("picture")


def test_a_front_whose_picture_is_not_kept_is_skipped() -> None:
    notes = [
        ('<img src="evil.png">', "evil"),
        ('<img src="cat.png">', "cat"),
        ("Kidney", "Filters"),
    ]
    data = media_package(notes, {"evil.png": ELF, "cat.png": png_bytes()})
    found = read_apkg(data, "mixed.apkg")
    assert [card.back for card in found.deck.cards] == ["cat", "Filters"]
    assert found.empty_skipped == 1
    assert "1 card skipped: its front is only a picture or sound that was not kept" in (
        said(found.deck.warnings)
    )


def test_no_question_of_a_media_only_card_shows_its_label() -> None:
    """The criterion: over every question the deck yields, a media-only card's label is never an
    option, an answer, an accepted answer nor a prompt, and its kinds are those that ask the back."""
    deck = _animal_deck()
    labels = {card.front for card in deck.cards if media_only(card)}
    questions = make_questions(deck)
    by_card = {q.card_key: q for q in questions}
    assert by_card  # the deck yields questions
    alone_questions = 0
    for question in questions:
        shown = (question.prompt, question.answer, *question.distractors, *question.accepted)
        for label in labels:
            assert all(label not in text for text in shown), question
        assert not any(is_media_front(text) for text in shown), question
    for card in deck.cards:
        if not media_only(card):
            continue
        own = [q for q in questions if q.answer == card.back and not q.prompt]
        kinds = {q.kind for q in own}
        assert kinds <= ALLOWED and QuestionKind.RECALL in kinds
        assert QuestionKind.CHOICE in kinds  # from the other cards' backs
        for q in own:
            if q.kind is QuestionKind.CHOICE:
                assert set(q.distractors) <= {c.back for c in deck.cards} - {card.back}
        alone_questions += len(own)
    assert alone_questions >= 14  # recall and choice (and typed) for each of the seven


def test_a_media_only_card_meant_both_ways_is_not_asked_backwards() -> None:
    deck = _animal_deck()
    both = replace(deck, cards=tuple(replace(card, reverse=True) for card in deck.cards))
    kinds = {q.kind for q in make_questions(both) if not q.prompt}
    assert QuestionKind.REVERSE not in kinds and QuestionKind.IDENTIFY not in kinds


def _view(kind: str, prompt: str, options: tuple[str, ...] = ()) -> QuestionView:
    return QuestionView(
        session_id=1,
        position=1,
        size=1,
        deck_title="Animals",
        kind=kind,
        prompt=prompt,
        answer="cat",
        front=media_front("photo", "cat.png"),
        back="cat",
        options=options,
        right_index=0 if options else None,
        front_media="abc",
    )


@pytest.mark.parametrize(
    ("locale", "caption"),
    [("en", "What is this?"), ("ru", "Что это?"), ("es", "¿Qué es esto?"), ("de", "Was ist das?")],
)
def test_the_question_reads_what_is_this_never_the_label(locale: str, caption: str) -> None:
    label = media_front("photo", "cat.png")
    with using_locale(locale):
        for view in (
            _view("recall", ""),
            replace(_view("recall", ""), revealed=True),
            _view("choice", "", ("cat", "dog", "bird", "fish")),
            _view("typed", ""),
        ):
            text = question_text(view)
            assert caption in text and label not in text


def test_a_battle_round_with_a_media_only_card_asks_what_is_this() -> None:
    row = RoundRow(1, 1, "pick:x", 1, "choice", "", "cat", "cat", ["cat", "dog"], 0, None, "abc")
    text = battle_view.round_text(row, 1, 3, 20)
    assert "What is this?" in text and "🖼" not in text
