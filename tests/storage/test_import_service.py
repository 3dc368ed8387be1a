"""Imports and /decks over a real SQLite file: previews, saves, limits, replays, switches, deletes."""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest

from bot.cards.model import Card
from bot.cards.questions import card_key
from bot.clock import ManualClock
from bot.reader.pool import ReaderPool
from bot.services.container import load_bundled_decks
from bot.services.decks import DeckService
from bot.services.imports import (
    CLOSED_TTL,
    PAGE_CARDS,
    ClosedPreview,
    ImportFailure,
    ImportPreview,
    ImportService,
    SavedDeck,
)
from bot.services.views import Refusal
from bot.storage.db import Database
from bot.storage.imports import (
    KEEP_CLOSED_PER_USER,
    KEEP_PER_USER,
    ReplayedState,
    write_replayed,
)
from bot.storage.quiz import StoredState
from bot.views.deck_problems import render

ALICE, BOB = 1001, 1002
CSV = b"front,back\nhola,hello\nadios,goodbye\ngracias,thank you\npor favor,please\n"


@pytest.fixture
async def default_deck(db: Database, clock: ManualClock) -> int:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return ids["khrushchev-reforms"]


@pytest.fixture
def imports(db: Database, clock: ManualClock, default_deck: int) -> ImportService:
    return ImportService(db, clock)


@pytest.fixture
def decks(db: Database, clock: ManualClock, default_deck: int) -> DeckService:
    return DeckService(db, clock, default_deck_id=default_deck)


async def preview(
    imports: ImportService, data: bytes = CSV, name: str = "spanish.csv", user: int = ALICE
) -> ImportPreview:
    read = await imports.read_file(user, "Alice", data, name)
    assert isinstance(read, ImportPreview), read
    return read


async def saved(imports: ImportService, import_id: int, user: int = ALICE) -> SavedDeck:
    result = await imports.save(user, import_id, with_history=False)
    assert isinstance(result, SavedDeck), result
    return result


async def test_a_preview_shows_the_first_cards_and_stores_nothing_but_itself(
    db: Database, imports: ImportService
) -> None:
    shown = await preview(imports)
    assert (shown.title, shown.cards, shown.filename, shown.reviews) == (
        "spanish",
        4,
        "spanish.csv",
        0,
    )
    assert (shown.page, shown.pages) == (0, 1)
    assert [c.front for c in shown.page_cards] == ["hola", "adios", "gracias", "por favor"]
    assert not shown.updates_existing and not shown.at_deck_limit
    owned = await db.fetchone("SELECT COUNT(*) FROM decks WHERE owner_id = ?", (ALICE,))
    assert owned is not None and owned[0] == 0


async def test_saving_stores_the_deck_as_the_users_active_one_and_only_once(
    db: Database, imports: ImportService, decks: DeckService
) -> None:
    shown = await preview(imports)
    deck = await saved(imports, shown.import_id)
    assert (deck.title, deck.cards, deck.updated, deck.replayed_cards) == ("spanish", 4, False, 0)
    listing = await decks.list(ALICE)
    assert listing.active_id == deck.deck_id
    assert await imports.save(ALICE, shown.import_id, with_history=False) == Refusal(
        "This preview is gone — send the deck again"
    )
    assert await imports.cancel(ALICE, shown.import_id) is False


async def test_someone_elses_preview_cannot_be_saved_or_cancelled(imports: ImportService) -> None:
    shown = await preview(imports)
    assert isinstance(await imports.save(BOB, shown.import_id, with_history=True), Refusal)
    assert await imports.cancel(BOB, shown.import_id) is False
    assert isinstance(await imports.save(ALICE, shown.import_id, with_history=False), SavedDeck)


async def test_a_preview_expires_after_a_day(
    db: Database, clock: ManualClock, imports: ImportService
) -> None:
    shown = await preview(imports)
    clock.advance(timedelta(hours=24, seconds=1))
    assert await imports.save(ALICE, shown.import_id, with_history=False) == Refusal(
        "This preview expired after a day — send the deck again"
    )
    kept = await preview(imports)
    clock.advance(timedelta(hours=23))
    assert await imports.expire() == 0
    clock.advance(timedelta(hours=2))
    assert await imports.expire() == 1
    assert isinstance(await imports.save(ALICE, kept.import_id, with_history=False), Refusal)


async def test_only_the_newest_previews_are_kept(db: Database, imports: ImportService) -> None:
    shown = [await preview(imports) for _ in range(KEEP_PER_USER + 2)]
    await preview(imports, user=BOB)
    rows = await db.fetchall(
        "SELECT id FROM pending_imports WHERE user_id = ? ORDER BY id", (ALICE,)
    )
    assert [r[0] for r in rows] == [p.import_id for p in shown[-KEEP_PER_USER:]]


async def test_the_deck_limit_is_told_in_the_preview_and_enforced_on_save(
    db: Database, clock: ManualClock
) -> None:
    imports = ImportService(db, clock, max_own_decks=2)
    for name in ("one.csv", "two.csv"):
        await saved(imports, (await preview(imports, name=name)).import_id)
    third = await preview(imports, name="three.csv")
    assert third.at_deck_limit
    refused = await imports.save(ALICE, third.import_id, with_history=False)
    assert refused == Refusal("You have 2 decks already: delete one in /decks first")
    # updating a deck one already has needs no new slot
    again = await preview(imports, name="one.csv")
    assert again.updates_existing and not again.at_deck_limit
    assert (await saved(imports, again.import_id)).updated


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"PK\x03\x04broken", "deck.apkg", "deck.apkg: "),
        (b"front,back\n" + b"x," + b"y" * 2001 + b"\n", "long.csv", "long.csv: line 2"),
        (b"\xff\xfe\x00garbage\x00", "bin.txt", "bin.txt: "),
    ],
)
async def test_unreadable_files_give_a_reason_and_keep_nothing(
    db: Database, imports: ImportService, data: bytes, name: str, reason: str
) -> None:
    read = await imports.read_file(ALICE, "Alice", data, name)
    assert isinstance(read, ImportFailure)
    assert render(read.reason).startswith(reason)
    left = await db.fetchone("SELECT COUNT(*) FROM pending_imports")
    assert left is not None and left[0] == 0


@pytest.mark.parametrize(
    "program",
    [
        "import sys; sys.stderr.write('Traceback: a reader bug'); sys.exit(3)",
        "print('not an answer')",
    ],
)
async def test_a_reader_bug_becomes_a_reason_not_a_traceback(
    db: Database, clock: ManualClock, default_deck: int, program: str
) -> None:
    imports = ImportService(db, clock, readers=ReaderPool(command=(sys.executable, "-c", program)))
    read = await imports.read_file(ALICE, "Alice", CSV, "deck.csv")
    assert read == ImportFailure("deck.csv: the file is damaged or not a deck I know")


async def test_switching_keeps_progress_and_closes_a_session_on_another_deck(
    db: Database, clock: ManualClock, imports: ImportService, decks: DeckService, default_deck: int
) -> None:
    mine = await saved(imports, (await preview(imports)).import_id)
    now = int(clock.now().timestamp())
    await db.execute(
        "INSERT INTO quiz_sessions (user_id, chat_id, deck_id, started_at, size) VALUES (?, ?, ?, ?, 5)",
        (ALICE, ALICE, mine.deck_id, now),
    )
    used = await decks.use(ALICE, default_deck)
    assert not isinstance(used, Refusal)
    listing, chosen = used
    assert listing.active_id == default_deck == chosen.id
    open_sessions = await db.fetchone(
        "SELECT COUNT(*) FROM quiz_sessions WHERE user_id = ? AND finished_at IS NULL", (ALICE,)
    )
    assert open_sessions is not None and open_sessions[0] == 0
    assert [d.title for d in listing.decks] == [
        "Khrushchev's attempts to reform government",
        "spanish",
    ]
    assert await decks.use(BOB, mine.deck_id) == Refusal("That deck is no longer there")
    assert await decks.use(ALICE, 987654) == Refusal("That deck is no longer there")


async def test_deleting_the_active_deck_falls_back_to_the_default(
    db: Database, imports: ImportService, decks: DeckService, default_deck: int
) -> None:
    mine = await saved(imports, (await preview(imports)).import_id)
    assert await decks.own_deck(ALICE, default_deck) == Refusal("That deck is no longer there")
    assert await decks.delete(BOB, mine.deck_id) == Refusal("That deck is no longer there")
    deleted = await decks.delete(ALICE, mine.deck_id)
    assert not isinstance(deleted, Refusal)
    listing, title = deleted
    assert title == "spanish"
    assert listing.active_id == default_deck
    assert [d.id for d in listing.decks] == [default_deck]
    left = await db.fetchone("SELECT COUNT(*) FROM cards WHERE deck_id = ?", (mine.deck_id,))
    assert left is not None and left[0] == 0


async def test_replayed_schedules_never_overwrite_a_newer_one(
    db: Database, imports: ImportService
) -> None:
    mine = await saved(imports, (await preview(imports)).import_id)
    hola = f"recall:{card_key(Card('hola', 'hello'))}"
    adios = f"recall:{card_key(Card('adios', 'goodbye'))}"

    def state(last_review: int, reps: int) -> StoredState:
        return StoredState(2, None, 5.0, 5.0, last_review + 86_400, last_review, reps, 0)

    written = await write_replayed(
        db,
        ALICE,
        mine.deck_id,
        [ReplayedState(hola, state(1_000, 3), 3), ReplayedState("no-such-card", state(1, 1), 1)],
    )
    assert written == (1, 3)
    # the same history again, and an older one, change nothing; a newer one replaces it
    again = [ReplayedState(hola, state(1_000, 3), 3), ReplayedState(adios, state(500, 2), 2)]
    assert await write_replayed(db, ALICE, mine.deck_id, again) == (1, 2)
    assert await write_replayed(
        db, ALICE, mine.deck_id, [ReplayedState(hola, state(900, 9), 9)]
    ) == (
        0,
        0,
    )
    newer = [ReplayedState(hola, state(2_000, 4), 4)]
    assert await write_replayed(db, ALICE, mine.deck_id, newer) == (1, 4)
    rows = await db.fetchall(
        """SELECT q.key, rs.reps, rs.last_review FROM review_states rs
             JOIN questions q ON q.id = rs.question_id WHERE rs.user_id = ? ORDER BY q.key""",
        (ALICE,),
    )
    assert sorted(tuple(r) for r in rows) == sorted([(hola, 4, 2_000), (adios, 2, 500)])


async def test_a_preview_pages_through_its_cards_as_stored(
    imports: ImportService, clock: ManualClock
) -> None:
    rows = "".join(f"front {n},back {n}\n" for n in range(1, 21)).encode()
    shown = await preview(imports, b"front,back\n" + rows, "twenty.csv")
    assert (shown.page, shown.pages, len(shown.page_cards)) == (0, 3, PAGE_CARDS)
    second = await imports.show_page(ALICE, shown.import_id, 1)
    assert isinstance(second, ImportPreview)
    assert second.first_number == 9
    assert [c.front for c in second.page_cards] == [f"front {n}" for n in range(9, 17)]
    last = await imports.show_page(ALICE, shown.import_id, 9999)  # past the end: the last page
    assert isinstance(last, ImportPreview)
    assert (last.page, [c.front for c in last.page_cards]) == (
        2,
        [f"front {n}" for n in range(17, 21)],
    )
    assert await imports.show_page(BOB, shown.import_id, 1) is None
    assert await imports.show_page(ALICE, 987654, 0) is None


async def test_a_closed_preview_shows_what_became_of_it(
    imports: ImportService, decks: DeckService, clock: ManualClock
) -> None:
    kept = await preview(imports)
    mine = await saved(imports, kept.import_id)
    assert await imports.show_page(ALICE, kept.import_id, 1) == ClosedPreview("saved", "spanish", 4)
    assert await imports.show_page(BOB, kept.import_id, 0) is None
    assert not isinstance(await decks.delete(ALICE, mine.deck_id), Refusal)
    assert await imports.show_page(ALICE, kept.import_id, 0) == ClosedPreview("deleted", "spanish")

    dropped = await preview(imports)
    assert await imports.cancel(ALICE, dropped.import_id)
    assert await imports.show_page(ALICE, dropped.import_id, 0) == ClosedPreview(
        "cancelled", "spanish"
    )
    assert not await imports.cancel(ALICE, dropped.import_id)
    assert await imports.save(ALICE, dropped.import_id, with_history=False) == Refusal(
        "This preview is gone — send the deck again"
    )

    # past a day a preview is expired, swept or not
    late, swept = await preview(imports), await preview(imports)
    clock.advance(timedelta(hours=25))
    assert await imports.show_page(ALICE, late.import_id, 0) == ClosedPreview("expired", "spanish")
    assert await imports.expire() == 1  # the other one
    assert await imports.show_page(ALICE, swept.import_id, 0) == ClosedPreview("expired", "spanish")
    # what became of a preview is remembered for a month, then forgotten
    clock.advance(CLOSED_TTL)
    assert await imports.expire() == 0
    assert await imports.show_page(ALICE, swept.import_id, 0) is None


async def test_closed_previews_leave_the_open_ones_alone(
    db: Database, imports: ImportService
) -> None:
    oldest = await preview(imports)
    for _ in range(KEEP_CLOSED_PER_USER + 2):
        await saved(imports, (await preview(imports)).import_id)
    newest = await preview(imports)  # storing a preview trims the closed ones of the user's
    # the oldest open preview is still open: only open previews count towards the few kept
    assert isinstance(await imports.show_page(ALICE, oldest.import_id, 0), ImportPreview)
    closed = await db.fetchone(
        "SELECT COUNT(*) FROM pending_imports WHERE user_id = ? AND id NOT IN (?, ?)",
        (ALICE, oldest.import_id, newest.import_id),
    )
    assert closed is not None and closed[0] == KEEP_CLOSED_PER_USER
