"""What the webhook refuses, and that refusing leaves nothing queued, handled or logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.sandbox.server import SandboxServer
from bot.webhook.server import MAX_BODY_BYTES, RefusalLog
from tests.webhook.conftest import SECRET, HookedBot, webhook_settings
from tests.webhook.scrape import sample

STRANGER = 990000001


def start_update(update_id: int = 1, padding: int = 0) -> bytes:
    """A real-looking `/start` from a private chat, optionally padded to a given extra size."""
    update = {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1772442000,
            "chat": {"id": STRANGER, "type": "private", "first_name": "Mallory"},
            "from": {"id": STRANGER, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    if padding:
        update["padding"] = "x" * padding
    return json.dumps(update).encode()


async def handled(hook: HookedBot) -> float:
    """How many updates the bot has handled, as /metrics says."""
    _, page = await hook.get("/metrics")
    return sample(page, "quizmaster_updates_processed_total", kind="message")


@pytest.mark.parametrize(
    ("secret", "body", "status"),
    [
        (None, start_update(), 403),
        ("", start_update(), 403),
        ("wrong-secret", start_update(), 403),
        (SECRET[:-1], start_update(), 403),
        (SECRET + "x", start_update(), 403),
        (None, start_update(padding=2 * MAX_BODY_BYTES), 403),
        (SECRET, start_update(padding=MAX_BODY_BYTES), 413),
        (SECRET, b"{not json", 400),
        (SECRET, b"\xff\xfe\x00", 400),
        (SECRET, b"[1, 2, 3]", 400),
        (SECRET, b'{"message": {"text": "/start"}}', 400),
        (SECRET, b'{"update_id": "7"}', 400),
        (SECRET, b'{"update_id": true}', 400),
        (SECRET, b'{"update_id": 7, "message": {"text": "no chat, no date"}}', 400),
        (SECRET, b"[" * 100_000 + b"]" * 100_000, 400),
        (SECRET, b'{"update_id": 7, "x": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001, 400),
        (SECRET, start_update(update_id=2**64), 400),
        (SECRET, start_update(update_id=-5), 400),
        (SECRET, start_update().replace(str(STRANGER).encode(), b"9" * 30), 400),
    ],
    ids=[
        "missing",
        "empty",
        "wrong",
        "one-short",
        "one-extra",
        "oversized-without-secret",
        "oversized",
        "malformed-json",
        "not-utf8",
        "json-array",
        "no-update-id",
        "string-update-id",
        "bool-update-id",
        "broken-message",
        "nested-arrays",
        "nested-objects",
        "update-id-past-64-bits",
        "negative-update-id",
        "chat-id-past-64-bits",
    ],
)
async def test_refused_requests_queue_and_handle_nothing(
    hooked: SandboxServer, hook: HookedBot, secret: str | None, body: bytes, status: int
) -> None:
    assert await hook.post(body, secret=secret) == status
    await hooked.settle(quiet=0.1)
    assert hook.app.update_queue.qsize() == 0
    assert await handled(hook) == 0
    assert hooked.calls["sendMessage"] == 0
    _, page = await hook.get("/metrics")
    assert sample(page, "quizmaster_webhook_requests_total", status=str(status)) == 1


async def test_the_same_update_with_the_secret_is_handled(
    hooked: SandboxServer, hook: HookedBot
) -> None:
    # The control for the refusals above: this very body, rightly signed, reaches the handlers.
    assert await hook.post(start_update()) == 200
    await hooked.settle(quiet=0.1)
    assert await handled(hook) == 1
    assert hooked.calls["sendMessage"] >= 1


async def test_a_chunked_body_over_the_cap_is_refused(
    hooked: SandboxServer, hook: HookedBot
) -> None:
    async def chunks() -> object:
        body = start_update(padding=MAX_BODY_BYTES)
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    assert hook.settings.webhook_url is not None
    async with hook.http.post(
        hook.settings.webhook_url,
        data=chunks(),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    ) as response:
        assert response.status == 413
    assert await handled(hook) == 0


class Recorder(logging.Handler):
    """Keeps every record's full text, traceback included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Format and keep the record."""
        self.lines.append(self.format(record))


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """Every log record of the test at DEBUG, from the bot, PTB, aiohttp and the sandbox alike."""
    handler = Recorder()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


async def test_the_secret_never_reaches_the_logs(
    hooked: SandboxServer, recorder: Recorder, tmp_path: Path, clock: ManualClock
) -> None:
    # Started inside the recording, so setWebhook's own DEBUG line is captured too.
    hook = HookedBot(webhook_settings(hooked, tmp_path / "bot.sqlite3"), clock)
    await hook.start()
    try:
        alice = hooked.user("Alice")
        await alice.send("/start")
        await alice.wait_for(lambda m: "Quizmaster" in m.text)
        guess = "guess-" + SECRET[6:]
        assert await hook.post(start_update(2), secret=guess) == 403
        assert await hook.post(start_update(3), secret=SECRET[:-1]) == 403
        assert await hook.post(b"{oops", secret=SECRET) == 400
        await hooked.settle()
    finally:
        await hook.stop()
    text = "\n".join(recorder.lines)
    # The records that would carry it were there: PTB's parameter log of setWebhook, the refusals.
    assert "setWebhook" in text
    assert "<webhook secret>" in text
    assert "refused (403)" in text
    assert SECRET not in text
    assert SECRET[:-1] not in text
    assert guess not in text


async def test_a_flood_of_refused_requests_is_logged_once_a_minute(
    hooked: SandboxServer, hook: HookedBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.webhook.server")
    for update_id in range(200):
        assert await hook.post(start_update(update_id), secret="wrong-secret") == 403
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and "refused (403)" in refusals[0].getMessage()
    _, page = await hook.get("/metrics")
    # Every refusal is still counted where operators look.
    assert sample(page, "quizmaster_webhook_requests_total", status="403") == 200


def test_refusals_are_summed_up_once_the_minute_is_over(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    refusals = RefusalLog(every=60.0, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="bot.webhook.server")
    for second in range(0, 121):
        now[0] = float(second)
        refusals.refused(403, "missing or wrong secret token", "10.0.0.1")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "webhook request from 10.0.0.1 refused (403): missing or wrong secret token",
        "webhook requests refused (403): missing or wrong secret token — 60 more in the last "
        "60 s, the latest from 10.0.0.1",
        "webhook requests refused (403): missing or wrong secret token — 60 more in the last "
        "60 s, the latest from 10.0.0.1",
    ]
