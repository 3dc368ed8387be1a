"""Webhook mode: POST queued updates to the bot's URL(s), round-robin, as Telegram would."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import TYPE_CHECKING

import aiohttp

from bot.sandbox.world import Update

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
RETRY_DELAY = 0.2  # Telegram waits longer; tests want a quick second attempt


def chat_key(update: Update) -> int:
    """The chat whose updates are delivered one at a time, in order (else the sender)."""
    payload = update.payload
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
    if chat:
        return int(chat["id"])
    sender = payload.get("from") or payload.get("user") or {}
    return int(sender.get("id", 0))


class WebhookDelivery:
    """Delivers updates as Telegram does: a chat's updates one at a time and in order, different
    chats at once (at most the webhook's `max_connections`); a non-2xx answer or a network error
    means "try again".

    With several targets (processes behind a load balancer) each delivery goes to the next one in
    turn; a target that fails passes the update on to the next at once, as a load balancer moves to
    its next upstream, and only when every target has failed is there a pause before the update
    is tried again.
    """

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.delivered = 0
        self._turn = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin delivering (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop delivering."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _targets(self) -> list[str]:
        hook = self.server.webhook
        if not hook.url:
            return []
        # Each process behind the balancer registers its own URL: listed once, whoever came last.
        extra = [url for url in dict.fromkeys(self.server.webhook_targets) if url != hook.url]
        return [hook.url, *extra]

    async def _run(self) -> None:
        flying: dict[int, asyncio.Task[None]] = {}  # update_id -> its delivery

        def landed(update_id: int, _: asyncio.Task[None]) -> None:
            flying.pop(update_id, None)
            self.server.pulse.fire()  # look again: the chat may have more, a slot is free

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            try:
                while True:
                    event = self.server.pulse.current
                    pending = self.server.deliverable() if self._targets() else []
                    busy = {chat_key(u) for u in pending if u.update_id in flying}
                    for update in pending:
                        if len(flying) >= self.server.webhook.max_connections:
                            break
                        key = chat_key(update)
                        if key in busy:  # an older update of this chat is still on its way
                            continue
                        busy.add(key)
                        task = asyncio.create_task(self._deliver(session, update))
                        flying[update.update_id] = task
                        task.add_done_callback(functools.partial(landed, update.update_id))
                    await self.server.pulse.wait(event, 1.0)
            finally:
                for task in flying.values():
                    task.cancel()
                await asyncio.gather(*flying.values(), return_exceptions=True)

    async def _deliver(self, session: aiohttp.ClientSession, update: Update) -> None:
        """Try every target once, starting with the next in turn; pause if none took it."""
        targets = self._targets()
        for _ in targets:
            url = targets[self._turn % len(targets)]
            self._turn += 1
            if await self._post(session, url, update.to_json()):
                self.server.mark_delivered(update.update_id)
                self.delivered += 1
                return
        await asyncio.sleep(RETRY_DELAY)

    async def _post(self, session: aiohttp.ClientSession, url: str, body: object) -> bool:
        hook = self.server.webhook
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        try:
            async with session.post(url, json=body, headers=headers) as response:
                if 200 <= response.status < 300:
                    hook.last_error_message = None
                    return True
                hook.last_error_message = f"Wrong response from the webhook: {response.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            hook.last_error_message = f"Connection failed: {exc.__class__.__name__}"
        hook.last_error_date = self.server.world.now()
        return False
