"""Adding a starter deck: a copy the user owns, made once however often it is tapped."""

from __future__ import annotations

import asyncio

from bot.clock import ManualClock
from bot.services.catalogue import AddedDeck, CatalogueService
from bot.services.views import Refusal
from bot.storage.db import Database
from bot.storage.users import get_user, upsert_user

ALICE = 7001


async def owned(db: Database, user_id: int) -> list[tuple[str, str]]:
    """The user's decks as stored: (slug, title)."""
    rows = await db.fetchall(
        "SELECT slug, title FROM decks WHERE owner_id = ? ORDER BY id", (user_id,)
    )
    return [(str(r[0]), str(r[1])) for r in rows]


async def test_a_deck_is_copied_once_and_made_active(db: Database, clock: ManualClock) -> None:
    service = CatalogueService(db, clock)
    await upsert_user(db, ALICE, "Alice", 0)
    assert (await service.screen(ALICE)).newcomer

    # two taps at once (a double tap, two processes) make one deck
    first, second = await asyncio.gather(
        service.add(ALICE, "Alice", "times-tables"), service.add(ALICE, "Alice", "times-tables")
    )
    assert isinstance(first, AddedDeck) and isinstance(second, AddedDeck)
    assert first.deck_id == second.deck_id and first.cards == 121
    assert await owned(db, ALICE) == [("catalogue/times-tables", "Times tables 2 to 12")]
    again = await service.add(ALICE, "Alice", "times-tables")
    assert isinstance(again, AddedDeck) and again.already
    user = await get_user(db, ALICE)
    assert user is not None and user.active_deck_id == first.deck_id

    screen = await service.screen(ALICE)
    assert not screen.newcomer
    added = {item.deck.slug: item.added_id for item in screen.items}
    assert added["times-tables"] == first.deck_id
    assert added["capitals-africa"] is None


async def test_an_unknown_deck_and_one_too_many_are_refused(
    db: Database, clock: ManualClock
) -> None:
    service = CatalogueService(db, clock, max_own_decks=1)
    assert await service.add(ALICE, "Alice", "no-such-deck") == Refusal(
        "That deck is no longer there"
    )
    assert isinstance(await service.add(ALICE, "Alice", "times-tables"), AddedDeck)
    refused = await service.add(ALICE, "Alice", "capitals-africa")
    assert isinstance(refused, Refusal) and "delete one in /decks" in refused.toast
    # the one already there is still found
    assert isinstance(await service.add(ALICE, "Alice", "times-tables"), AddedDeck)


async def test_the_tap_is_told_before_the_copy_and_not_when_it_is_found(
    db: Database, clock: ManualClock
) -> None:
    service = CatalogueService(db, clock)
    told: list[str] = []

    async def started(title: str) -> None:
        told.append(title)

    assert isinstance(await service.add(ALICE, "Alice", "atomic-numbers", started), AddedDeck)
    assert isinstance(await service.add(ALICE, "Alice", "atomic-numbers", started), AddedDeck)
    assert told == ["Atomic numbers"]
