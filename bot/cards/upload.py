"""A deck a user sends: read from a file or a paste, kept as JSON until saved, named by a slug."""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from bot.cards.formats import SUPPORTED_SUFFIXES, ImportedReview, read_apkg, read_deck_bytes
from bot.cards.formats.apkg import ImportedMemory
from bot.cards.formats.apkg_media import MediaFile
from bot.cards.formats.quizlet import one_line_set
from bot.cards.formats.text import looks_like_flashcards, read_flashcard_text
from bot.cards.model import Card, Deck, DeckError
from bot.cards.problems import Note, Problem, note_from_json, note_json, problem

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PASTE_CHARS = 64 * 1024
# A paste split where nothing marks the cards must make two cards at least: two lines of chat
# read as one card would be a deck nobody meant. A marked card ("front :: back") may be alone.
MIN_PASTED_CARDS = 2
PASTE_WHERE = "pasted text"
MAX_SLUG_CHARS = 60
PAGE_CARDS = 8  # cards on one page of a preview
MAX_FILENAME_CHARS = 120
MAX_SUFFIX_CHARS = 10
UPLOAD_SUFFIXES = tuple(s for s in SUPPORTED_SUFFIXES if s != ".toml")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Upload:
    """A deck read from what a user sent, with the review history an Anki package carried."""

    deck: Deck
    reviews: tuple[ImportedReview, ...] = field(default=())
    # Anki's own FSRS states of some card directions, and the parameters that made them.
    memories: tuple[ImportedMemory, ...] = field(default=())
    parameters: tuple[float, ...] = field(default=())
    media: tuple[MediaFile, ...] = field(default=())  # the pictures and sounds cards show


def safe_filename(name: str | None) -> str:
    """The file's own name (no folders, no control characters), never empty; a long one is
    shortened before its extension, which tells how to read it."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Category C: controls, format characters (bidi overrides), lone surrogates, unassigned.
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(cleaned) <= MAX_FILENAME_CHARS:
        return cleaned or "document"
    suffix = Path(cleaned).suffix
    if not suffix or len(suffix) > MAX_SUFFIX_CHARS:
        return cleaned[: MAX_FILENAME_CHARS - 1] + "…"
    stem = cleaned[: -len(suffix)]
    return stem[: MAX_FILENAME_CHARS - len(suffix) - 1].rstrip() + "…" + suffix


def refuse_before_download(filename: str, size: int | None) -> Problem | None:
    """Why a document is refused from its name and announced size alone; None if worth reading."""
    suffix = Path(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        if not suffix:
            return problem("no_file_type", filename, suffixes=", ".join(UPLOAD_SUFFIXES))
        return problem(
            "unsupported_type", filename, suffix=suffix, suffixes=", ".join(UPLOAD_SUFFIXES)
        )
    if size is not None and size > MAX_UPLOAD_BYTES:
        # Pictures and sounds are what make a package large; the cards alone rarely are: the
        # refusal of a package says how to export it without them.
        return problem(
            "apkg_too_large" if suffix == ".apkg" else "file_too_large",
            filename,
            size=round(size / 1024 / 1024, 1),
            limit=MAX_UPLOAD_BYTES // 1024 // 1024,
        )
    return None


def read_upload(data: bytes, filename: str) -> Upload:
    """Read a sent file by its extension; raises DeckError naming the file and the problem."""
    refusal = refuse_before_download(filename, len(data))
    if refusal is not None:
        raise DeckError(refusal)
    if Path(filename).suffix.lower() == ".apkg":
        package = read_apkg(data, filename)
        return Upload(
            package.deck,
            tuple(package.reviews),
            tuple(package.memories),
            package.parameters,
            package.media,
        )
    return Upload(read_deck_bytes(data, filename))


@dataclass(frozen=True, slots=True)
class PasteRefusal:
    """Why a text that looks meant as flashcards was not taken (the view words it).

    `too_long`: over the paste limit. `unreadable`: the reader found something wrong, said in
    `problem` (line 3: a Q: line without an A: line after it; or a sentence the views already
    worded). `one_card`: nothing marks where cards start and everything read as the single card
    `card`.
    """

    reason: Literal["too_long", "unreadable", "one_card"]
    problem: Problem | str = ""
    card: Card | None = None


def surely_chat(text: str) -> bool:
    """Whether a text can only be chat, told without reading it: one line without any mark a card
    or a title could carry (`::`, a tab, a colon, "flashcards", "cards", "terms").

    `read_paste` would return None for it too; this costs one pass over the text, no parsing.
    """
    body = text.strip()
    if not body:
        return True
    if len(body.splitlines()) > 1 or "\t" in body or ":" in body or "：" in body:
        return False
    folded = body.casefold()
    return not any(mark in folded for mark in ("flash", "card", "term"))


def valid_unicode(text: str) -> str:
    """The text with each lone surrogate (invalid Unicode, which no encoder takes) as U+FFFD."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def read_paste(text: str) -> Deck | PasteRefusal | None:
    """Pasted flashcards as a deck, a refusal saying why not, or None for ordinary chat.

    A deck needs two cards, or one marked card (`front :: back`, `front<TAB>back`, `Q:`/`A:`).
    A text that fails and looks meant as flashcards (several lines, or a marker) gets a refusal.
    """
    if not text.strip():
        return None
    if len(text) > MAX_PASTE_CHARS:
        return PasteRefusal("too_long")
    text = one_line_set(text) or text  # a Quizlet set copied with `;` between its cards
    try:
        read = read_flashcard_text(text, PASTE_WHERE)
    except DeckError as exc:
        if not looks_like_flashcards(text):
            return None
        return PasteRefusal("unreadable", exc.problem)
    cards = read.deck.cards
    if read.explicit or len(cards) >= MIN_PASTED_CARDS:
        return read.deck
    return PasteRefusal("one_card", card=cards[0]) if looks_like_flashcards(text) else None


@dataclass(frozen=True, slots=True)
class Digest:
    """What a preview shows of an upload, without holding the upload: its size and one page."""

    title: str
    cards: int
    reviews: int
    warnings: tuple[Note, ...]
    page: int  # 0-based, within the pages there are
    page_cards: tuple[Card, ...]  # the cards on that page, the first being card page × PAGE_CARDS

    @property
    def pages(self) -> int:
        """How many pages of PAGE_CARDS the cards fill (one at least)."""
        return max(1, -(-self.cards // PAGE_CARDS))

    def as_json(self) -> dict[str, object]:
        """The digest as a JSON object."""
        return {
            "title": self.title,
            "cards": self.cards,
            "reviews": self.reviews,
            "warnings": [note_json(w) for w in self.warnings],
            "page": self.page,
            "page_cards": [
                [
                    c.front,
                    c.back,
                    *([c.front_html, c.back_html] if c.front_html or c.back_html else []),
                ]
                for c in self.page_cards
            ],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Digest:
        """A digest back from `as_json`."""
        return cls(
            str(raw["title"]),
            int(raw["cards"]),
            int(raw["reviews"]),
            tuple(note_from_json(w) for w in raw["warnings"]),
            int(raw["page"]),
            tuple(
                Card(str(c[0]), str(c[1]), front_html=_html(c, 2), back_html=_html(c, 3))
                for c in raw["page_cards"]
            ),
        )


def digest(upload: Upload, page: int = 0) -> Digest:
    """The digest of an upload showing `page` (clamped to the pages there are)."""
    deck = upload.deck
    pages = max(1, -(-len(deck.cards) // PAGE_CARDS))
    page = min(max(page, 0), pages - 1)
    return Digest(
        deck.title,
        len(deck.cards),
        len(upload.reviews),
        deck.warnings,
        page,
        deck.cards[page * PAGE_CARDS : (page + 1) * PAGE_CARDS],
    )


def deck_slug(title: str) -> str:
    """The name a user's deck is stored under: the title's words, lower case, joined by dashes.

    Two imports with the same title are the same deck (the second updates the first).
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    words = re.findall(r"\w+", folded)
    slug = "-".join(words)[:MAX_SLUG_CHARS].strip("-")
    return slug or "deck"


def _html(raw: list[Any], at: int) -> str | None:
    """A formatted side carried in a digest's card, if there is one."""
    return raw[at] if len(raw) > at and isinstance(raw[at], str) else None


def _card_json(card: Card) -> list[object]:
    """A card as `[front, back]`, then `1` when meant both ways, then its formatted sides if any,
    then its front's media hash if any, then its front's other pictures and its back's files."""
    more = card.front_more or card.back_media
    formatted: list[object] = (
        [card.front_html, card.back_html]
        if card.front_html or card.back_html or card.front_media or more
        else []
    )
    formatted += [card.front_media] if card.front_media or more else []
    formatted += [list(card.front_more), list(card.back_media)] if more else []
    flag = [int(card.reverse)] if card.reverse or formatted else []
    return [card.front, card.back, *flag, *formatted]


def _card_from_json(raw: list[Any]) -> Card:
    """A card back from `_card_json` (or from before formatted sides were kept)."""
    front_html, back_html = (raw[3], raw[4]) if len(raw) > 4 else (None, None)
    return Card(
        str(raw[0]),
        str(raw[1]),
        len(raw) > 2 and bool(raw[2]),
        front_html if isinstance(front_html, str) else None,
        back_html if isinstance(back_html, str) else None,
        raw[5] if len(raw) > 5 and isinstance(raw[5], str) else None,
        tuple(str(d) for d in raw[6]) if len(raw) > 7 else (),
        tuple(str(d) for d in raw[7]) if len(raw) > 7 else (),
    )


def encode_upload(upload: Upload) -> str:
    """The JSON an upload is kept as between preview and save."""
    return json.dumps(
        {
            "title": upload.deck.title,
            # A card meant both ways, and an answer to its back-to-front direction, carry a 1.
            "cards": [_card_json(c) for c in upload.deck.cards],
            "warnings": [note_json(w) for w in upload.deck.warnings],
            "reviews": [
                [
                    r.card_index,
                    (r.reviewed_at - _EPOCH) // timedelta(milliseconds=1),
                    r.rating,
                    *([1] if r.reverse else []),
                ]
                for r in upload.reviews
            ],
            "memories": [
                [
                    m.card_index,
                    int(m.reverse),
                    m.stability,
                    m.difficulty,
                    m.due_day.isoformat(),
                    (m.last_review - _EPOCH) // timedelta(milliseconds=1),
                    m.reps,
                    m.lapses,
                ]
                for m in upload.memories
            ],
            "parameters": list(upload.parameters),
            "media": [
                [m.digest, m.kind, m.mime, base64.b64encode(m.data).decode("ascii")]
                for m in upload.media
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_upload(payload: str) -> Upload:
    """An upload back from its JSON (as written by `encode_upload`)."""
    raw = json.loads(payload)
    deck = Deck(
        str(raw["title"]),
        tuple(_card_from_json(card) for card in raw["cards"]),
        tuple(note_from_json(w) for w in raw["warnings"]),
    )
    reviews = tuple(
        ImportedReview(
            int(row[0]), _EPOCH + timedelta(milliseconds=int(row[1])), int(row[2]), 0, len(row) > 3
        )
        for row in raw["reviews"]
    )
    memories = tuple(
        ImportedMemory(
            int(index),
            bool(reverse),
            float(s),
            float(d),
            date.fromisoformat(str(day)),
            _EPOCH + timedelta(milliseconds=int(ms)),
            int(reps),
            int(lapses),
        )
        for index, reverse, s, d, day, ms, reps, lapses in raw.get("memories", [])
    )
    parameters = tuple(float(w) for w in raw.get("parameters", []))
    media = tuple(
        MediaFile(
            str(digest), "audio" if kind == "audio" else "photo", str(mime), base64.b64decode(data)
        )
        for digest, kind, mime, data in raw.get("media", [])
    )
    return Upload(deck, reviews, memories, parameters, media)
