"""The HTTP side of webhook mode: the update receiver, /healthz and /metrics, on aiohttp.web.

An accepted update is stored in the database's inbox before the 200 goes out, and handed to the
inbox dispatcher (bot.webhook.inbox), which handles it in its chat's order in whichever process
holds the chat. If the database cannot take it, the answer is 503 and Telegram delivers it again.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from telegram import Update

from bot.runtime import App
from bot.storage import inbox
from bot.storage.health import ping, running_battles
from bot.webhook.inbox import InboxDispatcher, inbox_chat_key
from bot.webhook.metrics import Metrics

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# An update is a few KB at most; anything near this is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024
# /healthz must answer even when the database hangs: past this it reports it unreachable.
HEALTH_TIMEOUT = 2.0
# Telegram waits about a minute for an answer; a store that takes longer than this gets a 503 and
# the update comes again, rather than a hanging request holding one of its connections.
STORE_TIMEOUT = 10.0
# Ids are signed 64-bit in the database; a larger one is no Telegram update, and storing it would
# fail with a 503 that Telegram retries forever.
MAX_ID = 2**63 - 1
# A refusal is logged once, then counted: a flood of bad requests must not flood the log.
REFUSAL_LOG_EVERY = 60.0


class RefusalLog:
    """Logs the first refusal of each kind at once, then how many more came, once a minute."""

    def __init__(
        self, every: float = REFUSAL_LOG_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Summarise repeats at most every `every` seconds (of `clock`)."""
        self.every = every
        self._clock = clock
        self._since: dict[str, tuple[float, int]] = {}  # reason: (last logged, repeats since)

    def refused(self, status: int, reason: str, remote: str | None) -> None:
        """Record one refusal; log it, or count it until the next summary is due."""
        now = self._clock()
        last = self._since.get(reason)
        if last is None:
            log.warning("webhook request from %s refused (%d): %s", remote, status, reason)
            self._since[reason] = (now, 0)
            return
        logged_at, repeats = last
        if now - logged_at < self.every:
            self._since[reason] = (logged_at, repeats + 1)
            return
        log.warning(
            "webhook requests refused (%d): %s — %d more in the last %.0f s, the latest from %s",
            status,
            reason,
            repeats + 1,
            now - logged_at,
            remote,
        )
        self._since[reason] = (now, 0)


def webhook_path(url: str) -> str:
    """The path Telegram posts to: the webhook URL's path, or `/`."""
    return urlsplit(url).path or "/"


class WebhookHandlers:
    """The three endpoints of one running bot."""

    def __init__(
        self,
        app: App,
        metrics: Metrics,
        secret: str,
        dispatcher: InboxDispatcher,
    ) -> None:
        """Serve `app`; requests must carry `secret` in the secret-token header."""
        self.app = app
        self.metrics = metrics
        self.dispatcher = dispatcher
        self._secret = secret.encode()
        self._refusals = RefusalLog()

    def _refuse(self, status: int, reason: str, request: web.Request) -> web.Response:
        self.metrics.webhook_requests.labels(str(status)).inc()
        # The reason is fixed text: nothing the client sent (a wrong secret included) is logged.
        self._refusals.refused(status, reason, request.remote)
        return web.Response(status=status)

    async def receive(self, request: web.Request) -> web.Response:
        """Check the secret, read and parse the update, store it, answer 200, then handle it."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        # Constant time, so the secret cannot be guessed byte by byte from response times.
        if not hmac.compare_digest(given, self._secret):
            return self._refuse(403, "missing or wrong secret token", request)
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return self._refuse(413, "body too large", request)
        try:
            # Bodies without a length (chunked) are capped by client_max_size while reading.
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._refuse(413, "body too large", request)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # bad JSON, bad UTF-8, or nested beyond reason
            return self._refuse(400, "body is not JSON", request)
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return self._refuse(400, "body is not an update", request)
        if not 0 <= update_id <= MAX_ID:
            return self._refuse(400, "update id out of range", request)
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception:
            return self._refuse(400, "body is not an update", request)
        key = inbox_chat_key(update)
        if not -MAX_ID <= key <= MAX_ID:
            return self._refuse(400, "chat id out of range", request)
        try:
            async with asyncio.timeout(STORE_TIMEOUT):
                db = self.app.bot_data.services.db
                # ASCII JSON: no character PostgreSQL's TEXT refuses (a NUL) can reach the row.
                payload = json.dumps(data, separators=(",", ":"))
                await inbox.store(db, update_id, key, payload, int(time.time() * 1000))
        except Exception as exc:
            # Not stored, so not acknowledged: Telegram tries again, maybe another process.
            self.metrics.webhook_requests.labels("503").inc()
            log.warning("update %s not stored (%s); answered 503", update_id, type(exc).__name__)
            return web.Response(status=503)
        # Stored first, then acknowledged: from here on the update survives this process.
        self.dispatcher.kick(key)
        self.metrics.webhook_requests.labels("200").inc()
        return web.Response(status=200)


class OpsEndpoints:
    """/healthz and /metrics of one running bot: on the webhook listener, and on their own."""

    def __init__(self, app: App, metrics: Metrics) -> None:
        """Report on `app`, whose updates and Bot API calls `metrics` counts."""
        self.app = app
        self.metrics = metrics

    async def healthz(self, request: web.Request) -> web.Response:
        """200 when the database answers, 503 when it does not; JSON either way."""
        database = "unreachable"
        if self.app.bot_data.ready:
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT):
                    await ping(self.app.bot_data.services.db)
                database = "ok"
            except Exception as exc:
                log.warning("health check: database unreachable (%s)", type(exc).__name__)
        age = self.metrics.last_update_age()
        body = {
            "status": "ok" if database == "ok" else "unavailable",
            "database": database,
            "last_update_age_seconds": None if age is None else round(age, 3),
        }
        return web.json_response(body, status=200 if database == "ok" else 503)

    async def metrics_page(self, request: web.Request) -> web.Response:
        """The Prometheus text exposition, with the running battles read fresh."""
        if self.app.bot_data.ready:
            try:
                async with asyncio.timeout(HEALTH_TIMEOUT):
                    count = await running_battles(self.app.bot_data.services.db)
                self.metrics.battles_running.set(count)
                async with asyncio.timeout(HEALTH_TIMEOUT):
                    pending = await inbox.pending_count(self.app.bot_data.services.db)
                self.metrics.inbox_pending.set(pending)
            except Exception as exc:
                # Serve the rest; the gauge keeps its last value.
                log.warning("metrics: could not count battles or updates (%s)", type(exc).__name__)
        return web.Response(
            body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )


def webhook_app(
    app: App,
    metrics: Metrics,
    secret: str,
    dispatcher: InboxDispatcher,
    path: str = "/",
) -> web.Application:
    """The aiohttp application: POST `path` takes updates, GET /healthz and /metrics report."""
    handlers = WebhookHandlers(app, metrics, secret, dispatcher)
    ops = OpsEndpoints(app, metrics)
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_post(path, handlers.receive)
    web_app.router.add_get("/healthz", ops.healthz)
    web_app.router.add_get("/metrics", ops.metrics_page)
    return web_app


def ops_app(app: App, metrics: Metrics) -> web.Application:
    """/healthz and /metrics alone, for a listener of their own (METRICS_LISTEN)."""
    ops = OpsEndpoints(app, metrics)
    web_app = web.Application()
    web_app.router.add_get("/healthz", ops.healthz)
    web_app.router.add_get("/metrics", ops.metrics_page)
    return web_app
