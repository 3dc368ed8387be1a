"""A bot that cannot start says why in one line and exits with the code for it (bot.exit_codes):
no traceback, no hanging process."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from pathlib import Path

from bot.exit_codes import EXIT_BAD_SETTINGS, EXIT_STARTUP_FAILED, EXIT_TOKEN_REFUSED
from bot.net.token_watch import REFUSED_LINE
from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import TOKEN
from tests.reliability.process import REPO


def _closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _run(
    tmp_path: Path, *args: str, token: str | None = TOKEN, **env: str
) -> tuple[int, str]:
    """`python -m bot run [args]` in `tmp_path` with `env` (and BOT_TOKEN=`token` unless None);
    its exit code and everything it printed."""
    full = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_API_URL")}
    full.update(PYTHONPATH=str(REPO), **env)
    if token is not None:
        full["BOT_TOKEN"] = token
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=tmp_path,
        env=full,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(60):
        output, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, output.decode()


async def test_an_unreachable_postgresql_server_is_named_without_its_password(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = f"postgresql://quiz:hunter2@127.0.0.1:{_closed_port()}/quiz"
    code, output = await _run(tmp_path, BOT_API_URL=sandbox.base_url, DATABASE_URL=url)
    assert code == EXIT_STARTUP_FAILED
    assert "cannot open the database at postgresql://quiz:***@127.0.0.1" in output
    assert "hunter2" not in output
    assert "Traceback" not in output


async def test_a_file_that_is_not_a_database_is_named(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n" * 100)
    code, output = await _run(
        tmp_path, BOT_API_URL=sandbox.base_url, DATABASE_URL=f"sqlite:///{notes}"
    )
    assert code == EXIT_STARTUP_FAILED
    assert f"cannot open the database at {notes}: file is not a database" in output
    assert "Traceback" not in output


async def test_an_unreachable_bot_api_is_named(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{_closed_port()}"
    code, output = await _run(
        tmp_path, BOT_API_URL=api, DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    )
    assert code == EXIT_STARTUP_FAILED
    # python-telegram-bot logs its own retries first; then one line of ours says what is wrong.
    assert any(
        f"ERROR bot: cannot reach the Bot API at {api}: " in line for line in output.splitlines()
    )


async def test_webhook_mode_names_an_unreachable_database_too(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = f"postgresql://quiz:hunter2@127.0.0.1:{_closed_port()}/quiz"
    code, output = await _run(
        tmp_path,
        "--webhook",
        BOT_API_URL=sandbox.base_url,
        DATABASE_URL=url,
        WEBHOOK_URL="https://bot.example.org/hook",
        WEBHOOK_SECRET="s3cret-for-the-test",
        WEBHOOK_LISTEN=f"127.0.0.1:{_closed_port()}",
    )
    assert code == EXIT_STARTUP_FAILED
    assert "cannot open the database at postgresql://quiz:***@127.0.0.1" in output
    assert "hunter2" not in output and "s3cret-for-the-test" not in output
    assert "Traceback" not in output


async def test_webhook_mode_names_a_port_already_taken(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        code, output = await _run(
            tmp_path,
            "--webhook",
            BOT_API_URL=sandbox.base_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
            WEBHOOK_URL="https://bot.example.org/hook",
            WEBHOOK_SECRET="s3cret-for-the-test",
            WEBHOOK_LISTEN=listen,
        )
    assert code == EXIT_STARTUP_FAILED
    assert f"cannot listen on {listen}" in output
    assert "Traceback" not in output


async def test_a_bad_setting_exits_with_its_own_code(tmp_path: Path) -> None:
    code, output = await _run(tmp_path, LOG_LEVEL="LOUD")
    assert code == EXIT_BAD_SETTINGS
    assert output.strip() == (
        "error: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'"
    )


async def test_a_bad_line_in_dot_env_exits_with_the_bad_settings_code(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=INFO\nthis is not a setting\n")
    code, output = await _run(tmp_path)
    assert code == EXIT_BAD_SETTINGS
    assert output.strip() == "error: .env: line 2: expected KEY=value"


async def test_a_token_in_dot_env_with_a_trailing_comment_is_taken(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    # The token passes (no exit 2): the start goes on to the database, which is out of reach.
    database = f"postgresql://quiz@127.0.0.1:{_closed_port()}/quiz"
    (tmp_path / ".env").write_text(
        f"export BOT_TOKEN={TOKEN}  # the quiz bot\n"
        f'BOT_API_URL="{sandbox.base_url}"\n'
        f"DATABASE_URL='{database}'  # not running\n"
    )
    code, output = await _run(tmp_path, token=None)
    assert code == EXIT_STARTUP_FAILED
    assert "cannot open the database at postgresql://quiz@127.0.0.1" in output


async def test_a_token_refused_at_start_exits_with_the_token_code(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.revoke_token()
    code, output = await _run(
        tmp_path, BOT_API_URL=sandbox.base_url, DATABASE_URL=f"sqlite:///{tmp_path / 'b.sqlite3'}"
    )
    assert code == EXIT_TOKEN_REFUSED
    assert output.count(REFUSED_LINE) == 1
    assert "Traceback" not in output


async def test_json_log_lines_name_the_trouble_without_secrets(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = f"postgresql://quiz:hunter2@127.0.0.1:{_closed_port()}/quiz"
    code, output = await _run(
        tmp_path, BOT_API_URL=sandbox.base_url, DATABASE_URL=url, LOG_FORMAT="json"
    )
    assert code == EXIT_STARTUP_FAILED
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert lines and all(set(entry) >= {"time", "level", "logger", "message"} for entry in lines)
    (error,) = [entry for entry in lines if entry["level"] == "ERROR" and entry["logger"] == "bot"]
    assert "cannot open the database at postgresql://quiz:***@127.0.0.1" in error["message"]
    assert "hunter2" not in output and TOKEN not in output


async def test_an_unknown_log_format_is_a_bad_setting(tmp_path: Path) -> None:
    code, output = await _run(tmp_path, LOG_FORMAT="xml")
    assert code == EXIT_BAD_SETTINGS
    assert "LOG_FORMAT must be one of text, json, got 'xml'" in output
