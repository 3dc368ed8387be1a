"""The starter catalogue: which decks it offers a user, and adding one as a copy they own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.cards.catalogue import CatalogueDeck, catalogue_decks, find_catalogue_deck
from bot.clock import Clock
from bot.services.imports import MAX_OWN_DECKS
from bot.services.views import Refusal
from bot.storage import catalogue as store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.imports import count_owned
from bot.storage.user_decks import set_active_deck
from bot.storage.users import upsert_user
from bot.views import refusals


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """A catalogue deck as one user sees it: added already (their copy's id) or not."""

    deck: CatalogueDeck
    added_id: int | None


@dataclass(frozen=True, slots=True)
class CatalogueScreen:
    """The catalogue for one user, and whether they are new here (no deck, no answer yet)."""

    items: tuple[CatalogueItem, ...]
    newcomer: bool


@dataclass(frozen=True, slots=True)
class AddedDeck:
    """A catalogue deck now in the user's decks and the one their quizzes come from."""

    title: str
    deck_id: int
    cards: int
    already: bool  # it was there before this tap: nothing was copied


@dataclass
class CatalogueService:
    """Shows the catalogue and copies its decks into users' own."""

    db: Database
    clock: Clock
    max_own_decks: int = MAX_OWN_DECKS

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    async def screen(self, user_id: int) -> CatalogueScreen:
        """The catalogue with the decks this user has added marked."""
        decks = await asyncio.to_thread(catalogue_decks)
        added = await store.added_decks(self.db, user_id)
        newcomer = await store.is_newcomer(self.db, user_id)
        items = tuple(CatalogueItem(d, added.get(d.slug, (None, 0))[0]) for d in decks)
        return CatalogueScreen(items, newcomer)

    async def add(
        self,
        user_id: int,
        first_name: str,
        slug: str,
        started: Callable[[str], Awaitable[None]] | None = None,
    ) -> AddedDeck | Refusal:
        """Copy a catalogue deck into the user's decks (once: a second tap finds the copy) and make
        it the deck their quizzes come from. `started` is awaited with the deck's title once a copy
        is to be made, before the long work (making its questions takes a second or more)."""
        entry = await asyncio.to_thread(find_catalogue_deck, slug)
        if entry is None:
            return Refusal(refusals.DECK_GONE)
        now = self._now()
        # The user may have erased their data (/forget) since the catalogue was shown.
        await upsert_user(self.db, user_id, first_name, now)
        copy = (await store.added_decks(self.db, user_id)).get(slug)
        if copy is None and await count_owned(self.db, user_id) >= self.max_own_decks:
            return Refusal(refusals.too_many_decks(self.max_own_decks))
        # The copy is stored as an import is (an upsert on owner and slug: two taps at once make
        # one deck), so it is the user's own to study both ways or delete.
        if copy is None:
            if started is not None:
                await started(entry.title)
            deck_id = await sync_deck(self.db, entry.deck, store.copy_slug(slug), user_id, now)
        else:
            deck_id = copy[0]
        if not await set_active_deck(self.db, user_id, deck_id, now):
            return Refusal(refusals.DECK_GONE)
        cards = copy[1] if copy else entry.cards
        return AddedDeck(entry.title, deck_id, cards, already=copy is not None)
