"""Start-up: time from process start to the first getUpdates, and peak RSS, on the big database.

Uses the 100,000-user × 40-question database that bench_database.py builds and caches (built
here first if missing); each run works on a fresh copy. The bot (`python -m bot run`) polls a
sandbox in this process; once it polls, 20 new people each start a quiz and answer a question,
then the bot is stopped with SIGTERM and its peak resident memory read from wait4's rusage.

    .venv/bin/python bench/bench_startup.py [--runs 3] [--users 100000] [--questions 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_database import db_size, ensure_database

from bot.sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:BENCH-token-for-the-sandbox-00000000"
PEOPLE = 20


@dataclass
class Start:
    """One start of the bot."""

    to_first_poll: float
    peak_rss_mb: float


async def one_start(database: Path) -> Start:
    """Start the bot on a copy of `database`, let people quiz briefly, stop it, read its rusage."""
    server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0)
    await server.start()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        work = Path(tmp) / "bot.sqlite3"
        shutil.copyfile(database, work)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": server.base_url,
            "DATABASE_URL": f"sqlite:///{work}",
            "LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        # Popen only spawns; the exit is awaited in a thread with wait4 to read the rusage.
        process = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "bot", "run"], cwd=tmp, env=env, stdin=subprocess.DEVNULL
        )
        try:
            if not await server.wait_until(lambda: server.calls["getUpdates"] > 0, 60):
                raise RuntimeError("the bot did not poll within 60 s")
            to_first_poll = time.perf_counter() - started
            people = [server.user(f"Person {n}") for n in range(PEOPLE)]
            for person in people:
                await person.send("/quiz")
            for person in people:
                question = await person.wait_for(
                    lambda m: m.text.startswith("Question 1/") and bool(m.buttons), timeout=30
                )
                await person.tap(question.labels[0], message=question, timeout=30)
            await server.settle(quiet=0.3, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            _, status, usage = await asyncio.to_thread(os.wait4, process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            await server.stop()
    return Start(to_first_poll, usage.ru_maxrss / 1024)


async def measure(database: Path, runs: int) -> list[Start]:
    """Start the bot `runs` times."""
    return [await one_start(database) for _ in range(runs)]


def main() -> None:
    """Print one row per start and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args()
    database = ensure_database(args.users, args.questions)
    print(
        f"database: {args.users:,} users × {args.questions} questions, "
        f"{db_size(database) / 2**20:,.0f} MiB ({database})"
    )
    starts = asyncio.run(measure(database, args.runs))
    header = f"{'run':>3} {'start → first getUpdates s':>27} {'peak RSS MB':>12}"
    print(header)
    print("-" * len(header))
    for number, start in enumerate(starts, 1):
        print(f"{number:>3} {start.to_first_poll:>27.2f} {start.peak_rss_mb:>12.0f}")
    print(
        f"median: {statistics.median(s.to_first_poll for s in starts):.2f} s to the first "
        f"getUpdates (target ≤ 3 s), peak RSS {max(s.peak_rss_mb for s in starts):.0f} MB at most "
        f"(target ≤ 150 MB)"
    )


if __name__ == "__main__":
    main()
