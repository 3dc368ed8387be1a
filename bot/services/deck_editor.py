"""Browsing and editing decks card by card (the Mini App's decks screens).

Anyone reads the bundled decks and their own; only the owner edits a deck. Every edit is planned
on the deck's cards as read, then saved through `sync_deck` in one transaction that checks the
cards did not change meanwhile (if they did, the edit is planned again on the new cards).
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.cards.formats.apkg_media import MediaFile
from bot.cards.model import (
    MAX_CARDS,
    MAX_SIDE_CHARS,
    MAX_TITLE_CHARS,
    Card,
    Deck,
    media_only,
    normalize_front,
)
from bot.cards.questions import card_key, make_questions
from bot.cards.validate import clean_text, without_nul
from bot.clock import Clock
from bot.services.imports import MAX_OWN_DECKS
from bot.storage import deck_edits as store
from bot.storage.db import Database
from bot.storage.deck_edits import EditableDeck, Rekey, StoredCard
from bot.storage.decks import both_ways
from bot.storage.imports import count_owned
from bot.storage.media import store_media
from bot.storage.user_decks import delete_owned_deck, set_active_deck
from bot.storage.users import upsert_user

MAX_PAGE = 100
# A save finds the cards changed by another edit at most this often before it gives up.
SAVE_TRIES = 3


@dataclass(frozen=True, slots=True)
class EditorError:
    """Why a request cannot be done: an HTTP status, a code, and for 422 the field and why."""

    status: int
    code: str  # not_found, not_yours, read_only, invalid, changed, too_many_decks, empty_deck, busy
    field: str | None = None  # title, front, back, position
    reason: str | None = None  # empty, too_long, duplicate, deck_full, picture_only
    card: StoredCard | None = None  # "changed": the card as it is now


@dataclass(frozen=True, slots=True)
class DeckView:
    """A deck as one person sees it."""

    deck: EditableDeck
    editable: bool
    active: bool


@dataclass(frozen=True, slots=True)
class CardPage:
    """A page of a deck's cards (those matching a search, if any)."""

    cards: tuple[StoredCard, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class CardSaved:
    """A card added or edited, with what became of its schedule."""

    card: StoredCard
    schedule: str  # unchanged / kept / new
    stopped_following: bool


@dataclass(frozen=True, slots=True)
class Edited:
    """An edit that went through."""

    stopped_following: bool


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A deck written as a file the bot's import reads back."""

    filename: str
    data: bytes
    mime: str = "text/csv"


@dataclass(frozen=True, slots=True)
class _Plan:
    """What an edit makes of a deck's cards."""

    cards: list[Card]
    rekey: Rekey | None = None
    title: str | None = None
    key: str | None = None  # the key of the card the edit is about
    schedule: str = "unchanged"


_Planner = Callable[[list[StoredCard]], _Plan | EditorError]

NOT_FOUND = EditorError(404, "not_found")


def _invalid(field: str, reason: str) -> EditorError:
    return EditorError(422, "invalid", field, reason)


def clean_title(title: str) -> str | EditorError:
    """A deck title as stored (one line, single spaces), or why it cannot be one."""
    cleaned = " ".join(without_nul(title)[0].split())
    if not cleaned:
        return _invalid("title", "empty")
    if len(cleaned) > MAX_TITLE_CHARS:
        return _invalid("title", "too_long")
    return cleaned


def clean_side(field: str, text: str) -> str | EditorError:
    """A card side as stored (trimmed, inner line breaks kept), or why it cannot be one."""
    cleaned = clean_text(without_nul(text)[0])
    if not cleaned:
        return _invalid(field, "empty")
    if len(cleaned) > MAX_SIDE_CHARS:
        return _invalid(field, "too_long")
    return cleaned


def _repeats(front: str, cards: Sequence[StoredCard], besides: int | None = None) -> bool:
    """Whether another card of the deck has this front (as card keys compare fronts)."""
    wanted = normalize_front(front)
    return any(c.id != besides and normalize_front(c.card.front) == wanted for c in cards)


def _clamp(position: int, top: int) -> int:
    return max(0, min(position, top))


def deck_csv(deck: Deck) -> bytes:
    """The deck as CSV (front, back), the way the bot's own import reads it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["front", "back"])
    writer.writerows((card.front, card.back) for card in deck.cards)
    return out.getvalue().encode()


def export_name(title: str) -> str:
    """A file name for a deck; the import reads the title back from it (underscores as spaces)."""
    words = re.findall(r"\w+", title)
    return ("_".join(words)[:100] or "deck") + ".csv"


@dataclass
class DeckEditor:
    """Lists, reads and edits a person's decks, card by card."""

    db: Database
    clock: Clock
    default_deck_id: int
    max_own_decks: int = MAX_OWN_DECKS

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    async def _view(self, user_id: int, deck: EditableDeck) -> DeckView:
        active = await store.active_deck_id(self.db, user_id)
        return DeckView(deck, deck.owner_id == user_id, deck.id == (active or self.default_deck_id))

    async def _readable(self, user_id: int, deck_id: int) -> EditableDeck | EditorError:
        deck = await store.deck_of(self.db, deck_id)
        if deck is None:
            return NOT_FOUND
        if deck.owner_id is not None and deck.owner_id != user_id:
            return EditorError(403, "not_yours")
        return deck

    async def _writable(self, user_id: int, deck_id: int) -> EditableDeck | EditorError:
        deck = await self._readable(user_id, deck_id)
        if isinstance(deck, EditableDeck) and deck.owner_id is None:
            return EditorError(403, "read_only")
        return deck

    async def decks(self, user_id: int, query: str = "") -> list[DeckView]:
        """The person's decks then the bundled ones; `query` filters by title."""
        listed = await store.listed_decks(self.db, user_id, query)
        active = await store.active_deck_id(self.db, user_id)
        chosen = active if any(d.id == active for d in listed) else self.default_deck_id
        return [DeckView(d, d.owner_id == user_id, d.id == chosen) for d in listed]

    async def deck(self, user_id: int, deck_id: int) -> DeckView | EditorError:
        """One deck the person may read."""
        deck = await self._readable(user_id, deck_id)
        return deck if isinstance(deck, EditorError) else await self._view(user_id, deck)

    async def create(self, user_id: int, first_name: str, title: str) -> DeckView | EditorError:
        """A new empty deck of the person's own."""
        cleaned = clean_title(title)
        if isinstance(cleaned, EditorError):
            return cleaned
        now = self._now()
        await upsert_user(self.db, user_id, first_name, now)
        if await count_owned(self.db, user_id) >= self.max_own_decks:
            return EditorError(422, "too_many_decks")
        deck_id = await store.create_deck(self.db, user_id, cleaned, now)
        return await self.deck(user_id, deck_id)

    async def rename(self, user_id: int, deck_id: int, title: str) -> Edited | EditorError:
        """Give one of the person's decks a new title (its followers get it too)."""
        cleaned = clean_title(title)
        if isinstance(cleaned, EditorError):
            return cleaned
        return await self._edit(
            user_id, deck_id, lambda cards: _Plan([c.card for c in cards], title=cleaned)
        )

    async def delete(self, user_id: int, deck_id: int) -> EditorError | None:
        """Delete one of the person's decks."""
        deck = await self._writable(user_id, deck_id)
        if isinstance(deck, EditorError):
            return deck
        if await delete_owned_deck(self.db, user_id, deck_id) is None:
            return NOT_FOUND
        return None

    async def use(self, user_id: int, first_name: str, deck_id: int) -> DeckView | EditorError:
        """Make a deck the one the person's next /quiz asks."""
        deck = await self._readable(user_id, deck_id)
        if isinstance(deck, EditorError):
            return deck
        if deck.cards == 0:
            return EditorError(422, "empty_deck")
        now = self._now()
        await upsert_user(self.db, user_id, first_name, now)
        if not await set_active_deck(self.db, user_id, deck_id, now):
            return NOT_FOUND
        return await self.deck(user_id, deck_id)

    async def cards(
        self, user_id: int, deck_id: int, query: str = "", offset: int = 0, limit: int = 50
    ) -> CardPage | EditorError:
        """A page of the deck's cards in order; `query` searches fronts and backs."""
        deck = await self._readable(user_id, deck_id)
        if isinstance(deck, EditorError):
            return deck
        cards = await store.live_cards(self.db, deck_id)
        wanted = store.folded(query)
        if wanted:
            # Folded in Python: SQLite's lower() leaves accents and non-ASCII case alone.
            cards = [
                c
                for c in cards
                if wanted in store.folded(c.card.front) or wanted in store.folded(c.card.back)
            ]
        limit = _clamp(limit, MAX_PAGE)
        offset = max(offset, 0)
        return CardPage(tuple(cards[offset : offset + limit]), len(cards), offset, limit)

    async def card(self, user_id: int, deck_id: int, card_id: int) -> StoredCard | EditorError:
        """One card of a deck the person may read."""
        deck = await self._readable(user_id, deck_id)
        if isinstance(deck, EditorError):
            return deck
        return await store.live_card(self.db, deck_id, card_id) or NOT_FOUND

    async def add_card(
        self, user_id: int, deck_id: int, front: str, back: str, position: int | None = None
    ) -> CardSaved | EditorError:
        """Add a card at `position` (the end when None); a front the deck once had comes back
        with its schedule."""
        new_front, new_back = clean_side("front", front), clean_side("back", back)
        if isinstance(new_front, EditorError):
            return new_front
        if isinstance(new_back, EditorError):
            return new_back
        card = Card(new_front, new_back)

        def plan(cards: list[StoredCard]) -> _Plan | EditorError:
            if _repeats(new_front, cards):
                return _invalid("front", "duplicate")
            if len(cards) >= MAX_CARDS:
                return _invalid("front", "deck_full")
            listed = [c.card for c in cards]
            at = len(listed) if position is None else _clamp(position, len(listed))
            listed.insert(at, card)
            return _Plan(listed, key=card_key(card), schedule="new")

        return await self._card_edit(user_id, deck_id, plan)

    async def edit_card(
        self,
        user_id: int,
        deck_id: int,
        card_id: int,
        front: str,
        back: str,
        was: tuple[str, str],
        keep_schedule: bool,
    ) -> CardSaved | EditorError:
        """Change a card's sides if they are still `was` (front, back); see the module's notes
        on what becomes of its schedule."""
        new_front, new_back = clean_side("front", front), clean_side("back", back)
        if isinstance(new_front, EditorError):
            return new_front
        if isinstance(new_back, EditorError):
            return new_back

        def plan(cards: list[StoredCard]) -> _Plan | EditorError:
            index = next((i for i, c in enumerate(cards) if c.id == card_id), None)
            if index is None:
                return NOT_FOUND
            stored = cards[index]
            if (stored.card.front, stored.card.back) != was:
                return EditorError(409, "changed", card=stored)
            if _repeats(new_front, cards, besides=card_id):
                return _invalid("front", "duplicate")
            old = stored.card
            # Formatting kept from an import no longer matches a side typed anew.
            edited = replace(
                old,
                front=new_front,
                back=new_back,
                front_html=old.front_html if new_front == old.front else None,
                back_html=old.back_html if new_back == old.back else None,
            )
            listed = [c.card for c in cards]
            listed[index] = edited
            key = card_key(edited)
            if key == stored.key:
                return _Plan(listed, key=key)
            if keep_schedule:
                return _Plan(listed, Rekey(stored.key, key), key=key, schedule="kept")
            return _Plan(listed, key=key, schedule="new")

        return await self._card_edit(user_id, deck_id, plan)

    async def set_picture(
        self, user_id: int, deck_id: int, card_id: int, picture: MediaFile | None
    ) -> CardSaved | EditorError:
        """Show `picture` with a card's front, or no picture (None); the card keeps its schedule
        (its key is its front text). The last write wins: an upload carries no `was`."""
        deck = await self._writable(user_id, deck_id)
        if isinstance(deck, EditorError):
            return deck
        if picture is not None:
            # Stored first, by content hash: a picture no card ends up showing is harmless.
            await store_media(self.db, [picture], self._now())
        digest = None if picture is None else picture.digest

        def plan(cards: list[StoredCard]) -> _Plan | EditorError:
            index = next((i for i, c in enumerate(cards) if c.id == card_id), None)
            if index is None:
                return NOT_FOUND
            stored = cards[index]
            listed = [c.card for c in cards]
            if digest is None and not stored.picture:
                return _Plan(listed, key=stored.key)  # nothing to remove (a sound stays)
            if digest is None and media_only(stored.card):
                # Its front text is only a label: without the picture the question is empty.
                return _invalid("front", "picture_only")
            listed[index] = replace(stored.card, front_media=digest)
            return _Plan(listed, key=stored.key)

        return await self._card_edit(user_id, deck_id, plan)

    async def delete_card(self, user_id: int, deck_id: int, card_id: int) -> Edited | EditorError:
        """Retire a card (its schedule is kept: adding it back revives it)."""

        def plan(cards: list[StoredCard]) -> _Plan | EditorError:
            if not any(c.id == card_id for c in cards):
                return NOT_FOUND
            return _Plan([c.card for c in cards if c.id != card_id])

        return await self._edit(user_id, deck_id, plan)

    async def move_card(
        self, user_id: int, deck_id: int, card_id: int, position: int
    ) -> Edited | EditorError:
        """Move a card to a 0-based position in the deck's order."""

        def plan(cards: list[StoredCard]) -> _Plan | EditorError:
            index = next((i for i, c in enumerate(cards) if c.id == card_id), None)
            if index is None:
                return NOT_FOUND
            listed = [c.card for c in cards]
            moving = listed.pop(index)
            listed.insert(_clamp(position, len(listed)), moving)
            return _Plan(listed)

        return await self._edit(user_id, deck_id, plan)

    async def export(self, user_id: int, deck_id: int) -> ExportFile | EditorError:
        """The deck as a CSV file (front, back) the bot's import reads back."""
        deck = await self._readable(user_id, deck_id)
        if isinstance(deck, EditorError):
            return deck
        cards = await store.live_cards(self.db, deck_id)
        data = deck_csv(Deck(deck.title, tuple(c.card for c in cards)))
        return ExportFile(export_name(deck.title), data)

    async def picture(
        self, user_id: int, deck_id: int, card_id: int
    ) -> tuple[str, bytes] | EditorError:
        """The picture a card's front shows: its content type and bytes."""
        card = await self.card(user_id, deck_id, card_id)
        if isinstance(card, EditorError):
            return card
        if not card.picture or card.card.front_media is None:
            return NOT_FOUND
        return await store.picture_of(self.db, card.card.front_media) or NOT_FOUND

    async def _card_edit(
        self, user_id: int, deck_id: int, plan: _Planner
    ) -> CardSaved | EditorError:
        """Save an edit about one card and read that card back (its id may be new)."""
        done = await self._save(user_id, deck_id, plan)
        if isinstance(done, EditorError):
            return done
        planned, saved = done
        assert planned.key is not None
        card_id = await store.card_id_by_key(self.db, deck_id, planned.key)
        card = None if card_id is None else await store.live_card(self.db, deck_id, card_id)
        if card is None:
            return NOT_FOUND  # deleted right after the save
        return CardSaved(card, planned.schedule, saved.stopped_following)

    async def _edit(self, user_id: int, deck_id: int, plan: _Planner) -> Edited | EditorError:
        done = await self._save(user_id, deck_id, plan)
        return done if isinstance(done, EditorError) else Edited(done[1].stopped_following)

    async def _save(
        self, user_id: int, deck_id: int, plan: _Planner
    ) -> tuple[_Plan, store.Saved] | EditorError:
        """Plan an edit on the deck's cards and save it, again if they changed meanwhile."""
        for _attempt in range(SAVE_TRIES):
            deck = await self._writable(user_id, deck_id)
            if isinstance(deck, EditorError):
                return deck
            cards = await store.live_cards(self.db, deck_id)
            planned = plan(cards)
            if isinstance(planned, EditorError):
                return planned
            made = Deck(deck.title, tuple(planned.cards))
            asked = both_ways(made) if deck.both_ways else made
            # Making questions is CPU work (seconds for thousands of cards): off the event loop,
            # and before the transaction so the deck is locked only while it is written.
            questions = await asyncio.to_thread(make_questions, asked)
            saved = await store.save_cards(
                self.db,
                deck,
                cards,
                planned.cards,
                self._now(),
                questions,
                rekey=planned.rekey,
                title=planned.title,
            )
            if saved is not None:
                return planned, saved
        return EditorError(409, "busy")
