"""Fixtures: a running sandbox, a PTB Bot pointed at it, and people to act as."""

from __future__ import annotations

import html
import struct
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer

TOKEN = "123456:TEST-TOKEN"
# The head of a 2×1 PNG: all the sandbox reads of a photo (its size).
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 2, 1) + b"\x08\x02\x00\x00\x00"
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class TickingClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.moment = start

    def now(self) -> datetime:
        """The current (manual) time."""
        return self.moment

    def advance(self, seconds: float) -> None:
        """Move forward."""
        self.moment += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def no_image_viewer(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Offline play started by a test never opens pictures on the screen."""
    monkeypatch.setenv("SANDBOX_VIEWER", "off")
    yield


@pytest.fixture
def clock() -> TickingClock:
    """A manual clock starting at START."""
    return TickingClock()


@pytest.fixture
async def server(clock: TickingClock) -> AsyncIterator[SandboxServer]:
    """A started sandbox on a free port, using the manual clock."""
    sandbox = SandboxServer(token=TOKEN, clock=clock)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def bot(server: SandboxServer) -> AsyncIterator[Bot]:
    """A python-telegram-bot Bot talking to the sandbox over HTTP."""
    client = Bot(
        TOKEN, base_url=server.base_url + "/bot", base_file_url=server.base_url + "/file/bot"
    )
    async with client:
        yield client


@pytest.fixture
def alice(server: SandboxServer) -> SandboxUser:
    """A person who has already started the bot."""
    return server.user("Alice", username="alice", started=True)


@pytest.fixture
def bob(server: SandboxServer) -> SandboxUser:
    """A second person who has started the bot."""
    return server.user("Bob", username="bob", started=True)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with a question and two buttons."""
    assert update.effective_message is not None
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Show answer", callback_data="show"),
                InlineKeyboardButton("Skip", callback_data="skip"),
            ]
        ]
    )
    await update.effective_message.reply_html("<b>Q1</b>: 6 × 7?", reply_markup=markup)


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for a typed answer, with one button to give up."""
    assert update.effective_message is not None
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("I don't know", callback_data="skip")]])
    await update.effective_message.reply_html(
        "<b>Q2</b>: 2 + 2?\n\n✍️ <i>Type your answer.</i>", reply_markup=markup
    )


async def _files(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a chart and a CSV report, as /stats and /export do."""
    message = update.effective_message
    assert message is not None
    await message.reply_photo(PNG, caption="Your chart")
    await message.reply_document(b"front,back\n", filename="report.csv", caption="Your data")


async def _where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for a location with a reply keyboard, as /timezone does."""
    message = update.effective_message
    assert message is not None
    share = KeyboardButton("📍 Share my location", request_location=True)
    await message.reply_text("Where are you?", reply_markup=ReplyKeyboardMarkup([[share]]))


async def _located(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say which place was shared."""
    message = update.effective_message
    assert message is not None and message.location is not None
    place = message.location
    await message.reply_text(f"You are at {place.latitude:.2f}, {place.longitude:.2f}")


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the answer in place, or skip with a new message."""
    query = update.callback_query
    assert query is not None and query.message is not None
    if query.data == "show":
        await query.answer("Answer: 42")
        await query.edit_message_text("<b>Q1</b>: 6 × 7 = 42", parse_mode="HTML")
    elif query.data == "skip":
        await query.answer()
        await context.bot.send_message(query.message.chat.id, "Skipped")
    else:
        await query.answer("That button has expired.", show_alert=True)


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download a document and report its size."""
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    data = await file.download_as_bytearray()
    await message.reply_text(f"Got {message.document.file_name} ({len(data)} bytes)")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the text back, escaped."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_html(f"You said: <i>{html.escape(message.text)}</i>")


@pytest.fixture
async def echo_bot(
    server: SandboxServer,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A tiny real PTB Application polling the sandbox: /start, /ask, buttons, echo, documents,
    a location asked for with a reply keyboard."""
    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(server.base_url + "/bot")
        .base_file_url(server.base_url + "/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CommandHandler("ask", _ask))
    app.add_handler(CommandHandler("files", _files))
    app.add_handler(CommandHandler("where", _where))
    app.add_handler(MessageHandler(filters.LOCATION, _located))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(MessageHandler(filters.Document.ALL, _document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    yield app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
