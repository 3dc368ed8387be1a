"""The card and deck values every format produces and every feature consumes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from bot.cards.problems import Note, Problem, Value, problem

MAX_SIDE_CHARS = 2000
MAX_TITLE_CHARS = 200
MAX_CARDS = 5000

# The front text of a card whose front is only a picture or a sound: a neutral label (a file's name
# may spell the answer: "cat.jpg") made unique by a hash of the file it stands for.
_MEDIA_FRONT = re.compile(r"(?:🖼 picture|🔊 sound) [0-9a-f]{8}")


class DeckError(ValueError):
    """A deck that cannot be used: `problem` says what is wrong and where (the views word it;
    `str()` is its English, for logs and the command line)."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found)
        self.problem = found

    def __str__(self) -> str:
        return str(self.problem)

    @classmethod
    def of(cls, code: str, file: str | None = None, **values: Value) -> DeckError:
        """The error for `problem(code, file, **values)`."""
        return cls(problem(code, file, **values))


@dataclass(frozen=True, slots=True)
class Card:
    """One flashcard: a front (prompt or title) and a back (the facts to recall).

    An Anki card may also keep its formatting (`front_html`, `back_html`).
    A card meant both ways (`reverse`: an Anki "Basic (and reversed card)" note, a deck studied
    both ways) is also asked the other way round: its back shown, its front recalled.
    """

    front: str
    back: str
    reverse: bool = False
    # Each side's formatting as Telegram HTML (bot.cards.richtext), when the deck had some to keep:
    # the plain sides above are what questions are made from and answers graded against.
    front_html: str | None = None
    back_html: str | None = None
    # The content hash of the picture or sound shown with the front (bot.cards.formats.apkg_media).
    front_media: str | None = None
    # More pictures the front shows (at most 9, sent as an album before the question), and the
    # pictures then the sound the back shows once the card is answered: content hashes, in order.
    front_more: tuple[str, ...] = ()
    back_media: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Deck:
    """A titled list of cards, plus warnings met while reading it (problems; a deck kept before
    problems existed may hold its warnings as English lines)."""

    title: str
    cards: tuple[Card, ...]
    warnings: tuple[Note, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        """The shape `python -m bot deck check --json` prints."""
        return {
            "title": self.title,
            "cards": [{"front": c.front, "back": c.back} for c in self.cards],
            "warnings": [str(w) for w in self.warnings],
        }


def normalize_front(text: str) -> str:
    """The form of a front that identifies its card: case, accents and spacing do not matter."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())


def media_front(kind: Literal["photo", "audio"], name: str) -> str:
    """The front text of a card whose front is only the picture or sound named `name`."""
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{'🖼 picture' if kind == 'photo' else '🔊 sound'} {digest}"


def is_media_front(front: str) -> bool:
    """Whether a front is the label of a picture- or sound-only front (see `media_front`)."""
    return _MEDIA_FRONT.fullmatch(front) is not None


def media_only(card: Card) -> bool:
    """Whether the card's question is its picture or sound alone: the front text is only a label."""
    return card.front_media is not None and is_media_front(card.front)
