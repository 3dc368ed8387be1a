"""The progress page's figures on each backend: reviews per learning day, the forecast, each deck's
retention, the hardest cards, and reviewing picked cards now; /stats agrees on the same data."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.cards.model import Deck
from bot.services.progress import ProgressReport
from bot.services.quiz import PickRefused
from bot.services.unixtime import unix
from bot.services.views import QuestionView
from bot.storage import decks as deck_store
from bot.storage.db import Database
from bot.storage.users import upsert_user
from tests.storage.progress_bench import (
    ALICE,
    BOB,
    NEW_YORK_DAY_START,
    NOW,
    WORDS,
    Bench,
    make_bench,
    utc,
)
from tests.storage.test_quiz_service import answer, next_of


@pytest.fixture
async def bench(db: Database) -> Bench:
    return await make_bench(db)


def busy_days(report: ProgressReport) -> dict[str, int]:
    return {d.day.isoformat(): d.count for d in report.heatmap if d.count}


async def test_nothing_yet_is_an_empty_year_and_an_empty_month(bench: Bench) -> None:
    report = await bench.report()
    assert report.is_empty
    assert len(report.heatmap) == 365 and len(report.forecast) == 30
    assert (report.heatmap[0].day, report.heatmap[-1].day) == (date(2025, 3, 3), date(2026, 3, 2))
    assert (report.forecast[0].day, report.forecast[-1].day) == (
        date(2026, 3, 2),
        date(2026, 3, 31),
    )
    assert report.hardest == ()
    # Her own deck is listed though never studied: no retention to speak of.
    assert [(d.title, d.reviews, d.retention, d.due) for d in report.decks] == [
        ("Words", 0, None, 0)
    ]


async def test_reviews_count_on_the_learning_day_in_her_time_zone(bench: Bench) -> None:
    card = bench.cards[0]
    for at in [
        utc(2026, 3, 2, 8, 59),  # 03:59 on 2 March in New York: still 1 March's learning day
        utc(2026, 3, 2, 4, 30),  # 23:30 on 1 March in New York
        utc(2026, 3, 2, 9, 0),  # 04:00 in New York: 2 March begins
        utc(2026, 3, 1, 5, 0),  # midnight in New York, 1 March: 28 February's learning day
        utc(2025, 3, 3, 9, 0),  # the first of the 365 days, at its very start
        utc(2025, 3, 3, 8, 59, 59),  # a second earlier: out of the year
        utc(2026, 3, 2, 16, 0),  # after now (a clock set back): not counted
    ]:
        await bench.review(card, at)
    assert busy_days(await bench.report()) == {
        "2025-03-03": 1,
        "2026-02-28": 1,
        "2026-03-01": 2,
        "2026-03-02": 1,
    }


async def test_forecast_counts_due_questions_per_day_with_overdue_ones_today(bench: Bench) -> None:
    today_start = utc(2026, 3, 2) + NEW_YORK_DAY_START
    dues = [
        utc(2026, 2, 20, 12),  # overdue: today
        utc(2026, 3, 2, 20),  # later today
        today_start + timedelta(days=1) - timedelta(seconds=1),  # the last second of today
        today_start + timedelta(days=1),  # 04:00 on 3 March: tomorrow
        today_start + timedelta(days=29, hours=5),  # the 30th day
        today_start + timedelta(days=30),  # the day after the month: left out
    ]
    for card, due in zip(bench.cards, dues, strict=False):
        await bench.review(card, utc(2026, 2, 1, 12), due=due)
    await bench.review(bench.cards[0], utc(2026, 2, 2, 12), due=dues[5], question=1)
    forecast = [d.count for d in (await bench.report()).forecast]
    assert forecast == [3, 1] + [0] * 27 + [1]


async def test_retention_is_the_share_of_right_reviews_in_30_days_per_deck(bench: Bench) -> None:
    first, second = bench.cards[:2]
    for rating in (3, 2, 4, 1):
        await bench.review(first, NOW - timedelta(days=3), rating)
    await bench.review(second, NOW - timedelta(days=31), 1)  # too old to count
    await bench.review(second, NOW - timedelta(days=29, hours=23), 3, due=NOW - timedelta(hours=1))
    decks = (await bench.report()).decks
    assert [(d.title, d.reviews, d.retention, d.due) for d in decks] == [("Words", 5, 0.8, 1)]


async def test_a_bundled_deck_studied_is_listed_after_her_own(bench: Bench) -> None:
    bundled = await bench.db.fetchone(
        "SELECT c.id FROM cards c JOIN decks d ON d.id = c.deck_id "
        "WHERE d.owner_id IS NULL AND d.slug = 'khrushchev-reforms' ORDER BY c.position LIMIT 1"
    )
    assert bundled is not None
    card = int(bundled[0])
    rows = await bench.db.fetchall(
        "SELECT id FROM questions WHERE card_id = ? AND retired = 0 ORDER BY id", (card,)
    )
    bench.questions[card] = [int(r[0]) for r in rows]
    await bench.review(card, NOW - timedelta(days=1), 1, due=NOW - timedelta(minutes=5))
    decks = (await bench.report()).decks
    assert next((d.title, d.reviews, d.retention, d.due) for d in decks) == ("Words", 0, None, 0)
    assert [(d.reviews, d.retention, d.due) for d in decks][1:] == [(1, 0.0, 1)]


async def test_hardest_cards_most_lapses_first_then_difficulty_hers_only(bench: Bench) -> None:
    house, dog, cat, table, book = bench.cards
    at = NOW - timedelta(days=1)
    await bench.review(house, at, lapses=3, difficulty=5.0)
    await bench.review(dog, at, lapses=3, difficulty=7.25)
    await bench.review(cat, at, lapses=0, difficulty=9.0)
    await bench.review(book, at, lapses=1, difficulty=2.0)
    await bench.review(table, at, lapses=9, difficulty=9.9, user=BOB)  # Bob's, not hers
    hardest = (await bench.report()).hardest
    assert [(c.card_id, c.lapses, c.difficulty) for c in hardest] == [
        (dog, 3, 7.25),
        (house, 3, 5.0),
        (book, 1, 2.0),
        (cat, 0, 9.0),
    ]
    long_front = hardest[2].front
    assert len(long_front) == 80 and long_front.startswith("el libro muy") and long_front[-1] == "…"
    assert {c.deck_title for c in hardest} == {"Words"}


async def test_the_page_and_stats_give_the_same_numbers(bench: Bench) -> None:
    cards = bench.cards
    for i, at in enumerate(
        [utc(2026, 3, 2, 8, 59), utc(2026, 3, 2, 9, 0), utc(2026, 1, 15, 3), utc(2025, 11, 1, 12)]
    ):
        due = NOW + timedelta(days=i * 3 - 2)
        await bench.review(cards[i], at, due=due)
    report = await bench.report()
    stats = (await bench.stats.report(ALICE, "Alice")).figures
    by_day = {d.day: d.count for d in report.heatmap}
    stats_days = [stats.heatmap_start + timedelta(days=i) for i in range(len(stats.daily_counts))]
    assert sum(stats.daily_counts) == 4
    assert [by_day[day] for day in stats_days] == list(stats.daily_counts)
    assert [d.count for d in report.forecast[: len(stats.forecast)]] == list(stats.forecast)
    assert sum(stats.forecast) == 4


async def owed_items(db: Database, chat_id: int) -> list[dict[str, int]]:
    rows = await db.fetchall(
        "SELECT payload FROM outbox WHERE chat_id = ? AND kind = 'quiz.item' AND outcome IS NULL",
        (chat_id,),
    )
    return [json.loads(r[0]) for r in rows]


async def test_review_now_asks_exactly_the_picked_cards_in_her_chat(bench: Bench) -> None:
    house, dog, cat, _, _ = bench.cards
    # Nothing is due, and the dog was never met: the quiz asks them anyway.
    await bench.review(cat, NOW - timedelta(days=1), lapses=2)
    await bench.review(house, NOW - timedelta(days=1), lapses=1)
    assert await bench.progress.review_now(ALICE, "Alice", [cat, dog, house, cat]) is None
    owed = await owed_items(bench.db, ALICE)
    assert [item["position"] for item in owed] == [0]
    session = owed[0]["session"]
    asked: list[int] = []
    first = await bench.quiz.screen_of(session, 0)
    assert first is not None and isinstance(first.shown, QuestionView)
    q: QuestionView | None = first.shown
    while q is not None:
        row = await bench.db.fetchone(
            "SELECT q.card_id FROM session_items i JOIN questions q ON q.id = i.question_id "
            "WHERE i.session_id = ? AND i.position = ?",
            (session, q.position),
        )
        assert row is not None
        asked.append(int(row[0]))
        await answer(bench.quiz, q)
        q = await next_of(bench.quiz, q)
    assert asked == [cat, dog, house]


async def test_review_now_closes_the_open_session_first(bench: Bench) -> None:
    user = await upsert_user(bench.db, ALICE, "Alice", unix(NOW))
    started = await bench.quiz.start(user, ALICE)
    assert isinstance(started, QuestionView)
    assert await bench.progress.review_now(ALICE, "Alice", [bench.cards[3]]) is None
    rows = await bench.db.fetchall(
        "SELECT id, finished_at FROM quiz_sessions WHERE user_id = ? ORDER BY id", (ALICE,)
    )
    assert [(r[0] == started.session_id, r[1] is not None) for r in rows] == [
        (True, True),
        (False, False),
    ]


async def test_another_persons_card_is_refused_and_nothing_starts(bench: Bench) -> None:
    bobs = await deck_store.sync_deck(bench.db, WORDS, "words", BOB, unix(NOW))
    row = await bench.db.fetchone("SELECT MIN(id) FROM cards WHERE deck_id = ?", (bobs,))
    assert row is not None
    for picked in ([bench.cards[0], int(row[0])], [bench.cards[0], 987654]):
        refused = await bench.progress.review_now(ALICE, "Alice", picked)
        assert refused is PickRefused.NOT_YOURS
    assert await owed_items(bench.db, ALICE) == []
    row = await bench.db.fetchone("SELECT COUNT(*) FROM quiz_sessions")
    assert row is not None and row[0] == 0


async def test_a_retired_card_has_no_question_to_ask(bench: Bench) -> None:
    smaller = Deck(WORDS.title, WORDS.cards[1:])
    await deck_store.sync_deck(bench.db, smaller, "words", ALICE, unix(NOW))
    refused = await bench.progress.review_now(ALICE, "Alice", [bench.cards[1], bench.cards[0]])
    assert refused is PickRefused.NO_QUESTION
    assert await owed_items(bench.db, ALICE) == []


async def test_no_quiz_starts_for_someone_who_never_wrote_to_the_bot(bench: Bench) -> None:
    await bench.db.execute("DELETE FROM chat_languages WHERE chat_id = ?", (ALICE,))
    refused = await bench.progress.review_now(ALICE, "Alice", [bench.cards[0]])
    assert refused is PickRefused.NO_CHAT
    assert await owed_items(bench.db, ALICE) == []
