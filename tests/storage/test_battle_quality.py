"""Battle rounds meet the same criteria as quiz questions: every round of battles played on the
labelled decks has one right option, of the answer's kind, and a prompt that does not tell."""

from __future__ import annotations

import json
import random

import pytest

from bot.cards.questions import Question, QuestionKind
from bot.clock import ManualClock
from bot.core.battle import BattleConfig
from bot.services.battles import BattleService, Lobby, Outcome
from bot.storage import battles as store
from bot.storage.db import Database
from bot.storage.decks import sync_deck
from tests.question_quality import Judge, Report, load_labels, quality_decks

GROUP = -100123
ALICE, BOB = 1001, 1002
DECKS = ["history-questions.txt", "capitals.csv", "spanish.tsv", "numbers.csv", "science.toml"]


async def no() -> bool:
    return False


@pytest.mark.parametrize("name", DECKS)
async def test_battle_rounds_meet_the_question_criteria(
    db: Database, clock: ManualClock, name: str
) -> None:
    deck = quality_decks()[name]
    deck_id = await sync_deck(db, deck, "quality", None, int(clock.now().timestamp()))
    battles = BattleService(db, clock, default_deck_id=deck_id, fuzz=False)
    report = Report()
    judge = Judge(name, deck, load_labels()[name], report)
    rounds_seen = 0
    for seed in range(4):
        battles.rng = random.Random(seed)
        lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(20, 20))
        assert isinstance(lobby, Lobby)
        await battles.join(GROUP, lobby.battle.id, BOB, "Bob")
        assert isinstance(await battles.start(GROUP, lobby.battle.id, ALICE, "Alice"), Outcome)
        for spec in (await store.round_rows(db, lobby.battle.id)).values():
            row = await db.fetchone(
                "SELECT c.front, q.accepted, q.key FROM questions q JOIN cards c "
                "ON c.id = q.card_id WHERE q.id = ?",
                (spec.question_id,),
            )
            assert row is not None
            front = row[0]
            question = Question(
                row[2], judge.by_key_of(front), QuestionKind(spec.kind), spec.prompt,
                spec.answer, tuple(o for o in spec.options if o != spec.answer),
                tuple(json.loads(row[1])),
            )  # fmt: skip
            assert spec.options[spec.right_index] == spec.answer
            label = judge.labels[front]
            judge.one_right(front, label, question, spec.options)
            judge.same_kind(front, label, question, spec.options)
            judge.leak(front, question)
            judge.context(front, question)
            rounds_seen += 1
        assert isinstance(await battles.stop(GROUP, ALICE, no), Outcome)
    assert rounds_seen >= 4 * min(len(deck.cards), 10)
    assert report.defects == []
