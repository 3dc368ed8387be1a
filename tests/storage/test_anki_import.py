"""An Anki package imported with its history schedules every Anki card as Anki's own FSRS does.

The reference is `tests/fixtures/anki_reference.json`: the memory state and due day of each of the
shared package's 1,113 reviewed cards, computed by the official `anki` library with its default
parameters (bench/anki_reference.py). The bot imports the package as a user does (reader process,
preview, Save with my Anki history) for a user on the collection's own learning days, and each
Anki card is compared with the bot's question of the same direction (bench/compare_anki.py prints
the same figures). The package's preset carries no FSRS parameters, so its cards are replayed;
given parameters, its cards keep the memory states Anki stored.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from compare_anki import anki_day, bot_states, figures, matched, note_keys

from bot.cards.formats.apkg import read_apkg
from bot.cards.questions import QuestionKind, question_key
from bot.clock import ManualClock
from bot.core.personal_parameters import anki_parameters
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.storage import parameters as parameters_store
from bot.storage.db import Database
from tests.conftest import shared_path
from tests.unit.test_apkg_states import optimised, package_with

USER = 1001
REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "anki_reference.json"


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


async def test_every_anki_card_gets_anki_s_own_memory_state_and_due_day(
    reference: dict[str, Any],
) -> None:
    package = shared_path("fixtures", "anki", reference["package"])
    data = package.read_bytes()
    bot, saved = await bot_states(data, package.name, reference["collection"])
    pairs = matched(reference, note_keys(data, package.name), bot)
    # Every Anki card has its own question (1,113 cards of 557 notes, both directions) but two
    # reverse cards whose back shows their front: "Vietnam" for "Việt Nam", "a particle" for
    # "ạ" (accents aside). A question never shows its answer, so those have no reverse question.
    assert len(pairs) == 1_113 - 2
    assert {card["ord"] for card, _ in pairs} == {0, 1}
    found = figures(pairs, reference["collection"])
    median, p10, p90 = found.stability
    assert 0.95 <= median <= 1.05 and p10 >= 0.8 and p90 <= 1.25, found
    assert abs(found.difficulty[0]) <= 0.2, found
    # Anki keeps the interval a card had under its old scheduler as a floor, which no replay of
    # the answers can know: those cards fall due a few days before Anki's range.
    assert found.due_inside >= 0.94 * found.due_cards, found
    assert saved.replayed_cards == len(bot) == 1_111


async def test_anki_s_own_states_are_kept_when_its_preset_carries_parameters(
    reference: dict[str, Any],
) -> None:
    data = package_with(optimised)
    result = read_apkg(data, "v.apkg")
    bot, _ = await bot_states(data, "v.apkg", reference["collection"])
    collection = reference["collection"]
    day_zero = date.fromisoformat(collection["day_zero"])
    kept = 0
    for memory in result.memories:
        kind = QuestionKind.REVERSE if memory.reverse else QuestionKind.RECALL
        state = bot.get(question_key(kind, result.deck.cards[memory.card_index]))
        if state is None:
            continue  # the two cards with no reverse question
        assert (state["s"], state["d"]) == (memory.stability, memory.difficulty)
        # due at the start of Anki's due day, in the collection's offset and rollover
        assert anki_day(state["due"], collection) == (memory.due_day - day_zero).days
        kept += 1
    assert kept == 1_111


@pytest.mark.parametrize("with_history", [True, False])
async def test_the_preset_s_parameters_schedule_those_cards_next_reviews(
    db: Database, clock: ManualClock, with_history: bool
) -> None:
    data = package_with(optimised)
    imports = ImportService(db, clock)
    try:
        shown = await imports.read_file(USER, "Alice", data, "v.apkg")
        assert isinstance(shown, ImportPreview)
        saved = await imports.save(USER, shown.import_id, with_history=with_history)
        assert isinstance(saved, SavedDeck)
    finally:
        await imports.close()
    standing = await parameters_store.standing(db, USER)
    assert standing is not None
    if with_history:
        # the states kept are Anki's, and so are the parameters their next reviews use
        assert standing.personal == anki_parameters(read_apkg(data, "v.apkg").parameters)
        assert standing.fit is not None and standing.fit.from_anki
    else:
        assert standing.fit is None  # saved as new: nothing of Anki's scheduling comes along
