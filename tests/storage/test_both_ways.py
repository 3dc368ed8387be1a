"""Both directions of a card: a deck asked both ways gets reverse questions with their own
schedules, kept when the setting is turned off and back on, and kept across a re-import."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.services.container import load_bundled_decks
from bot.services.decks import DeckService
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.services.views import Refusal
from bot.storage.db import Database
from bot.storage.decks import ensure_current_questions

ALICE, BOB = 1001, 1002
CSV = b"front,back\nhola,hello\nadios,goodbye\ngracias,thank you\n"


@pytest.fixture
async def default_deck(db: Database, clock: ManualClock) -> int:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return ids["khrushchev-reforms"]


@pytest.fixture
def imports(db: Database, clock: ManualClock) -> ImportService:
    return ImportService(db, clock)


@pytest.fixture
def decks(db: Database, clock: ManualClock, default_deck: int) -> DeckService:
    return DeckService(db, clock, default_deck_id=default_deck)


async def import_csv(imports: ImportService, data: bytes = CSV) -> int:
    read = await imports.read_file(ALICE, "Alice", data, "spanish.csv")
    assert isinstance(read, ImportPreview), read
    saved = await imports.save(ALICE, read.import_id, with_history=False)
    assert isinstance(saved, SavedDeck), saved
    return saved.deck_id


async def reverse_questions(db: Database, deck_id: int) -> list[tuple[str, str, int]]:
    rows = await db.fetchall(
        """SELECT prompt, answer, retired FROM questions
            WHERE deck_id = ? AND kind = 'reverse' ORDER BY prompt""",
        (deck_id,),
    )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


async def test_asking_a_deck_both_ways_adds_reverse_questions_and_keeps_their_schedules(
    db: Database, imports: ImportService, decks: DeckService
) -> None:
    deck_id = await import_csv(imports)
    assert await reverse_questions(db, deck_id) == []
    toggled = await decks.toggle_both_ways(ALICE, deck_id)
    assert not isinstance(toggled, Refusal)
    listing, deck = toggled
    assert deck.both_ways and listing.find(deck_id) == deck
    assert await reverse_questions(db, deck_id) == [
        ("goodbye", "adios", 0),
        ("hello", "hola", 0),
        ("thank you", "gracias", 0),
    ]
    # A schedule on a reverse question survives turning the setting off and on again.
    (question_id,) = await db.fetchone(
        "SELECT id FROM questions WHERE deck_id = ? AND kind = 'reverse' AND answer = 'hola'",
        (deck_id,),
    ) or (None,)
    await db.execute(
        """INSERT INTO review_states (user_id, question_id, deck_id, card_id, state, stability,
                                      difficulty, due, last_review, reps, lapses)
           SELECT ?, id, deck_id, card_id, 2, 12.5, 5.0, 1000, 500, 3, 0 FROM questions
            WHERE id = ?""",
        (ALICE, question_id),
    )
    off = await decks.toggle_both_ways(ALICE, deck_id)
    assert not isinstance(off, Refusal) and not off[1].both_ways
    assert {retired for _, _, retired in await reverse_questions(db, deck_id)} == {1}
    await decks.toggle_both_ways(ALICE, deck_id)
    assert {retired for _, _, retired in await reverse_questions(db, deck_id)} == {0}
    kept = await db.fetchone(
        "SELECT stability, reps FROM review_states WHERE user_id = ? AND question_id = ?",
        (ALICE, question_id),
    )
    assert kept is not None and tuple(kept) == (12.5, 3)


async def test_a_re_import_keeps_the_deck_asked_both_ways(
    db: Database, imports: ImportService, decks: DeckService
) -> None:
    deck_id = await import_csv(imports)
    await decks.toggle_both_ways(ALICE, deck_id)
    assert await import_csv(imports, CSV + b"por favor,please\n") == deck_id
    assert sorted(a for _, a, r in await reverse_questions(db, deck_id) if not r) == [
        "adios",
        "gracias",
        "hola",
        "por favor",
    ]


async def test_only_the_owner_asks_a_deck_both_ways(
    db: Database, imports: ImportService, decks: DeckService, default_deck: int
) -> None:
    deck_id = await import_csv(imports)
    gone = Refusal("That deck is no longer there")
    assert await decks.toggle_both_ways(BOB, deck_id) == gone
    assert await decks.toggle_both_ways(ALICE, default_deck) == gone
    assert await reverse_questions(db, deck_id) == []


async def test_questions_left_unmade_by_a_stop_are_made_on_the_deck_s_next_use(
    db: Database, imports: ImportService, clock: ManualClock
) -> None:
    deck_id = await import_csv(imports)
    # The setting is saved first; a process stopped before the questions were made again
    # leaves them marked out of date.
    await db.execute(
        "UPDATE decks SET both_ways = 1, questions_version = 0 WHERE id = ?", (deck_id,)
    )
    assert await reverse_questions(db, deck_id) == []
    await ensure_current_questions(db, deck_id, int(clock.now().timestamp()))
    assert len(await reverse_questions(db, deck_id)) == 3
