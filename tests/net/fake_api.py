"""A small Bot API stand-in on 127.0.0.1 for transport tests: canned answers and raw faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Quizmaster", "username": "quiz_bot"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ok(result: Any) -> web.Response:
    """A successful Bot API answer."""
    return web.json_response({"ok": True, "result": result})


def message_json(chat_id: int, message_id: int = 1, **extra: Any) -> dict[str, Any]:
    """The least a Message needs to be parsed by python-telegram-bot."""
    return {
        "message_id": message_id,
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": "private"},
        "from": BOT_USER,
        **extra,
    }


@dataclass
class Upload:
    """One file part of a multipart request, as the server received it."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Received:
    """One request as the server received it."""

    method: str
    content_type: str
    fields: dict[str, str]
    files: dict[str, Upload] = field(default_factory=dict)


class FakeBotApi:
    """Serves `/bot{token}/{method}` and `/file/bot{token}/{path}`; tests set the answers."""

    def __init__(self) -> None:
        """Start with getMe, sendMessage and sendDocument answered."""
        self.handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
        }
        self.files: dict[str, bytes] = {}
        self.received: list[Received] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop listening and drop open connections."""
        if self._runner is not None:
            await self._runner.cleanup()

    def answer(self, method: str, status: int, body: bytes | dict[str, Any]) -> None:
        """Make `method` always answer with this status and body (JSON when a dict)."""
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        content_type = "application/json" if isinstance(body, dict) else "text/html"

        async def canned(_: web.Request) -> web.Response:
            return web.Response(status=status, body=raw, content_type=content_type)

        self.handlers[method] = canned

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        received = Received(method, request.content_type, {})
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                assert isinstance(part, BodyPartReader)
                data = await part.read()
                if part.filename is None:
                    received.fields[part.name or ""] = data.decode()
                else:
                    content_type = part.headers.get("Content-Type", "")
                    received.files[part.name or ""] = Upload(part.filename, content_type, data)
        elif request.can_read_body:
            received.fields = {k: str(v) for k, v in (await request.post()).items()}
        self.received.append(received)
        handler = self.handlers.get(method)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return await handler(request)

    async def _get_me(self, _: web.Request) -> web.Response:
        return ok(BOT_USER)

    async def _send_message(self, _: web.Request) -> web.Response:
        fields = self.received[-1].fields
        return ok(message_json(int(fields["chat_id"]), text=fields["text"]))

    async def _send_document(self, _: web.Request) -> web.Response:
        received = self.received[-1]
        upload = received.files["document"]
        file_id = f"doc{len(self.files)}"
        self.files[f"documents/{file_id}"] = upload.data
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": upload.filename,
            "file_size": len(upload.data),
        }
        return ok(message_json(int(received.fields["chat_id"]), document=document))

    async def _download(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["path"])
        if request.match_info["token"] != TOKEN or data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="application/octet-stream")


RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request_head(reader: asyncio.StreamReader) -> bytes:
    """Read an HTTP request up to the end of its headers."""
    return await reader.readuntil(b"\r\n\r\n")


async def start_raw_server(handler: RawHandler) -> tuple[asyncio.Server, str]:
    """A bare TCP server for faults aiohttp.web would not produce; returns it and its base URL."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def unresponsive_listener() -> tuple[socket.socket, list[socket.socket]]:
    """A listening socket whose accept queue is full, so new connections hang in SYN-SENT."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # the handshake completes in the kernel
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    return listener, fillers


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
