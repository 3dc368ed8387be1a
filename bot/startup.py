"""Why a bot could not start, in one line for the operator instead of a traceback."""

from __future__ import annotations

from telegram.error import InvalidToken, NetworkError

from bot.config import Settings
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
