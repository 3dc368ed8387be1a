"""A token the Bot API refuses (401 Unauthorized) stops the bot, once, whichever call noticed it.

Telegram answers 401 to every call once a token is revoked in @BotFather. python-telegram-bot
stops polling on it but leaves the process running with nothing to do; in webhook mode the
sends fail one by one. Either way the bot is of no use until someone gives it a new token, so
it says so in one line and exits with its own code (`EXIT_TOKEN_REFUSED`, bot.exit_codes), for
a service manager not to restart it in a loop.
"""

from __future__ import annotations

import logging

from bot.exit_codes import EXIT_TOKEN_REFUSED
from bot.shutdown import Stopper

log = logging.getLogger(__name__)

REFUSED_LINE = (
    "the Bot API refused BOT_TOKEN (401 Unauthorized): it was revoked or is wrong; "
    "get a new one from @BotFather and start the bot again"
)


class TokenWatch:
    """Remembers whether the Bot API refused the token, and asks the running bot to stop."""

    def __init__(self, stopper: Stopper) -> None:
        """Report a refusal to `stopper`."""
        self.refused = False
        self.stopper = stopper

    def unauthorized(self) -> None:
        """The Bot API answered 401: log the reason once and stop the bot."""
        if self.refused:
            return
        self.refused = True
        log.critical("%s", REFUSED_LINE)
        self.stopper.stop(EXIT_TOKEN_REFUSED)


class RefusedTokenNoise(logging.Filter):
    """Drops python-telegram-bot's own traceback for a refused token: the watch says it in a line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but the polling loop's "Invalid token" one."""
        return "Invalid token" not in record.getMessage()
