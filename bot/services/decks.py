"""/decks: the decks a user can study, switching between them, deleting their own and asking their
own both ways."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services.views import Refusal
from bot.storage import user_decks as store
from bot.storage.db import Database
from bot.storage.decks import DeckInfo, set_both_ways
from bot.storage.users import upsert_user
from bot.views import refusals


@dataclass(frozen=True, slots=True)
class DeckList:
    """The bundled decks then the user's own, and which one quizzes come from."""

    decks: tuple[DeckInfo, ...]
    active_id: int

    def find(self, deck_id: int) -> DeckInfo | None:
        """The listed deck with this id, if any."""
        return next((d for d in self.decks if d.id == deck_id), None)


@dataclass
class DeckService:
    """Lists, switches and deletes a user's decks."""

    db: Database
    clock: Clock
    default_deck_id: int

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    async def list(self, user_id: int, first_name: str | None = None) -> DeckList:
        """The user's deck list (the user is created on first contact)."""
        if first_name is not None:
            await upsert_user(self.db, user_id, first_name, self._now())
        decks, active = await store.decks_of(self.db, user_id)
        listed = {d.id for d in decks}
        return DeckList(tuple(decks), active if active in listed else self.default_deck_id)

    async def use(self, user_id: int, deck_id: int) -> tuple[DeckList, DeckInfo] | Refusal:
        """Make a deck the active one; an open session on another deck is closed."""
        if not await store.set_active_deck(self.db, user_id, deck_id, self._now()):
            return Refusal(refusals.DECK_GONE)
        listing = await self.list(user_id)
        chosen = listing.find(deck_id)
        return (listing, chosen) if chosen is not None else Refusal(refusals.DECK_GONE)

    async def own_deck(self, user_id: int, deck_id: int) -> DeckInfo | Refusal:
        """One of the user's own decks (the one a delete is asked about)."""
        chosen = (await self.list(user_id)).find(deck_id)
        if chosen is None or chosen.owner_id != user_id:
            return Refusal(refusals.DECK_GONE)
        return chosen

    async def delete(self, user_id: int, deck_id: int) -> tuple[DeckList, str] | Refusal:
        """Delete one of the user's decks; the active one falls back to the default deck."""
        title = await store.delete_owned_deck(self.db, user_id, deck_id)
        if title is None:
            return Refusal(refusals.DECK_GONE)
        return await self.list(user_id), title

    async def toggle_both_ways(
        self, user_id: int, deck_id: int
    ) -> tuple[DeckList, DeckInfo] | Refusal:
        """Ask every card of one of the user's decks both ways, or stop (each direction keeps its
        schedule); returns the list as it stands after."""
        deck = await self.own_deck(user_id, deck_id)
        if isinstance(deck, Refusal):
            return deck
        if not await set_both_ways(self.db, user_id, deck_id, not deck.both_ways, self._now()):
            return Refusal(refusals.DECK_GONE)
        listing = await self.list(user_id)
        changed = listing.find(deck_id)
        return (listing, changed) if changed is not None else Refusal(refusals.DECK_GONE)
