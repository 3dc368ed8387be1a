"""Stopping on SIGTERM or SIGINT: gracefully, and in any case within `STOP_WITHIN` seconds.

A stop lets the updates in hand finish, gives chat leases back and closes the database. Should any
of that hang (a database that no longer answers, a Bot API call stuck on a dead connection), a
watchdog thread armed by the signal ends the process once the time is up, saying so; what was
written is safe (every write is a transaction) and what was owed is finished by the next start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from collections.abc import Callable

from bot.exit_codes import EXIT_STOP_FORCED

log = logging.getLogger(__name__)

STOP_WITHIN = 9.0  # seconds from the signal to the end of the process, at most (a 10 s budget)
_armed = threading.Event()


class Stopper:
    """How the running bot asks its runner to stop for good, and with which exit code.

    The runner (polling or webhook) says how to stop it with `when_stopped`; anything that finds
    the bot cannot go on (a refused token, a database file deleted) calls `stop` with its code.
    """

    def __init__(self) -> None:
        """No stop asked for yet, no runner to tell."""
        self.exit_code: int | None = None
        self._stop: Callable[[], None] | None = None

    def when_stopped(self, stop: Callable[[], None]) -> None:
        """Call `stop` (once) when a stop is asked for; at once if one already was."""
        self._stop = stop
        if self.exit_code is not None:
            stop()

    def stop(self, exit_code: int) -> None:
        """Ask the runner to stop; the first code asked for is the process's exit code."""
        if self.exit_code is not None:
            return
        self.exit_code = exit_code
        if self._stop is not None:
            self._stop()


def arm_watchdog(seconds: float = STOP_WITHIN) -> None:
    """End the process in `seconds` unless it has ended by then (armed once)."""
    if _armed.is_set():
        return
    _armed.set()

    def expire() -> None:
        time.sleep(seconds)
        log.error("the bot did not stop within %.0f s of the signal; exiting now", seconds)
        logging.shutdown()
        os._exit(EXIT_STOP_FORCED)

    threading.Thread(target=expire, name="stop-watchdog", daemon=True).start()


def install_stop_signals(loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
    """On SIGTERM or SIGINT: log it, arm the watchdog, and call `stop` in the event loop."""

    def on_signal(signum: int) -> None:
        log.info("stopping on %s", signal.Signals(signum).name)
        arm_watchdog()
        stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
