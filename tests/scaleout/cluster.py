"""Several `python -m bot run --webhook` processes on one database, behind the sandbox.

The sandbox plays Telegram and the load balancer: every process registers its own webhook URL and
the sandbox hands updates to them in turn (`SandboxServer.webhook_targets`), passing a dead one's
share on to the next. Each process calls the Bot API under a path of its own, so the sandbox can
tell which process sent each message (`Senders`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import TOKEN
from tests.reliability.process import BotProcess, launch

SECRET = "scale-Out_secret-0123456789"
# Settings a test cluster runs with on top of the basics. A killed process's leases are freed at
# once here (its pid is gone from this host); the lease length only decides when a live process
# that stalls counts as dead, which a machine this loaded must not trigger by accident.
CLUSTER_ENV = {
    "INBOX_LEASE_SECONDS": "10",
    "OUTBOX_LEASE_SECONDS": "10",
}


def free_ports(count: int) -> list[int]:
    """`count` distinct ports nobody listens on right now."""
    import socket

    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


class Senders:
    """Which process sent each of the bot's messages, by (chat id, message id).

    Process `name` calls the Bot API at `{sandbox}/{name}/bot{token}/{method}`: the same sandbox
    serves it, and the path names the caller.
    """

    def __init__(self, sandbox: SandboxServer) -> None:
        """Serve the named paths; call before `sandbox.start()`."""
        self.sandbox = sandbox
        self.by_message: dict[tuple[int, int], str] = {}
        sandbox.app.router.add_route("*", r"/{sender}/bot{token}/{method}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        response = await self.sandbox._handle_api(request)
        if request.match_info["method"].lower() == "sendmessage" and isinstance(
            response, web.Response
        ):
            body = json.loads(response.text or "{}")
            if body.get("ok"):
                result = body["result"]
                key = (int(result["chat"]["id"]), int(result["message_id"]))
                self.by_message[key] = request.match_info["sender"]
        return response

    def sender(self, chat_id: int, message_id: int) -> str | None:
        """The name of the process that sent a message (None: not sent through a named path)."""
        return self.by_message.get((chat_id, message_id))


@dataclass
class WebhookProcess:
    """One bot process serving its webhook on its own port."""

    name: str
    port: int
    process: BotProcess

    @property
    def url(self) -> str:
        """The webhook URL this process registers."""
        return f"http://127.0.0.1:{self.port}/telegram"

    @property
    def base(self) -> str:
        """http://host:port of its listener (/healthz, /metrics)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.proc.returncode is None


@dataclass
class Cluster:
    """The processes of one test, all on `database_url`."""

    sandbox: SandboxServer
    database_url: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    members: list[WebhookProcess] = field(default_factory=list)

    def _settings(self, name: str, port: int) -> dict[str, str]:
        settings = {
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": f"{self.sandbox.base_url}/{name}",
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "INFO",
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }
        return settings | CLUSTER_ENV | self.env

    async def _spawn(self, name: str, port: int) -> WebhookProcess:
        process = await launch(
            self.workdir / f"{name}.log", "--webhook", **self._settings(name, port)
        )
        member = WebhookProcess(name, port, process)
        self.members.append(member)
        # The balancer knows every backend from the start, as a load balancer's pool would.
        self.sandbox.webhook_targets.append(member.url)
        return member

    async def start(self, count: int, within: float = 60.0) -> list[WebhookProcess]:
        """Start `count` processes at once; return when every one serves and has registered."""
        calls = self.sandbox.calls["setWebhook"]
        started = [
            await self._spawn(f"bot{len(self.members) + 1}", port) for port in free_ports(count)
        ]
        async with aiohttp.ClientSession() as http:
            for member in started:
                await _wait_healthy(http, member, within)
        registered = await self.sandbox.wait_until(
            lambda: self.sandbox.calls["setWebhook"] >= calls + count, timeout=within
        )
        assert registered, "not every process registered its webhook"
        return started

    @property
    def alive(self) -> list[WebhookProcess]:
        """The processes still running."""
        return [m for m in self.members if m.alive]

    async def stop(self) -> None:
        """SIGTERM every live process and wait for it; kill any that does not stop in time."""
        for member in self.alive:
            member.process.terminate()
        for member in self.members:
            try:
                await member.process.exit_code(within=30)
            except TimeoutError:
                await member.process.reap()

    async def reap(self) -> None:
        """Make sure no process outlives the test."""
        for member in self.members:
            await member.process.reap()

    def logs(self) -> str:
        """Every process's log, one after the other, each under its name."""
        return "\n".join(f"==== {m.name}\n{m.process.log}" for m in self.members)


async def _wait_healthy(http: aiohttp.ClientSession, member: WebhookProcess, within: float) -> None:
    """Until /healthz answers 200 (the listener is up and the database answers)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if not member.alive:
            break
        try:
            async with http.get(member.base + "/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(
        f"{member.name} did not come up within {within:.0f}s; its log:\n{member.process.log[-3000:]}"
    )


async def scrape(http: aiohttp.ClientSession, member: WebhookProcess, metric: str) -> float | None:
    """The value of one unlabelled metric on a process's /metrics page (None if unreachable)."""
    try:
        async with http.get(member.base + "/metrics") as response:
            text = await response.text()
    except aiohttp.ClientError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == metric:
            return float(value)
    return None
