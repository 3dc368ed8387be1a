"""/start and /help."""

from __future__ import annotations

from telegram import Update

from bot.handlers.common import send_html
from bot.runtime import Context
from bot.views import texts
from bot.views.quiz import start_quiz_keyboard


async def start(update: Update, context: Context) -> None:
    """Greet the user, say what the bot does, offer a Start quiz button."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await context.bot_data.services.users.touch(user.id, user.first_name)
    await send_html(context.bot, chat.id, texts.welcome(user.first_name), start_quiz_keyboard())


async def help_command(update: Update, context: Context) -> None:
    """List every command with one line each."""
    chat = update.effective_chat
    if chat is None:
        return
    await send_html(context.bot, chat.id, texts.help_text(private=chat.type == chat.PRIVATE))
