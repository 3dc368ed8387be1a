"""The operator's chat hears about trouble: a summary of the errors logged, at most every so often.

With `ADMIN_CHAT_ID` set, every ERROR (and CRITICAL) record is counted by where it came from: its
logger, its message *template* (`record.msg`, before the arguments are put in) and the exception's
type. A summary goes to that chat soon after the first error, then at most once per `every`
seconds while errors keep coming. The template is what the code wrote, never a value: no token,
no password and no text a user sent can reach the chat through it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.views.alerts import summary_text

log = logging.getLogger(__name__)

DEFAULT_EVERY_S = 600.0  # at most one summary per ten minutes
CHECK_EVERY_S = 5.0  # how soon after an error the first summary goes


@dataclass(frozen=True, slots=True)
class Trouble:
    """Errors of one kind: where, what the code said, the exception's type, how many times."""

    logger: str
    template: str
    exception: str | None
    count: int


class AdminAlerts(logging.Handler):
    """A logging handler counting errors, and the loop that sends their summaries."""

    def __init__(
        self,
        chat_id: int,
        every: float = DEFAULT_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Summarise errors to `chat_id`, at most once per `every` seconds."""
        super().__init__(logging.ERROR)
        self.chat_id = chat_id
        self.every = every
        self.clock = clock
        self._counts: Counter[tuple[str, str, str | None]] = Counter()
        self._since: float | None = None  # wall time of the first error not yet summarised
        self._sent_at: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record (never its arguments); the alerts' own records are not counted."""
        if record.name == log.name or record.levelno < logging.ERROR:
            return
        template = str(record.msg).splitlines()[0][:200] if record.msg else ""
        exception = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else None
        self._counts[(record.name, template, exception)] += 1
        if self._since is None:
            self._since = record.created

    def due(self) -> bool:
        """Whether a summary should go now: errors waiting, and none sent within `every`."""
        if not self._counts:
            return False
        return self._sent_at is None or self.clock() - self._sent_at >= self.every

    def take(self) -> tuple[list[Trouble], float]:
        """The errors counted since the last summary, most frequent first, and since when."""
        troubles = [
            Trouble(logger, template, exception, count)
            for (logger, template, exception), count in self._counts.most_common()
        ]
        since = self._since if self._since is not None else time.time()
        self._counts.clear()
        self._since = None
        self._sent_at = self.clock()
        return troubles, since

    async def send_due(self, bot: Bot) -> bool:
        """Send the summary if one is due; whether one was sent."""
        if not self.due():
            return False
        troubles, since = self.take()
        try:
            await bot.send_message(
                self.chat_id, summary_text(troubles, since), parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            # A warning, not an error: an error here would only queue another summary.
            log.warning("could not send the error summary to the operator chat: %s", exc)
            return False
        return True

    async def run(self, bot: Bot) -> None:
        """Send summaries as they fall due, until cancelled."""
        while True:
            await asyncio.sleep(CHECK_EVERY_S)
            try:
                await self.send_due(bot)
            except Exception:  # the loop must outlive any one failure
                log.warning("the error summary loop failed once", exc_info=True)


def install(chat_id: int | None, every: float = DEFAULT_EVERY_S) -> AdminAlerts | None:
    """Count the process's errors for the operator chat, when one is set."""
    if chat_id is None:
        return None
    alerts = AdminAlerts(chat_id, every)
    logging.getLogger().addHandler(alerts)
    return alerts
