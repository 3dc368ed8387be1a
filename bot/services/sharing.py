"""Sharing a deck by link: the owner's Share screen (make, revoke, follow or copy) and what the
link's opener sees and adds. Every result is read from the database as it stands after the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.clock import Clock
from bot.core.deeplinks import is_deck_token, new_deck_token
from bot.services.imports import MAX_OWN_DECKS
from bot.services.views import Refusal
from bot.storage import sharing as store
from bot.storage.db import Database
from bot.storage.imports import count_owned
from bot.storage.sharing import ActiveLink, FoundLink, OwnedDeck, SampleCard
from bot.storage.user_decks import set_active_deck
from bot.storage.users import upsert_user
from bot.views import refusals

MAX_ACTIVE_LINKS = 20  # links one person can have open at once (one per deck)
SAMPLE_CARDS = 3

ShareNote = Literal["made", "revoked", "follow", "copy", "limit"]
# What a link's opener sees: a deck they can add, or why not.
LinkStatus = Literal["open", "unknown", "revoked", "own", "have", "added", "full"]


@dataclass(frozen=True, slots=True)
class ShareScreen:
    """One of the owner's decks with its link (None when it has no active one)."""

    deck: OwnedDeck
    link: ActiveLink | None
    note: ShareNote | None = None  # what the tap just did


@dataclass(frozen=True, slots=True)
class LinkView:
    """What a share link shows its opener now."""

    status: LinkStatus
    token: str
    link: FoundLink | None = None
    samples: tuple[SampleCard, ...] = ()
    deck_limit: int = MAX_OWN_DECKS
    have_id: int | None = None  # the opener's deck added from it before ("have")


@dataclass
class ShareService:
    """Makes, revokes and follows share links, and adds decks from them."""

    db: Database
    clock: Clock
    max_own_decks: int = MAX_OWN_DECKS
    max_active_links: int = MAX_ACTIVE_LINKS

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    async def _screen(
        self, owner_id: int, deck_id: int, note: ShareNote | None
    ) -> ShareScreen | Refusal:
        deck = await store.owned_deck(self.db, owner_id, deck_id)
        if deck is None:
            return Refusal(refusals.DECK_GONE)
        return ShareScreen(deck, await store.active_link(self.db, deck_id), note)

    async def share(self, owner_id: int, deck_id: int) -> ShareScreen | Refusal:
        """The deck's share screen, with a new link when it has no active one (within the limit)."""
        deck = await store.owned_deck(self.db, owner_id, deck_id)
        if deck is None:
            return Refusal(refusals.DECK_GONE)
        if await store.active_link(self.db, deck_id) is not None:
            return await self._screen(owner_id, deck_id, None)
        if await store.active_links_of(self.db, owner_id) >= self.max_active_links:
            return await self._screen(owner_id, deck_id, "limit")
        made = await store.create_link(
            self.db, owner_id, deck_id, new_deck_token(), follow=True, now=self._now()
        )
        if made is None:
            return Refusal(refusals.DECK_GONE)
        return await self._screen(owner_id, deck_id, "made")

    async def revoke(self, owner_id: int, deck_id: int) -> ShareScreen | Refusal:
        """Stop the deck's link from adding it anywhere new; decks already added stay."""
        revoked = await store.revoke_link(self.db, owner_id, deck_id, self._now())
        return await self._screen(owner_id, deck_id, "revoked" if revoked else None)

    async def toggle_follow(self, owner_id: int, deck_id: int) -> ShareScreen | Refusal:
        """Switch the active link between giving a following deck and giving a copy."""
        link = await store.active_link(self.db, deck_id)
        if link is None:
            return await self._screen(owner_id, deck_id, None)
        follow = not link.follow
        changed = await store.set_follow(self.db, owner_id, deck_id, follow)
        note: ShareNote | None = ("follow" if follow else "copy") if changed else None
        return await self._screen(owner_id, deck_id, note)

    async def open_link(self, user_id: int, first_name: str, token: str) -> LinkView:
        """What the link `token` shows `user_id` now (the user is created on first contact)."""
        await upsert_user(self.db, user_id, first_name, self._now())
        return await self._view(user_id, token)

    async def _view(self, user_id: int, token: str, status: LinkStatus | None = None) -> LinkView:
        if not is_deck_token(token):
            return LinkView("unknown", token)
        link = await store.find_link(self.db, token)
        if link is None:
            return LinkView("unknown", token)
        samples = tuple(await store.sample_cards(self.db, link.deck_id, SAMPLE_CARDS))
        have_id = None
        if status is None:
            have_id = await store.added_from(self.db, user_id, link.deck_id)
            if link.owner_id == user_id:
                status = "own"
            elif have_id is not None:
                status = "have"
            elif link.revoked:
                status = "revoked"
            else:
                status = "open"
        return LinkView(status, token, link, samples, self.max_own_decks, have_id)

    async def add(self, user_id: int, first_name: str, token: str) -> LinkView:
        """Add the link's deck to the user's decks (a copy, or following the owner's edits when the
        link says so) and make it the active one; or say, from the link as it is now, why not."""
        # The person may have used /forget since the preview: they are a user again, as anywhere.
        await upsert_user(self.db, user_id, first_name, self._now())
        view = await self._view(user_id, token)
        if view.status != "open" or view.link is None:
            return view
        if await count_owned(self.db, user_id) >= self.max_own_decks:
            return await self._view(user_id, token, "full")
        deck = await store.stored_deck(self.db, view.link.deck_id)
        if deck is None:
            return LinkView("unknown", token)
        now = self._now()
        deck_id = await store.add_from_link(self.db, user_id, view.link, deck, now)
        await set_active_deck(self.db, user_id, deck_id, now)
        return await self._view(user_id, token, "added")
