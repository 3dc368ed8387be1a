"""A group's deck in storage: the default until chosen, the choice, its loss, a member's copy."""

from __future__ import annotations

from bot.cards.model import Card, Deck
from bot.storage import daily
from bot.storage import groups as store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.user_decks import delete_owned_deck
from bot.storage.users import upsert_user

T = 1_772_442_000
GROUP = -100123


async def decks(db: Database) -> tuple[int, int]:
    """A bundled default deck and Dana's own deck of three cards (one with a picture)."""
    default = await sync_deck(db, Deck("Default", (Card("a", "b"), Card("c", "d"))), "def", None, T)
    await upsert_user(db, 7, "Dana", T)
    own = Deck(
        "Capitals",
        (
            Card("France", "Paris"),
            Card("Spain", "Madrid", reverse=True),
            Card("Italy", "Rome", front_html="<b>Italy</b>"),
        ),
    )
    return default, await sync_deck(db, own, "capitals", 7, T)


async def test_a_group_plays_the_default_until_an_admin_chooses(db: Database) -> None:
    default, own = await decks(db)
    first = await store.group_deck(db, GROUP, default)
    assert (first.deck_id, first.title, first.cards, first.chosen, first.lost) == (
        default,
        "Default",
        2,
        False,
        None,
    )
    assert await store.group_deck_id(db, GROUP) is None
    await store.choose_group_deck(db, GROUP, own, "Capitals")
    chosen = await store.group_deck(db, GROUP, default)
    assert (chosen.deck_id, chosen.title, chosen.cards, chosen.chosen) == (own, "Capitals", 3, True)
    assert await store.group_deck_id(db, GROUP) == own
    # Back to the default: nothing is lost.
    await store.choose_group_deck(db, GROUP, None, "Default")
    assert (await store.group_deck(db, GROUP, default)).lost is None


async def test_a_deleted_deck_falls_back_to_the_default_and_is_named(db: Database) -> None:
    default, own = await decks(db)
    await store.choose_group_deck(db, GROUP, own, "Capitals")
    assert await delete_owned_deck(db, 7, own) == "Capitals"
    after = await store.group_deck(db, GROUP, default)
    assert (after.deck_id, after.chosen, after.lost) == (default, False, "Capitals")
    assert await store.group_deck_id(db, GROUP) is None


async def test_a_copy_keeps_every_live_card_with_its_formatting(db: Database) -> None:
    _default, own = await decks(db)
    deck = await store.deck_for_copy(db, own)
    assert deck is not None and deck.title == "Capitals"
    await upsert_user(db, 8, "Bob", T)
    copy = await store.store_copy(db, deck, "capitals", 8, T)
    assert copy != own
    again = await store.deck_for_copy(db, copy)
    assert again is not None and again.cards == deck.cards
    assert again.cards[1].reverse and again.cards[2].front_html == "<b>Italy</b>"
    assert await store.deck_for_copy(db, 999_999) is None


async def test_a_group_that_becomes_a_supergroup_keeps_its_deck_and_daily_question(
    db: Database,
) -> None:
    default, own = await decks(db)
    await store.choose_group_deck(db, GROUP, own, "Capitals")
    await daily.set_daily(db, GROUP, "19:00", "Europe/Berlin", T, 720, None)
    new_day = daily.NewDaily("2026-03-02", None, None, "Q?", ["a", "b"], 0, "", "poll", T, None)
    daily_id = await daily.store_day(db, GROUP, T, T + 86_400, new_day, T)
    assert daily_id is not None
    await daily.posted(db, daily_id, "poll", 42, "poll-9", T)
    moved_to = GROUP * 1000
    assert await store.migrate_group(db, GROUP, moved_to)
    assert not await store.migrate_group(db, GROUP, moved_to)  # told twice: nothing more moves
    assert (await store.group_deck(db, moved_to, default)).deck_id == own
    settings = await daily.daily_settings(db, moved_to)
    assert settings is not None and settings.daily_time == "19:00"
    row = await daily.by_id(db, daily_id)
    # Its message stayed in the old chat: the close is a message of its own in the new one.
    assert row is not None and (row.chat_id, row.message_id) == (moved_to, None)
