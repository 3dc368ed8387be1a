"""Fails the test run if a bot token shows up in any log record, traceback included.

The session-wide fixture lowers the root logger to DEBUG, so every library's most talkative
records (PTB's request logging, aiohttp's errors with their URLs) are produced and scanned.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.__main__ import SANDBOX_TOKEN
from bot.config import TOKEN_LIKE
from tests.e2e.conftest import TOKEN

# The secret halves, which would also betray a token quoted in part or URL-encoded.
SECRETS = tuple(token.split(":", 1)[1] for token in (TOKEN, SANDBOX_TOKEN))


def leaks_in(text: str) -> bool:
    """True when `text` holds a known token's secret or anything shaped like a bot token."""
    return any(secret in text for secret in SECRETS) or TOKEN_LIKE.search(text) is not None


class LeakCatcher(logging.Handler):
    """Keeps every record whose formatted text (with its traceback) holds a token."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Format the record as a log file would show it, and keep it if it leaks."""
        try:
            text = self.format(record)
        except Exception:  # a record that cannot be formatted cannot leak either
            return
        if leaks_in(text):
            self.leaks.append(text[:500])


@pytest.fixture(scope="session", autouse=True)
def token_never_logged() -> Iterator[None]:
    """Scan every log record of the whole run at DEBUG for the bot token."""
    catcher = LeakCatcher()
    root = logging.getLogger()
    level = root.level
    root.addHandler(catcher)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(catcher)
    root.setLevel(level)
    assert catcher.leaks == [], "the bot token appeared in log records:\n" + "\n".join(
        catcher.leaks[:5]
    )
