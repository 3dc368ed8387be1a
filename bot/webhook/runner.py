"""Webhook mode as a process: start the bot, listen, register with Telegram, stop cleanly."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web
from telegram.error import InvalidToken

from bot.alerts import install as install_alerts
from bot.app import ALLOWED_UPDATES, build_application, stop_polling, stopper_of
from bot.config import Settings, split_listen
from bot.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_STARTUP_FAILED, EXIT_TOKEN_REFUSED
from bot.runtime import App
from bot.shutdown import install_stop_signals
from bot.startup import failure_exit_code, failure_line
from bot.webapp.server import mount_webapp
from bot.webhook.inbox import InboxDispatcher
from bot.webhook.metered import MeteredApplication
from bot.webhook.ops import start_ops, stop_ops
from bot.webhook.server import webhook_app, webhook_path

log = logging.getLogger(__name__)

# PTB logs every Bot API call's parameters at DEBUG, setWebhook's secret_token among them.
_BOT_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")
# How long a stop waits for webhook requests already being read (within the stop's own budget,
# bot.shutdown.STOP_WITHIN).
SHUTDOWN_TIMEOUT = 4.0


class SecretFilter(logging.Filter):
    """Replaces the webhook secret in a log record's text with a placeholder."""

    def __init__(self, secret: str) -> None:
        """Hide `secret`."""
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the formatted message in place; never drops a record."""
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, "<webhook secret>")
            record.args = None
        return True


@dataclass
class WebhookServer:
    """What `start_webhook` started and `stop_webhook` stops."""

    app: App
    runner: web.AppRunner
    log_filter: SecretFilter
    dispatcher: InboxDispatcher

    @property
    def port(self) -> int:
        """The port actually listened on."""
        address = self.runner.addresses[0]
        return int(address[1])


async def start_webhook(app: App, settings: Settings) -> WebhookServer:
    """Start `app`, serve its webhook on WEBHOOK_LISTEN, then call setWebhook.

    The inbox dispatcher starts first, taking over at once any updates stored but not handled
    (by this process before a restart, or by one that died); the listener comes up before
    setWebhook, so Telegram's first delivery finds it.
    """
    if not settings.webhook_url or not settings.webhook_secret:
        raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    if not isinstance(app, MeteredApplication):
        raise TypeError("webhook mode serves the application build_application() makes")
    log_filter = SecretFilter(settings.webhook_secret)
    for name in _BOT_LOGGERS:
        logging.getLogger(name).addFilter(log_filter)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    dispatcher = InboxDispatcher(
        app,
        app.bot_data.services.db,
        lease_seconds=settings.inbox_lease_seconds,
        metrics=app.metrics,
    )
    served = webhook_app(
        app, app.metrics, settings.webhook_secret, dispatcher, webhook_path(settings.webhook_url)
    )
    if settings.webapp_url and settings.bot_token:
        # The Mini App under /app, on the same listener (and so behind the same TLS proxy).
        mount_webapp(served, app, settings.bot_token, app.bot_data.services.clock)
    runner = web.AppRunner(served, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    server = WebhookServer(app, runner, log_filter, dispatcher)
    try:
        await dispatcher.start()
        await runner.setup()
        host, port = split_listen(settings.webhook_listen)
        await web.TCPSite(runner, host, port).start()
        log.info("listening for updates on %s", settings.webhook_listen)
        await app.bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=settings.webhook_max_connections,
        )
    except BaseException:
        await stop_webhook(server)
        raise
    log.info("webhook registered")
    return server


async def stop_webhook(server: WebhookServer) -> None:
    """Stop taking requests, finish the update in hand in each chat, give the chat leases back,
    then close the bot.

    Stored updates not handled yet stay in the inbox for the other processes (or for this one
    after a restart); the webhook stays registered with Telegram, which keeps new updates until a
    process is back.
    """
    await server.runner.cleanup()
    # The update in hand may be a file being read: end that reading now (the person is told to
    # send it again), as polling does, so the stop never waits for a reader.
    await server.app.bot_data.services.imports.close()
    await server.dispatcher.stop()
    await stop_polling(server.app)
    for name in _BOT_LOGGERS:
        logging.getLogger(name).removeFilter(server.log_filter)


async def serve_webhook(settings: Settings, stop: asyncio.Event) -> int | None:
    """Run the bot in webhook mode until `stop` is set; the exit code the bot asked for, if any
    (a refused token, a database gone)."""
    app = build_application(settings)
    stopper = stopper_of(app)
    stopper.when_stopped(stop.set)
    server = await start_webhook(app, settings)
    alerts = install_alerts(settings.admin_chat_id)
    summaries = asyncio.create_task(alerts.run(app.bot)) if alerts is not None else None
    ops = await start_ops(app, settings.metrics_listen)
    try:
        await stop.wait()
    finally:
        log.info("stopping: finishing the updates in hand")
        if summaries is not None:
            summaries.cancel()
        await stop_ops(ops)
        await stop_webhook(server)
    return stopper.exit_code


def run_webhook(settings: Settings) -> int:
    """Serve the webhook until SIGTERM or SIGINT; the process exit code."""
    asked: int | None = None

    async def main() -> None:
        nonlocal asked
        stop = asyncio.Event()
        install_stop_signals(asyncio.get_running_loop(), stop.set)
        asked = await serve_webhook(settings, stop)

    try:
        asyncio.run(main())
    except OSError as exc:
        # Most often WEBHOOK_LISTEN's port is taken or not ours to bind.
        log.error("cannot listen on %s: %s", settings.webhook_listen, exc)
        return EXIT_STARTUP_FAILED
    except InvalidToken:
        return EXIT_TOKEN_REFUSED  # refused at start: the token watch said why
    except Exception as exc:
        line = failure_line(exc, settings)
        if line is None:
            log.exception("webhook mode stopped on an error")
            return EXIT_FAILURE
        log.error("%s", line)
        return failure_exit_code(exc)
    if asked is not None:
        return asked
    log.info("stopped")
    return EXIT_OK
