"""What one database call costs: an aiosqlite call against the same read on plain sqlite3.

Every aiosqlite call is a hop to the connection's own thread and back (a queue, a thread switch, a
wake-up of the event loop); a quiz tap makes about 17 of them. This measures the CPU of one point
read by primary key, through aiosqlite and through a plain sqlite3 connection, on a temporary file.

    .venv/bin/python bench/bench_hops.py [--calls 5000] [--rounds 5]

The aiosqlite figure moves a lot from round to round (where the two threads land on the CPUs and
how they wake each other): the range and the median of the rounds are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import aiosqlite

READ = "SELECT v FROM t WHERE id = ?"


async def through_aiosqlite(path: Path, calls: int) -> float:
    """CPU µs per call of a point read through aiosqlite."""
    async with aiosqlite.connect(path, isolation_level=None) as db:
        started = time.process_time()
        for _ in range(calls):
            await db.execute_fetchall(READ, (1,))
        return (time.process_time() - started) * 1e6 / calls


def through_sqlite3(path: Path, calls: int) -> float:
    """CPU µs per call of the same read on a plain sqlite3 connection."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        started = time.process_time()
        for _ in range(calls):
            db.execute(READ, (1,)).fetchall()
        return (time.process_time() - started) * 1e6 / calls
    finally:
        db.close()


def main() -> None:
    """Measure both and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hops-") as tmp:
        path = Path(tmp) / "hops.sqlite3"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            db.execute("INSERT INTO t VALUES (1, 'x')")
        hops = [asyncio.run(through_aiosqlite(path, args.calls)) for _ in range(args.rounds)]
        plain = [through_sqlite3(path, args.calls) for _ in range(args.rounds)]
    print(
        f"{args.rounds} rounds of {args.calls} point reads, CPU µs per call (min / median / max):\n"
        f"  aiosqlite {min(hops):.1f} / {statistics.median(hops):.1f} / {max(hops):.1f}\n"
        f"  sqlite3   {min(plain):.1f} / {statistics.median(plain):.1f} / {max(plain):.1f}"
    )


if __name__ == "__main__":
    main()
