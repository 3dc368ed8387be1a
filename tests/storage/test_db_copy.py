"""`python -m bot db copy`: a bot's SQLite data moved into an empty PostgreSQL database, row for row.

The SQLite side is filled the way the bot fills it (services and storage functions), the copy goes
into a fresh PostgreSQL schema, and both sides are then read through the same storage functions.
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.__main__ import main
from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.core.battle import BattleConfig
from bot.core.scheduling import Grade
from bot.services.battles import BattleService, Lobby, Outcome
from bot.services.container import DEFAULT_DECK_SLUG, load_bundled_decks
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.services.quiz import QuizService
from bot.services.reminders import ReminderService
from bot.services.stats import StatsService
from bot.services.views import AnswerResult, NothingDue, QuestionView
from bot.storage import battles as battle_store
from bot.storage.copy import CopyError, copy_database
from bot.storage.db import Database, open_database
from bot.storage.decks import sync_deck
from bot.storage.quiz import ReviewWrite, StoredState, insert_review, load_current_item, next_due_at
from bot.storage.reminders import get_setting
from bot.storage.users import get_user, upsert_user
from tests.backends import fresh_schema, postgres_url_or_skip

ALICE, BOB = 1001, 1002
GROUP = -100123
CSV = b"front,back\nhola,hello\nadios,goodbye\ngracias,thank you\npor favor,please\n"
# The tables a bot using every feature fills (the schema may hold more: they are copied too).
FILLED = (
    "users",
    "decks",
    "cards",
    "questions",
    "review_states",
    "quiz_sessions",
    "session_items",
    "reviews",
    "battles",
    "battle_rounds",
    "battle_reviews",
    "group_leaderboard",
    "pending_imports",
)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def target() -> AsyncIterator[str]:
    """The URL of a fresh, empty PostgreSQL schema (skips when no server is reachable)."""
    async with fresh_schema(await postgres_url_or_skip()) as url:
        yield url


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'quizbot.sqlite3'}"


async def answer(quiz: QuizService, q: QuestionView, user: int, right: bool = True) -> AnswerResult:
    """Show a question as the handler does, then answer it (rightly or not) whatever its kind."""
    await quiz.shown(q, message_id=1000 * q.session_id + q.position)
    if q.kind == "recall":
        await quiz.reveal(user, q.session_id, q.position)
        result = await quiz.grade(
            user, q.session_id, q.position, Grade.GOOD if right else Grade.AGAIN
        )
    elif q.kind == "typed":
        result = await quiz.type_answer(user, q.answer if right else "no idea")  # type: ignore[assignment]
    else:
        assert q.right_index is not None
        choice = q.right_index if right else (q.right_index + 1) % len(q.options)
        result = await quiz.choose(user, q.session_id, q.position, choice)
    assert isinstance(result, AnswerResult), result
    return result


async def next_of(quiz: QuizService, q: QuestionView) -> QuestionView | None:
    """The question asked after `q`, as the database shows it now; None once the session is over."""
    item = await quiz.screen_of(q.session_id, q.position + 1)
    return item.shown if item is not None and isinstance(item.shown, QuestionView) else None


async def fill(url: str, clock: ManualClock) -> int:
    """Use a bot's SQLite database for two days; returns the default deck's id."""
    db = await open_database(url)
    try:
        now = int(clock.now().timestamp())
        default = (await load_bundled_decks(db, now))[DEFAULT_DECK_SLUG]
        quiz = QuizService(db, clock, default_deck_id=default, fuzz=False, rng=random.Random(7))
        reminders = ReminderService(db, clock, default_deck_id=default)
        # Day one: Alice does a whole session, one answer wrong, and sets a reminder.
        alice = await upsert_user(db, ALICE, "Alice", now)
        q: QuestionView | NothingDue | None = await quiz.start(alice, chat_id=ALICE)
        position = 0
        while isinstance(q, QuestionView):
            await quiz.shown(q, message_id=100 + position)
            await answer(quiz, q, ALICE, right=position != 3)
            q = await next_of(quiz, q)
            position += 1
        await reminders.choose_timezone(ALICE, "Europe/Berlin")
        await reminders.set_time(ALICE, "18:30")
        # Day two: Bob leaves a session after two answers; a group battle; Alice brings a deck
        # (now her active deck: users and decks refer to each other) and Bob leaves a preview.
        clock.advance(timedelta(days=1))
        bob = await upsert_user(db, BOB, "Bob", int(clock.now().timestamp()))
        q = await quiz.start(replace(bob, session_size=5), chat_id=BOB)
        for _ in range(2):
            assert isinstance(q, QuestionView)
            await quiz.shown(q, message_id=200 + q.position)
            await answer(quiz, q, BOB)
            q = await next_of(quiz, q)
        battles = BattleService(
            db, clock, default_deck_id=default, fuzz=False, rng=random.Random(3)
        )
        lobby = await battles.create(GROUP, None, ALICE, "Alice", BattleConfig(3, 20))
        assert isinstance(lobby, Lobby)
        battle_id = lobby.battle.id
        await battles.lobby_shown(battle_id, 300)
        await battles.join(GROUP, battle_id, BOB, "Bob")
        assert isinstance(await battles.start(GROUP, battle_id, ALICE, "Alice"), Outcome)
        for round_no in (1, 2, 3):
            right = (await battle_store.round_rows(db, battle_id))[round_no].right_index
            clock.advance(timedelta(seconds=2))
            await battles.answer(GROUP, battle_id, ALICE, "Alice", round_no, right)
            await battles.answer(GROUP, battle_id, BOB, "Bob", round_no, (right + 1) % 2)
            clock.advance(timedelta(seconds=10))
            await battles.tick(battle_id)
        imports = ImportService(db, clock)
        kept = await imports.read_file(ALICE, "Alice", CSV, "spanish.csv")
        assert isinstance(kept, ImportPreview)
        assert isinstance(await imports.save(ALICE, kept.import_id, with_history=False), SavedDeck)
        assert isinstance(await imports.read_file(BOB, "Bob", CSV, "mine.csv"), ImportPreview)
        return default
    finally:
        await db.close()


async def table_rows(db: Database, table: str) -> list[tuple[object, ...]]:
    """Every row of a table, in a fixed order whatever order the database returns them in."""
    return sorted((tuple(r) for r in await db.fetchall(f"SELECT * FROM {table}")), key=repr)


async def schema_tables(db: Database) -> list[str]:
    """Every table of the bot's SQLite schema, in the order it was created."""
    rows = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name <> '_migrations' ORDER BY rowid"
    )
    return [str(r[0]) for r in rows]


async def count(db: Database, table: str) -> int:
    row = await db.fetchone(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def test_every_row_arrives_and_reads_back_the_same(
    tmp_path: Path, clock: ManualClock, target: str
) -> None:
    source = sqlite_url(tmp_path)
    default = await fill(source, clock)
    seen: list[tuple[str, int, int]] = []

    report = await copy_database(
        source, target, lambda *step: seen.append(step), batch=7
    )  # a small batch: bigger tables go over in several rounds

    lite, pg = await open_database(source), await open_database(target)
    tables = await schema_tables(lite)
    assert [c.table for c in report.counts] == tables and set(FILLED) <= set(tables)
    assert report.mismatched == []
    assert all(c.sqlite > 0 for c in report.counts if c.table in FILLED), report.counts
    # progress: every table from 0 to its total, reviews over several batches
    for c in report.counts:
        steps = [(done, total) for table, done, total in seen if table == c.table]
        assert steps[0] == (0, c.sqlite) and steps[-1] == (c.sqlite, c.sqlite)
    assert len([s for s in seen if s[0] == "reviews"]) > 2

    try:
        for table in tables:
            assert await table_rows(pg, table) == await table_rows(lite, table), table
        # The same reads the bot makes give the same answers on both sides.
        for db in (lite, pg):
            record = await get_user(db, ALICE)
            assert record is not None and record.active_deck_id != default  # the deck she brought
        stats = [StatsService(db, clock, default) for db in (lite, pg)]
        for user, name in ((ALICE, "Alice"), (BOB, "Bob")):
            assert await get_user(pg, user) == await get_user(lite, user)
            assert await next_due_at(pg, user, default) == await next_due_at(lite, user, default)
            assert await stats[1].report(user, name) == await stats[0].report(user, name)
            assert await get_setting(pg, user) == await get_setting(lite, user)
        alice = await get_user(pg, ALICE)
        assert (
            alice is not None and alice.streak_current == 2
        )  # a quiz on day one, a battle on day two
        assert await next_due_at(pg, ALICE, default) is not None
        board = await battle_store.leaderboard(pg, GROUP)
        assert [x.name for x in board] == ["Alice", "Bob"] and board[0].points > 0
        assert board == await battle_store.leaderboard(lite, GROUP)
        assert await stats[1].group_board(GROUP) == await stats[0].group_board(GROUP)
        bob_now = await load_current_item(pg, BOB)
        assert bob_now is not None and bob_now.position == 2
        assert bob_now == await load_current_item(lite, BOB)

        # New rows get the next ids on both sides (the sequences were moved past the copied ids),
        # and a review written on PostgreSQL goes through its trigger again.
        question = bob_now.question
        now = int(clock.now().timestamp())
        deck = Deck("Italian", (Card("ciao", "hello"), Card("grazie", "thanks")))
        review = ReviewWrite(
            user_id=BOB, question_id=question.question_id, deck_id=default, card_id=bob_now.card_id,
            session_id=bob_now.session_id, position=bob_now.position, rating=3, correct=True,
            outcome="right", given=None, reviewed_at=now, duration_ms=1500,
            local_day=clock.now().date().isoformat(), first_review=True,
            state=StoredState(1, 0, 2.0, 5.0, now + 600, now, 1, 0),
            streak_current=1, streak_best=1, streak_freezes=0,
        )  # fmt: skip
        for db in (lite, pg):
            assert await insert_review(db, review)
        assert await sync_deck(pg, deck, "italian", BOB, now) == await sync_deck(
            lite, deck, "italian", BOB, now
        )
        for table in ("reviews", "review_states", "quiz_sessions", "session_items", "decks"):
            assert await table_rows(pg, table) == await table_rows(lite, table), table
        moved = await load_current_item(pg, BOB)
        assert moved is not None and moved.position == 3
    finally:
        await lite.close()
        await pg.close()


async def test_a_database_the_bot_already_used_is_refused_untouched(
    tmp_path: Path, clock: ManualClock, target: str
) -> None:
    source = sqlite_url(tmp_path)
    await fill(source, clock)
    lite = await open_database(source)
    try:
        tables = await schema_tables(lite)
    finally:
        await lite.close()
    used = await open_database(target)  # the bot started once on PostgreSQL: its decks are in
    try:
        await load_bundled_decks(used, 0)
        before = {t: await table_rows(used, t) for t in tables}
    finally:
        await used.close()
    assert before["decks"] and not before["users"]

    with pytest.raises(CopyError, match=r"already holds data \(table decks has rows\)"):
        await copy_database(source, target)

    pg = await open_database(target)
    try:
        assert {t: await table_rows(pg, t) for t in tables} == before
    finally:
        await pg.close()


async def test_a_copy_that_fails_halfway_leaves_the_target_empty(
    tmp_path: Path, clock: ManualClock, target: str
) -> None:
    source = sqlite_url(tmp_path)
    await fill(source, clock)
    lite = await open_database(source)
    try:  # SQLite keeps a word in an INTEGER column; PostgreSQL will not take it
        await lite.execute("UPDATE pending_imports SET cards = 'many' WHERE user_id = ?", (BOB,))
        tables = await schema_tables(lite)
    finally:
        await lite.close()

    with pytest.raises(CopyError, match="copying table pending_imports failed"):
        await copy_database(source, target)

    pg = await open_database(target)
    try:
        assert {t: await count(pg, t) for t in tables} == dict.fromkeys(tables, 0)
        enabled = await pg.fetchone(
            "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'reviews_apply' "
            "AND tgrelid = 'reviews'::regclass"
        )
        assert enabled is not None and enabled[0] == "O"  # the answer trigger is on, as before
    finally:
        await pg.close()


def test_a_missing_or_foreign_source_file_is_refused_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.sqlite3"
    code = main(["db", "copy", f"sqlite:///{missing}", "postgresql://quizbot@127.0.0.1:1/none"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"error: {missing} does not exist: nothing to copy" in err
    assert not missing.exists()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    assert main(["db", "copy", f"sqlite:///{notes}", "postgresql://quizbot@127.0.0.1:1/none"]) == 1
    assert f"error: {notes} is not a SQLite database" in capsys.readouterr().err
    assert notes.read_text() == "not a database\n"


def test_urls_of_the_wrong_kind_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_url = "postgresql://quizbot:hunter2-secret@db.example.org/quizbot"
    assert main(["db", "copy", secret_url, f"sqlite:///{tmp_path / 'x.sqlite3'}"]) == 2
    err = capsys.readouterr().err
    assert "the source must be a sqlite:/// URL" in err and "hunter2-secret" not in err
    assert main(["db", "copy", f"sqlite:///{tmp_path / 'x.sqlite3'}", "mysql://x@y/z"]) == 2
    assert "the target must be a postgresql://" in capsys.readouterr().err


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{password}@{parts.hostname}" + (
        f":{parts.port}" if parts.port else ""
    )
    return urlunsplit(parts._replace(netloc=netloc))


async def test_the_command_prints_matching_counts_and_exits_0(
    tmp_path: Path, clock: ManualClock, target: str
) -> None:
    source = sqlite_url(tmp_path)
    await fill(source, clock)
    lite = await open_database(source)
    try:
        expected = {t: await count(lite, t) for t in await schema_tables(lite)}
    finally:
        await lite.close()
    secret = "hunter2-secret"  # the test server trusts local connections: any password does

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "copy", source, with_password(target, secret),
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out_bytes, err_bytes = await process.communicate()
    out, err = out_bytes.decode(), err_bytes.decode()

    assert process.returncode == 0, err
    printed = {
        m[1]: (int(m[2].replace(",", "")), int(m[3].replace(",", "")))
        for m in re.finditer(r"^(\w+)\s+([\d,]+)\s+([\d,]+)$", out, re.MULTILINE)
    }
    assert printed == {t: (n, n) for t, n in expected.items()}
    assert f"all {len(expected)} tables match: {sum(expected.values()):,} rows copied" in out
    assert f"  reviews: {expected['reviews']} rows" in err  # progress went to stderr
    assert secret not in out + err
    assert ":***@" in err
