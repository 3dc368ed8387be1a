"""Editing a deck card by card, on both backends: schedules kept or started afresh as the edit says,
stale edits and bad input refused, other people's and bundled decks left alone, the order and
text the next quiz shows, search without accents, and the export the import reads back."""

from __future__ import annotations

import random

import pytest

from bot.cards.formats import read_deck_bytes
from bot.cards.model import MAX_SIDE_CHARS, MAX_TITLE_CHARS, Card
from bot.cards.questions import card_key
from bot.clock import ManualClock
from bot.services.container import load_bundled_decks
from bot.services.deck_editor import CardPage, CardSaved, DeckEditor, DeckView, EditorError
from bot.services.decks import DeckService
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.services.quiz import QuizService
from bot.services.sharing import ShareScreen, ShareService
from bot.services.views import NothingDue, QuestionView, Refusal
from bot.storage import deck_edits
from bot.storage.db import Database
from bot.storage.users import get_user, upsert_user
from bot.views.quiz import nothing_due_text

ALICE, BOB = 3001, 3002
CARDS = [
    ("hola", "hello"),
    ("adiós", "goodbye"),
    ("el café", "the coffee"),
    ("gracias", "thank you"),
]


@pytest.fixture
async def default_deck(db: Database, clock: ManualClock) -> int:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return ids["khrushchev-reforms"]


@pytest.fixture
def editor(db: Database, clock: ManualClock, default_deck: int) -> DeckEditor:
    return DeckEditor(db, clock, default_deck_id=default_deck)


@pytest.fixture
def quiz(db: Database, clock: ManualClock, default_deck: int) -> QuizService:
    return QuizService(db, clock, default_deck_id=default_deck, fuzz=False, rng=random.Random(3))


async def alices_deck(editor: DeckEditor, cards: list[tuple[str, str]] = CARDS) -> int:
    made = await editor.create(ALICE, "Alice", "Spanish")
    assert isinstance(made, DeckView), made
    for front, back in cards:
        added = await editor.add_card(ALICE, made.deck.id, front, back)
        assert isinstance(added, CardSaved), added
    return made.deck.id


async def card_id(db: Database, deck_id: int, front: str) -> int:
    row = await db.fetchone(
        "SELECT id FROM cards WHERE deck_id = ? AND front = ? AND retired = 0", (deck_id, front)
    )
    assert row is not None, front
    return int(row[0])


async def schedule_card(
    db: Database, deck_id: int, cid: int, due: int = 5_000_000
) -> dict[int, int]:
    """Give Alice a schedule on each live question of a card; returns due dates by question id."""
    rows = await db.fetchall(
        "SELECT id FROM questions WHERE card_id = ? AND retired = 0 ORDER BY id", (cid,)
    )
    assert rows
    dues = {int(r[0]): due + i for i, r in enumerate(rows)}
    for question_id, when in dues.items():
        await db.execute(
            """INSERT INTO review_states (user_id, question_id, deck_id, card_id, state,
                                          stability, difficulty, due, last_review, reps)
               VALUES (?, ?, ?, ?, 2, 12.5, 4.0, ?, 1000, 3)""",
            (ALICE, question_id, deck_id, cid, when),
        )
    return dues


async def live_schedules(db: Database, cid: int) -> dict[int, int]:
    """Alice's due dates on the live questions of a card, by question id."""
    rows = await db.fetchall(
        """SELECT s.question_id, s.due FROM review_states s JOIN questions q ON q.id = s.question_id
            WHERE s.user_id = ? AND q.card_id = ? AND q.retired = 0""",
        (ALICE, cid),
    )
    return {int(r[0]): int(r[1]) for r in rows}


async def fronts(editor: DeckEditor, deck_id: int, user: int = ALICE) -> list[str]:
    page = await editor.cards(user, deck_id, limit=100)
    assert isinstance(page, CardPage), page
    return [c.card.front for c in page.cards]


async def test_a_back_edit_keeps_every_schedule(db: Database, editor: DeckEditor) -> None:
    deck_id = await alices_deck(editor)
    cid = await card_id(db, deck_id, "hola")
    dues = await schedule_card(db, deck_id, cid)
    saved = await editor.edit_card(
        ALICE, deck_id, cid, "hola", "hello, hi", ("hola", "hello"), keep_schedule=False
    )
    assert isinstance(saved, CardSaved), saved
    assert (saved.card.id, saved.card.card.back, saved.schedule) == (cid, "hello, hi", "unchanged")
    recall = await db.fetchone(
        "SELECT id FROM questions WHERE card_id = ? AND kind = 'recall' AND retired = 0", (cid,)
    )
    assert recall is not None and int(recall[0]) in dues
    kept = await live_schedules(db, cid)
    assert kept and all(dues[q] == due for q, due in kept.items())


async def test_a_front_edit_keeping_the_schedule_moves_it_to_the_new_front(
    db: Database, editor: DeckEditor
) -> None:
    deck_id = await alices_deck(editor)
    cid = await card_id(db, deck_id, "hola")
    dues = await schedule_card(db, deck_id, cid)
    saved = await editor.edit_card(
        ALICE, deck_id, cid, "¡hola!", "hello", ("hola", "hello"), keep_schedule=True
    )
    assert isinstance(saved, CardSaved), saved
    assert (saved.card.id, saved.card.card.front, saved.schedule) == (cid, "¡hola!", "kept")
    # the same question rows carry the schedules, under the new front's key
    assert await live_schedules(db, cid) == dues
    keys = await db.fetchall("SELECT key FROM questions WHERE card_id = ? AND retired = 0", (cid,))
    new_key = card_key(Card("¡hola!", "hello"))
    assert keys and all(new_key in str(k[0]).split(":") for k in keys)
    assert await fronts(editor, deck_id) == ["¡hola!", "adiós", "el café", "gracias"]


async def test_a_front_edit_without_keeping_starts_a_new_card_and_retires_the_old(
    db: Database, editor: DeckEditor
) -> None:
    deck_id = await alices_deck(editor)
    cid = await card_id(db, deck_id, "hola")
    dues = await schedule_card(db, deck_id, cid)
    saved = await editor.edit_card(
        ALICE, deck_id, cid, "buenos días", "good morning", ("hola", "hello"), False
    )
    assert isinstance(saved, CardSaved), saved
    assert saved.schedule == "new" and saved.card.id != cid
    assert await live_schedules(db, saved.card.id) == {}
    old = await db.fetchone("SELECT retired FROM cards WHERE id = ?", (cid,))
    assert old is not None and old[0] == 1
    # the old schedule is kept (retired), so an undo brings it back
    back = await editor.edit_card(
        ALICE, deck_id, saved.card.id, "hola", "hello", ("buenos días", "good morning"), False
    )
    assert isinstance(back, CardSaved) and back.card.id == cid
    assert await live_schedules(db, cid) == dues


async def test_keeping_the_schedule_onto_a_front_the_deck_once_had(
    db: Database, editor: DeckEditor
) -> None:
    deck_id = await alices_deck(editor)
    gone = await card_id(db, deck_id, "gracias")
    assert not isinstance(await editor.delete_card(ALICE, deck_id, gone), EditorError)
    cid = await card_id(db, deck_id, "hola")
    dues = await schedule_card(db, deck_id, cid)
    saved = await editor.edit_card(ALICE, deck_id, cid, "gracias", "hello", ("hola", "hello"), True)
    assert isinstance(saved, CardSaved), saved
    assert (saved.card.id, saved.schedule) == (cid, "kept")
    assert await live_schedules(db, cid) == dues


async def test_a_stale_edit_is_refused_with_the_card_as_it_is(
    db: Database, editor: DeckEditor
) -> None:
    deck_id = await alices_deck(editor)
    cid = await card_id(db, deck_id, "hola")
    first = await editor.edit_card(ALICE, deck_id, cid, "hola", "hi", ("hola", "hello"), False)
    assert isinstance(first, CardSaved)
    stale = await editor.edit_card(ALICE, deck_id, cid, "hola", "hey", ("hola", "hello"), False)
    assert isinstance(stale, EditorError) and (stale.status, stale.code) == (409, "changed")
    assert stale.card is not None and stale.card.card.back == "hi"
    card = await editor.card(ALICE, deck_id, cid)
    assert not isinstance(card, EditorError) and card.card.back == "hi"


@pytest.mark.parametrize(
    ("front", "back", "field", "reason"),
    [
        ("  ", "hello", "front", "empty"),
        ("hola", "\n", "back", "empty"),
        ("x" * (MAX_SIDE_CHARS + 1), "hello", "front", "too_long"),
        ("hola", "y" * (MAX_SIDE_CHARS + 1), "back", "too_long"),
        ("GRACIAS", "thanks", "front", "duplicate"),
    ],
)
async def test_a_bad_side_is_refused_naming_the_field(
    db: Database, editor: DeckEditor, front: str, back: str, field: str, reason: str
) -> None:
    deck_id = await alices_deck(editor)
    cid = await card_id(db, deck_id, "hola")
    edited = await editor.edit_card(ALICE, deck_id, cid, front, back, ("hola", "hello"), True)
    added = await editor.add_card(ALICE, deck_id, front, back)
    for refused in (edited, added):
        assert isinstance(refused, EditorError), refused
        assert (refused.status, refused.field, refused.reason) == (422, field, reason)
    assert await fronts(editor, deck_id) == [front for front, _ in CARDS]


async def test_a_bad_title_is_refused_naming_it(db: Database, editor: DeckEditor) -> None:
    deck_id = await alices_deck(editor)
    for title, reason in (("   ", "empty"), ("t" * (MAX_TITLE_CHARS + 1), "too_long")):
        for refused in (
            await editor.create(ALICE, "Alice", title),
            await editor.rename(ALICE, deck_id, title),
        ):
            assert isinstance(refused, EditorError), refused
            assert (refused.status, refused.field, refused.reason) == (422, "title", reason)
    assert not isinstance(await editor.rename(ALICE, deck_id, "  Spanish   words "), EditorError)
    view = await editor.deck(ALICE, deck_id)
    assert isinstance(view, DeckView) and view.deck.title == "Spanish words"


async def test_another_persons_deck_is_neither_read_nor_changed(
    db: Database, editor: DeckEditor
) -> None:
    deck_id = await alices_deck(editor)
    await upsert_user(db, BOB, "Bob", 0)
    cid = await card_id(db, deck_id, "hola")
    attempts = [
        await editor.deck(BOB, deck_id),
        await editor.cards(BOB, deck_id),
        await editor.card(BOB, deck_id, cid),
        await editor.export(BOB, deck_id),
        await editor.rename(BOB, deck_id, "Mine"),
        await editor.add_card(BOB, deck_id, "perro", "dog"),
        await editor.edit_card(BOB, deck_id, cid, "hola", "bye", ("hola", "hello"), False),
        await editor.move_card(BOB, deck_id, cid, 3),
        await editor.delete_card(BOB, deck_id, cid),
        await editor.use(BOB, "Bob", deck_id),
        await editor.delete(BOB, deck_id),
    ]
    for refused in attempts:
        assert isinstance(refused, EditorError) and (refused.status, refused.code) == (
            403,
            "not_yours",
        ), refused
    assert await fronts(editor, deck_id) == [front for front, _ in CARDS]
    view = await editor.deck(ALICE, deck_id)
    assert isinstance(view, DeckView) and view.deck.title == "Spanish"
    assert all(v.deck.id != deck_id for v in await editor.decks(BOB))


async def test_a_bundled_deck_is_read_only(
    db: Database, editor: DeckEditor, default_deck: int
) -> None:
    await upsert_user(db, ALICE, "Alice", 0)
    view = await editor.deck(ALICE, default_deck)
    assert isinstance(view, DeckView) and not view.editable and view.active
    before = await fronts(editor, default_deck)
    assert before
    cid = await card_id(db, default_deck, before[0])
    for refused in (
        await editor.rename(ALICE, default_deck, "Mine"),
        await editor.add_card(ALICE, default_deck, "new", "card"),
        await editor.move_card(ALICE, default_deck, cid, 2),
        await editor.delete_card(ALICE, default_deck, cid),
        await editor.delete(ALICE, default_deck),
    ):
        assert isinstance(refused, EditorError) and (refused.status, refused.code) == (
            403,
            "read_only",
        ), refused
    assert await fronts(editor, default_deck) == before


async def test_decks_list_yours_then_bundled_and_search_by_title(
    db: Database, editor: DeckEditor
) -> None:
    deck_id = await alices_deck(editor)
    listed = await editor.decks(ALICE)
    assert listed[0].deck.id == deck_id and listed[0].editable and listed[0].deck.cards == 4
    assert all(v.deck.owner_id is None for v in listed[1:]) and len(listed) > 1
    found = await editor.decks(ALICE, "SPÁNISH")
    assert [v.deck.id for v in found] == [deck_id]


async def test_reordering_changes_the_order_the_quiz_asks_new_cards(
    db: Database, editor: DeckEditor, quiz: QuizService
) -> None:
    deck_id = await alices_deck(editor)
    gracias = await card_id(db, deck_id, "gracias")
    assert not isinstance(await editor.move_card(ALICE, deck_id, gracias, 0), EditorError)
    assert await fronts(editor, deck_id) == ["gracias", "hola", "adiós", "el café"]
    page = await editor.cards(ALICE, deck_id)
    assert isinstance(page, CardPage) and [c.position for c in page.cards] == [0, 1, 2, 3]
    assert not isinstance(await editor.use(ALICE, "Alice", deck_id), EditorError)
    user = await get_user(db, ALICE)
    assert user is not None
    first = await quiz.start(user, chat_id=ALICE)
    assert isinstance(first, QuestionView) and first.front == "gracias"


async def test_an_edited_card_is_what_the_next_quiz_shows(
    db: Database, editor: DeckEditor, quiz: QuizService
) -> None:
    deck_id = await alices_deck(editor, [("hola", "hello")])
    cid = await card_id(db, deck_id, "hola")
    assert not isinstance(await editor.use(ALICE, "Alice", deck_id), EditorError)
    saved = await editor.edit_card(
        ALICE, deck_id, cid, "¿hola?", "hi there", ("hola", "hello"), keep_schedule=True
    )
    assert isinstance(saved, CardSaved), saved
    user = await get_user(db, ALICE)
    assert user is not None
    first = await quiz.start(user, chat_id=ALICE)
    assert isinstance(first, QuestionView)
    assert (first.front, first.back) == ("¿hola?", "hi there")


async def test_deleting_then_adding_the_same_front_revives_its_schedule(
    db: Database, editor: DeckEditor
) -> None:
    deck_id = await alices_deck(editor)
    cid = await card_id(db, deck_id, "adiós")
    dues = await schedule_card(db, deck_id, cid)
    assert not isinstance(await editor.delete_card(ALICE, deck_id, cid), EditorError)
    assert await fronts(editor, deck_id) == ["hola", "el café", "gracias"]
    assert await live_schedules(db, cid) == {}
    again = await editor.add_card(ALICE, deck_id, "Adiós", "goodbye", position=0)
    assert isinstance(again, CardSaved) and again.card.id == cid and again.card.position == 0
    assert await live_schedules(db, cid) == dues


async def test_search_finds_cards_without_accents_or_case(db: Database, editor: DeckEditor) -> None:
    deck_id = await alices_deck(editor)
    for query, found in (("CAFE", ["el café"]), ("adios", ["adiós"]), ("thank", ["gracias"])):
        page = await editor.cards(ALICE, deck_id, query)
        assert isinstance(page, CardPage) and [c.card.front for c in page.cards] == found
        assert page.total == len(found)
    page = await editor.cards(ALICE, deck_id, offset=1, limit=2)
    assert isinstance(page, CardPage) and page.total == 4
    assert [c.card.front for c in page.cards] == ["adiós", "el café"]


async def test_the_export_reads_back_as_the_same_deck(db: Database, editor: DeckEditor) -> None:
    tricky = [*CARDS, ('say "hi", then wave', "line one\nline two; three")]
    deck_id = await alices_deck(editor, tricky)
    exported = await editor.export(ALICE, deck_id)
    assert not isinstance(exported, EditorError)
    deck = read_deck_bytes(exported.data, exported.filename)
    assert deck.title == "Spanish"
    assert [(c.front, c.back) for c in deck.cards] == tricky


async def test_an_empty_deck_cannot_be_quizzed_until_it_has_a_card(
    db: Database, editor: DeckEditor
) -> None:
    made = await editor.create(ALICE, "Alice", "Empty")
    assert isinstance(made, DeckView) and made.deck.cards == 0 and made.editable
    refused = await editor.use(ALICE, "Alice", made.deck.id)
    assert isinstance(refused, EditorError) and refused.code == "empty_deck"
    again = await editor.create(ALICE, "Alice", "Empty")
    assert isinstance(again, DeckView) and again.deck.id != made.deck.id


async def test_editing_a_followed_deck_stops_following_and_the_owner_keeps_followers_schedules(
    db: Database, clock: ManualClock, editor: DeckEditor
) -> None:
    imports, sharing = ImportService(db, clock), ShareService(db, clock)
    read = await imports.read_file(BOB, "Bob", b"front,back\nhola,hello\nperro,dog\n", "es.csv")
    assert isinstance(read, ImportPreview)
    saved = await imports.save(BOB, read.import_id, with_history=False)
    assert isinstance(saved, SavedDeck)
    screen = await sharing.share(BOB, saved.deck_id)
    assert isinstance(screen, ShareScreen) and screen.link is not None
    await sharing.open_link(ALICE, "Alice", screen.link.token)
    assert (await sharing.add(ALICE, "Alice", screen.link.token)).status == "added"
    alices = next(v.deck for v in await editor.decks(ALICE) if v.deck.owner_id == ALICE)
    assert alices.follows
    hola = await card_id(db, alices.id, "hola")
    dues = await schedule_card(db, alices.id, hola)
    # Bob re-words a front keeping schedules: Alice's copy follows, her schedule carries on
    bobs_hola = await card_id(db, saved.deck_id, "hola")
    edited = await editor.edit_card(
        BOB, saved.deck_id, bobs_hola, "hola!", "hello", ("hola", "hello"), True
    )
    assert isinstance(edited, CardSaved) and not edited.stopped_following
    assert await fronts(editor, alices.id) == ["hola!", "perro"]
    assert await live_schedules(db, hola) == dues
    # Alice edits her copy: it stops following, so Bob's next edit leaves hers alone
    mine = await editor.add_card(ALICE, alices.id, "gato", "cat")
    assert isinstance(mine, CardSaved) and mine.stopped_following
    view = await editor.deck(ALICE, alices.id)
    assert isinstance(view, DeckView) and not view.deck.follows
    assert not isinstance(await editor.add_card(BOB, saved.deck_id, "casa", "house"), EditorError)
    assert await fronts(editor, alices.id) == ["hola!", "perro", "gato"]


async def test_quiz_on_an_empty_deck_says_it_has_no_cards_yet(
    db: Database, clock: ManualClock, editor: DeckEditor, quiz: QuizService, default_deck: int
) -> None:
    made = await editor.create(ALICE, "Alice", "Empty")
    assert isinstance(made, DeckView)
    # /decks in the chat can still choose it: /quiz then says why it asks nothing
    chosen = await DeckService(db, clock, default_deck_id=default_deck).use(ALICE, made.deck.id)
    assert not isinstance(chosen, Refusal)
    user = await get_user(db, ALICE)
    assert user is not None
    nothing = await quiz.start(user, chat_id=ALICE)
    assert isinstance(nothing, NothingDue) and nothing.deck_empty
    assert nothing_due_text(nothing).startswith("This deck has no cards yet")


async def test_a_save_that_fails_midway_leaves_the_deck_as_it_was(
    db: Database, editor: DeckEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck_id = await alices_deck(editor)
    cid = await card_id(db, deck_id, "hola")
    dues = await schedule_card(db, deck_id, cid)
    keys_before = await db.fetchall("SELECT id, key FROM questions WHERE card_id = ?", (cid,))

    async def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the process stops here")

    # The card and its questions are re-keyed first, then sync_deck fails: all or nothing.
    monkeypatch.setattr(deck_edits, "sync_deck", crash)
    with pytest.raises(RuntimeError):
        await editor.edit_card(ALICE, deck_id, cid, "¡hola!", "hello", ("hola", "hello"), True)
    monkeypatch.undo()
    assert await db.fetchall("SELECT id, key FROM questions WHERE card_id = ?", (cid,)) == (
        keys_before
    )
    assert await fronts(editor, deck_id) == [front for front, _ in CARDS]
    saved = await editor.edit_card(ALICE, deck_id, cid, "¡hola!", "hello", ("hola", "hello"), True)
    assert isinstance(saved, CardSaved) and saved.schedule == "kept"
    assert await live_schedules(db, cid) == dues


async def test_an_edit_planned_on_cards_that_changed_since_is_not_saved(
    db: Database, clock: ManualClock, editor: DeckEditor
) -> None:
    deck_id = await alices_deck(editor)
    deck = await deck_edits.deck_of(db, deck_id)
    assert deck is not None
    planned_on = await deck_edits.live_cards(db, deck_id)
    # another edit lands between reading the cards and saving
    assert isinstance(await editor.add_card(ALICE, deck_id, "perro", "dog"), CardSaved)
    stale = [c.card for c in planned_on[1:]]
    saved = await deck_edits.save_cards(db, deck, planned_on, stale, 0, [])
    assert saved is None
    assert await fronts(editor, deck_id) == [*(front for front, _ in CARDS), "perro"]
