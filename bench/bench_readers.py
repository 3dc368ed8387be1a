"""What reading a file in a reader process costs over reading it in the bot's own process.

For each input: the median time to parse it in this process (`read_upload`, as the bot did before
readers), the median time to read it through `ReaderPool` (a fresh `python -m bot.reader.child`
under its limits: start, parse, answer, first line parsed, folder removed), their difference (the
overhead per file), the reader's CPU (user + system, from the children's rusage) and this
process's CPU per reading (what the bot itself spends). Inputs: a small CSV, a CSV at the card
limit, a pasted deck and, when the shared fixture is present, the real Anki package (570 cards,
13,552 reviews).

    .venv/bin/python bench/bench_readers.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cards.upload import read_paste, read_upload
from bot.reader.pool import ReaderPool
from bot.reader.protocol import Kind, Read

PACKAGE = (
    Path(__file__).resolve().parents[2]
    / "shared/fixtures/anki/vietnamese-anki21b-with-reviews.apkg"
)
SMALL_CSV = b"front,back\nhola,hello\nadios,goodbye\ngracias,thank you\npor favor,please\n"
PASTE = "Capitals\nFrance :: Paris\nSpain :: Madrid\nItaly :: Rome\nPortugal :: Lisbon\n"


def big_csv(cards: int = 5000) -> bytes:
    """A CSV at the card limit (the same as bench_import.py's)."""
    lines = ["front,back"]
    lines += [
        f"Event number {i},It happened in {1000 + i % 900} with {i * 7} people."
        for i in range(cards)
    ]
    return ("\n".join(lines) + "\n").encode()


def writer(data: bytes) -> Callable[[Path], Awaitable[None]]:
    """A `fill` writing `data` as the reading's input."""

    async def fill(path: Path) -> None:
        await asyncio.to_thread(path.write_bytes, data)

    return fill


def children_cpu() -> float:
    """CPU seconds (user + system) of the reaped child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


async def measure(
    pool: ReaderPool, name: str, kind: Kind, data: bytes, repeat: int
) -> tuple[float, float, float, float]:
    """(in-process ms, through-a-reader ms, reader CPU ms, bot CPU ms), medians over `repeat`."""
    inline, through, reader_cpu, own_cpu = [], [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        if kind == "paste":
            read_paste(data.decode())
        else:
            read_upload(data, name)
        inline.append(time.perf_counter() - start)
    for _ in range(repeat):
        cpu, own = children_cpu(), time.process_time()
        start = time.perf_counter()
        read = await pool.read(1, kind, name, writer(data))
        through.append(time.perf_counter() - start)
        own_cpu.append(time.process_time() - own)
        reader_cpu.append(children_cpu() - cpu)
        assert isinstance(read, Read), read
    return tuple(statistics.median(v) * 1000 for v in (inline, through, reader_cpu, own_cpu))  # type: ignore[return-value]


async def main() -> None:
    """Measure every input and print one table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    inputs: list[tuple[str, Kind, bytes]] = [
        ("small.csv (4 cards)", "file", SMALL_CSV),
        ("limit.csv (5,000 cards, 276 KB)", "file", big_csv()),
        ("a paste (4 cards)", "paste", PASTE.encode()),
    ]
    if PACKAGE.exists():
        inputs.append((f"{PACKAGE.name} (570 cards, 13,552 reviews)", "file", PACKAGE.read_bytes()))
    else:
        print(f"{PACKAGE} not found; the real package is skipped")
    pool = ReaderPool()
    print(f"median of {args.repeat} readings each\n")
    print("| input | parsed in the bot | through a reader | overhead | reader CPU | bot CPU |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, kind, data in inputs:
        name = "limit.csv" if "limit" in label else label.split(" ")[0]
        if name == PACKAGE.name:
            name = PACKAGE.name
        inline, through, reader_cpu, own_cpu = await measure(pool, name, kind, data, args.repeat)
        print(
            f"| {label} | {inline:.1f} ms | {through:.1f} ms | {through - inline:+.1f} ms "
            f"| {reader_cpu:.1f} ms | {own_cpu:.1f} ms |"
        )


if __name__ == "__main__":
    asyncio.run(main())
