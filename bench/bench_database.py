"""Database scale: 100,000 users × 40 questions (4 million review states).

Builds the database once with plain sqlite3 (one transaction, realistic due spreads) and caches
it in the temp directory, keyed by its parameters; each run works on a fresh copy. Measures,
through aiosqlite as the bot calls them: the next-question lookups a session start makes
(`due_candidates`, `new_candidates`, `next_due_at`), the answer's one-query read
(`load_current_item`) and the review write (`insert_review`: one INSERT whose triggers update the
schedule, the session and the streak). Prints the EXPLAIN QUERY PLAN of each lookup, run on the
very SQL the storage functions send, and the database size per user.

    .venv/bin/python bench/bench_database.py [--users 100000] [--questions 40] [--samples 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cards.model import Card, Deck
from bot.storage import quiz as store
from bot.storage.decks import sync_deck
from bot.storage.quiz import NewItem, ReviewWrite, StoredState
from bot.storage.sqlite import SqliteDatabase

NOW = 1_772_442_000  # 2026-03-02 09:00 UTC
DAY = 86_400
SCHEMA_VERSION = 1  # bump when the generated data changes shape
FIRST_USER = 1_000_001


def cache_path(users: int, questions: int) -> Path:
    """Where the built database is kept between runs."""
    name = f"quizmaster-bench-db-v{SCHEMA_VERSION}-{users}u-{questions}q.sqlite3"
    return Path(tempfile.gettempdir()) / name


def bench_deck(questions: int) -> Deck:
    """Enough cards to yield at least `questions` questions."""
    cards = max(questions // 2, 4)
    return Deck(
        "Scale deck",
        tuple(
            Card(f"Term {n}", f"Term {n} is fact {n}.\nIt dates from {1900 + n}.")
            for n in range(cards)
        ),
    )


def states(
    user_ids: range, questions: list[tuple[int, int]], deck_id: int
) -> Iterator[tuple[Any, ...]]:
    """Review states as months of use leave them: mostly in review, some learning, some overdue."""
    rng = random.Random(7)
    for user in user_ids:
        # Some people study daily, some left weeks ago: their whole schedule is shifted.
        absent = int(rng.expovariate(1 / (3 * DAY))) if rng.random() < 0.3 else 0
        for question_id, card_id in questions:
            roll = rng.random()
            if roll < 0.8:  # review: interval ~ stability, median ≈ 8 days, long tail
                stability = math.exp(rng.gauss(math.log(8), 1.2))
                last = NOW - absent - int(rng.uniform(0, stability) * DAY)
                due = last + int(stability * DAY)
                state, step, reps = 2, None, rng.randint(2, 20)
            elif roll < 0.95:  # learning: due within minutes
                stability = rng.uniform(0.1, 2.0)
                last = NOW - absent - rng.randint(0, 600)
                due = last + rng.choice((60, 600))
                state, step, reps = 1, rng.choice((0, 1)), rng.randint(1, 2)
            else:  # relearning after a lapse
                stability = rng.uniform(0.5, 3.0)
                last = NOW - absent - rng.randint(0, DAY)
                due = last + 600
                state, step, reps = 3, 0, rng.randint(3, 20)
            yield (
                user,
                question_id,
                deck_id,
                card_id,
                state,
                step,
                round(stability, 3),
                round(rng.uniform(1, 10), 3),
                due,
                last,
                reps,
                rng.randint(0, 3),
            )


async def build(path: Path, users: int, questions: int) -> None:
    """Create the schema with the bot's migrations, then bulk-load users and review states."""
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    db = await SqliteDatabase.open(partial)
    try:
        deck_id = await sync_deck(db, bench_deck(questions), "scale-deck", None, NOW)
        rows = await db.fetchall(
            "SELECT id, card_id FROM questions WHERE deck_id = ? ORDER BY id LIMIT ?",
            (deck_id, questions),
        )
    finally:
        await db.close()
    picked = [(r[0], r[1]) for r in rows]
    if len(picked) < questions:
        raise SystemExit(f"the bench deck yields only {len(picked)} questions")
    con = sqlite3.connect(partial, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous = OFF")
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO users (id, first_name, created_at, active_deck_id, timezone, "
            "streak_current, streak_best, streak_last_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (uid, f"User {uid}", NOW - 90 * DAY, deck_id, "Europe/London", 3, 9, "2026-03-01")
                for uid in range(FIRST_USER, FIRST_USER + users)
            ),
        )
        con.executemany(
            "INSERT INTO review_states (user_id, question_id, deck_id, card_id, state, step, "
            "stability, difficulty, due, last_review, reps, lapses) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            states(range(FIRST_USER, FIRST_USER + users), picked, deck_id),
        )
        con.execute("COMMIT")
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    partial.rename(path)
    print(f"built {users:,} users × {questions} questions in {time.perf_counter() - started:.0f} s")


def ensure_database(users: int, questions: int) -> Path:
    """The cached database for these parameters, built first if missing."""
    path = cache_path(users, questions)
    if not path.exists():
        asyncio.run(build(path, users, questions))
    return path


@dataclass
class Timing:
    """Latencies of one operation, in seconds."""

    name: str
    samples: list[float]

    def row(self) -> str:
        """One table row: p50, p99, max in ms and the rate one connection sustains."""
        cuts = statistics.quantiles(self.samples, n=100, method="inclusive")
        total = sum(self.samples)
        return (
            f"{self.name:<34} {cuts[49] * 1000:>8.3f} {cuts[98] * 1000:>8.3f} "
            f"{max(self.samples) * 1000:>8.3f} {len(self.samples) / total:>9,.0f}"
        )


async def timed(name: str, calls: list[Callable[[], Awaitable[object]]]) -> Timing:
    """Await each call in turn, timing each."""
    samples = []
    for call in calls:
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return Timing(name, samples)


class Capture:
    """Record the SQL and parameters the storage layer sends, to EXPLAIN exactly that."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []
        original: Callable[..., Awaitable[Any]] = db.conn._execute

        async def recording(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            if len(args) == 2 and isinstance(args[0], str):
                self.sent.append((args[0], tuple(args[1])))
            return await original(fn, *args, **kwargs)

        setattr(db.conn, "_execute", recording)  # noqa: B010 - an instance override, undone below


async def explain(db: SqliteDatabase, label: str, call: Callable[[], Awaitable[object]]) -> None:
    """Run one storage call and print the plan of every statement it sent."""
    capture = Capture(db)
    await call()
    delattr(db.conn, "_execute")  # back to the class's method
    for sql, params in capture.sent:
        plan = await db.conn.execute_fetchall("EXPLAIN QUERY PLAN " + sql, params)
        print(f"EXPLAIN QUERY PLAN — {label}:")
        for row in plan:
            print(f"  {row[3]}")


def review_for(
    rng: random.Random, user: int, question: tuple[int, int], deck_id: int
) -> ReviewWrite:
    """An answer outside any session: a Good on a question the user already has a state for."""
    stability = rng.uniform(1, 30)
    return ReviewWrite(
        user_id=user,
        question_id=question[0],
        deck_id=deck_id,
        card_id=question[1],
        session_id=None,
        position=None,
        rating=3,
        correct=True,
        outcome="right",
        given="Term 1",
        reviewed_at=NOW,
        duration_ms=4200,
        local_day="2026-03-02",
        first_review=False,
        state=StoredState(2, None, stability, 5.0, NOW + int(stability * DAY), NOW, 5, 0),
        streak_current=4,
        streak_best=9,
        streak_freezes=0,
    )


async def measure(path: Path, users: int, questions_each: int, samples: int) -> None:
    """Every timing on a working copy of the cached database."""
    db = await SqliteDatabase.open(path)
    rng = random.Random(11)
    try:
        deck = await db.fetchone("SELECT id FROM decks WHERE slug = 'scale-deck'")
        assert deck is not None
        deck_id = deck[0]
        questions = [
            (r[0], r[1])
            for r in await db.fetchall(
                "SELECT DISTINCT question_id, card_id FROM review_states WHERE user_id = ?",
                (FIRST_USER,),
            )
        ]
        picked = [FIRST_USER + rng.randrange(users) for _ in range(samples)]
        # An open session for a share of the sampled users, as the answer path reads it.
        for uid in picked[: samples // 4]:
            items = [NewItem(q, [], None) for q, _ in rng.sample(questions, 10)]
            await store.create_session(db, uid, uid, deck_id, NOW, items)
        session_users = picked[: samples // 4]

        await explain(
            db,
            "due_card_questions",
            lambda: store.due_card_questions(db, picked[0], deck_id, NOW, 30),
        )
        await explain(db, "next_due_at", lambda: store.next_due_at(db, picked[0], deck_id))
        await explain(
            db, "load_current_item", lambda: store.load_current_item(db, session_users[0])
        )

        timings = [
            await timed(
                "due cards' questions (due_card_questions)",
                [
                    lambda u=u: store.due_card_questions(db, u, deck_id, NOW, 30)  # type: ignore[misc]
                    for u in picked
                ],
            ),
            await timed(
                "new cards (unmet_questions)",
                [
                    lambda u=u: store.unmet_questions(db, u, deck_id, 10)  # type: ignore[misc]
                    for u in picked
                ],
            ),
            await timed(
                "cards met today (cards_met_since)",
                [
                    lambda u=u: store.cards_met_since(db, u, deck_id, NOW - 9 * 3600)  # type: ignore[misc]
                    for u in picked
                ],
            ),
            await timed(
                "next due time (next_due_at)",
                [lambda u=u: store.next_due_at(db, u, deck_id) for u in picked],  # type: ignore[misc]
            ),
            await timed(
                "answer read (load_current_item)",
                [lambda u=u: store.load_current_item(db, u) for u in session_users],  # type: ignore[misc]
            ),
        ]
        await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size_before = db_size(path)
        reviews = [review_for(rng, u, rng.choice(questions), deck_id) for u in picked]
        timings.append(
            await timed(
                "review write (insert_review)",
                [lambda r=r: store.insert_review(db, r) for r in reviews],  # type: ignore[misc]
            )
        )
        await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        per_review = (db_size(path) - size_before) / len(reviews)
    finally:
        await db.close()

    header = f"{'operation (through aiosqlite)':<34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'per s':>9}"
    print()
    print(header)
    print("-" * len(header))
    for timing in timings:
        print(timing.row())
    print()
    print(f"review log: ≈ {per_review:.0f} B more on disk per answer written")


def db_size(path: Path) -> int:
    """The database file plus its WAL."""
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def main() -> None:
    """Build (or reuse) the database, copy it, and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--samples", type=int, default=2000, help="lookups and writes timed")
    args = parser.parse_args()
    cached = ensure_database(args.users, args.questions)
    with tempfile.TemporaryDirectory(prefix="bench-database-") as tmp:
        work = Path(tmp) / "bot.sqlite3"
        shutil.copyfile(cached, work)
        print(
            f"{args.users:,} users × {args.questions} questions = "
            f"{args.users * args.questions:,} review states ({cached})"
        )
        size = db_size(cached)
        print(
            f"database: {size / 2**20:,.0f} MiB = {size / args.users / 1024:.2f} KiB per user "
            f"({size / args.users / args.questions:.0f} B per review state, indexes included)"
        )
        asyncio.run(measure(work, args.users, args.questions, args.samples))


if __name__ == "__main__":
    main()
