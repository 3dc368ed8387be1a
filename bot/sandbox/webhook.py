"""Webhook mode: POST queued updates to the bot's URL(s), round-robin, as Telegram would."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
RETRY_DELAY = 0.2  # Telegram waits longer; tests want a quick second attempt


class WebhookDelivery:
    """Delivers updates one at a time; a non-2xx answer or a network error means "try again".

    With several targets (processes behind a load balancer) each update goes to the next one in
    turn; a target that fails passes the update on to the next at once, as a load balancer moves to
    its next upstream, and only when every target has failed in a row is there a pause.
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
        failures = 0  # failed attempts in a row, whatever the target
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while True:
                event = self.server.pulse.current
                targets = self._targets()
                pending = self.server.deliverable() if targets else []
                if not pending:
                    await self.server.pulse.wait(event, 1.0)
                    continue
                update = pending[0]
                url = targets[self._turn % len(targets)]
                self._turn += 1
                if await self._post(session, url, update.to_json()):
                    self.server.mark_delivered(update.update_id)
                    self.delivered += 1
                    failures = 0
                    continue
                failures += 1
                if failures >= len(targets):
                    failures = 0
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
