"""A small JSON control API under /sandbox/ so another process can act as people."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.message import SandboxMessage

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

Route = Callable[[dict[str, Any]], Awaitable[Any]]


def message_json(message: SandboxMessage) -> dict[str, Any]:
    """A message view as plain JSON."""
    body: dict[str, Any] = {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "from_bot": message.from_bot,
        "text": message.text,
        "html": message.html,
        "buttons": [[list(button) for button in row] for row in message.buttons],
        "thread_id": message.thread_id,
        "edited": message.edited,
        "deleted": message.deleted,
    }
    if message.document is not None:
        body["document"] = {
            "filename": message.document.filename,
            "data_base64": base64.b64encode(message.document.data).decode(),
        }
    return body


class _Control:
    def __init__(self, server: SandboxServer) -> None:
        self.server = server

    def _user(self, body: dict[str, Any]) -> SandboxUser:
        return SandboxUser(self.server, self.server.world.users[int(body["user_id"])])

    def _chat(self, body: dict[str, Any]) -> SandboxChat | None:
        chat_id = body.get("chat_id")
        return None if chat_id is None else self.server.chat(int(chat_id))

    async def users(self, body: dict[str, Any]) -> Any:
        user = self.server.user(
            body["first_name"],
            username=body.get("username"),
            language_code=body.get("language_code", "en"),
            last_name=body.get("last_name"),
            started=bool(body.get("started", False)),
        )
        return {"id": user.id}

    async def groups(self, body: dict[str, Any]) -> Any:
        users = self.server.world.users

        def people(key: str) -> list[SandboxUser]:
            return [SandboxUser(self.server, users[int(uid)]) for uid in body.get(key, [])]

        group = self.server.group(
            body["title"],
            members=people("members"),
            admins=people("admins"),
            supergroup=bool(body.get("supergroup", False)),
            forum=bool(body.get("forum", False)),
        )
        return {"id": group.id}

    async def send(self, body: dict[str, Any]) -> Any:
        message = await self._user(body).send(
            body["text"],
            chat=self._chat(body),
            thread_id=body.get("thread_id"),
            reply_to=body.get("reply_to"),
        )
        return message_json(message)

    async def send_document(self, body: dict[str, Any]) -> Any:
        message = await self._user(body).send_document(
            body["filename"],
            base64.b64decode(body["data_base64"]),
            caption=body.get("caption"),
            chat=self._chat(body),
        )
        return message_json(message)

    async def tap(self, body: dict[str, Any]) -> Any:
        toast = await self._user(body).tap(
            body["label"],
            chat=self._chat(body),
            message=body.get("message_id"),
            timeout=float(body.get("timeout", 5.0)),
        )
        return {"toast": toast}

    async def tap_data(self, body: dict[str, Any]) -> Any:
        toast = await self._user(body).tap_data(
            int(body["message_id"]),
            body["data"],
            chat=self._chat(body),
            timeout=float(body.get("timeout", 5.0)),
        )
        return {"toast": toast}

    async def block(self, body: dict[str, Any]) -> Any:
        user = self._user(body)
        if body.get("blocked", True):
            user.block_bot()
        else:
            user.unblock_bot()
        return True

    async def migrate(self, body: dict[str, Any]) -> Any:
        group = await self.server.migrate_group(self.server.chat(int(body["chat_id"])))
        return {"id": group.id}

    async def settle(self, body: dict[str, Any]) -> Any:
        await self.server.settle(
            quiet=float(body.get("quiet", 0.2)), timeout=float(body.get("timeout", 10.0))
        )
        return True

    async def messages(self, body: dict[str, Any]) -> Any:
        chat = self.server.chat(int(body["chat_id"]))
        return [message_json(m) for m in chat.messages]

    async def wait(self, body: dict[str, Any]) -> Any:
        chat = self.server.chat(int(body["chat_id"]))
        needle = str(body.get("contains", ""))
        message = await chat.wait_for(
            lambda m: needle in m.text, timeout=float(body.get("timeout", 5.0))
        )
        return message_json(message)

    async def calls(self, body: dict[str, Any]) -> Any:
        return dict(self.server.calls)

    async def rate_violations(self, body: dict[str, Any]) -> Any:
        found = self.server.rate_violations()
        return [
            {**dataclasses.asdict(v), "start": v.start.isoformat(), "end": v.end.isoformat()}
            for v in found
        ]


def _wrap(route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        body: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            body.update(await request.json())
        try:
            result = await route(body)
        except (AssertionError, KeyError, ValueError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": result})

    return handle


def add_control_routes(app: web.Application, server: SandboxServer) -> None:
    """Mount /sandbox/<action> routes (POST for actions, GET for reads)."""
    control = _Control(server)
    for name in ("users", "groups", "send", "send_document", "tap", "tap_data", "block"):
        app.router.add_post(f"/sandbox/{name}", _wrap(getattr(control, name)))
    for name in ("migrate", "settle"):
        app.router.add_post(f"/sandbox/{name}", _wrap(getattr(control, name)))
    for name in ("messages", "wait", "calls", "rate_violations"):
        app.router.add_get(f"/sandbox/{name}", _wrap(getattr(control, name)))


class SandboxControl:
    """Client of the control API for tests whose sandbox runs in another process."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session

    async def call(self, action: str, **body: Any) -> Any:
        """POST an action (or GET for reads) and return its result; raises on failure."""
        url = f"{self.base_url}/sandbox/{action}"
        if action in ("messages", "wait", "calls", "rate_violations"):
            query = {k: str(v) for k, v in body.items()}
            response = await self.session.get(url, params=query)
        else:
            response = await self.session.post(url, json=body)
        async with response:
            payload = await response.json()
        if not payload["ok"]:
            raise AssertionError(payload["error"])
        return payload["result"]
