"""/start (with a deep link's payload too) and /help."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Chat, Update

from bot.core.deeplinks import deck_link_token, start_payload
from bot.handlers.catalogue import catalogue_command
from bot.handlers.common import send_html, send_to_private
from bot.handlers.decks import decks_command
from bot.handlers.imports import import_command
from bot.handlers.quiz import quiz_command
from bot.handlers.reminders import remind_command, timezone_command
from bot.handlers.settings import settings_command
from bot.handlers.sharing import open_deck_link
from bot.handlers.stats import stats_command
from bot.handlers.userdata import export_command
from bot.runtime import Context
from bot.views import catalogue, texts
from bot.views.quiz import start_quiz_keyboard

Command = Callable[[Update, Context], Awaitable[None]]

# What `/start <payload>` opens in a private chat; the keys are bot.core.deeplinks.START_PAYLOADS.
OPENS: dict[str, Command] = {
    "quiz": quiz_command,
    "decks": decks_command,
    "settings": settings_command,
    "stats": stats_command,
    "import": import_command,
    "export": export_command,
    "remind": remind_command,
    "timezone": timezone_command,
    "catalogue": catalogue_command,
}


async def start(update: Update, context: Context) -> None:
    """Greet the user, say what the bot does and offer the starter decks (a newcomer picks one,
    others find them behind a button) and Start quiz; or, opened from a deep link in a private
    chat, run the command the link names."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await context.bot_data.services.users.touch(user.id, user.first_name)
    if chat.type == Chat.PRIVATE and (token := deck_link_token(context.args)) is not None:
        await open_deck_link(update, context, token)  # a shared deck's link: its preview
        return
    payload = start_payload(context.args) if chat.type == Chat.PRIVATE else None
    if payload is not None:
        # The command must not read the payload as its own argument (/remind would take "remind"
        # for a time): it runs as if sent bare.
        context.args = []
        await OPENS[payload](update, context)
        return
    if chat.type != Chat.PRIVATE:
        await send_html(context.bot, chat.id, texts.welcome(user.first_name), start_quiz_keyboard())
        return
    # A newcomer is asked what they want to learn (the catalogue's decks); others are greeted as
    # before, with the catalogue a tap away.
    screen = await context.bot_data.services.catalogue.screen(user.id)
    if screen.newcomer:
        welcome, keyboard = (
            catalogue.newcomer_welcome(user.first_name),
            catalogue.catalogue_keyboard(screen, start_quiz=True),
        )
    else:
        welcome, keyboard = texts.welcome(user.first_name), catalogue.returning_keyboard()
    await send_html(context.bot, chat.id, welcome, keyboard)


async def help_command(update: Update, context: Context) -> None:
    """List every command with one line each."""
    chat = update.effective_chat
    if chat is None:
        return
    if chat.type == Chat.PRIVATE:
        # Inline mode is named only when it is on (@BotFather's /setinline), so it is never untrue.
        inline = context.bot.username if context.bot.supports_inline_queries else None
        # The Mini App is named only when the bot serves one (its address is set).
        mini_app = context.bot_data.services.settings.webapp_url is not None
        shown = texts.help_text(private=True, inline_bot=inline, mini_app=mini_app)
        await send_html(context.bot, chat.id, shown)
        return
    # The group help points to the private chat for personal study: the button opens it.
    await send_to_private(context.bot, chat.id, texts.help_text(private=False), None)
