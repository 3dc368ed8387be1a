"""`python -m bot` without a token, run twice on the same database: the second run is answered
like the first (its updates are new to the bot, as Telegram's keep growing)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ANSWER = "Current streak"


async def one_run(folder: Path) -> bool:
    """Start the offline sandbox in `folder`, send /streak, quit; whether the bot answered."""
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env["PYTHONPATH"] = str(REPO)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=folder, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    answered = False
    try:
        await asyncio.wait_for(process.stdout.readuntil(b"Progress is kept in"), 30)
        process.stdin.write(b"/streak\n")
        await process.stdin.drain()
        try:
            await asyncio.wait_for(process.stdout.readuntil(ANSWER.encode()), 15)
            answered = True
        except TimeoutError:
            answered = False
        process.stdin.write(b":quit\n")
        await process.stdin.drain()
        await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return answered


async def test_a_second_offline_run_on_the_same_database_is_answered(tmp_path: Path) -> None:
    assert await one_run(tmp_path)
    assert (tmp_path / "quizbot.sqlite3").exists()
    assert await one_run(tmp_path)
