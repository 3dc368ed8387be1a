"""Importing a user's deck: read it in a reader process, keep a preview, save it (with history)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal

from bot.cards.formats.apkg import ImportedMemory
from bot.cards.formula_image import with_formula_pictures
from bot.cards.model import Card
from bot.cards.problems import Note, Problem, problem
from bot.cards.questions import QuestionKind, question_key
from bot.cards.upload import (
    MAX_PASTE_CHARS,
    MAX_UPLOAD_BYTES,
    PAGE_CARDS,
    Digest,
    PasteRefusal,
    Upload,
    deck_slug,
    decode_upload,
    digest,
    refuse_before_download,
    surely_chat,
    valid_unicode,
)
from bot.clock import Clock
from bot.core.learning_days import LearningDays
from bot.core.personal_parameters import anki_parameters
from bot.core.replay import PastReview, replay
from bot.core.scheduling import DEFAULT_RETENTION, ReviewState
from bot.core.selection import REVIEW_STATE
from bot.reader.pool import ReaderPool, Stopped
from bot.reader.protocol import Crashed, Read, Refused
from bot.services.downloads import DownloadFailed, TooLarge
from bot.services.reviewing import to_stored
from bot.services.views import Refusal
from bot.storage import imports as store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.imports import ClosedImport, ReplayedState
from bot.storage.parameters import adopt_anki_parameters
from bot.storage.users import get_user, upsert_user
from bot.views import refusals

log = logging.getLogger(__name__)

PREVIEW_TTL = timedelta(days=1)
# How long a closed preview's outcome is remembered, for taps on its old message.
CLOSED_TTL = timedelta(days=30)
MAX_OWN_DECKS = 30  # each own deck is a row of two buttons in /decks, within Telegram's 100
__all__ = ["PAGE_CARDS", "Stopped"]


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What the preview message shows: the deck's size, one page of its cards, and what Save does."""

    import_id: int
    title: str
    filename: str | None
    cards: int
    page: int  # 0-based
    pages: int
    page_cards: tuple[Card, ...]  # the cards on this page, the first being card page × PAGE_CARDS
    warnings: tuple[Note, ...]
    reviews: int  # Anki reviews that can be replayed
    updates_existing: bool  # the user already has a deck of this title; saving updates it
    at_deck_limit: bool  # saving would need a deck slot the user does not have
    deck_limit: int  # how many decks of their own a user may keep

    @property
    def first_number(self) -> int:
        """The 1-based number of the first card on this page."""
        return self.page * PAGE_CARDS + 1


@dataclass(frozen=True, slots=True)
class ClosedPreview:
    """A preview that is no longer open, as things stand now.

    `saved`: it is the user's deck `title` of `cards` cards; `deleted`: it was saved, and that deck
    deleted since; `cancelled`; `expired`.
    """

    outcome: Literal["saved", "deleted", "cancelled", "expired"]
    title: str
    cards: int = 0


@dataclass(frozen=True, slots=True)
class ImportFailure:
    """Why a sent file could not be read: a problem naming the file, or a sentence already worded."""

    reason: Problem | str


@dataclass(frozen=True, slots=True)
class SavedDeck:
    """A saved import: the deck, now active, and what the history replay did."""

    deck_id: int
    title: str
    cards: int
    updated: bool
    replayed_cards: int
    replayed_reviews: int


@dataclass(frozen=True, slots=True)
class SaveStarted:
    """A save that goes ahead: the deck's title and size, and how many reviews it replays."""

    title: str
    cards: int
    reviews: int


@dataclass(frozen=True, slots=True)
class DownloadFailure:
    """The file could not be downloaded from Telegram (sending it again may work)."""


# What a file read gives: a preview, or why not.
FileOutcome = ImportPreview | ImportFailure | DownloadFailure | Stopped
# A function writing the sent file to the path it is given, at most `limit` bytes: it raises
# TooLarge past them, DownloadFailed when the file cannot be had.
Fetch = Callable[[Path, int], Awaitable[None]]


def _writer(data: bytes) -> Callable[[Path], Awaitable[None]]:
    async def write(path: Path) -> None:
        await asyncio.to_thread(path.write_bytes, data)

    return write


def _saved_upload(payload: str) -> Upload:
    """The kept upload, with its fronts' formulas typeset as pictures (here, not in the reader:
    matplotlib is too heavy for the reader child's limits)."""
    return with_formula_pictures(decode_upload(payload))


def _page_of(payload: str, page: int) -> Digest:
    """One page of a stored preview (the payload is decoded in a worker thread)."""
    return digest(decode_upload(payload), page)


def _replayed(upload: Upload, desired_retention: float, days: LearningDays) -> list[ReplayedState]:
    """The history replayed through FSRS on the user's learning days, per question: an Anki
    card's answers go to its card's recall question, or to its reverse question for the
    back-to-front direction. Where the package carries Anki's own memory state of that Anki card
    (bot.cards.formats.apkg_states), the state is Anki's and it falls due on Anki's due day (CPU
    work: run it in a thread)."""
    cards = upload.deck.cards

    def key(index: int, reverse: bool) -> str:
        kind = QuestionKind.REVERSE if reverse else QuestionKind.RECALL
        return question_key(kind, cards[index])

    history = [
        PastReview(key(r.card_index, r.reverse), r.reviewed_at, r.rating)
        for r in upload.reviews
        if 0 <= r.card_index < len(cards)
    ]
    anki = {
        key(m.card_index, m.reverse): m for m in upload.memories if 0 <= m.card_index < len(cards)
    }
    replayed = []
    for question, done in replay(history, desired_retention, days).items():
        memory = anki.get(question)
        state = done.state if memory is None else _anki_state(memory, days)
        replayed.append(ReplayedState(question, to_stored(state), done.reviews))
    return replayed


def _anki_state(memory: ImportedMemory, days: LearningDays) -> ReviewState:
    """Anki's own memory of a card as the bot's schedule: due at the start of Anki's due day."""
    return ReviewState(
        state=REVIEW_STATE,
        step=None,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=days.start_of(memory.due_day),
        last_review=memory.last_review,
        reps=memory.reps,
        lapses=memory.lapses,
    )


@dataclass
class ImportService:
    """Reads decks users send (in reader processes), keeps previews in the database, and saves
    them on request."""

    db: Database
    clock: Clock
    max_own_decks: int = MAX_OWN_DECKS
    readers: ReaderPool = field(default_factory=ReaderPool)

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    @staticmethod
    def refuse_before_download(filename: str, size: int | None) -> Problem | None:
        """Why a document is refused unread (type, size); None when it is worth downloading."""
        return refuse_before_download(filename, size)

    async def read_document(
        self, user_id: int, first_name: str, filename: str, fetch: Fetch
    ) -> FileOutcome:
        """Fetch a sent file in the person's turn (at most the upload limit) and read it."""

        async def fill(path: Path) -> None:
            await fetch(path, MAX_UPLOAD_BYTES)

        try:
            read = await self.readers.read(user_id, "file", filename, fill)
        except TooLarge as exc:
            if exc.size is not None:
                return ImportFailure(refuse_before_download(filename, exc.size) or filename)
            return ImportFailure(
                problem("download_too_large", filename, limit=MAX_UPLOAD_BYTES // 1024 // 1024)
            )
        except DownloadFailed:
            return DownloadFailure()
        return await self._file_outcome(user_id, first_name, filename, read)

    async def read_file(
        self, user_id: int, first_name: str, data: bytes, filename: str
    ) -> FileOutcome:
        """Read a file already in hand (as `read_document` does once it is downloaded)."""
        refusal = refuse_before_download(filename, len(data))
        if refusal is not None:
            return ImportFailure(refusal)
        read = await self.readers.read(user_id, "file", filename, _writer(data))
        return await self._file_outcome(user_id, first_name, filename, read)

    async def _file_outcome(
        self, user_id: int, first_name: str, filename: str, read: object
    ) -> FileOutcome:
        if isinstance(read, Read):
            return await self._keep(user_id, first_name, read, filename)
        if isinstance(read, Refused):
            return ImportFailure(read.reason)
        if isinstance(read, Stopped):
            return read
        # A reader bug (logged where it happened): a reason, never a traceback.
        return ImportFailure(f"{filename}: {refusals.FILE_UNREADABLE}")

    async def read_paste(
        self, user_id: int, first_name: str, text: str
    ) -> ImportPreview | PasteRefusal | Stopped | None:
        """A pasted text's preview; why it was refused if it looks meant as flashcards; else None.

        A one-line message with no mark a card could have is chat, told without a reader.
        """
        if surely_chat(text):
            return None
        if len(text) > MAX_PASTE_CHARS:
            return PasteRefusal("too_long")
        # Telegram may hand over invalid Unicode (a lone surrogate): it becomes U+FFFD here.
        data = valid_unicode(text).encode()
        read = await self.readers.read(user_id, "paste", "", _writer(data))
        if isinstance(read, Read):
            return await self._keep(user_id, first_name, read, None)
        if isinstance(read, Refused | Crashed):
            return PasteRefusal("unreadable", refusals.PASTE_UNREADABLE)
        return read

    async def close(self) -> None:
        """Stop every reading now (the bot is stopping): readers are killed, waiters answered."""
        await self.readers.close()

    async def _keep(
        self, user_id: int, first_name: str, read: Read, filename: str | None
    ) -> ImportPreview:
        now = self._now()
        found = read.digest
        await upsert_user(self.db, user_id, valid_unicode(first_name), now)
        import_id = await store.add_pending(
            self.db, user_id, now, filename, found.title, found.cards, found.reviews, read.payload
        )
        return await self._preview(user_id, import_id, found, filename)

    async def _preview(
        self, user_id: int, import_id: int, found: Digest, filename: str | None
    ) -> ImportPreview:
        """One page of a preview, with what saving it would do as the user's decks stand now."""
        existing = await store.owned_deck_id(self.db, user_id, deck_slug(found.title))
        owned = await store.count_owned(self.db, user_id)
        return ImportPreview(
            import_id=import_id,
            title=found.title,
            filename=filename,
            cards=found.cards,
            page=found.page,
            pages=found.pages,
            page_cards=found.page_cards,
            warnings=found.warnings,
            reviews=found.reviews,
            updates_existing=existing is not None,
            at_deck_limit=existing is None and owned >= self.max_own_decks,
            deck_limit=self.max_own_decks,
        )

    async def show_page(
        self, user_id: int, import_id: int, page: int
    ) -> ImportPreview | ClosedPreview | None:
        """A page of the user's preview as stored now, or what became of it; None if not theirs."""
        found = await store.get_import(self.db, import_id)
        if found is None or found.user_id != user_id:
            return None
        if isinstance(found, ClosedImport):
            return await self._closed(user_id, found)
        if self._now() - found.created_at > PREVIEW_TTL.total_seconds():
            await store.close_pending(self.db, user_id, import_id, "expired")
            return ClosedPreview("expired", found.title)
        shown = await asyncio.to_thread(_page_of, found.payload, page)
        return await self._preview(user_id, import_id, shown, found.filename)

    async def _closed(self, user_id: int, closed: ClosedImport) -> ClosedPreview:
        if closed.outcome != "saved" or closed.deck_id is None:
            return ClosedPreview(closed.outcome, closed.title)
        deck = await store.owned_deck_size(self.db, user_id, closed.deck_id)
        if deck is None:
            return ClosedPreview("deleted", closed.title)
        return ClosedPreview("saved", *deck)

    async def save(
        self,
        user_id: int,
        import_id: int,
        with_history: bool,
        started: Callable[[SaveStarted], Awaitable[None]] | None = None,
    ) -> SavedDeck | Refusal:
        """Store the previewed deck as the user's (updating a same-titled one) and make it active.

        With `with_history`, the package's reviews are replayed into the schedules of the cards'
        recall questions (their reverse questions for back-to-front answers). They are not written to the review log: they were not answered here,
        so they count toward neither the streak nor the stats. `started` is awaited once the
        save is sure to go ahead, before the long work (a refusal comes back without it).
        """
        pending = await store.get_pending(self.db, import_id)
        if pending is None or pending.user_id != user_id:
            return Refusal(refusals.PREVIEW_GONE)
        now = self._now()
        if now - pending.created_at > PREVIEW_TTL.total_seconds():
            await store.close_pending(self.db, user_id, import_id, "expired")
            return Refusal(refusals.PREVIEW_EXPIRED)
        slug = deck_slug(pending.title)
        existing = await store.owned_deck_id(self.db, user_id, slug)
        if existing is None and await store.count_owned(self.db, user_id) >= self.max_own_decks:
            return Refusal(refusals.too_many_decks(self.max_own_decks))
        replaying = pending.reviews if with_history else 0
        if started is not None:
            await started(SaveStarted(pending.title, pending.cards, replaying))
        upload = await asyncio.to_thread(_saved_upload, pending.payload)
        deck_id = await sync_deck(self.db, upload.deck, slug, user_id, now, upload.media)
        cards = written = 0
        if replaying and upload.reviews:
            user = await get_user(self.db, user_id)
            retention = user.desired_retention if user is not None else DEFAULT_RETENTION
            days = user.days if user is not None else LearningDays.of("UTC")
            states = await asyncio.to_thread(_replayed, upload, retention, days)
            cards, written = await store.write_replayed(self.db, user_id, deck_id, states)
            anki = anki_parameters(upload.parameters) if upload.memories else None
            if anki is not None:
                # The states kept are Anki's: their next reviews go on with the parameters
                # that made them, until the user's own are fitted here.
                await adopt_anki_parameters(self.db, user_id, anki, len(upload.reviews), now)
        await store.finish_import(self.db, user_id, import_id, deck_id, now)
        return SavedDeck(
            deck_id, upload.deck.title, len(upload.deck.cards), existing is not None, cards, written
        )

    async def cancel(self, user_id: int, import_id: int) -> bool:
        """Cancel an open preview; False when it was not open (or not the user's)."""
        return await store.close_pending(self.db, user_id, import_id, "cancelled")

    async def expire(self) -> int:
        """Close previews older than a day as expired, forget old outcomes; returns how many expired."""
        now = self._now()
        return await store.expire_pending(
            self.db, now - int(PREVIEW_TTL.total_seconds()), now - int(CLOSED_TTL.total_seconds())
        )
