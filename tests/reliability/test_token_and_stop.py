"""A revoked token ends the process with its own exit code and one line; a stop signal ends it
within 10 s whatever is in flight."""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap
import time
from pathlib import Path

from bot.exit_codes import EXIT_DATABASE_GONE, EXIT_STOP_FORCED, EXIT_TOKEN_REFUSED
from bot.net.token_watch import REFUSED_LINE
from bot.sandbox.server import SandboxServer
from bot.shutdown import STOP_WITHIN
from tests.reliability.process import REPO, spawn
from tests.token_scan import leaks_in


async def test_a_token_revoked_while_polling_ends_the_process_with_its_code(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    bot = await spawn(sandbox, tmp_path / "bot.sqlite3", tmp_path / "bot.log")
    try:
        alice = sandbox.user("Alice")
        await alice.send("/start")
        await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=15)
        sandbox.revoke_token()
        # The long poll in flight (up to 10 s) ends, the next one is refused.
        assert await bot.exit_code(within=25) == EXIT_TOKEN_REFUSED
    finally:
        await bot.reap()
    assert bot.log.count(REFUSED_LINE) == 1
    assert "Traceback" not in bot.log
    assert not leaks_in(bot.log)


HUNG = textwrap.dedent(
    """
    import asyncio, logging, sys
    sys.path.insert(0, {repo!r})
    from bot.shutdown import install_stop_signals

    async def main():
        logging.basicConfig(level=logging.INFO)
        loop = asyncio.get_running_loop()
        # A stop that never finishes: whatever the bot would wait for hangs for good.
        install_stop_signals(loop, lambda: None)
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


async def test_a_stop_that_hangs_still_ends_the_process_in_time(tmp_path: Path) -> None:
    script = tmp_path / "hung.py"
    script.write_text(HUNG.format(repo=str(REPO)))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(script), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert (await asyncio.wait_for(proc.stdout.readline(), 20)).strip() == b"ready"
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(proc.wait(), 15)
    took = time.monotonic() - sent
    errors = (await proc.stderr.read()).decode()
    assert code == EXIT_STOP_FORCED
    assert STOP_WITHIN - 0.5 <= took < 10.0
    assert "stopping on SIGTERM" in errors
    assert f"did not stop within {STOP_WITHIN:.0f} s" in errors


async def test_a_database_file_deleted_under_the_bot_stops_it_loudly(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    bot = await spawn(sandbox, database, tmp_path / "bot.log")
    try:
        alice = sandbox.user("Alice")
        await alice.send("/start")
        await alice.wait_for(lambda m: "Quizmaster" in m.text, timeout=15)
        database.unlink()  # an operator's mistake: from here on every write would be lost
        assert await bot.exit_code(within=20) == EXIT_DATABASE_GONE
    finally:
        await bot.reap()
    assert f"the database file {database} was deleted while the bot ran" in bot.log
    assert "Traceback" not in bot.log
