"""One card edited in the Mini App: how long Save takes as the deck grows.

Every edit goes through the deck import's own sync (cards and questions upserted by key), and the
questions of the whole deck are made again, since a card's wrong options are drawn from the others.
On a fresh SQLite file, an owner imports a deck of each size, then edits one card's back
`--edits` times through the editor service the Mini App's API calls; the median and the slowest
edit are printed (wall time: what the person waits for after tapping Save).

    .venv/bin/python bench/bench_webapp_edit.py [--sizes 100 1000 5000] [--edits 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import ManualClock
from bot.services.deck_editor import CardPage, CardSaved, DeckEditor
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.storage.sqlite import SqliteDatabase

OWNER = 1


def deck_csv(cards: int) -> bytes:
    """A CSV of `cards` word pairs."""
    lines = ["front,back", *(f"word number {i},meaning number {i}" for i in range(cards))]
    return ("\n".join(lines) + "\n").encode()


async def timed_edits(cards: int, edits: int) -> list[float]:
    """Seconds each of `edits` back edits of one card took, in a deck of `cards` cards."""
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        db = await SqliteDatabase.open(Path(folder) / "bench.db")
        try:
            imports = ImportService(db, clock)
            read = await imports.read_file(OWNER, "Owner", deck_csv(cards), "deck.csv")
            assert isinstance(read, ImportPreview), read
            saved = await imports.save(OWNER, read.import_id, with_history=False)
            assert isinstance(saved, SavedDeck), saved
            editor = DeckEditor(db, clock, default_deck_id=saved.deck_id)
            page = await editor.cards(OWNER, saved.deck_id, limit=1)
            assert isinstance(page, CardPage), page
            card = page.cards[0]
            front, back = card.card.front, card.card.back
            times = []
            for edit in range(edits):
                new_back = f"meaning, edit {edit}"
                started = time.perf_counter()
                result = await editor.edit_card(
                    OWNER, saved.deck_id, card.id, front, new_back, (front, back), True
                )
                times.append(time.perf_counter() - started)
                assert isinstance(result, CardSaved), result
                back = new_back
            return times
        finally:
            await db.close()


async def run(sizes: list[int], edits: int) -> None:
    """Print one line per deck size."""
    print(f"{'cards':>6}  {'median s':>9}  {'slowest s':>9}  ({edits} edits of one card's back)")
    for size in sizes:
        times = await timed_edits(size, edits)
        print(f"{size:>6}  {statistics.median(times):>9.3f}  {max(times):>9.3f}")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.sizes, args.edits))


if __name__ == "__main__":
    main()
