"""Full stack: simulated users tapping quiz answers through the sandbox Bot API over real HTTP.

The sandbox runs in this process; the bot runs in its own process (so its CPU can be read from
/proc), polling the sandbox exactly as it would poll Telegram. N users each tap an answer, wait
for the next question, and tap again, for a fixed time, with 0 ms and then 50 ms of latency
added by the sandbox to every Bot API call. Reported per run: answered taps/s, tap → answer
(answerCallbackQuery) latency p50/p99, and bot-process CPU seconds per tap, with the share of
the main thread (the event loop; the rest is mostly aiosqlite's connection thread running SQL).

Three bots are measured in the same run:
- ours: `python -m bot run` on a database whose users quiz a 300-card deck in choice mode
  (sessions of 10; a user who finishes one sends /quiz again) — storage, FSRS, streaks and all;
- ptb: bench/floor_bot.py, a stock python-telegram-bot application (httpx, sequential
  updates) whose handler makes the same three Bot API calls with no storage at all;
- aiogram: bench/floor_aiogram.py, the same minimal quiz on aiogram 3 (aiohttp, each update its
  own task; needs the `bench-aiogram` extra).

    .venv/bin/python bench/bench_fullstack.py [--users 100] [--seconds 20] [--latency 0 50]
                                              [--rounds 1] [--bots ptb aiogram ours]

`--users 1 10 100 1000` measures each bot at each of those numbers of people (the cost curve).

The machine is shared by both processes (and anything else running): CPU ms per tap is the
steadier figure; taps/s moves with whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cards.model import Card, Deck
from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxEvent, SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.storage.db import open_database
from bot.storage.decks import sync_deck

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:BENCH-token-for-the-sandbox-00000000"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BOTS = ("ptb", "aiogram", "ours")
FLOOR_SCRIPTS = {"ptb": "floor_bot.py", "aiogram": "floor_aiogram.py"}


def bench_deck(cards: int) -> Deck:
    """A deck big enough that no simulated user runs out of new questions during a run."""
    return Deck(
        "Bench deck",
        tuple(
            Card(
                f"Term {n}", f"Term {n} is defined by fact number {n}.\nIt was noted in {1900 + n}."
            )
            for n in range(cards)
        ),
    )


async def prepare_database(url: str, user_ids: list[int], session_size: int) -> None:
    """Migrate the database at `url` (SQLite or PostgreSQL), store the bench deck, and give every
    user choice-mode settings on it."""
    db = await open_database(url)
    try:
        deck_id = await sync_deck(db, bench_deck(300), "bench-deck", None, int(time.time()))
        async with db.transaction():
            await db.executemany(
                "INSERT INTO users (id, first_name, created_at, active_deck_id, session_size, "
                "new_per_day, question_mix) VALUES (?, ?, ?, ?, ?, 100000, 'choice')",
                [(uid, f"User {uid}", int(time.time()), deck_id, session_size) for uid in user_ids],
            )
    finally:
        await db.close()


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User + system CPU time of a live process, from /proc (of one of its threads: `thread`)."""
    where = f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat"
    fields = Path(where).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def self_cpu() -> float:
    """User + system CPU time of this process (the sandbox and the simulated users)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    """What one (bot, latency) run measured."""

    bot: str
    latency_ms: int
    users: int = 0
    taps: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    bot_cpu: float = 0.0
    loop_cpu: float = 0.0  # the bot's main thread: its event loop (the rest is other threads)
    sandbox_cpu: float = 0.0

    @property
    def cpu_per_tap(self) -> float:
        """Bot-process CPU milliseconds per answered tap."""
        return self.bot_cpu / self.taps * 1000 if self.taps else float("nan")

    @property
    def loop_cpu_per_tap(self) -> float:
        """CPU milliseconds per answered tap of the bot's event-loop thread alone."""
        return self.loop_cpu / self.taps * 1000 if self.taps else float("nan")

    @property
    def rate(self) -> float:
        """Answered taps per second."""
        return self.taps / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Tap → answer latency percentile, in ms."""
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1] * 1000


class Users:
    """Simulated people: tap the first button of their newest question, as fast as answered."""

    def __init__(self, server: SandboxServer, users: list[SandboxUser]) -> None:
        self.server = server
        self.users = users
        self.inbox: dict[int, asyncio.Queue[tuple[float, SandboxEvent]]] = {
            u.id: asyncio.Queue() for u in users
        }
        self.held: dict[int, list[SandboxEvent]] = {u.id: [] for u in users}
        self.measuring = False
        self.stopping = False
        self.taps = 0
        self.latencies: list[float] = []

    async def route(self) -> None:
        """Hand each of the bot's actions to the user whose chat it happened in, time-stamped."""
        subscription = self.server.subscribe()
        loop = asyncio.get_running_loop()
        try:
            async for event in subscription:
                box = self.inbox.get(event.chat_id)
                if box is not None:
                    box.put_nowait((loop.time(), event))
        finally:
            subscription.close()

    def press(self, user: SandboxUser, message: SandboxMessage, data: str) -> None:
        """A tap as Telegram delivers it (the driver's tap without its per-tap waiting)."""
        user.press(message, data)

    async def next_question(self, user: SandboxUser) -> SandboxMessage:
        """Wait for the user's next question; after a session summary, ask for a new session."""
        box, held = self.inbox[user.id], self.held[user.id]
        while True:
            event = held.pop(0) if held else (await box.get())[1]
            message = event.message
            if event.kind != "sent" or message is None:
                continue
            if message.text.startswith("Question ") and message.buttons:
                return message
            if "Session complete" in message.text:
                await user.send("/quiz")

    async def play(self, user: SandboxUser) -> None:
        """Tap, wait for the answer to the tap, wait for the next question, again."""
        loop = asyncio.get_running_loop()
        await user.send("/quiz")
        question = await self.next_question(user)
        box = self.inbox[user.id]
        while not self.stopping:
            data = question.buttons[0][0][1]
            assert data is not None
            pressed = loop.time()
            self.press(user, question, data)
            while True:
                at, event = await box.get()
                if event.kind == "answered":
                    break
                self.held[user.id].append(event)  # sent ahead of the answer: read it next
            # Counted when answered inside the measured time, however long ago it was tapped.
            if self.measuring:
                self.taps += 1
                self.latencies.append(at - pressed)
            question = await self.next_question(user)


async def cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the load's tasks and wait until every one has ended."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def start_bot(kind: str, api: str, workdir: Path) -> subprocess.Popen[bytes]:
    """The bot under test in its own process."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": api,
        "DATABASE_URL": f"sqlite:///{workdir / 'bot.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    if kind == "ours":
        command = [sys.executable, "-m", "bot", "run"]
    else:
        command = [sys.executable, str(ROOT / "bench" / FLOOR_SCRIPTS[kind]), "--api", api]
        command += ["--token", TOKEN]
    return subprocess.Popen(command, cwd=workdir, env=env, stdin=subprocess.DEVNULL)


def stop_bot(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it does not stop within 15 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def measure(kind: str, latency_ms: int, users: int, seconds: float, warmup: float) -> Run:
    """One run: a fresh sandbox, database and bot process; users tap for warmup + seconds."""
    run = Run(kind, latency_ms, users)
    server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0)
    await server.start()
    people = [server.user(f"User {n}", started=True) for n in range(users)]
    with tempfile.TemporaryDirectory(prefix="bench-fullstack-") as tmp:
        workdir = Path(tmp)
        if kind == "ours":
            url = f"sqlite:///{workdir / 'bot.sqlite3'}"
            await prepare_database(url, [p.id for p in people], 10)
        process = start_bot(kind, server.base_url, workdir)
        crowd = Users(server, people)
        tasks = [asyncio.create_task(crowd.route())]
        try:
            # The bot is up once it polls; only then do the people start tapping.
            if not await server.wait_until(lambda: server.calls["getUpdates"] > 0, 30):
                raise RuntimeError(f"the {kind} bot did not start polling within 30 s")
            server.faults.latency = latency_ms / 1000
            tasks += [asyncio.create_task(crowd.play(p)) for p in people]
            await asyncio.sleep(warmup)
            bot_cpu, own_cpu, started = cpu_seconds(process.pid), self_cpu(), time.perf_counter()
            # The main thread runs the event loop; aiosqlite's connection thread is another.
            loop_cpu = cpu_seconds(process.pid, process.pid)
            crowd.measuring = True
            await asyncio.sleep(seconds)
            crowd.measuring = False
            run.seconds = time.perf_counter() - started
            run.bot_cpu = cpu_seconds(process.pid) - bot_cpu
            run.loop_cpu = cpu_seconds(process.pid, process.pid) - loop_cpu
            run.sandbox_cpu = self_cpu() - own_cpu
            run.taps, run.latencies = crowd.taps, crowd.latencies
        finally:
            crowd.stopping = True
            await cancel_all(tasks)
            server.faults.latency = 0.0
            await asyncio.to_thread(stop_bot, process)
            await server.stop()
    return run


def print_table(runs: list[Run]) -> None:
    """The results, then ours against each floor at each latency and number of people."""
    header = (
        f"{'bot':<8} {'users':>5} {'latency':>8} {'taps':>6} {'taps/s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'bot CPU ms/tap':>15} {'of it loop':>11} {'bot CPU %':>10} "
        f"{'sandbox CPU %':>14}"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r.bot:<8} {r.users:>5} {r.latency_ms:>6}ms {r.taps:>6} {r.rate:>8.1f} "
            f"{r.percentile(50):>8.1f} {r.percentile(99):>8.1f} {r.cpu_per_tap:>15.2f} "
            f"{r.loop_cpu_per_tap:>11.2f} {100 * r.bot_cpu / r.seconds:>10.0f} {100 * r.sandbox_cpu / r.seconds:>14.0f}"
        )
    print()
    for users, latency in sorted({(r.users, r.latency_ms) for r in runs}):
        found = {r.bot: r for r in runs if (r.users, r.latency_ms) == (users, latency)}
        ours = found.get("ours")
        if ours is None:
            continue
        lines = []
        if (aiogram := found.get("aiogram")) is not None and aiogram.rate:
            lines.append(
                f"taps/s {ours.rate / aiogram.rate:.2f}x aiogram's (target ≥ 1.0), CPU/tap "
                f"{ours.cpu_per_tap / aiogram.cpu_per_tap:.2f}x (target ≤ 1.0), p99 "
                f"{ours.percentile(99) / aiogram.percentile(99):.2f}x (target ≤ 2.0)"
            )
        if (ptb := found.get("ptb")) is not None and ptb.rate:
            lines.append(f"taps/s {ours.rate / ptb.rate:.2f}x stock PTB's (target ≥ 2.0)")
        if lines:
            print(f"{users} users, {latency} ms: ours " + "; ".join(lines))


async def main() -> None:
    """Measure every (latency, bot) pair and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[100])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first")
    parser.add_argument("--latency", type=int, nargs="+", default=[0, 50], help="ms per API call")
    parser.add_argument("--bots", nargs="+", choices=BOTS, default=list(BOTS))
    parser.add_argument("--rounds", type=int, default=1, help="repeat every run; report medians")
    args = parser.parse_args()
    # A bot stopped mid-request leaves the sandbox a reset connection to log: not a result.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    print(
        f"{args.seconds:.0f} s measured per run after {args.warmup:.0f} s of warm-up, "
        f"{os.cpu_count()} CPUs"
    )
    rounds: dict[tuple[int, int, str], list[Run]] = {}
    for _ in range(args.rounds):
        for users in args.users:
            for latency in args.latency:
                for kind in args.bots:
                    run = await measure(kind, latency, users, args.seconds, args.warmup)
                    rounds.setdefault((users, latency, kind), []).append(run)
    if args.rounds > 1:
        print(f"each row: the round with the median taps/s of {args.rounds}")
    print_table([sorted(found, key=lambda r: r.rate)[len(found) // 2] for found in rounds.values()])


if __name__ == "__main__":
    asyncio.run(main())
