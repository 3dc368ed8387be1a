"""Sentry reports (SENTRY_DSN) through the real sentry-sdk to a local ingest endpoint: the error's
template, type and stack arrive; the values logged with it, the exception's text, local variables
and anything shaped like a token do not."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import sys
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.config import SettingsError, load_settings
from bot.sentry import init_sentry, scrub
from tests.reliability.process import REPO

USER_TEXT = "my diary: I failed the exam"
PASSWORD_URL = "postgresql://quiz:hunter2@db.example.org/quiz"
TOKEN_LIKE = "12345:" + "A" * 35


@pytest.fixture
async def ingest() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A local endpoint taking Sentry envelopes; its DSN and what it received."""
    received: list[bytes] = []

    async def envelope(request: web.Request) -> web.Response:
        body = await request.read()  # aiohttp undoes the sdk's gzip Content-Encoding itself
        received.append(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/api/1/envelope/", envelope)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://publickey@127.0.0.1:{port}/1", received
    finally:
        await runner.cleanup()


# Run in a process of its own: sentry-sdk patches logging and threading for the whole process,
# which must not reach the other tests.
REPORTER = """
import logging, sys
import sentry_sdk as sdk
from bot.sentry import init_sentry

def fail_on(text):
    secret_local = text
    raise ValueError("could not read " + text)

assert init_sentry(sys.argv[1])
try:
    fail_on(sys.argv[2])
except ValueError:
    logging.getLogger("bot.handlers.quiz").exception("answer %r via %s failed", sys.argv[2], sys.argv[3])
sdk.flush(timeout=10)
"""


async def test_an_error_is_reported_without_what_was_logged_with_it(
    ingest: tuple[str, list[bytes]],
) -> None:
    dsn, received = ingest
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    reporter = await asyncio.create_subprocess_exec(
        sys.executable, "-c", REPORTER, dsn, USER_TEXT, PASSWORD_URL, env=env
    )
    async with asyncio.timeout(60):
        assert await reporter.wait() == 0
    assert received, "nothing reached the ingest endpoint"
    items = [
        json.loads(line) for body in received for line in body.splitlines() if line.startswith(b"{")
    ]
    events = [item for item in items if "exception" in item or "logentry" in item]
    assert events
    event = events[0]
    assert event["logentry"] == {"message": "answer %r via %s failed"}
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ValueError" and exception["value"] == ""
    assert any(frame["function"] == "fail_on" for frame in exception["stacktrace"]["frames"])
    everything = b"".join(received).decode()
    assert USER_TEXT not in everything and "I failed the exam" not in everything
    assert "hunter2" not in everything and "secret_local" not in everything


def test_anything_shaped_like_a_token_is_scrubbed_from_what_is_left() -> None:
    event = {"logentry": {"message": f"bad {TOKEN_LIKE}", "params": ["x"]}, "user": {"id": 7}}
    assert scrub(event) == {"logentry": {"message": "bad <token>"}}


def test_no_dsn_no_reports() -> None:
    assert not init_sentry(None)


def test_a_dsn_must_be_sentry_s_address() -> None:
    with pytest.raises(SettingsError, match="SENTRY_DSN must be"):
        load_settings({"SENTRY_DSN": "not a url"}, env_file=None)
    dsn = "https://abc@o1.ingest.sentry.io/42"
    assert load_settings({"SENTRY_DSN": dsn}, env_file=None).sentry_dsn == dsn
    assert "abc@" not in repr(load_settings({"SENTRY_DSN": dsn}, env_file=None))
