"""Fault injection: make chosen Bot API calls fail, stall, or lose their answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
}


@dataclass
class FaultRule:
    """One rule: what happens to the next `times` calls of `method` (or `*`)."""

    method: str
    kind: str
    times: int
    skip: int = 0
    code: int = 0
    description: str = ""
    parameters: dict[str, Any] | None = None
    seconds: float = 0.0
    hook: Callable[[], None] | None = None  # run as the call is cut short (a kill)

    def matches(self, method: str) -> bool:
        """True when this rule applies to `method` (case-insensitive, `*` for any)."""
        return self.method == "*" or self.method.lower() == method.lower()


class Faults:
    """The rule book consulted on every Bot API request, oldest rule first."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.latency: float = 0.0
        self.down_until: float = float("-inf")  # time.monotonic() until which nothing answers

    def outage(self, seconds: float) -> None:
        """From now on for `seconds`, every call but getUpdates dies without an answer or an
        effect (the updates already fetched are handled while nothing they send gets through)."""
        self.down_until = time.monotonic() + seconds

    def down(self, method: str) -> bool:
        """Whether an outage swallows this call now."""
        return method != "getUpdates" and time.monotonic() < self.down_until

    def _add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def error(
        self,
        method: str,
        code: int,
        description: str | None = None,
        retry_after: int | None = None,
        parameters: dict[str, Any] | None = None,
        times: int = 1,
        skip: int = 0,
    ) -> FaultRule:
        """Answer the next `times` calls with a Telegram JSON error (after `skip` good ones)."""
        params = dict(parameters or {})
        if code == 429 and retry_after is None:
            retry_after = 1  # a 429 always tells the client how long to wait
        if retry_after is not None:
            params["retry_after"] = retry_after
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if code == 429
                else _DEFAULT_DESCRIPTIONS.get(code, "Internal Server Error")
            )
        return self._add(FaultRule(method, "error", times, skip, code, description, params or None))

    def http_status(
        self, method: str, status: int = 502, times: int = 1, skip: int = 0
    ) -> FaultRule:
        """Answer with a non-JSON proxy error page (nginx's 502 Bad Gateway by default)."""
        return self._add(FaultRule(method, "http_status", times, skip, code=status))

    def delay(self, method: str, seconds: float, times: int = 1, skip: int = 0) -> FaultRule:
        """Stall before handling; if the client gave up meanwhile the call has no effect."""
        return self._add(FaultRule(method, "delay", times, skip, seconds=seconds))

    def drop(self, method: str, times: int = 1, skip: int = 0) -> FaultRule:
        """Close the connection without answering and without doing anything."""
        return self._add(FaultRule(method, "drop", times, skip))

    def drop_after_apply(self, method: str, times: int = 1, skip: int = 0) -> FaultRule:
        """Do the call's work, then close the connection so the answer is lost."""
        return self._add(FaultRule(method, "drop_after_apply", times, skip))

    def cut(
        self,
        method: str,
        hook: Callable[[], None],
        *,
        applied: bool,
        times: int = 1,
        skip: int = 0,
    ) -> FaultRule:
        """Run `hook` (kill the caller, say) when the call arrives — after doing its work when
        `applied`, before otherwise — then close the connection without answering."""
        kind = "cut_after_apply" if applied else "cut"
        return self._add(FaultRule(method, kind, times, skip, hook=hook))

    def clear(self) -> None:
        """Remove every rule, the latency and any outage."""
        self.rules.clear()
        self.latency = 0.0
        self.down_until = float("-inf")

    def take(self, method: str) -> FaultRule | None:
        """The rule that fires for this call, if any, consuming one use of it."""
        for rule in self.rules:
            if not rule.matches(method) or rule.times <= 0:
                continue
            if rule.skip > 0:
                rule.skip -= 1
                continue
            rule.times -= 1
            if rule.times <= 0:
                self.rules.remove(rule)
            return rule
        return None

    @property
    def pending(self) -> int:
        """How many faulted calls the rules still hold."""
        return sum(rule.times for rule in self.rules)
