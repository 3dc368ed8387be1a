"""Inline quizzes in the database: what a search offers, one answer per person, the tally, and
edits spaced out (both backends)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.services.inline import EDIT_GAP, InlineQuizService, signing_key
from bot.services.views import Refusal
from bot.storage import inline as store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.userdata import forget_user
from bot.storage.users import upsert_user

ALICE, BOB = 101, 202
NOW = 1_772_442_000
CAPITALS = Deck(
    "Capitals",
    tuple(
        Card(f"Capital of {country}", city)
        for country, city in [
            ("France", "Paris"),
            ("Spain", "Madrid"),
            ("Italy", "Rome"),
            ("Germany", "Berlin"),
            ("Türkiye", "Ankara"),
        ]
    ),
)
RIVERS = Deck(
    "Rivers",
    tuple(
        Card(f"River of {city}", river)
        for city, river in [
            ("Paris", "Seine"),
            ("London", "Thames"),
            ("Vienna", "Danube"),
            ("Rome", "Tiber"),
        ]
    ),
)


async def _decks(db: Database) -> None:
    for user in (ALICE, BOB):
        await upsert_user(db, user, f"user{user}", NOW)
    await sync_deck(db, RIVERS, "rivers", None, NOW)  # bundled: everyone's
    await sync_deck(db, CAPITALS, "capitals", ALICE, NOW)  # Alice's own


async def test_a_search_offers_own_cards_first_then_bundled_and_never_someone_elses(
    db: Database,
) -> None:
    await _decks(db)
    offered = await store.offered_cards(db, ALICE)
    alice = await store.questions(db, [c.question_id for c in offered])
    assert [q.deck_title for q in alice] == ["Capitals"] * 5 + ["Rivers"] * 4
    assert all(q.kind == "choice" and len(q.distractors) >= 3 for q in alice)
    assert len({q.front for q in alice}) == len(alice)  # one question per card
    bob = await store.offered_cards(db, BOB)
    assert {c.front for c in bob} == {card.front for card in RIVERS.cards}


async def test_each_person_answers_once_and_the_first_right_one_is_named(db: Database) -> None:
    await _decks(db)
    question = (await store.offered_cards(db, ALICE))[0].question_id
    first = await store.record_answer(db, "msg", question, "en", BOB, "Bob", 2, True, NOW)
    assert first.new and first.correct
    again = await store.record_answer(db, "msg", question, "en", BOB, "Bob", 1, False, NOW + 1)
    assert not again.new and again.choice == 2 and again.correct  # the first answer stands
    await store.record_answer(db, "msg", question, "en", ALICE, "Alice", 1, False, NOW + 2)
    await store.record_answer(db, "msg", question, "en", 303, "Carol", 2, True, NOW + 3)
    tally = await store.tally(db, "msg")
    assert tally is not None
    assert (tally.right, tally.wrong, tally.first_right_name) == (2, 1, "Bob")
    # Buttons of another question tapped on this message count nothing.
    other = await store.record_answer(db, "msg", question + 1, "en", 404, "Dan", 0, True, NOW)
    assert not other.new and other.question_id == question
    assert (await store.tally(db, "msg")) == tally


async def test_taps_at_once_each_count_once(db: Database) -> None:
    await _decks(db)
    question = (await store.offered_cards(db, ALICE))[0].question_id
    people = range(1000, 1020)
    await asyncio.gather(
        *(
            store.record_answer(db, "busy", question, "en", p, f"p{p}", p % 4, p % 4 == 0, NOW)
            for p in [*people, *people]  # everyone taps twice, all at once
        )
    )
    tally = await store.tally(db, "busy")
    assert tally is not None and (tally.right, tally.wrong) == (5, 15)
    assert tally.first_right_name is not None


async def test_the_message_is_edited_at_most_once_per_gap(db: Database) -> None:
    await _decks(db)
    question = (await store.offered_cards(db, ALICE))[0].question_id
    await store.record_answer(db, "m", question, "en", BOB, "Bob", 0, True, NOW)
    assert await store.claim_edit(db, "m", NOW, EDIT_GAP) is not None
    assert await store.claim_edit(db, "m", NOW, EDIT_GAP) is None  # nothing new to show
    await store.record_answer(db, "m", question, "en", ALICE, "Alice", 1, False, NOW + 1)
    assert await store.claim_edit(db, "m", NOW + 1, EDIT_GAP) is None  # too soon: held back
    assert await store.owed_edits(db, NOW + 1, EDIT_GAP) == []
    assert await store.owed_edits(db, NOW + EDIT_GAP, EDIT_GAP) == ["m"]
    tally = await store.claim_edit(db, "m", NOW + EDIT_GAP, EDIT_GAP)
    assert tally is not None and (tally.right, tally.wrong) == (1, 1)
    assert await store.owed_edits(db, NOW + 60, EDIT_GAP) == []


async def test_the_service_refuses_forged_taps_and_searches_with_accents_folded(
    db: Database, clock: ManualClock
) -> None:
    await _decks(db)
    service = InlineQuizService(db, clock, signing_key("123:token"))
    found = await service.search(ALICE, "TURKIYE", "")
    assert [p.question.front for p in found.results] == ["Capital of Türkiye"]
    shown = found.results[0]
    tap = service.tap(shown.question.question_id, shown.right, "en")
    forged = service.tap(shown.question.question_id + 1, 0, "en")
    forged = type(forged)(shown.question.question_id, 0, "en", forged.signature)
    assert isinstance(await service.answer(forged, "x", BOB, "Bob"), Refusal)
    other_bot = InlineQuizService(db, clock, signing_key("999:other"))
    assert not other_bot.genuine(tap)
    verdict = await service.answer(tap, "x", BOB, "Bob")
    assert not isinstance(verdict, Refusal) and verdict.correct and verdict.new
    assert verdict.tally is not None and verdict.tally.right == 1
    clock.advance(timedelta(seconds=1))
    wrong = service.tap(shown.question.question_id, (shown.right + 1) % 4, "en")
    later = await service.answer(wrong, "x", ALICE, "Alice")
    assert not isinstance(later, Refusal) and not later.correct and later.tally is None
    clock.advance(timedelta(seconds=EDIT_GAP))
    edits = await service.owed_edits()
    assert [(t.right, t.wrong) for _, t in edits] == [(1, 1)]
    out_of_range = service.tap(shown.question.question_id, 7, "en")
    assert isinstance(await service.answer(out_of_range, "x", 303, "Carol"), Refusal)


async def test_forget_removes_a_persons_answers_and_name(db: Database) -> None:
    await _decks(db)
    question = (await store.offered_cards(db, ALICE))[0].question_id
    await store.record_answer(db, "m", question, "en", BOB, "Bob", 0, True, NOW)
    await store.record_answer(db, "m", question, "en", 303, "Carol", 0, True, NOW + 1)
    await forget_user(db, BOB)
    tally = await store.tally(db, "m")
    assert tally is not None and (tally.right, tally.wrong, tally.first_right_name) == (1, 0, None)
    await store.record_answer(db, "m", question, "en", 404, "Dan", 0, True, NOW + 2)
    later = await store.tally(db, "m")
    assert later is not None and later.first_right_name is None  # nobody takes Bob's place
