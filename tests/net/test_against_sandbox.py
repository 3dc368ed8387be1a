"""The transport and the update processor against the project's sandbox Bot API, over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram import Bot, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest, HTTPXRequest

from bot.net import AiohttpRequest, ChatOrderedUpdateProcessor
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer

TOKEN = "654321:SANDBOX-token"
GUARD = 15.0


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    """A started sandbox Bot API server."""
    server = SandboxServer(token=TOKEN)
    await server.start()
    yield server
    await server.stop()


def sandbox_bot(server: SandboxServer, request: BaseRequest) -> Bot:
    """A Bot on `request` talking to the sandbox."""
    return Bot(
        TOKEN,
        base_url=f"{server.base_url}/bot",
        base_file_url=f"{server.base_url}/file/bot",
        request=request,
    )


Scenario = Callable[[SandboxServer], Awaitable[int]]


async def _rate_limited(server: SandboxServer) -> int:
    server.faults.error("sendMessage", 429, retry_after=3, times=2)
    return server.user("Ann", started=True).id


async def _blocked(server: SandboxServer) -> int:
    user = server.user("Ben", started=True)
    user.block_bot()
    return user.id


async def _unknown_chat(_: SandboxServer) -> int:
    return 987654321


async def _migrated(server: SandboxServer) -> int:
    group = server.group("Revision club")
    old_id = group.id
    await server.migrate_group(group)
    return old_id


async def _bad_gateway(server: SandboxServer) -> int:
    server.faults.http_status("sendMessage", 502, times=2)
    return server.user("Cy", started=True).id


async def _slow(server: SandboxServer) -> int:
    server.faults.delay("sendMessage", 2.0, times=2)
    return server.user("Di", started=True).id


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        (_rate_limited, RetryAfter),
        (_blocked, Forbidden),
        (_unknown_chat, BadRequest),
        (_migrated, ChatMigrated),
        (_bad_gateway, NetworkError),
        (_slow, TimedOut),
    ],
    ids=["429", "blocked", "chat-not-found", "migrated", "502", "timeout"],
)
async def test_sandbox_errors_map_exactly_as_with_the_stock_transport(
    sandbox: SandboxServer, scenario: Scenario, expected: type[TelegramError]
) -> None:
    chat_id = await scenario(sandbox)
    raised: list[tuple[type[Exception], str]] = []
    for request in (HTTPXRequest(read_timeout=0.3), AiohttpRequest(read_timeout=0.3)):
        async with sandbox_bot(sandbox, request) as bot:
            with pytest.raises(TelegramError) as caught:
                await asyncio.wait_for(bot.send_message(chat_id, "hello"), GUARD)
        raised.append((type(caught.value), str(caught.value)))
    stock, ours = raised
    assert stock[0] is expected
    assert ours == stock


async def test_a_dropped_connection_is_a_network_error_on_both(sandbox: SandboxServer) -> None:
    chat_id = sandbox.user("Ed", started=True).id
    sandbox.faults.drop("sendMessage", times=2)
    for request in (HTTPXRequest(), AiohttpRequest()):
        async with sandbox_bot(sandbox, request) as bot:
            with pytest.raises(NetworkError) as caught:
                await asyncio.wait_for(bot.send_message(chat_id, "hello"), GUARD)
        assert type(caught.value) is NetworkError
        assert TOKEN not in str(caught.value)
    assert not isinstance(caught.value, TimedOut)


async def test_a_user_document_downloads_through_the_transport(sandbox: SandboxServer) -> None:
    user = sandbox.user("Flo", started=True)
    sent = await user.send_document("deck.csv", b"front,back\ncat,chat\n", mime_type="text/csv")
    async with sandbox_bot(sandbox, AiohttpRequest()) as bot:
        updates = await asyncio.wait_for(bot.get_updates(timeout=0), GUARD)
        document = updates[-1].effective_message.document  # type: ignore[union-attr]
        assert document is not None
        data = await (await bot.get_file(document.file_id)).download_as_bytearray()
        echoed = await bot.send_document(user.id, bytes(data), filename="copy.csv")
    assert sent.message_id > 0
    assert data == bytearray(b"front,back\ncat,chat\n")
    assert echoed.document is not None
    assert echoed.document.file_name == "copy.csv"


def replied(text: str) -> Callable[[SandboxMessage], bool]:
    """Match the bot's message with exactly this text."""
    return lambda message: message.text == text


async def test_an_application_on_both_aiohttp_transports_keeps_each_chat_in_order(
    sandbox: SandboxServer,
) -> None:
    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{sandbox.base_url}/bot")
        .base_file_url(f"{sandbox.base_url}/file/bot")
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest())
        .concurrent_updates(ChatOrderedUpdateProcessor(max_concurrent_updates=8))
        .build()
    )
    in_order: dict[int, list[int]] = {}

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        in_order.setdefault(message.chat_id, []).append(int(message.text))
        await message.reply_text(f"got {message.text}")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    keen = sandbox.user("Keen", started=True)
    crowd = [sandbox.user(f"User {i}", started=True) for i in range(50)]
    # Everything is waiting before the bot starts polling, so it all arrives at once.
    for number in range(50):
        await keen.send(str(number))
    for number, user in enumerate(crowd):
        await user.send(str(number))

    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        await keen.chat.wait_for(replied("got 49"), timeout=GUARD)
        for number, user in enumerate(crowd):
            await user.chat.wait_for(replied(f"got {number}"), timeout=GUARD)
        await app.updater.stop()
        await app.stop()

    assert in_order[keen.id] == list(range(50))
    assert [m.text for m in keen.chat.messages] == [f"got {n}" for n in range(50)]
    assert {user.id: in_order[user.id] for user in crowd} == {
        user.id: [number] for number, user in enumerate(crowd)
    }
    processor = app.update_processor
    assert isinstance(processor, ChatOrderedUpdateProcessor)
    assert processor.busy_chats == 0
