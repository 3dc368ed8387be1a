"""Sharing a deck: what an owner's re-import costs as followers are added, and one Add.

On a fresh SQLite file: an owner imports a deck of `--cards` cards and shares it; `--followers`
people add it from the link (each Add timed); then the owner imports it again with one card changed,
which passes the new cards to every follower through `sync_deck` (timed as a whole and per follower).

    .venv/bin/python bench/bench_sharing.py [--cards 500] [--followers 20]
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
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.services.sharing import ShareScreen, ShareService
from bot.storage.sqlite import SqliteDatabase

OWNER = 1


def deck_csv(cards: int, changed: bool = False) -> bytes:
    """A CSV of `cards` word pairs; `changed` alters the first card's back."""
    lines = ["front,back"]
    lines += [f"word number {i},meaning number {i}" for i in range(cards)]
    if changed:
        lines[1] = "word number 0,a new meaning"
    return ("\n".join(lines) + "\n").encode()


async def save(imports: ImportService, data: bytes) -> int:
    """Import `data` as the owner's deck; returns its id."""
    read = await imports.read_file(OWNER, "Owner", data, "shared.csv")
    assert isinstance(read, ImportPreview), read
    saved = await imports.save(OWNER, read.import_id, with_history=False)
    assert isinstance(saved, SavedDeck), saved
    return saved.deck_id


async def run(cards: int, followers: int) -> None:
    """Time the Adds and the owner's re-import with `followers` followers."""
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        db = await SqliteDatabase.open(Path(folder) / "bench.db")
        imports, sharing = ImportService(db, clock), ShareService(db, clock)
        started = time.perf_counter()
        deck_id = await save(imports, deck_csv(cards))
        alone = time.perf_counter() - started
        screen = await sharing.share(OWNER, deck_id)
        assert isinstance(screen, ShareScreen) and screen.link is not None
        adds = []
        for user_id in range(100, 100 + followers):
            await sharing.open_link(user_id, "Follower", screen.link.token)
            started = time.perf_counter()
            assert (await sharing.add(user_id, "Follower", screen.link.token)).status == "added"
            adds.append(time.perf_counter() - started)
        started = time.perf_counter()
        await save(imports, deck_csv(cards, changed=True))
        edit = time.perf_counter() - started
        await db.close()
    print(f"{cards} cards, {followers} followers")
    print(f"  owner's first save:             {alone * 1000:8.0f} ms")
    print(f"  one Add (median):               {statistics.median(adds) * 1000:8.0f} ms")
    print(f"  owner's re-import, all passed:  {edit * 1000:8.0f} ms")
    print(f"  per follower:                   {(edit - alone) / max(followers, 1) * 1000:8.0f} ms")


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--followers", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.cards, args.followers))


if __name__ == "__main__":
    main()
