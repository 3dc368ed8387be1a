"""Importing a user's deck: read it off the event loop, keep a preview, save it (with history)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from bot.cards.model import Card, Deck, DeckError
from bot.cards.questions import card_key
from bot.cards.upload import (
    PasteRefusal,
    Upload,
    deck_slug,
    decode_upload,
    encode_upload,
    read_paste,
    read_upload,
    refuse_before_download,
)
from bot.clock import Clock
from bot.core.replay import PastReview, replay
from bot.services.reviewing import to_stored
from bot.services.views import Refusal
from bot.storage import imports as store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.imports import ClosedImport, ReplayedState
from bot.storage.users import get_user, upsert_user

log = logging.getLogger(__name__)

PREVIEW_TTL = timedelta(days=1)
# How long a closed preview's outcome is remembered, for taps on its old message.
CLOSED_TTL = timedelta(days=30)
MAX_OWN_DECKS = 30  # each own deck is a row of two buttons in /decks, within Telegram's 100
MAX_PAYLOAD_BYTES = 16 * 1024 * 1024
PAGE_CARDS = 8
GONE = "This preview is gone — send the deck again"
EXPIRED = "This preview expired after a day — send the deck again"
UNREADABLE = "the file is damaged or not a deck I know"


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
    warnings: tuple[str, ...]
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
    """Why a sent file could not be read (starts with the file name)."""

    reason: str


@dataclass(frozen=True, slots=True)
class SavedDeck:
    """A saved import: the deck, now active, and what the history replay did."""

    deck_id: int
    title: str
    cards: int
    updated: bool
    replayed_cards: int
    replayed_reviews: int


def _read_file(data: bytes, filename: str) -> Upload | ImportFailure:
    """Parse in a worker thread; every failure becomes a reason, never an exception."""
    try:
        return read_upload(data, filename)
    except DeckError as exc:
        return ImportFailure(str(exc))
    except Exception:  # a reader bug must not reach the user as a traceback
        log.exception("reading %s failed", filename)
        return ImportFailure(f"{filename}: {UNREADABLE}")


def _replayed(upload: Upload, desired_retention: float) -> list[ReplayedState]:
    """The history replayed through FSRS, per card key (CPU work: run it in a thread)."""
    keys = [card_key(card) for card in upload.deck.cards]
    history = [
        PastReview(keys[r.card_index], r.reviewed_at, r.rating)
        for r in upload.reviews
        if 0 <= r.card_index < len(keys)
    ]
    return [
        ReplayedState(key, to_stored(done.state), done.reviews)
        for key, done in replay(history, desired_retention).items()
    ]


@dataclass
class ImportService:
    """Reads decks users send, keeps previews in the database, and saves them on request."""

    db: Database
    clock: Clock
    max_own_decks: int = MAX_OWN_DECKS

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    @staticmethod
    def refuse_before_download(filename: str, size: int | None) -> str | None:
        """Why a document is refused unread (type, size); None when it is worth downloading."""
        return refuse_before_download(filename, size)

    async def read_file(
        self, user_id: int, first_name: str, data: bytes, filename: str
    ) -> ImportPreview | ImportFailure:
        """Read a downloaded file off the event loop and keep its preview."""
        read = await asyncio.to_thread(_read_file, data, filename)
        if isinstance(read, ImportFailure):
            return read
        return await self._keep(user_id, first_name, read, filename)

    async def read_paste(
        self, user_id: int, first_name: str, text: str
    ) -> ImportPreview | PasteRefusal | None:
        """A pasted text's preview; why it was refused if it looks meant as flashcards; else None."""
        read = await asyncio.to_thread(read_paste, text)
        if not isinstance(read, Deck):
            return read
        kept = await self._keep(user_id, first_name, Upload(read), None)
        return kept if isinstance(kept, ImportPreview) else PasteRefusal("too_long")

    async def _keep(
        self, user_id: int, first_name: str, upload: Upload, filename: str | None
    ) -> ImportPreview | ImportFailure:
        payload = encode_upload(upload)
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            return ImportFailure(f"{filename or 'the text'}: the deck is too large to keep")
        now = self._now()
        deck = upload.deck
        await upsert_user(self.db, user_id, first_name, now)
        import_id = await store.add_pending(
            self.db, user_id, now, filename, deck.title, len(deck.cards), len(upload.reviews),
            payload,
        )  # fmt: skip
        return await self._preview(user_id, import_id, upload, filename, 0)

    async def _preview(
        self, user_id: int, import_id: int, upload: Upload, filename: str | None, page: int
    ) -> ImportPreview:
        """One page of a preview, with what saving it would do as the user's decks stand now."""
        deck = upload.deck
        pages = max(1, -(-len(deck.cards) // PAGE_CARDS))
        page = min(max(page, 0), pages - 1)
        existing = await store.owned_deck_id(self.db, user_id, deck_slug(deck.title))
        owned = await store.count_owned(self.db, user_id)
        return ImportPreview(
            import_id=import_id,
            title=deck.title,
            filename=filename,
            cards=len(deck.cards),
            page=page,
            pages=pages,
            page_cards=deck.cards[page * PAGE_CARDS : (page + 1) * PAGE_CARDS],
            warnings=deck.warnings,
            reviews=len(upload.reviews),
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
        upload = await asyncio.to_thread(decode_upload, found.payload)
        return await self._preview(user_id, import_id, upload, found.filename, page)

    async def _closed(self, user_id: int, closed: ClosedImport) -> ClosedPreview:
        if closed.outcome != "saved" or closed.deck_id is None:
            return ClosedPreview(closed.outcome, closed.title)
        deck = await store.owned_deck_size(self.db, user_id, closed.deck_id)
        if deck is None:
            return ClosedPreview("deleted", closed.title)
        return ClosedPreview("saved", *deck)

    async def save(self, user_id: int, import_id: int, with_history: bool) -> SavedDeck | Refusal:
        """Store the previewed deck as the user's (updating a same-titled one) and make it active.

        With `with_history`, the package's reviews are replayed into the schedules of the cards'
        recall questions. They are not written to the review log: they were not answered here,
        so they count toward neither the streak nor the stats.
        """
        pending = await store.get_pending(self.db, import_id)
        if pending is None or pending.user_id != user_id:
            return Refusal(GONE)
        now = self._now()
        if now - pending.created_at > PREVIEW_TTL.total_seconds():
            await store.close_pending(self.db, user_id, import_id, "expired")
            return Refusal(EXPIRED)
        upload = decode_upload(pending.payload)
        slug = deck_slug(upload.deck.title)
        existing = await store.owned_deck_id(self.db, user_id, slug)
        if existing is None and await store.count_owned(self.db, user_id) >= self.max_own_decks:
            return Refusal(
                f"You have {self.max_own_decks} decks already: delete one in /decks first"
            )
        deck_id = await sync_deck(self.db, upload.deck, slug, user_id, now)
        cards = written = 0
        if with_history and upload.reviews:
            user = await get_user(self.db, user_id)
            retention = user.desired_retention if user is not None else 0.9
            states = await asyncio.to_thread(_replayed, upload, retention)
            cards, written = await store.write_replayed(self.db, user_id, deck_id, states)
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
