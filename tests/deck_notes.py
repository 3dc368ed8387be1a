"""Deck warnings and refusals as the English a test reads (they are problems, worded by a view)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from bot.cards.problems import Note
from bot.views.deck_problems import english


def said(notes: Iterable[Note]) -> tuple[str, ...]:
    """Each warning in English, in order."""
    return tuple(english(note) for note in notes)


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]+")


def latin_words(text: str, allowed: Collection[str] = ()) -> list[str]:
    """The words in Latin letters in `text` (two letters or more) that are not `allowed`: in a
    Russian or Ukrainian message, English left untranslated."""
    return [word for word in _WORD.findall(text) if word.strip("'-") not in allowed]
