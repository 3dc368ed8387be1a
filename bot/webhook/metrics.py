"""The bot's Prometheus metrics, in a registry of its own so several bots can live in one process."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from telegram import Update

NAMESPACE = "quizmaster"
# Handling an update is mostly a few database calls and one or two Bot API calls.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A label holds a Bot API method name only; anything else (never expected) is lumped together,
# so nothing taken from a URL, such as a token, can ever become a label.
_METHOD_NAME = re.compile(r"^[A-Za-z]{1,64}$")


def update_kind(update: object) -> str:
    """The label of an update: the field it carries (`message`, `callback_query`, ...)."""
    if not isinstance(update, Update):
        return "other"
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def method_label(endpoint: str) -> str:
    """A Bot API method name fit for a label."""
    return endpoint if _METHOD_NAME.match(endpoint) else "other"


class _ReadAtScrape(Collector):
    """A counter whose value lives elsewhere (read when /metrics is asked for)."""

    def __init__(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        self._name = name
        self._documentation = documentation
        self._read = read

    def collect(self) -> Iterable[Metric]:
        """Yield the current value."""
        yield CounterMetricFamily(self._name, self._documentation, value=self._read())


class Metrics:
    """Everything /metrics shows, plus the time of the last processed update for /healthz."""

    def __init__(self) -> None:
        """Create the metrics in a fresh registry (never the process-wide default one)."""
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "updates_processed",
            "Updates handled, by kind.",
            ["kind"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.update_seconds = Histogram(
            "update_seconds",
            "Time from the start of an update's handling to its end.",
            namespace=NAMESPACE,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.api_calls = Counter(
            "bot_api_calls",
            "Bot API call attempts, by method and outcome (ok, an error code, network, timeout).",
            ["method", "outcome"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.throttled = Counter(
            "bot_api_throttled",
            "Bot API calls Telegram refused with 429 Too Many Requests, by method.",
            ["method"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.webhook_requests = Counter(
            "webhook_requests",
            "Requests to the webhook endpoint, by HTTP status answered.",
            ["status"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.battles_running = Gauge(
            "battles_running",
            "Group battles not finished yet (read from the database at each scrape).",
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.inbox_pending = Gauge(
            "inbox_pending",
            "Stored updates not handled yet, over all processes (read at each scrape).",
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.inbox_handled_again = Counter(
            "inbox_handled_again",
            "Updates handled again because the process that had them stopped before finishing.",
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.last_update_at: float | None = None  # time.monotonic() when the last update finished

    def count_reminders(self, read: Callable[[], float]) -> None:
        """Export `read()` as the reminders-sent counter (the sender keeps the count)."""
        self.registry.register(
            _ReadAtScrape(f"{NAMESPACE}_reminders_sent", "Daily reminders delivered.", read)
        )

    def update_done(self, update: object, seconds: float) -> None:
        """Record one handled update and how long it took."""
        self.updates.labels(update_kind(update)).inc()
        self.update_seconds.observe(seconds)
        self.last_update_at = time.monotonic()

    def last_update_age(self) -> float | None:
        """Seconds since the last update was handled, or None before the first one."""
        if self.last_update_at is None:
            return None
        return time.monotonic() - self.last_update_at

    def api_call(self, endpoint: str, outcome: str) -> None:
        """Record one Bot API call attempt."""
        method = method_label(endpoint)
        self.api_calls.labels(method, outcome).inc()
        if outcome == "429":
            self.throttled.labels(method).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
