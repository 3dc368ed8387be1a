"""Webhook mode stops with its own exit code and one line when the Bot API refuses the token."""

from __future__ import annotations

from pathlib import Path

from bot.exit_codes import EXIT_TOKEN_REFUSED
from bot.net.token_watch import REFUSED_LINE
from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import TOKEN
from tests.reliability.process import launch
from tests.webhook.conftest import SECRET, free_port


async def test_a_token_revoked_in_webhook_mode_ends_the_process_with_its_code(
    hooked: SandboxServer, tmp_path: Path
) -> None:
    port = free_port()
    bot = await launch(
        tmp_path / "bot.log",
        "--webhook",
        BOT_TOKEN=TOKEN,
        BOT_API_URL=hooked.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        LOG_LEVEL="DEBUG",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )
    try:
        assert await hooked.wait_until(lambda: hooked.webhook.url is not None, timeout=30)
        hooked.revoke_token()
        await hooked.user("Alice").send("/start")  # its reply is refused: that is how it shows
        assert await bot.exit_code(within=20) == EXIT_TOKEN_REFUSED
    finally:
        await bot.reap()
    assert bot.log.count(REFUSED_LINE) == 1
    assert "Traceback" not in bot.log
