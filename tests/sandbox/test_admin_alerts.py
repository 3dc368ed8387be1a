"""The operator's chat hears about errors: counted by where they came from, summarised at most
every so often, and never carrying what was put into a log line (a token, a user's text)."""

from __future__ import annotations

import logging

from telegram import Bot

from bot.alerts import AdminAlerts, install
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from bot.views.alerts import summary_text

SECRET_TEXT = "my diary: I failed the exam"
PASSWORD_URL = "postgresql://quiz:hunter2@db.example.org/quiz"


class Clock:
    """Seconds moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(
    name: str, template: str, *args: object, exc: BaseException | None = None
) -> logging.LogRecord:
    """An ERROR record as a logger would make it."""
    made = logging.LogRecord(name, logging.ERROR, __file__, 1, template, args, None)
    if exc is not None:
        made.exc_info = (type(exc), exc, None)
    return made


def test_errors_are_counted_by_their_template_never_their_values() -> None:
    alerts = AdminAlerts(-100777, every=600, clock=Clock())
    for _ in range(3):
        alerts.handle(record("bot.outbox.deliverer", "delivering to chat %s failed", 42))
    alerts.handle(record("bot.handlers.quiz", "answer %r failed", SECRET_TEXT, exc=ValueError()))
    alerts.handle(record("bot.alerts", "could not send the error summary: %s", "x"))  # its own
    alerts.handle(logging.LogRecord("bot.x", logging.WARNING, __file__, 1, "a warning", (), None))
    troubles, _ = alerts.take()
    assert [(t.logger, t.template, t.exception, t.count) for t in troubles] == [
        ("bot.outbox.deliverer", "delivering to chat %s failed", None, 3),
        ("bot.handlers.quiz", "answer %r failed", "ValueError", 1),
    ]
    text = summary_text(troubles, 0.0)
    assert text.startswith("⚠️ <b>4 errors logged</b> since 01 Jan 00:00 UTC")
    assert "• <code>bot.outbox.deliverer</code>: delivering to chat %s failed ×3" in text
    assert SECRET_TEXT not in text and "42" not in text


def test_a_summary_goes_soon_after_the_first_error_then_at_most_every_ten_minutes() -> None:
    clock = Clock()
    alerts = AdminAlerts(-100777, every=600, clock=clock)
    assert not alerts.due()  # nothing to say
    alerts.handle(record("bot.x", "broke"))
    assert alerts.due()
    alerts.take()
    alerts.handle(record("bot.x", "broke"))
    clock.now += 599
    assert not alerts.due()
    clock.now += 1
    assert alerts.due()


async def test_the_summary_reaches_the_operator_chat_without_what_was_logged_with_it(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    alerts = install(alice.id)
    assert alerts is not None
    try:
        logging.getLogger("bot.storage").error("cannot reach %s", PASSWORD_URL)
        logging.getLogger("bot.storage").error("cannot reach %s", PASSWORD_URL)
        assert await alerts.send_due(bot)
        assert not await alerts.send_due(bot)  # nothing new, and not ten minutes on
    finally:
        logging.getLogger().removeHandler(alerts)
    (summary,) = [m for m in alice.messages if "errors logged" in m.text]
    assert "bot.storage: cannot reach %s ×2" in summary.text
    assert "hunter2" not in summary.text and "db.example.org" not in summary.text


def test_no_operator_chat_no_alerts() -> None:
    assert install(None) is None
