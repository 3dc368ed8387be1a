"""Why a bot could not start: one line for the operator instead of a traceback, and an exit code."""

from __future__ import annotations

from telegram.error import InvalidToken, NetworkError

from bot.config import Settings
from bot.exit_codes import EXIT_STARTUP_FAILED, EXIT_TOKEN_REFUSED
from bot.services.container import DatabaseUnavailable


def failure_line(exc: BaseException, settings: Settings) -> str | None:
    """The line to log for a start-up failure the operator can fix; None for anything else."""
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    if isinstance(exc, InvalidToken):
        return f"the Bot API at {settings.bot_api_url} refused BOT_TOKEN; check it with @BotFather"
    if isinstance(exc, NetworkError):
        return f"cannot reach the Bot API at {settings.bot_api_url}: {exc}"
    return None


def failure_exit_code(exc: BaseException) -> int:
    """The exit code for a start-up failure `failure_line` named: a refused token has its own."""
    # A refused token stays refused; anything else named here (a database or Bot API out of
    # reach) may pass, so a service manager should try again.
    return EXIT_TOKEN_REFUSED if isinstance(exc, InvalidToken) else EXIT_STARTUP_FAILED
