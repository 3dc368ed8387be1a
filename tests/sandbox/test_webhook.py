"""Webhook mode: updates are POSTed with the secret header, retried, and spread round-robin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot

from bot.sandbox.server import SandboxServer
from tests.sandbox.conftest import TOKEN


class Receiver:
    """A tiny webhook endpoint that records what it gets and can fail on purpose."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures:
            self.failures -= 1
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((secret, await request.json()))
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def hooked() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(token=TOKEN, webhook_delivery=True)
    await server.start()
    yield server
    await server.stop()


async def test_updates_are_posted_with_the_secret_and_retried(hooked: SandboxServer) -> None:
    receiver = Receiver(failures=1)
    await receiver.start()
    try:
        async with Bot(TOKEN, base_url=hooked.base_url + "/bot") as bot:
            alice = hooked.user("Alice")
            await bot.set_webhook(receiver.url, secret_token="s3cret")
            await alice.send("/start")
            await alice.send("again")
            await hooked.settle(quiet=0.05)
            assert [(s, u["message"]["text"]) for s, u in receiver.received] == [
                ("s3cret", "/start"),
                ("s3cret", "again"),
            ]
            info = await bot.get_webhook_info()
            assert info.pending_update_count == 0
            assert info.last_error_message is None
    finally:
        await receiver.stop()


@pytest.mark.parametrize("listed", ["second only", "both"])
async def test_targets_share_the_updates_round_robin(hooked: SandboxServer, listed: str) -> None:
    # Extra targets beside the registered URL; or, behind a load balancer, each process's own URL
    # listed, the last to register among them: it must not get two turns.
    first, second = Receiver(), Receiver()
    await first.start()
    await second.start()
    try:
        extra = [second.url] if listed == "second only" else [first.url, second.url]
        hooked.webhook_targets.extend(extra)
        async with Bot(TOKEN, base_url=hooked.base_url + "/bot") as bot:
            await bot.set_webhook(first.url)
        alice = hooked.user("Alice")
        for n in range(4):
            await alice.send(f"m{n}")
        await hooked.settle(quiet=0.05)
        assert [u["message"]["text"] for _, u in first.received] == ["m0", "m2"]
        assert [u["message"]["text"] for _, u in second.received] == ["m1", "m3"]
    finally:
        await first.stop()
        await second.stop()


async def test_a_dead_target_passes_its_updates_to_the_live_ones_in_order(
    hooked: SandboxServer,
) -> None:
    dead, alive = Receiver(), Receiver()
    await dead.start()
    await alive.start()
    await dead.stop()  # its port now refuses connections, as a killed process's would
    try:
        hooked.webhook_targets.append(alive.url)
        async with Bot(TOKEN, base_url=hooked.base_url + "/bot") as bot:
            await bot.set_webhook(dead.url)
            alice = hooked.user("Alice")
            for n in range(5):
                await alice.send(f"m{n}")
            await hooked.settle(quiet=0.05)
            assert [u["message"]["text"] for _, u in alive.received] == [f"m{n}" for n in range(5)]
            info = await bot.get_webhook_info()
            assert info.pending_update_count == 0
    finally:
        await alive.stop()


class HoldingReceiver(Receiver):
    """Writes down each update as it arrives, and holds the one saying "hold" until released."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[str] = []
        self.release = asyncio.Event()
        self.news = asyncio.Event()  # set at each arrival

    async def handle(self, request: web.Request) -> web.Response:
        text = (await request.json())["message"]["text"]
        self.arrived.append(text)
        self.news.set()
        if text == "hold":
            await self.release.wait()
        return web.Response(text="ok")


async def test_other_chats_are_delivered_while_one_chat_waits_in_order(
    hooked: SandboxServer,
) -> None:
    receiver = HoldingReceiver()
    await receiver.start()
    try:
        async with Bot(TOKEN, base_url=hooked.base_url + "/bot") as bot:
            await bot.set_webhook(receiver.url)
        alice, bob = hooked.user("Alice"), hooked.user("Bob")
        await alice.send("hold")
        await alice.send("after")
        await bob.send("bob")
        async with asyncio.timeout(10):
            while "bob" not in receiver.arrived:
                receiver.news.clear()
                await receiver.news.wait()
        # Bob's update went past Alice's held one; Alice's next waits for it.
        assert receiver.arrived == ["hold", "bob"]
        receiver.release.set()
        await hooked.settle(quiet=0.05)
        assert receiver.arrived == ["hold", "bob", "after"]
        assert hooked.unfetched() == 0
    finally:
        receiver.release.set()
        await receiver.stop()
