"""The group's own deck: which deck a group's battles and daily question use, chosen by an admin,
and a member's one-tap copy of it into their own decks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards.upload import deck_slug
from bot.clock import Clock
from bot.services.imports import MAX_OWN_DECKS
from bot.services.views import Refusal
from bot.storage import groups as store
from bot.storage.db import Database
from bot.storage.decks import DeckInfo
from bot.storage.imports import count_owned, owned_deck_id
from bot.storage.sharing import owned_deck
from bot.storage.user_decks import decks_of
from bot.storage.users import upsert_user
from bot.views import groups as view
from bot.views import refusals

GroupDeck = store.GroupDeck


@dataclass(frozen=True, slots=True)
class CopiedDeck:
    """A group's deck now among the tapper's own decks (`updated`: it replaced a same-titled one)."""

    deck_id: int
    title: str
    cards: int
    updated: bool


@dataclass
class GroupService:
    """Reads and changes a group's deck; every method is one user action."""

    db: Database
    clock: Clock
    default_deck_id: int
    max_own_decks: int = MAX_OWN_DECKS

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    async def deck_of(self, chat_id: int) -> GroupDeck:
        """The deck the group plays now (the default when none was chosen or it was deleted)."""
        return await store.group_deck(self.db, chat_id, self.default_deck_id)

    async def deck_id_of(self, chat_id: int) -> int:
        """The id of the deck the group's battles and daily questions come from."""
        return await store.group_deck_id(self.db, chat_id) or self.default_deck_id

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: its deck and daily question follow it."""
        return await store.migrate_group(self.db, old_chat_id, new_chat_id)

    async def choices(self, user_id: int | None) -> list[DeckInfo]:
        """The decks an admin may pick: the bundled ones and (for a known person) their own."""
        decks, _active = await decks_of(self.db, user_id if user_id is not None else 0)
        return [d for d in decks if d.owner_id is None or d.owner_id == user_id]

    async def choose(self, chat_id: int, user_id: int, deck_id: int) -> GroupDeck | Refusal:
        """An admin picks the group's deck: a bundled one or their own."""
        allowed = {d.id: d for d in await self.choices(user_id)}
        deck = allowed.get(deck_id)
        if deck is None:
            return Refusal(view.NOT_YOUR_DECK)
        chosen = None if deck_id == self.default_deck_id else deck_id
        await store.choose_group_deck(self.db, chat_id, chosen, deck.title)
        return await self.deck_of(chat_id)

    async def copy(
        self, chat_id: int, deck_id: int, user_id: int, name: str
    ) -> CopiedDeck | Refusal:
        """Store the group's deck as one of the tapper's own decks (as an import is stored)."""
        current = await self.deck_of(chat_id)
        if current.deck_id != deck_id:
            return Refusal(view.DECK_CHANGED)
        deck = await store.deck_for_copy(self.db, deck_id)
        if deck is None or not deck.cards:
            return Refusal(view.DECK_CHANGED)
        # The admin's own deck (a catalogue or shared one too, stored under another slug) is
        # theirs already: a second copy would only sit beside it in /decks.
        if await owned_deck(self.db, user_id, deck_id) is not None:
            return Refusal(view.ALREADY_YOURS)
        now = self._now()
        await upsert_user(self.db, user_id, name, now)
        slug = deck_slug(deck.title)
        existing = await owned_deck_id(self.db, user_id, slug)
        if existing == deck_id:
            return Refusal(view.ALREADY_YOURS)
        if existing is None and await count_owned(self.db, user_id) >= self.max_own_decks:
            return Refusal(refusals.too_many_decks(self.max_own_decks))
        copied = await store.store_copy(self.db, deck, slug, user_id, now)
        return CopiedDeck(copied, deck.title, len(deck.cards), existing is not None)
