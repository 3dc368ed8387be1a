"""/streak."""

from __future__ import annotations

from telegram import Update

from bot.handlers.common import send_html
from bot.runtime import Context
from bot.views.streak import streak_text


async def streak_command(update: Update, context: Context) -> None:
    """Show the current and best daily streak, freezes held, and whether today is done."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    services = context.bot_data.services
    record = await services.users.touch(user.id, user.first_name)
    await send_html(context.bot, chat.id, streak_text(services.users.streak_view(record)))
