"""/healthz and /metrics on a listener of their own (METRICS_LISTEN), in polling and webhook mode.

Kept off the public webhook listener's concerns: by default it listens on 127.0.0.1 only, for a
local Prometheus, a container's HEALTHCHECK or a load balancer's probe. A port that cannot be
bound (taken by another process of the bot on the same machine) costs the operator the two
endpoints, not the bot its start: it is logged and the bot runs on.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import split_listen
from bot.runtime import App
from bot.webhook.metered import MeteredApplication
from bot.webhook.server import ops_app

log = logging.getLogger(__name__)


async def start_ops(app: App, listen: str | None) -> web.AppRunner | None:
    """Serve /healthz and /metrics of `app` on `listen` (host:port); None when off or unbindable."""
    if listen is None or not isinstance(app, MeteredApplication):
        return None
    runner = web.AppRunner(ops_app(app, app.metrics), access_log=None)
    await runner.setup()
    host, port = split_listen(listen)
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        log.warning("/healthz and /metrics not served: cannot listen on %s (%s)", listen, exc)
        await runner.cleanup()
        return None
    log.info("serving /healthz and /metrics on %s", listen)
    return runner


async def stop_ops(runner: web.AppRunner | None) -> None:
    """Stop serving them."""
    if runner is not None:
        await runner.cleanup()
