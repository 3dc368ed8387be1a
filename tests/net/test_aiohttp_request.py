"""AiohttpRequest behaves like PTB's stock HTTPXRequest: same answers, same errors, same timeouts.

Every test runs twice, once per transport (see the `request_class` fixture), against the same
expectations, so a difference between the two shows up as a failure of one of the pair.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.net import AiohttpRequest
from bot.net.aiohttp_request import POOL_TIMEOUT_MESSAGE

from .conftest import BotFactory, RequestClass
from .fake_api import (
    BOT_USER,
    TOKEN,
    FakeBotApi,
    free_port,
    ok,
    read_request_head,
    start_raw_server,
    unresponsive_listener,
)

T = TypeVar("T")
# Guards against a hang turning into a stuck test run; no assertion is made about time.
GUARD = 10.0


async def guarded(awaitable: Awaitable[T]) -> T:
    """Await with a generous upper bound so a missing timeout fails instead of hanging."""
    return await asyncio.wait_for(awaitable, GUARD)


def error_body(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    """A Telegram error answer."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
BAD_GATEWAY_PAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (
            429,
            error_body(429, "Too Many Requests: retry after 7", retry_after=7),
            RetryAfter,
            "Flood control exceeded. Retry in 7 seconds",
        ),
        (
            403,
            error_body(403, "Forbidden: bot was blocked by the user"),
            Forbidden,
            "Forbidden: bot was blocked by the user",
        ),
        (
            400,
            error_body(400, f"Bad Request: {NOT_MODIFIED}"),
            BadRequest,
            NOT_MODIFIED[0].upper() + NOT_MODIFIED[1:],
        ),
        (
            400,
            error_body(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=-1001234,
            ),
            ChatMigrated,
            "Group migrated to supergroup. New chat id: -1001234",
        ),
        (409, error_body(409, CONFLICT), Conflict, CONFLICT),
        (401, error_body(401, "Unauthorized"), InvalidToken, "Unauthorized"),
        (
            502,
            BAD_GATEWAY_PAGE,
            NetworkError,
            f"Bad Gateway (502). Parsing the server response {BAD_GATEWAY_PAGE!r} failed",
        ),
        (500, error_body(500, "Internal Server Error"), NetworkError, "Internal Server Error"),
        (
            503,
            b"",
            NetworkError,
            "Service Unavailable (503). Parsing the server response b'' failed",
        ),
        (302, b"", NetworkError, "Found (302). Parsing the server response b'' failed"),
        (200, b"not json", TelegramError, "Invalid server response"),
    ],
    ids=[
        "429",
        "403",
        "400",
        "migrated",
        "409",
        "401",
        "502-page",
        "500",
        "503-empty",
        "302",
        "200-garbage",
    ],
)
async def test_server_errors_raise_the_same_exception_as_the_stock_transport(
    api: FakeBotApi,
    bot_factory: BotFactory,
    status: int,
    body: bytes | dict[str, Any],
    error: type[TelegramError],
    message: str,
) -> None:
    api.answer("sendMessage", status, body)
    async with bot_factory() as bot:
        with pytest.raises(TelegramError) as caught:
            await guarded(bot.send_message(chat_id=42, text="hello"))
    assert type(caught.value) is error
    assert str(caught.value) == message


async def test_migration_carries_the_new_chat_id(api: FakeBotApi, bot_factory: BotFactory) -> None:
    async with bot_factory() as bot:
        api.answer("sendMessage", 400, error_body(400, "Bad Request", migrate_to_chat_id=-1009))
        with pytest.raises(ChatMigrated) as migrated:
            await guarded(bot.send_message(chat_id=-9, text="hello"))
    assert migrated.value.new_chat_id == -1009


async def test_a_message_goes_out_as_form_fields_and_comes_back_parsed(
    api: FakeBotApi, bot_factory: BotFactory
) -> None:
    async with bot_factory() as bot:
        sent = await guarded(bot.send_message(chat_id=42, text="Привет & <b>", parse_mode="HTML"))
    assert sent.chat_id == 42
    assert sent.text == "Привет & <b>"
    request = api.received[-1]
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.fields == {"chat_id": "42", "text": "Привет & <b>", "parse_mode": "HTML"}


def stall(
    api: FakeBotApi, method: str, seconds: float | None = None, arrived: asyncio.Event | None = None
) -> asyncio.Event:
    """Make `method` wait `seconds` (forever when None, until the returned event) then answer."""
    release = asyncio.Event()

    async def slow(_: web.Request) -> web.Response:
        if arrived is not None:
            arrived.set()
        if seconds is None:
            await release.wait()
        else:
            await asyncio.sleep(seconds)
        return ok([] if method == "getUpdates" else True)

    api.handlers[method] = slow
    return release


async def test_read_timeout_raises_timed_out(api: FakeBotApi, bot_factory: BotFactory) -> None:
    async with bot_factory(read_timeout=0.2) as bot:
        release = stall(api, "sendChatAction")
        with pytest.raises(TimedOut) as caught:
            await guarded(bot.send_chat_action(chat_id=42, action="typing"))
        release.set()
    assert type(caught.value) is TimedOut
    assert str(caught.value) == "Timed out"


async def test_per_call_read_timeout_overrides_an_unlimited_default(
    api: FakeBotApi, bot_factory: BotFactory
) -> None:
    async with bot_factory(read_timeout=None) as bot:
        release = stall(api, "sendChatAction")
        with pytest.raises(TimedOut):
            await guarded(bot.send_chat_action(chat_id=42, action="typing", read_timeout=0.2))
        release.set()


async def test_per_call_none_read_timeout_waits_past_a_short_default(
    api: FakeBotApi, bot_factory: BotFactory
) -> None:
    async with bot_factory(read_timeout=0.05) as bot:
        stall(api, "sendChatAction", seconds=0.3)
        answered = await guarded(
            bot.send_chat_action(chat_id=42, action="typing", read_timeout=None)
        )
    assert answered is True


async def test_long_polling_extends_the_read_timeout_by_the_poll_timeout(
    api: FakeBotApi, bot_factory: BotFactory
) -> None:
    async with bot_factory(read_timeout=0.05) as bot:
        stall(api, "getUpdates", seconds=0.3)
        # PTB waits read_timeout + timeout for getUpdates, so a 2 s long poll is not cut short...
        assert await guarded(bot.get_updates(timeout=2)) == ()
        # ...while a plain getUpdates gets only the read timeout.
        with pytest.raises(TimedOut):
            await guarded(bot.get_updates(timeout=0))


async def test_connect_timeout_raises_timed_out(bot_factory: BotFactory) -> None:
    listener, fillers = unresponsive_listener()
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    bot = bot_factory(base, connect_timeout=0.2)
    try:
        async with bot:
            pass  # initialize() calls getMe, which cannot connect
    except TimedOut as caught:
        assert str(caught) == "Timed out"
    else:
        pytest.fail("getMe connected to a listener with a full accept queue")
    finally:
        for sock in [listener, *fillers]:
            sock.close()


async def test_pool_timeout_raises_timed_out_without_sending(
    api: FakeBotApi, bot_factory: BotFactory
) -> None:
    async with bot_factory(connection_pool_size=1, pool_timeout=0.1) as bot:
        arrived = asyncio.Event()
        release = stall(api, "sendChatAction", arrived=arrived)
        first = asyncio.create_task(bot.send_chat_action(chat_id=1, action="typing"))
        await guarded(arrived.wait())  # the only connection is now busy
        with pytest.raises(TimedOut) as caught:
            await guarded(bot.send_message(chat_id=2, text="queued behind the first"))
        release.set()
        assert await guarded(first) is True
    assert str(caught.value) == POOL_TIMEOUT_MESSAGE
    assert [r.method for r in api.received] == ["getMe", "sendChatAction"]


async def test_write_timeout_applies_to_uploads(bot_factory: BotFactory) -> None:
    async def never_reads_the_body(reader: asyncio.StreamReader, _: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        await asyncio.sleep(GUARD)

    server, base = await start_raw_server(never_reads_the_body)
    # Far more than loopback socket buffers hold, so the upload must stall.
    document = os.urandom(48 * 1024 * 1024)
    bot = bot_factory(base, read_timeout=None, media_write_timeout=0.3)
    try:
        with pytest.raises(TimedOut):
            await guarded(
                bot._post(  # the raw call: getMe would need a real answer first
                    "sendDocument",
                    {"chat_id": 1, "document": InputFile(document, filename="big.bin")},
                )
            )
    finally:
        await bot.shutdown()
        await bot.request.shutdown()
        await bot._request[0].shutdown()
        server.close()
        await server.wait_closed()


async def _raise_from(base: str, bot_factory: BotFactory) -> NetworkError:
    """Send one message to `base` and return the NetworkError it raised."""
    bot = bot_factory(base)
    try:
        await guarded(bot.request.initialize())
        with pytest.raises(NetworkError) as caught:
            await guarded(bot.send_message(chat_id=42, text="hello"))
    finally:
        await bot.request.shutdown()
    return caught.value


async def test_connection_refused_raises_network_error(bot_factory: BotFactory) -> None:
    error = await _raise_from(f"http://127.0.0.1:{free_port()}", bot_factory)
    assert type(error) is NetworkError
    assert TOKEN not in str(error)


async def _drop_after_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request_head(reader)
    writer.close()


async def _truncate_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request_head(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b'{"ok": tr')
    await writer.drain()
    writer.close()


async def _garbage_status_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request_head(reader)
    writer.write(b"SMTP ready\r\n\r\n")
    await writer.drain()
    writer.close()


@pytest.mark.parametrize(
    ("fault", "messages"),
    [
        (
            _drop_after_head,
            {
                HTTPXRequest: "httpx.RemoteProtocolError: Server disconnected without sending a "
                "response.",
                AiohttpRequest: "aiohttp.ServerDisconnectedError: Server disconnected",
            },
        ),
        (
            _truncate_body,
            {
                HTTPXRequest: "httpx.RemoteProtocolError: peer closed connection without sending "
                "complete message body (received 9 bytes, expected 100)",
                AiohttpRequest: "aiohttp.ClientPayloadError: Response payload is not completed: "
                "<ContentLengthError: 400, message='Not enough data to satisfy content length "
                "header (received 9 of 100 bytes).'>",
            },
        ),
        (_garbage_status_line, None),
    ],
    ids=["dropped", "truncated", "not-http"],
)
async def test_broken_connections_raise_network_error(
    bot_factory: BotFactory,
    request_class: RequestClass,
    fault: Any,
    messages: dict[RequestClass, str] | None,
) -> None:
    server, base = await start_raw_server(fault)
    try:
        error = await _raise_from(base, bot_factory)
    finally:
        server.close()
        await server.wait_closed()
    # The cause is named after the HTTP library, like the stock transport does.
    assert type(error) is NetworkError
    if messages is not None:
        assert str(error) == messages[request_class]
    assert TOKEN not in str(error)


async def _file_download(api: FakeBotApi, bot: Bot, file_id: str) -> bytearray:
    """Resolve `file_id` through getFile and download it from the file route."""

    async def get_file(_: web.Request) -> web.Response:
        path = f"documents/{file_id}"
        size = len(api.files[path])
        return ok(
            {"file_id": file_id, "file_unique_id": file_id, "file_path": path, "file_size": size}
        )

    api.handlers["getFile"] = get_file
    telegram_file = await bot.get_file(file_id)
    return await telegram_file.download_as_bytearray()


async def test_upload_then_download_round_trips_a_file(
    api: FakeBotApi, bot_factory: BotFactory
) -> None:
    content = bytes(range(256)) * 4096 + b"\x00tail"  # 1 MiB and a bit, every byte value
    async with bot_factory() as bot:
        message = await guarded(
            bot.send_document(
                chat_id=42, document=content, filename='deck "v2".csv', caption="My deck"
            )
        )
        assert message.document is not None
        downloaded = await guarded(_file_download(api, bot, message.document.file_id))
    upload = api.received[1]
    assert upload.method == "sendDocument"
    assert upload.content_type == "multipart/form-data"
    assert upload.fields == {"chat_id": "42", "caption": "My deck"}
    assert list(upload.files) == ["document"]
    assert upload.files["document"].filename == "deck %22v2%22.csv"
    assert upload.files["document"].content_type == "text/csv"
    assert upload.files["document"].data == content
    assert downloaded == bytearray(content)


async def test_upload_from_an_open_file(
    api: FakeBotApi, bot_factory: BotFactory, tmp_path: Any
) -> None:
    path = tmp_path / "cards.txt"
    path.write_bytes(b"Q: capital of France?\nA: Paris\n")
    async with bot_factory() as bot:
        with path.open("rb") as handle:
            await guarded(bot.send_document(chat_id=7, document=handle))
    upload = api.received[-1].files["document"]
    assert (upload.filename, upload.content_type) == ("cards.txt", "text/plain")
    assert upload.data == b"Q: capital of France?\nA: Paris\n"


async def test_download_of_a_missing_file_raises_invalid_token(
    api: FakeBotApi, bot_factory: BotFactory
) -> None:
    # The file route answers 404 with a plain page; PTB maps any 404 to InvalidToken.
    async with bot_factory() as bot:
        with pytest.raises(InvalidToken) as caught:
            await guarded(bot.request.retrieve(f"{api.url}/file/bot{TOKEN}/documents/gone"))
    assert str(caught.value) == "Not Found (404). Parsing the server response b'Not Found' failed"


async def test_a_shut_down_transport_refuses_requests_until_initialized_again(
    api: FakeBotApi, request_class: RequestClass
) -> None:
    transport = request_class()
    url = f"{api.url}/bot{TOKEN}/getMe"
    await transport.initialize()
    assert (await transport.post(url)) == BOT_USER
    await transport.shutdown()
    with pytest.raises(NetworkError) as caught:
        await transport.post(url)
    assert str(caught.value) == (
        "Unknown error in HTTP implementation: "
        f"RuntimeError('This {request_class.__name__} is not initialized!')"
    )
    await transport.initialize()
    assert (await transport.post(url)) == BOT_USER
    await transport.shutdown()
    await transport.shutdown()  # a second shutdown is harmless


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [({}, 5.0), ({"read_timeout": 12.5}, 12.5), ({"read_timeout": None}, None)],
)
def test_read_timeout_property_reports_the_default(
    request_class: RequestClass, kwargs: dict[str, Any], expected: float | None
) -> None:
    assert request_class(**kwargs).read_timeout == expected
