"""Scale-out: answered taps/s with 1, 2 and 3 bot processes on one PostgreSQL database, and with
1 process on SQLite, all in webhook mode, in one run.

The sandbox runs in this process and plays Telegram and the load balancer: every bot process
(`python -m bot run --webhook`) listens on its own port and registers its own webhook URL, and the
sandbox POSTs updates to them in turn. The simulated people are bench_fullstack.py's: each taps
the first answer of their question, waits for the next question, and taps again (sessions of 10
in choice mode on a 300-card deck; a new /quiz after each). Reported per setup: answered taps/s,
tap → answerCallbackQuery latency p50/p99, the bot processes' CPU per tap (all of them together),
the CPU per tap of the PostgreSQL backends serving the bots' connections (found by their
application_name) and the sandbox's CPU (this process: the simulated people, the Bot API and the
webhook deliveries).

    .venv/bin/python bench/bench_scaleout.py [--users 100] [--seconds 20] [--warmup 5]
                                             [--processes 1 2 3] [--rounds 1]
                                             [--postgres URL]

PostgreSQL is the server at --postgres (default: $TEST_DATABASE_URL); each setup gets a fresh
schema, dropped afterwards. Without a reachable server only the SQLite setup runs. Every process
shares the machine: on a 2-CPU machine more processes add CPU contention, not CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import asyncpg
from bench_fullstack import (
    ROOT,
    TOKEN,
    Run,
    Users,
    cancel_all,
    cpu_seconds,
    prepare_database,
    self_cpu,
    stop_bot,
)

from bot.sandbox.server import SandboxServer
from bot.storage.postgres import with_server_settings

SECRET = "bench-scaleout-webhook-secret"


@dataclass
class Setup:
    """One measured configuration."""

    backend: str  # "postgres" or "sqlite"
    processes: int

    @property
    def label(self) -> str:
        """How the table names it."""
        return f"{self.backend} × {self.processes}"


@dataclass
class Measured:
    """One run of a setup: bench_fullstack's Run plus the database server's CPU."""

    setup: Setup
    run: Run
    postgres_cpu: float = 0.0


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process, or None when it is gone."""
    try:
        return cpu_seconds(pid)
    except (OSError, IndexError):
        return None


async def backend_cpu(server: str, application: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving connections named `application`."""
    conn = await asyncpg.connect(server)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", application
        )
    finally:
        await conn.close()
    found = {int(row["pid"]): process_cpu(int(row["pid"])) for row in rows}
    return {pid: cpu for pid, cpu in found.items() if cpu is not None}


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two `backend_cpu` readings (a backend new since counts from zero)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def free_ports(count: int) -> list[int]:
    """`count` distinct ports nobody listens on right now."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


async def postgres_reachable(url: str | None) -> bool:
    """Whether a PostgreSQL server answers at `url`."""
    if not url:
        return False
    try:
        conn = await asyncpg.connect(url, timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


@contextlib.asynccontextmanager
async def database(setup: Setup, workdir: Path, postgres: str | None) -> AsyncIterator[str]:
    """A DATABASE_URL of a fresh, empty database for `setup`."""
    if setup.backend == "sqlite":
        yield f"sqlite:///{workdir / 'bot.sqlite3'}"
        return
    assert postgres is not None
    schema = "bench_" + secrets.token_hex(6)
    conn = await asyncpg.connect(postgres)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    try:
        # Named after the schema, so the server's backends for these connections can be found.
        yield with_server_settings(postgres, search_path=schema, application_name=schema)
    finally:
        conn = await asyncpg.connect(postgres)
        try:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await conn.close()


async def postgres_backends(setup: Setup, url: str, server: str | None) -> dict[int, float]:
    """CPU so far of the PostgreSQL backends serving this run's bots (none on SQLite)."""
    if setup.backend != "postgres" or server is None:
        return {}
    application = dict(parse_qsl(urlsplit(url).query))["application_name"]
    return await backend_cpu(server, application)


def start_webhook_bot(
    api: str, database_url: str, port: int, workdir: Path
) -> subprocess.Popen[bytes]:
    """One bot process in webhook mode, listening on `port`."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": api,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "bot", "run", "--webhook"]
    return subprocess.Popen(command, cwd=workdir, env=env, stdin=subprocess.DEVNULL)


async def measure(
    setup: Setup, users: int, seconds: float, warmup: float, postgres: str | None
) -> Measured:
    """One run: a fresh sandbox, database and bot processes; users tap for warmup + seconds."""
    run = Run(setup.label, 0)
    measured = Measured(setup, run)
    server = SandboxServer(token=TOKEN, host="127.0.0.1", port=0, webhook_delivery=True)
    await server.start()
    people = [server.user(f"User {n}", started=True) for n in range(users)]
    with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as tmp:
        workdir = Path(tmp)
        async with database(setup, workdir, postgres) as url:
            await prepare_database(url, [p.id for p in people], 10)
            ports = free_ports(setup.processes)
            # The balancer's pool: every process, whichever registered its webhook last.
            server.webhook_targets.extend(f"http://127.0.0.1:{port}/telegram" for port in ports)
            bots = [start_webhook_bot(server.base_url, url, port, workdir) for port in ports]
            crowd = Users(server, people)
            tasks = [asyncio.create_task(crowd.route())]
            try:
                # Up once every process has registered its webhook: only then do people tap.
                if not await server.wait_until(
                    lambda: server.calls["setWebhook"] >= setup.processes, 60
                ):
                    raise RuntimeError(f"{setup.label}: the bots did not register within 60 s")
                tasks += [asyncio.create_task(crowd.play(p)) for p in people]
                await asyncio.sleep(warmup)
                pg_cpu = await postgres_backends(setup, url, postgres)
                bot_cpu = sum(cpu_seconds(b.pid) for b in bots)
                own_cpu, started = self_cpu(), time.perf_counter()
                crowd.measuring = True
                await asyncio.sleep(seconds)
                crowd.measuring = False
                run.seconds = time.perf_counter() - started
                run.bot_cpu = sum(cpu_seconds(b.pid) for b in bots) - bot_cpu
                run.sandbox_cpu = self_cpu() - own_cpu
                measured.postgres_cpu = cpu_between(
                    pg_cpu, await postgres_backends(setup, url, postgres)
                )
                run.taps, run.latencies = crowd.taps, crowd.latencies
            finally:
                crowd.stopping = True
                await cancel_all(tasks)
                await asyncio.gather(*(asyncio.to_thread(stop_bot, b) for b in bots))
                await server.stop()
    return measured


def print_table(results: list[Measured]) -> None:
    """The results, then each setup against one PostgreSQL process and one SQLite process."""
    header = (
        f"{'setup':<13} {'taps':>6} {'taps/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'bot CPU ms/tap':>15} {'PG CPU ms/tap':>14} {'bots CPU %':>11} {'sandbox CPU %':>14}"
    )
    print(header)
    print("-" * len(header))
    for m in results:
        r = m.run
        per_tap = r.bot_cpu / r.taps * 1000 if r.taps else float("nan")
        pg = (
            f"{m.postgres_cpu / r.taps * 1000:.2f}"
            if r.taps and m.setup.backend == "postgres"
            else "—"
        )
        print(
            f"{r.bot:<13} {r.taps:>6} {r.rate:>8.1f} {r.percentile(50):>8.1f} "
            f"{r.percentile(99):>8.1f} {per_tap:>15.2f} {pg:>14} "
            f"{100 * r.bot_cpu / r.seconds:>11.0f} {100 * r.sandbox_cpu / r.seconds:>14.0f}"
        )
    print()
    by_setup = {(m.setup.backend, m.setup.processes): m.run.rate for m in results}
    one_pg, one_sqlite = by_setup.get(("postgres", 1)), by_setup.get(("sqlite", 1))
    for m in results:
        if m.setup.backend != "postgres":
            continue
        notes = []
        if one_pg and m.setup.processes > 1:
            notes.append(f"{m.run.rate / one_pg:.2f}x postgres × 1")
        if one_sqlite:
            notes.append(f"{m.run.rate / one_sqlite:.2f}x sqlite × 1")
        if notes:
            print(f"{m.setup.label}: " + ", ".join(notes))


async def main() -> None:
    """Measure every setup and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--rounds", type=int, default=1, help="repeat every run; report medians")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL", "").strip() or None,
        help="PostgreSQL server URL (default: $TEST_DATABASE_URL)",
    )
    args = parser.parse_args()
    # A bot stopped mid-request leaves the sandbox a reset connection to log: not a result.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    setups = [Setup("sqlite", 1)]
    if await postgres_reachable(args.postgres):
        setups = [Setup("postgres", n) for n in args.processes] + setups
    else:
        print("no reachable PostgreSQL (--postgres or TEST_DATABASE_URL): SQLite only")
    print(
        f"{args.users} users, {args.seconds:.0f} s measured per run after {args.warmup:.0f} s of "
        f"warm-up, webhook mode, {os.cpu_count()} CPUs"
    )
    rounds: dict[str, list[Measured]] = {}
    for _ in range(args.rounds):
        for setup in setups:
            measured = await measure(setup, args.users, args.seconds, args.warmup, args.postgres)
            rounds.setdefault(setup.label, []).append(measured)
    if args.rounds > 1:
        print(f"each row: the round with the median taps/s of {args.rounds}")
    print_table(
        [sorted(found, key=lambda m: m.run.rate)[len(found) // 2] for found in rounds.values()]
    )


if __name__ == "__main__":
    asyncio.run(main())
