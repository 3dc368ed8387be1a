"""/healthz and /metrics on their own listener (METRICS_LISTEN) in polling mode, from a real bot
process: served while it polls, off when set off, and a taken port costs the endpoints, not the
bot."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp

from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import TOKEN
from tests.reliability.process import BotProcess, launch


def free_port() -> int:
    """A port nothing listens on (for a moment)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def polling_bot(sandbox: SandboxServer, tmp_path: Path, metrics_listen: str) -> BotProcess:
    """A bot process polling the sandbox, its ops listener set to `metrics_listen`."""
    polls = sandbox.calls["getUpdates"]
    process = await launch(
        tmp_path / "bot.log",
        BOT_TOKEN=TOKEN,
        BOT_API_URL=sandbox.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        METRICS_LISTEN=metrics_listen,
    )
    assert await sandbox.wait_until(lambda: sandbox.calls["getUpdates"] > polls, timeout=30), (
        process.log[-3000:]
    )
    return process


async def test_a_polling_bot_serves_health_and_metrics_on_their_own_port(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    port = free_port()
    process = await polling_bot(sandbox, tmp_path, f"127.0.0.1:{port}")
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert health.status == 200
                assert (await health.json())["status"] == "ok"
            async with http.get(f"http://127.0.0.1:{port}/metrics") as metrics:
                assert metrics.status == 200
                assert "updates_processed" in await metrics.text()
    finally:
        process.terminate()
        assert await process.exit_code() == 0


async def test_off_serves_nothing_and_a_taken_port_does_not_stop_the_bot(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        process = await polling_bot(sandbox, tmp_path, f"127.0.0.1:{port}")
        try:
            assert f"/healthz and /metrics not served: cannot listen on 127.0.0.1:{port}" in (
                process.log
            )
        finally:
            process.terminate()
            assert await process.exit_code() == 0
    off = await polling_bot(sandbox, tmp_path, "off")
    try:
        assert "serving /healthz and /metrics" not in off.log
    finally:
        off.terminate()
        assert await off.exit_code() == 0
