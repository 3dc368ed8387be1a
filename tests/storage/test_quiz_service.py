"""The quiz service over a real SQLite file: sessions, answers, schedules, streak, deck edits."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.cards.model import Card
from bot.clock import ManualClock
from bot.core.scheduling import Grade
from bot.services.container import load_bundled_decks
from bot.services.quiz import QuizService
from bot.services.views import AnswerResult, NothingDue, QuestionView, Refusal
from bot.storage import decks as deck_store
from bot.storage.db import Database
from bot.storage.users import get_user, upsert_user

ALICE = 1001


@pytest.fixture
async def quiz(db: Database, clock: ManualClock) -> QuizService:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return QuizService(
        db, clock, default_deck_id=ids["khrushchev-reforms"], fuzz=False, rng=random.Random(7)
    )


MESSAGE_IDS = itertools.count(1000)


async def answer_right(quiz: QuizService, q: QuestionView, user: int = ALICE) -> AnswerResult:
    """Show a question as the handler does, then answer it correctly whatever its kind."""
    await quiz.shown(q, message_id=next(MESSAGE_IDS))
    if q.kind == "recall":
        shown = await quiz.reveal(user, q.session_id, q.position)
        assert isinstance(shown, QuestionView) and shown.revealed
        result = await quiz.grade(user, q.session_id, q.position, Grade.GOOD)
    elif q.kind == "typed":
        result = await quiz.type_answer(user, q.answer)  # type: ignore[assignment]
    else:
        assert q.right_index is not None
        result = await quiz.choose(user, q.session_id, q.position, q.right_index)
    assert isinstance(result, AnswerResult), result
    return result


async def test_a_full_session_schedules_every_answer_and_sums_up(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    user = await upsert_user(db, ALICE, "Alice", int(clock.now().timestamp()))
    first = await quiz.start(user, chat_id=ALICE)
    assert isinstance(first, QuestionView)
    assert first.size == 10 and first.position == 0
    q: QuestionView | None = first
    seen_cards: list[str] = []
    result = None
    while q is not None:
        await quiz.shown(q, message_id=100 + q.position)
        seen_cards.append(q.front)
        result = await answer_right(quiz, q)
        assert result.reveal.outcome in ("right", "good")
        q = result.next_question
    assert result is not None and result.summary is not None
    assert (result.summary.right, result.summary.total) == (10, 10)
    assert result.summary.streak.current == 1
    # no two questions of the same card in a row
    assert all(a != b for a, b in itertools.pairwise(seen_cards))
    states = await db.fetchall("SELECT state, reps FROM review_states WHERE user_id = ?", (ALICE,))
    assert len(states) == 10 and all(r[1] == 1 for r in states)
    reviews = await db.fetchone(
        "SELECT COUNT(*), SUM(first_review) FROM reviews WHERE user_id = ?", (ALICE,)
    )
    assert reviews is not None and tuple(reviews) == (10, 10)
    # ten new questions a day: a second /quiz today finds nothing due yet
    again = await quiz.start(user, chat_id=ALICE)
    assert isinstance(again, NothingDue) and again.new_limit_reached
    assert again.next_due == clock.now() + timedelta(minutes=10)


async def test_wrong_answer_is_again_and_due_questions_come_back_first(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    user = await upsert_user(db, ALICE, "Alice", int(clock.now().timestamp()))
    user = replace(user, session_size=12, new_per_day=12)
    q: QuestionView | NothingDue | None = await quiz.start(user, chat_id=ALICE)
    assert isinstance(q, QuestionView)
    wrong_id = None
    while q is not None:
        if q.kind in ("choice", "cloze") and wrong_id is None:
            assert q.right_index is not None
            result = await quiz.choose(ALICE, q.session_id, q.position, (q.right_index + 1) % 4)
            assert isinstance(result, AnswerResult) and result.reveal.outcome == "wrong"
            wrong_id = q.prompt
        else:
            result = await answer_right(quiz, q)
        q = result.next_question
    assert wrong_id is not None
    ratings = await db.fetchall(
        "SELECT rating FROM reviews WHERE user_id = ? ORDER BY id", (ALICE,)
    )
    assert sorted(r[0] for r in ratings) == [1] + [3] * 11
    clock.advance(timedelta(hours=1))
    nxt = await quiz.start(user, chat_id=ALICE)
    assert isinstance(nxt, QuestionView)
    # all twelve are due again after their learning steps, and no new ones are left for today
    assert nxt.size == 12


async def test_taps_on_closed_foreign_or_answered_questions_are_refused(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    user = await upsert_user(db, ALICE, "Alice", int(clock.now().timestamp()))
    q = await quiz.start(user, chat_id=ALICE)
    assert isinstance(q, QuestionView)
    foreign = await quiz.reveal(2002, q.session_id, q.position)
    assert isinstance(foreign, Refusal)
    unknown = await quiz.choose(ALICE, 999, 0, 0)
    assert isinstance(unknown, Refusal) and unknown.toast == "This question is closed"
    first = await answer_right(quiz, q)
    # Until the next question is shown, a repeat finishes the delivery and writes nothing.
    repeat = await quiz.grade(ALICE, q.session_id, q.position, Grade.EASY)
    assert isinstance(repeat, AnswerResult) and repeat.next_question == first.next_question
    assert first.next_question is not None
    await quiz.shown(first.next_question, message_id=next(MESSAGE_IDS))
    twice = await quiz.grade(ALICE, q.session_id, q.position, Grade.EASY)
    assert isinstance(twice, Refusal)
    count = await db.fetchone("SELECT COUNT(*) FROM reviews")
    assert count is not None and count[0] == 1


async def test_streak_counts_days_and_resets_after_a_missed_day(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    now = int(clock.now().timestamp())
    await upsert_user(db, ALICE, "Alice", now)
    streaks = []
    for step in (timedelta(0), timedelta(days=1), timedelta(days=2)):
        clock.advance(step)
        user = await get_user(db, ALICE)
        assert user is not None
        q = await quiz.start(replace(user, session_size=1), chat_id=ALICE)
        assert isinstance(q, QuestionView)
        result = await answer_right(quiz, q)
        streaks.append(result.streak.current)
    assert streaks == [1, 2, 1]


async def test_editing_one_card_keeps_the_schedules_of_the_others(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    now = int(clock.now().timestamp())
    user = await upsert_user(db, ALICE, "Alice", now)
    q: QuestionView | NothingDue | None = await quiz.start(
        replace(user, session_size=20, new_per_day=50), chat_id=ALICE
    )
    while isinstance(q, QuestionView):
        q = (await answer_right(quiz, q)).next_question
    before = {
        r[0]: tuple(r[1:])
        for r in await db.fetchall(
            "SELECT q.key, r.due, r.stability FROM review_states r JOIN questions q ON q.id = r.question_id"
        )
    }
    from bot.cards.formats import read_deck_file
    from bot.services.container import DATA_DECKS

    deck = read_deck_file(DATA_DECKS / "khrushchev-reforms.toml")
    edited = replace(
        deck,
        cards=(Card(deck.cards[0].front, "A rewritten back for the first card."), *deck.cards[1:]),
    )
    await deck_store.sync_deck(db, edited, "khrushchev-reforms", None, now)
    after = {
        r[0]: tuple(r[1:])
        for r in await db.fetchall(
            "SELECT q.key, r.due, r.stability FROM review_states r JOIN questions q ON q.id = r.question_id"
        )
    }
    assert after == before
    live = await db.fetchone("SELECT COUNT(*) FROM cards WHERE retired = 0")
    assert live is not None and live[0] == 9
    back = await db.fetchone("SELECT back FROM cards WHERE position = 0")
    assert back is not None and back[0] == "A rewritten back for the first card."
