"""Importing decks: read, preview, save, and replay Anki history, timed step by step.

Measures, on a fresh SQLite file: reading a 5,000-card CSV (the card limit) and, when the shared
fixture is present, the real Anki package with 13,552 reviews; keeping the preview; saving the deck
(`sync_deck` makes every question on the event loop); replaying the history through FSRS (in a
thread in the bot) and writing the schedules in one transaction.

    .venv/bin/python bench/bench_import.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cards.upload import Upload, encode_upload, read_upload
from bot.clock import ManualClock
from bot.core.learning_days import LearningDays
from bot.services.imports import ImportPreview, ImportService, SavedDeck, _replayed
from bot.storage.sqlite import SqliteDatabase

REAL = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "anki"
PACKAGE = REAL / "vietnamese-anki21b-with-reviews.apkg"
T = TypeVar("T")


def big_csv(cards: int = 5000) -> bytes:
    """A CSV at the card limit, with sentences that make cloze questions."""
    lines = ["front,back"]
    lines += [
        f"Event number {i},It happened in {1000 + i % 900} with {i * 7} people."
        for i in range(cards)
    ]
    return ("\n".join(lines) + "\n").encode()


def timed(label: str, repeat: int, run: Callable[[], T]) -> T:
    """Run `run` `repeat` times; print the median; return the last result."""
    spent, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        spent.append(time.perf_counter() - start)
    print(f"{label:<48} {statistics.median(spent) * 1000:9.1f} ms")
    return result  # type: ignore[return-value]


async def atimed(label: str, repeat: int, run: Callable[[], Awaitable[T]]) -> T:
    """The async twin of `timed`."""
    spent, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = await run()
        spent.append(time.perf_counter() - start)
    print(f"{label:<48} {statistics.median(spent) * 1000:9.1f} ms")
    return result  # type: ignore[return-value]


async def one(name: str, data: bytes, repeat: int) -> None:
    """Time every step of importing one file."""
    print(f"\n{name}: {len(data) / 1024:.0f} KB")
    upload: Upload = timed("read (parse) the file", repeat, lambda: read_upload(data, name))
    payload = timed("encode the preview payload", repeat, lambda: encode_upload(upload))
    print(f"{'  cards / reviews / payload':<48} {len(upload.deck.cards)} / {len(upload.reviews)} / "
          f"{len(payload.encode()) / 1024:.0f} KB")  # fmt: skip
    if upload.reviews:
        days = LearningDays.of("UTC")
        states = timed(
            "replay the history through FSRS", repeat, lambda: _replayed(upload, 0.9, days)
        )
        print(f"{'  cards with a replayed schedule':<48} {len(states)}")
    with tempfile.TemporaryDirectory() as tmp:
        db = await SqliteDatabase.open(Path(tmp) / "bench.sqlite3")
        clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
        service = ImportService(db, clock)
        try:
            user = 1000

            async def keep() -> ImportPreview:
                shown = await service.read_file(user, "Bench", data, name)
                assert isinstance(shown, ImportPreview), shown
                return shown

            await atimed("read_file (reader process + keep preview)", repeat, keep)

            async def save(with_history: bool) -> SavedDeck:
                nonlocal user
                user += 1  # a new user each time: a first save, not an update
                shown = await service.read_file(user, "Bench", data, name)
                assert isinstance(shown, ImportPreview)
                start = time.perf_counter()
                saved = await service.save(user, shown.import_id, with_history)
                save.spent.append(time.perf_counter() - start)  # type: ignore[attr-defined]
                assert isinstance(saved, SavedDeck), saved
                return saved

            for with_history in (False, True) if upload.reviews else (False,):
                save.spent = []  # type: ignore[attr-defined]
                for _ in range(repeat):
                    saved = await save(with_history)
                label = "save with history" if with_history else "save (sync_deck + activate)"
                median = statistics.median(save.spent) * 1000  # type: ignore[attr-defined]
                print(f"{label:<48} {median:9.1f} ms")
                if with_history:
                    print(f"{'  replayed reviews / cards':<48} {saved.replayed_reviews} / "
                          f"{saved.replayed_cards}")  # fmt: skip
        finally:
            await db.close()


async def main() -> None:
    """Run the import benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    await one("limit.csv", big_csv(), args.repeat)
    if PACKAGE.exists():
        await one(PACKAGE.name, PACKAGE.read_bytes(), args.repeat)
    else:
        print(f"\n{PACKAGE} not found; the real-package figures are skipped")


if __name__ == "__main__":
    asyncio.run(main())
