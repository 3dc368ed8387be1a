"""Messages that are not commands: typed answers first, then a friendly pointer."""

from __future__ import annotations

from telegram import Update

from bot.handlers.imports import paste_preview
from bot.handlers.quiz import typed_answer
from bot.runtime import Context
from bot.views import texts


async def on_text(update: Update, context: Context) -> None:
    """A private text message: a typed answer, else pasted flashcards to preview, else a hint."""
    if await typed_answer(update, context):
        return
    if await paste_preview(update, context):
        return
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.UNKNOWN_TEXT)


async def on_other(update: Update, context: Context) -> None:
    """Stickers, photos, voice, locations … in a private chat: a short pointer, never an error."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.UNSUPPORTED_MESSAGE)


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: say so and point to /help."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.UNKNOWN_COMMAND)
