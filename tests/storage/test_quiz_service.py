"""The quiz service on each backend: sessions that teach, answers, retries, overrides, deck edits."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.core.learning_days import DEFAULT_START_HOUR, LearningDays
from bot.core.scheduling import Grade, ReviewState, review
from bot.core.selection import shows_answer
from bot.services.container import load_bundled_decks
from bot.services.quiz import QuizService
from bot.services.reviewing import next_seed, to_state
from bot.services.unixtime import from_unix
from bot.services.views import (
    AnswerResult,
    Moved,
    NothingDue,
    QuestionView,
    Refusal,
    RevealView,
    SessionSummary,
)
from bot.storage import decks as deck_store
from bot.storage import quiz as quiz_store
from bot.storage.db import Database
from bot.storage.users import UserRecord, get_user, upsert_user

ALICE = 1001
MESSAGE_IDS = itertools.count(1000)
CAPITALS = Deck(
    "Capitals",
    tuple(
        Card(f"What is the capital of {country}?", city)
        for country, city in [
            ("Australia", "Canberra"),
            ("Canada", "Ottawa"),
            ("Kenya", "Nairobi"),
            ("Norway", "Oslo"),
            ("Peru", "Lima"),
            ("Japan", "Tokyo"),
        ]
    ),
)


@pytest.fixture
async def quiz(db: Database, clock: ManualClock) -> QuizService:
    ids = await load_bundled_decks(db, int(clock.now().timestamp()))
    return QuizService(
        db, clock, default_deck_id=ids["khrushchev-reforms"], fuzz=False, rng=random.Random(7)
    )


async def alice(db: Database, clock: ManualClock, **changes: object) -> UserRecord:
    user = await upsert_user(db, ALICE, "Alice", int(clock.now().timestamp()))
    return replace(user, **changes)  # type: ignore[arg-type]


async def count(db: Database, sql: str) -> int:
    row = await db.fetchone(sql)
    assert row is not None
    return int(row[0])


async def capitals(db: Database, clock: ManualClock) -> int:
    return await deck_store.sync_deck(db, CAPITALS, "capitals", None, int(clock.now().timestamp()))


async def answer(
    quiz: QuizService, q: QuestionView, right: bool = True, user: int = ALICE
) -> AnswerResult:
    """Show a question as the handler does, then answer it (right or wrong) whatever its kind."""
    await quiz.shown(q, message_id=next(MESSAGE_IDS))
    if q.kind == "recall":
        shown = await quiz.reveal(user, q.session_id, q.position)
        assert isinstance(shown, QuestionView) and shown.revealed
        grade = Grade.GOOD if right else Grade.AGAIN
        result = await quiz.grade(user, q.session_id, q.position, grade)
    elif not q.options:
        typed = await quiz.type_answer(user, q.answer if right else "no idea at all")
        assert isinstance(typed, AnswerResult), typed
        result = typed
    else:
        assert q.right_index is not None
        option = q.right_index if right else (q.right_index + 1) % len(q.options)
        result = await quiz.choose(user, q.session_id, q.position, option)
    assert isinstance(result, AnswerResult), result
    return result


async def reveal_of(quiz: QuizService, q: QuestionView) -> RevealView:
    """The question's reveal as the database shows it now."""
    item = await quiz.screen_of(q.session_id, q.position)
    assert item is not None and isinstance(item.shown, RevealView), item
    return item.shown


async def next_of(quiz: QuizService, q: QuestionView) -> QuestionView | None:
    """The question asked after `q` as the database shows it now; None once the session is over."""
    item = await quiz.screen_of(q.session_id, q.position + 1)
    if item is None:
        return None
    assert isinstance(item.shown, QuestionView) and not item.shown.revealed, item
    return item.shown


async def summary_of(quiz: QuizService, session_id: int) -> SessionSummary:
    """The summary of a finished session as the database shows it now."""
    found = await quiz.summary_of(session_id)
    assert found is not None, "the session is not over"
    return found[0]


async def play(
    quiz: QuizService,
    first: QuestionView,
    wrong: set[int] = frozenset(),  # type: ignore[assignment]
) -> tuple[list[QuestionView], SessionSummary]:
    """Answer a whole session, wrong at the given positions; the questions asked and the summary."""
    asked: list[QuestionView] = []
    q: QuestionView | None = first
    while q is not None:
        asked.append(q)
        await answer(quiz, q, right=q.position not in wrong)
        q = await next_of(quiz, q)
    return asked, await summary_of(quiz, first.session_id)


async def test_a_newcomer_starts_every_card_with_recognition(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    first = await quiz.start(await alice(db, clock), chat_id=ALICE)
    assert isinstance(first, QuestionView)
    asked, summary = await play(quiz, first)
    # Nine cards, one question each, each a question with answers to tap: no self-graded recall.
    assert len(asked) == 9 == len({q.front for q in asked})
    assert {q.kind for q in asked} <= {"choice", "identify", "cloze"} and all(
        q.options for q in asked
    )
    assert (summary.right, summary.total, summary.retried) == (9, 9, 0)
    assert summary.streak.current == 1
    met = await quiz_store.cards_met_since(db, ALICE, quiz.default_deck_id, 0)
    assert met == 9


async def test_no_reveal_of_a_session_answers_a_later_question(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    user = await alice(db, clock)
    first = await quiz.start(user, chat_id=ALICE)
    assert isinstance(first, QuestionView)
    asked, _ = await play(quiz, first)
    for i, earlier in enumerate(asked):
        for later in asked[i + 1 :]:
            assert not shows_answer(f"{earlier.front}\n{earlier.back}", later.answer)


async def test_a_missed_question_comes_back_once_before_the_end(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    first = await quiz.start(await alice(db, clock), chat_id=ALICE)
    assert isinstance(first, QuestionView)
    asked, summary = await play(quiz, first, wrong={2, 9})  # the 3rd, then its second try
    assert len(asked) == 10
    missed, again = asked[2], asked[9]
    assert again.retry and again.position == 9 and again.size == 10
    assert (again.prompt, again.answer) == (missed.prompt, missed.answer)
    assert sorted(again.options) == sorted(missed.options)
    assert (summary.right, summary.total) == (8, 9)
    assert (summary.retried, summary.retried_right) == (1, 0)
    reviews = await db.fetchall(
        "SELECT position, rating FROM reviews WHERE user_id = ? ORDER BY id", (ALICE,)
    )
    assert [r[1] for r in reviews].count(1) == 2 and len(reviews) == 10


async def test_siblings_wait_for_tomorrow_while_learning_steps_come_back(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    user = await alice(db, clock)
    first = await quiz.start(user, chat_id=ALICE)
    assert isinstance(first, QuestionView)
    asked, _ = await play(quiz, first, wrong={0})
    clock.advance(timedelta(minutes=30))
    again = await quiz.start(user, chat_id=ALICE)
    assert isinstance(again, QuestionView)
    later, _ = await play(quiz, again)
    # Today only the very questions answered come back for their learning steps: no siblings.
    assert {(q.front, q.prompt) for q in later} <= {(q.front, q.prompt) for q in asked}
    assert len({q.front for q in later}) == len(later)
    clock.advance(timedelta(days=3))
    next_day = await quiz.start(user, chat_id=ALICE)
    assert isinstance(next_day, QuestionView)
    following, _ = await play(quiz, next_day)
    assert {(q.front, q.prompt) for q in following} - {(q.front, q.prompt) for q in asked}


async def test_a_card_moves_from_choice_to_typed_to_recall_as_memory_grows(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    deck_id = await capitals(db, clock)
    user = await alice(db, clock, active_deck_id=deck_id, session_size=6, new_per_day=1)
    australia: list[str] = []
    for _day in range(60):
        for _round in range(5):  # come back for the learning steps, as "Next round" offers
            q = await quiz.start(user, chat_id=ALICE)
            if isinstance(q, NothingDue):
                break
            asked, _ = await play(quiz, q)
            australia += [a.kind for a in asked if a.front == "What is the capital of Australia?"]
            clock.advance(timedelta(minutes=11))
        if "recall" in australia:
            break
        clock.advance(timedelta(days=1))
    # Recognition first (answered twice: its learning step), then typed, then recall.
    assert australia[:2] == ["choice", "choice"]
    assert "typed" in australia and "recall" in australia
    assert australia.index("typed") < australia.index("recall")
    assert australia.index("typed") > 1


async def test_typed_only_means_every_question_is_typed(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    first = await quiz.start(await alice(db, clock, question_mix="typed"), chat_id=ALICE)
    assert isinstance(first, QuestionView)
    asked, _ = await play(quiz, first)
    assert asked and all(q.kind in ("typed", "cloze") and not q.options for q in asked)


async def test_i_was_right_counts_a_typed_answer_as_good(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    deck_id = await capitals(db, clock)
    user = await alice(db, clock, active_deck_id=deck_id, question_mix="typed", session_size=2)
    q = await quiz.start(user, chat_id=ALICE)
    assert isinstance(q, QuestionView) and q.kind == "typed"
    await quiz.shown(q, message_id=next(MESSAGE_IDS))
    clock.advance(timedelta(seconds=20))
    wrong = await quiz.type_answer(ALICE, "Canbera City")
    assert isinstance(wrong, AnswerResult) and wrong.outcome == "wrong"
    assert (await reveal_of(quiz, q)).can_override
    clock.advance(timedelta(seconds=30))
    counted = await quiz.override(ALICE, q.session_id, q.position)
    assert isinstance(counted, Moved)
    shown = await reveal_of(quiz, q)
    assert shown.outcome == "overridden" and not shown.can_override
    row = await db.fetchone(
        "SELECT rating, correct, outcome, overridden_at, due, reviewed_at FROM reviews "
        "WHERE session_id = ? AND position = ?",
        (q.session_id, q.position),
    )
    assert row is not None
    rating, correct, outcome, overridden_at, due, reviewed_at = row
    assert (rating, correct, outcome) == (3, 1, "wrong")  # the grader's verdict stays on record
    assert overridden_at == int(clock.now().timestamp())
    good = review(None, Grade.GOOD, from_unix(reviewed_at), fuzz=False)
    assert due == int(good.due.timestamp())
    state = await db.fetchone(
        "SELECT due, state FROM review_states WHERE user_id = ? AND due = ?", (ALICE, due)
    )
    assert state is not None
    # Counted once: a second tap shows the answer as it stands.
    twice = await quiz.override(ALICE, q.session_id, q.position)
    assert isinstance(twice, Moved) and (await reveal_of(quiz, q)).outcome == "overridden"
    assert await count(db, "SELECT COUNT(*) FROM reviews WHERE overridden_at IS NOT NULL") == 1
    # The overridden question does not come back as missed at the end of the session.
    second = await next_of(quiz, q)
    assert second is not None
    await answer(quiz, second)
    summary = await summary_of(quiz, q.session_id)
    assert summary.retried == 0 and (summary.right, summary.total) == (2, 2)
    assert to_state(None) is None


async def test_an_answer_built_on_since_can_no_longer_be_overridden(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    deck_id = await capitals(db, clock)
    user = await alice(db, clock, active_deck_id=deck_id, question_mix="typed", session_size=1)
    q = await quiz.start(user, chat_id=ALICE)
    assert isinstance(q, QuestionView)
    await quiz.shown(q, message_id=next(MESSAGE_IDS))
    first = await quiz.type_answer(ALICE, "Sydney")
    assert isinstance(first, AnswerResult)
    again = await next_of(quiz, q)
    assert again is not None and again.retry  # asked again
    await answer(quiz, again)
    await summary_of(quiz, q.session_id)  # the session is over
    assert isinstance(await quiz.override(ALICE, q.session_id, q.position), Moved)
    stale = await reveal_of(quiz, q)
    assert stale.outcome == "wrong" and stale.answered_again
    assert not stale.can_override
    foreign = await quiz.override(2002, q.session_id, q.position)
    assert isinstance(foreign, Refusal)


async def test_decks_made_by_an_older_question_maker_are_made_again_keeping_schedules(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    user = await alice(db, clock)
    first = await quiz.start(user, chat_id=ALICE)
    assert isinstance(first, QuestionView)
    await play(quiz, first)
    before = await db.fetchall("SELECT question_id, due FROM review_states ORDER BY question_id")
    # As an older version left it: "Which card is this?" stored as 'choice' without options.
    await db.execute("UPDATE decks SET questions_version = 0")
    await db.execute(
        "UPDATE questions SET kind = 'choice', distractors = '[]' WHERE kind = 'identify'"
    )
    clock.advance(timedelta(days=2))
    again = await quiz.start(user, chat_id=ALICE)
    assert isinstance(again, QuestionView) and again.options
    kinds = {
        r[0] for r in await db.fetchall("SELECT DISTINCT kind FROM questions WHERE retired = 0")
    }
    assert "identify" in kinds and "choice" not in kinds
    assert (
        await db.fetchall("SELECT question_id, due FROM review_states ORDER BY question_id")
        == before
    )


async def test_taps_on_foreign_questions_are_refused_and_on_answered_ones_show_them(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    q = await quiz.start(await alice(db, clock), chat_id=ALICE)
    assert isinstance(q, QuestionView)
    foreign = await quiz.choose(2002, q.session_id, q.position, 0)
    assert isinstance(foreign, Refusal)
    unknown = await quiz.choose(ALICE, 999, 0, 0)
    assert isinstance(unknown, Refusal) and unknown.toast == "This question is closed"
    await answer(quiz, q)
    # A repeat writes nothing: the chat is owed the question as it stands (its reveal).
    assert q.right_index is not None
    repeat = await quiz.choose(ALICE, q.session_id, q.position, q.right_index)
    assert isinstance(repeat, Moved) and repeat.chat_id == ALICE
    assert isinstance(await reveal_of(quiz, q), RevealView)
    assert await count(db, "SELECT COUNT(*) FROM reviews") == 1
    owed = await db.fetchall(
        "SELECT kind, payload FROM outbox WHERE chat_id = ? AND outcome IS NULL ORDER BY id",
        (ALICE,),
    )
    # Nothing delivers here: the first question's message (owed anew, as its reveal), the second.
    assert [kind for kind, _ in owed] == ["quiz.item", "quiz.item"]


async def test_streak_counts_days_and_resets_after_a_missed_day(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    await alice(db, clock)
    streaks = []
    for step in (timedelta(0), timedelta(days=1), timedelta(days=2)):
        clock.advance(step)
        user = await get_user(db, ALICE)
        assert user is not None
        q = await quiz.start(replace(user, session_size=1), chat_id=ALICE)
        assert isinstance(q, QuestionView)
        await answer(quiz, q)
        streaks.append((await summary_of(quiz, q.session_id)).streak.current)
    assert streaks == [1, 2, 1]


async def test_editing_one_card_keeps_the_schedules_of_the_others(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    now = int(clock.now().timestamp())
    user = await alice(db, clock, session_size=20, new_per_day=50)
    q = await quiz.start(user, chat_id=ALICE)
    assert isinstance(q, QuestionView)
    await play(quiz, q)
    query = "SELECT q.key, r.due, r.stability FROM review_states r JOIN questions q ON q.id = r.question_id"
    before = {r[0]: tuple(r[1:]) for r in await db.fetchall(query)}
    from bot.cards.formats import read_deck_file
    from bot.services.container import DATA_DECKS

    deck = read_deck_file(DATA_DECKS / "khrushchev-reforms.toml")
    edited = replace(
        deck,
        cards=(Card(deck.cards[0].front, "A rewritten back for the first card."), *deck.cards[1:]),
    )
    await deck_store.sync_deck(db, edited, "khrushchev-reforms", None, now)
    assert {r[0]: tuple(r[1:]) for r in await db.fetchall(query)} == before
    assert await count(db, "SELECT COUNT(*) FROM cards WHERE retired = 0") == 9


async def test_a_tapped_option_is_no_answer_to_override(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    q = await quiz.start(await alice(db, clock), chat_id=ALICE)
    assert isinstance(q, QuestionView) and q.options
    wrong = await answer(quiz, q, right=False)
    shown = await reveal_of(quiz, q)
    assert wrong.outcome == shown.outcome == "wrong" and not shown.can_override
    refused = await quiz.override(ALICE, q.session_id, q.position)
    assert isinstance(refused, Moved) and (await reveal_of(quiz, q)).outcome == "wrong"
    assert await count(db, "SELECT COUNT(*) FROM reviews WHERE overridden_at IS NOT NULL") == 0


async def test_i_was_right_schedules_on_learning_days_as_the_answer_did(
    db: Database, clock: ManualClock, quiz: QuizService
) -> None:
    deck_id = await capitals(db, clock)
    user = await alice(db, clock, active_deck_id=deck_id, question_mix="typed", session_size=1)
    (question_id, card_id) = await db.fetchone(
        "SELECT id, card_id FROM questions WHERE deck_id = ? AND kind = 'typed' ORDER BY id",
        (deck_id,),
    ) or (0, 0)
    now = int(clock.now().timestamp())
    # A question learnt 10 days ago, due an hour ago: an answer to it is a review.
    await db.execute(
        """INSERT INTO review_states (user_id, question_id, deck_id, card_id, state, step,
                                      stability, difficulty, due, last_review, reps, lapses)
           VALUES (?, ?, ?, ?, 2, NULL, 10.0, 5.0, ?, ?, 3, 0)""",
        (ALICE, question_id, deck_id, card_id, now - 3600, now - 10 * 86_400),
    )
    prior = ReviewState(
        state=2, step=None, stability=10.0, difficulty=5.0, due=from_unix(now - 3600),
        last_review=from_unix(now - 10 * 86_400), reps=3, lapses=0,
    )  # fmt: skip
    q = await quiz.start(user, chat_id=ALICE)
    assert isinstance(q, QuestionView)
    await quiz.shown(q, message_id=next(MESSAGE_IDS))
    wrong = await quiz.type_answer(ALICE, "Nowhere at all")
    assert isinstance(wrong, AnswerResult) and wrong.outcome == "wrong"
    await quiz.override(ALICE, q.session_id, q.position)
    (due,) = await db.fetchone(
        "SELECT due FROM review_states WHERE user_id = ? AND question_id = ?",
        (ALICE, question_id),
    ) or (0,)
    days = LearningDays.of("UTC", DEFAULT_START_HOUR)
    expected = review(
        prior, Grade.GOOD, clock.now(), 0.9, False, days, next_seed(ALICE, question_id, prior)
    )
    assert due == int(expected.due.timestamp())
    # at the start of a learning day, not the answer's time of day some days on
    assert expected.due == days.start_of(days.day_of(expected.due))
    assert due != int(review(prior, Grade.GOOD, clock.now(), 0.9, False).due.timestamp())
