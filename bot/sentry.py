"""Optional error reports to Sentry (SENTRY_DSN; the `sentry` extra installs sentry-sdk).

What is sent is what the operator needs to find the fault and nothing a person wrote: the error's
logger, message template, exception type and stack (file, function and line: no local variables, no source lines), never the values put
into a log line, an exception's text, request data or anything about the user. Anything shaped
like a bot token is scrubbed from what is left, in case a template or a path ever holds one.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, cast

log = logging.getLogger(__name__)

TOKEN_LIKE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_USER_FIELDS = ("user", "request", "extra", "contexts", "breadcrumbs", "server_name")


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """An event with values, texts and user data removed (sentry-sdk's `before_send`)."""
    for name in _USER_FIELDS:
        event.pop(name, None)
    entry = event.get("logentry")
    if isinstance(entry, dict):
        # The template stays; the values put into it (a user's text, a URL) and the result go.
        event["logentry"] = {"message": entry.get("message", "")}
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception, dict):
            exception["value"] = ""  # an exception's text may quote what it failed on
            for frame in (exception.get("stacktrace") or {}).get("frames") or []:
                if isinstance(frame, dict):
                    for detail in ("vars", "pre_context", "context_line", "post_context"):
                        frame.pop(detail, None)  # file, function and line are enough
    text = json.dumps(event)
    if TOKEN_LIKE.search(text):
        event = json.loads(TOKEN_LIKE.sub("<token>", text))
    return event


def init_sentry(dsn: str | None) -> bool:
    """Report errors (ERROR log records and uncaught exceptions) to Sentry when `dsn` is set;
    whether reporting is on."""
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations.atexit import AtexitIntegration
        from sentry_sdk.integrations.dedupe import DedupeIntegration
        from sentry_sdk.integrations.excepthook import ExcepthookIntegration
        from sentry_sdk.integrations.logging import LoggingIntegration
    except ImportError:
        log.warning(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'quizmaster[sentry]'"
        )
        return False
    sentry_sdk.init(
        dsn=dsn,
        include_local_variables=False,
        max_breadcrumbs=0,
        before_send=cast(Any, scrub),  # sentry-sdk types events as its own TypedDict
        # Only these: nothing else of the process is patched (threads, subprocesses, aiohttp,
        # asyncio), so the bot and its deck readers run exactly as without Sentry.
        default_integrations=False,
        auto_enabling_integrations=False,
        integrations=[
            LoggingIntegration(level=None, event_level=logging.ERROR),
            ExcepthookIntegration(),
            DedupeIntegration(),
            AtexitIntegration(),
        ],
    )
    return True
