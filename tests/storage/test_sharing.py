"""Sharing a deck by link, on both backends: one active link per deck, revoke and a new token,
copies and followers, no duplicates, an owner's edit reaching followers with their schedules kept,
and an owner's delete leaving what others added."""

from __future__ import annotations

import pytest

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.core.deeplinks import is_deck_token
from bot.services.container import load_bundled_decks
from bot.services.decks import DeckService
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.services.sharing import ShareScreen, ShareService
from bot.services.views import Refusal
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from bot.storage.userdata import forget_user
from bot.storage.users import upsert_user

ALICE, BOB, CAROL = 2001, 2002, 2003
CSV = b"front,back\nhola,hello\nadios,goodbye\ngracias,thank you\nperro,dog\n"


@pytest.fixture
async def default_deck(db: Database, clock: ManualClock) -> int:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return ids["khrushchev-reforms"]


@pytest.fixture
def imports(db: Database, clock: ManualClock) -> ImportService:
    return ImportService(db, clock)


@pytest.fixture
def sharing(db: Database, clock: ManualClock) -> ShareService:
    return ShareService(db, clock)


@pytest.fixture
def decks(db: Database, clock: ManualClock, default_deck: int) -> DeckService:
    return DeckService(db, clock, default_deck_id=default_deck)


async def import_csv(imports: ImportService, data: bytes = CSV) -> int:
    read = await imports.read_file(ALICE, "Alice", data, "spanish.csv")
    assert isinstance(read, ImportPreview), read
    saved = await imports.save(ALICE, read.import_id, with_history=False)
    assert isinstance(saved, SavedDeck), saved
    return saved.deck_id


async def shared(sharing: ShareService, deck_id: int) -> str:
    screen = await sharing.share(ALICE, deck_id)
    assert isinstance(screen, ShareScreen) and screen.link is not None
    return screen.link.token


async def cards_of(db: Database, deck_id: int) -> list[str]:
    rows = await db.fetchall(
        "SELECT front FROM cards WHERE deck_id = ? AND retired = 0 ORDER BY position", (deck_id,)
    )
    return [str(r[0]) for r in rows]


async def test_a_deck_has_one_active_link_and_a_new_share_after_revoke_is_a_new_token(
    db: Database, imports: ImportService, sharing: ShareService
) -> None:
    deck_id = await import_csv(imports)
    first = await sharing.share(ALICE, deck_id)
    assert isinstance(first, ShareScreen) and first.link is not None and first.note == "made"
    assert is_deck_token(first.link.token) and first.link.follow
    again = await sharing.share(ALICE, deck_id)
    assert isinstance(again, ShareScreen) and again.link == first.link and again.note is None
    # someone else's deck cannot be shared, revoked or switched by them
    assert isinstance(await sharing.share(BOB, deck_id), Refusal)
    assert isinstance(await sharing.revoke(BOB, deck_id), Refusal)
    revoked = await sharing.revoke(ALICE, deck_id)
    assert isinstance(revoked, ShareScreen) and revoked.link is None and revoked.note == "revoked"
    renewed = await sharing.share(ALICE, deck_id)
    assert isinstance(renewed, ShareScreen) and renewed.link is not None
    assert renewed.link.token != first.link.token
    # the old token says it was revoked; a well-formed token nobody made is unknown
    await upsert_user(db, CAROL, "Carol", 0)
    assert (await sharing.open_link(CAROL, "Carol", first.link.token)).status == "revoked"
    assert (await sharing.open_link(CAROL, "Carol", "A" * 32)).status == "unknown"
    assert (await sharing.open_link(CAROL, "Carol", renewed.link.token)).status == "open"
    assert (await sharing.open_link(ALICE, "Alice", renewed.link.token)).status == "own"


async def test_a_person_has_a_limited_number_of_active_links(
    db: Database, clock: ManualClock, imports: ImportService
) -> None:
    deck_id = await import_csv(imports)
    other = await import_csv(imports, CSV.replace(b"perro", b"gato"))
    assert other == deck_id  # same title: the same deck; make a second one under another name
    read = await imports.read_file(ALICE, "Alice", CSV, "german.csv")
    assert isinstance(read, ImportPreview)
    saved = await imports.save(ALICE, read.import_id, with_history=False)
    assert isinstance(saved, SavedDeck)
    one_link = ShareService(db, clock, max_active_links=1)
    assert isinstance(await one_link.share(ALICE, deck_id), ShareScreen)
    refused = await one_link.share(ALICE, saved.deck_id)
    assert isinstance(refused, ShareScreen) and refused.link is None and refused.note == "limit"


async def test_a_copy_is_the_adders_own_and_adding_twice_makes_no_duplicate(
    db: Database, imports: ImportService, sharing: ShareService
) -> None:
    deck_id = await import_csv(imports)
    token = await shared(sharing, deck_id)
    switched = await sharing.toggle_follow(ALICE, deck_id)
    assert isinstance(switched, ShareScreen) and switched.link is not None
    assert not switched.link.follow and switched.note == "copy"
    preview = await sharing.open_link(BOB, "Bob", token)
    assert preview.status == "open" and preview.link is not None
    assert (preview.link.title, preview.link.owner_name, preview.link.cards) == (
        "spanish",
        "Alice",
        4,
    )
    assert [c.front for c in preview.samples] == ["hola", "adios", "gracias"]
    added = await sharing.add(BOB, "Bob", token)
    assert added.status == "added"
    rows = await db.fetchall("SELECT id, title FROM decks WHERE owner_id = ?", (BOB,))
    assert [r[1] for r in rows] == ["spanish"]
    copy_id = int(rows[0][0])
    assert await cards_of(db, copy_id) == ["hola", "adios", "gracias", "perro"]
    active = await db.fetchone("SELECT active_deck_id FROM users WHERE id = ?", (BOB,))
    assert active is not None and active[0] == copy_id
    assert (await sharing.add(BOB, "Bob", token)).status == "have"
    assert (await sharing.open_link(BOB, "Bob", token)).status == "have"
    assert len(await db.fetchall("SELECT id FROM decks WHERE owner_id = ?", (BOB,))) == 1
    # a copy does not follow: the owner's edit stays theirs
    await import_csv(imports, CSV + b"gato,cat\n")
    assert await cards_of(db, copy_id) == ["hola", "adios", "gracias", "perro"]
    screen = await sharing.share(ALICE, deck_id)
    assert isinstance(screen, ShareScreen) and screen.deck.added == 1


async def test_a_follower_gets_the_owners_edits_and_keeps_their_schedules(
    db: Database, imports: ImportService, sharing: ShareService
) -> None:
    deck_id = await import_csv(imports)
    token = await shared(sharing, deck_id)
    await sharing.open_link(BOB, "Bob", token)
    assert (await sharing.add(BOB, "Bob", token)).status == "added"
    row = await db.fetchone("SELECT id FROM decks WHERE owner_id = ?", (BOB,))
    assert row is not None
    bobs = int(row[0])
    question = await db.fetchone(
        """SELECT q.id, q.card_id FROM questions q JOIN cards c ON c.id = q.card_id
            WHERE q.deck_id = ? AND c.front = 'hola' AND q.retired = 0 ORDER BY q.id LIMIT 1""",
        (bobs,),
    )
    assert question is not None
    await db.execute(
        """INSERT INTO review_states (user_id, question_id, deck_id, card_id, state, stability,
                                      difficulty, due, last_review, reps)
           VALUES (?, ?, ?, ?, 2, 12.5, 4.0, 999999, 1000, 3)""",
        (BOB, question[0], bobs, question[1]),
    )
    # Alice edits her deck: a card changed, one added, one gone
    edited = b"front,back\nhola,hello\nadios,bye\ngracias,thank you\ngato,cat\n"
    assert await import_csv(imports, edited) == deck_id
    assert await cards_of(db, bobs) == ["hola", "adios", "gracias", "gato"]
    back = await db.fetchone(
        "SELECT back FROM cards WHERE deck_id = ? AND front = 'adios' AND retired = 0", (bobs,)
    )
    assert back is not None and back[0] == "bye"
    kept = await db.fetchone(
        """SELECT s.stability, s.reps, q.retired FROM review_states s
             JOIN questions q ON q.id = s.question_id WHERE s.user_id = ? AND s.deck_id = ?""",
        (BOB, bobs),
    )
    assert kept is not None and (kept[0], kept[1], kept[2]) == (12.5, 3, 0)


async def test_revoking_stops_new_adds_and_deleting_the_original_leaves_what_was_added(
    db: Database, imports: ImportService, sharing: ShareService, decks: DeckService
) -> None:
    deck_id = await import_csv(imports)
    token = await shared(sharing, deck_id)
    await sharing.open_link(BOB, "Bob", token)
    assert (await sharing.add(BOB, "Bob", token)).status == "added"
    await sharing.revoke(ALICE, deck_id)
    await upsert_user(db, CAROL, "Carol", 0)
    assert (await sharing.add(CAROL, "Carol", token)).status == "revoked"
    assert await db.fetchall("SELECT id FROM decks WHERE owner_id = ?", (CAROL,)) == []
    row = await db.fetchone("SELECT id FROM decks WHERE owner_id = ?", (BOB,))
    assert row is not None
    bobs = int(row[0])
    # Alice deletes her deck: Bob's stays, a copy that no longer follows anything
    assert not isinstance(await decks.delete(ALICE, deck_id), Refusal)
    assert await cards_of(db, bobs) == ["hola", "adios", "gracias", "perro"]
    source = await db.fetchone("SELECT source_deck_id FROM deck_sources WHERE deck_id = ?", (bobs,))
    assert source is not None and source[0] is None
    assert (await sharing.open_link(CAROL, "Carol", token)).status == "unknown"


async def test_a_person_at_the_deck_limit_is_told_so_and_gets_nothing(
    db: Database, clock: ManualClock, imports: ImportService, sharing: ShareService
) -> None:
    deck_id = await import_csv(imports)
    token = await shared(sharing, deck_id)
    await sharing.open_link(BOB, "Bob", token)
    full = ShareService(db, clock, max_own_decks=0)
    assert (await full.add(BOB, "Bob", token)).status == "full"
    assert await db.fetchall("SELECT id FROM decks WHERE owner_id = ?", (BOB,)) == []
    assert (await sharing.open_link(BOB, "Bob", token)).status == "open"


async def test_adding_after_forgetting_oneself_since_the_preview_still_works(
    db: Database, imports: ImportService, sharing: ShareService
) -> None:
    deck_id = await import_csv(imports)
    token = await shared(sharing, deck_id)
    await sharing.open_link(BOB, "Bob", token)
    await forget_user(db, BOB)
    assert (await sharing.add(BOB, "Bob", token)).status == "added"
    assert len(await db.fetchall("SELECT id FROM decks WHERE owner_id = ?", (BOB,))) == 1


async def test_a_copy_keeps_the_cards_pictures_and_sounds(
    db: Database, sharing: ShareService
) -> None:
    await upsert_user(db, ALICE, "Alice", 0)
    front, back = "a" * 64, "b" * 64
    cards = (
        Card("🖼 picture aaaaaaaa", "a cat", front_media=front, front_more=(back,)),
        Card("dog", "a dog", back_media=(front, back)),
    )
    deck_id = await sync_deck(db, Deck("Animals", cards), "animals", ALICE, 0)
    token = await shared(sharing, deck_id)
    await sharing.open_link(BOB, "Bob", token)
    assert (await sharing.add(BOB, "Bob", token)).status == "added"
    rows = await db.fetchall(
        """SELECT c.front_media, c.front_more, c.back_media FROM cards c
             JOIN decks d ON d.id = c.deck_id WHERE d.owner_id = ? ORDER BY c.position""",
        (BOB,),
    )
    assert [tuple(r) for r in rows] == [(front, back, None), (None, None, f"{front} {back}")]
