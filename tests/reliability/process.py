"""The bot as a real operating-system process (`python -m bot run`) against the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import TOKEN

REPO = Path(__file__).resolve().parents[2]


@dataclass
class BotProcess:
    """One `python -m bot run` process; its stderr goes to a file the test reads afterwards."""

    proc: asyncio.subprocess.Process
    log_path: Path

    @property
    def log(self) -> str:
        """Everything the process wrote to stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def exit_code(self, within: float = 20.0) -> int:
        """Wait for the process to end on its own; its exit code."""
        async with asyncio.timeout(within):
            return await self.proc.wait()

    def kill9(self) -> None:
        """SIGKILL: no cleanup of any kind, as in a crash or an OOM kill."""
        self.proc.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM, as a service manager stops the bot."""
        self.proc.send_signal(signal.SIGTERM)

    async def reap(self) -> None:
        """Make sure the process is gone (kill it if the test left it running)."""
        if self.proc.returncode is None:
            self.kill9()
            await self.proc.wait()


# Settings a test sets itself: none may leak in from the environment running the tests.
_OWN_SETTINGS = ("BOT_", "WEBHOOK_", "DATABASE_", "LOG_", "INBOX_", "OUTBOX_", "METRICS_", "ADMIN_")


async def launch(log_path: Path, *args: str, **settings: str) -> BotProcess:
    """Start `python -m bot run [args]` with exactly these settings, its output to `log_path`.

    It runs in the log's folder, so no `.env` of the checkout is read.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_SETTINGS)}
    env.update(settings, PYTHONPATH=str(REPO))
    with log_path.open("ab") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            *args,
            cwd=log_path.parent,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    return BotProcess(proc, log_path)


async def spawn(sandbox: SandboxServer, database: Path, log_path: Path) -> BotProcess:
    """Start the bot process and wait until it polls the sandbox."""
    polls = sandbox.calls["getUpdates"]
    process = await launch(
        log_path,
        BOT_TOKEN=TOKEN,
        BOT_API_URL=sandbox.base_url,
        DATABASE_URL=f"sqlite:///{database}",
        LOG_LEVEL="DEBUG",
    )
    if not await sandbox.wait_until(lambda: sandbox.calls["getUpdates"] > polls, timeout=30):
        await process.reap()
        raise AssertionError(f"the bot process never polled; its log:\n{process.log[-3000:]}")
    return process


def query(database: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Read the bot's database from outside the process (WAL lets both sides in)."""
    with sqlite3.connect(database, timeout=5) as conn:
        return list(conn.execute(sql, params).fetchall())


def write(database: Path, sql: str, params: tuple[object, ...] = ()) -> None:
    """Arrange something in the bot's database from outside the process."""
    conn = sqlite3.connect(database, timeout=5)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()
