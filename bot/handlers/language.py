"""The language of every update (set before any handler runs) and /language to change it."""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, Chat, ChatMember, Update

from bot.handlers.common import edit_html, send_html
from bot.runtime import Context
from bot.storage.languages import choose_language, language_for_update
from bot.views import language as view
from bot.views.callbacks import MenuTap
from bot.views.i18n import (
    DEFAULT_LOCALE,
    current_locale,
    set_chat_locale,
    set_locale,
    supported,
    using_locale,
)

LANGUAGE_TAP = view.TAP_NAME
# The language is one indexed read: longer than this, the database is in trouble.
LANGUAGE_READ_SECONDS = 0.5

log = logging.getLogger(__name__)


async def apply_language(update: Update, context: Context) -> None:
    """Speak the chat's stored language in this update (storing Telegram's on first contact)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or not context.bot_data.ready:
        set_locale(user.language_code if user else None)
        return
    detected = supported(user.language_code) if user is not None and not user.is_bot else None
    try:
        # The language must not hold the update up while the database is in trouble (a write
        # lock held elsewhere, say): the handlers then tell the person so, in Telegram's language.
        async with asyncio.timeout(LANGUAGE_READ_SECONDS):
            language = await language_for_update(
                context.bot_data.services.db,
                chat.id,
                detected,
                private=chat.type == Chat.PRIVATE,
                default=DEFAULT_LOCALE,
                # A group's majority is counted again on a command (a /battle, say), not on taps.
                recount=bool(
                    update.message and update.message.text and update.message.text[:1] == "/"
                ),
                sender=user.id if user is not None else None,
            )
    except Exception as exc:  # TimeoutError included
        log.debug("chat %s: language not read (%s); Telegram's is used", chat.id, exc)
        language = detected or DEFAULT_LOCALE
    set_chat_locale(chat.id, language)


async def language_command(update: Update, context: Context) -> None:
    """Show the languages as buttons."""
    chat = update.effective_chat
    if chat is None:
        return
    current = current_locale()
    await send_html(
        context.bot,
        chat.id,
        view.menu_text(current, chat.type != Chat.PRIVATE),
        view.menu_keyboard(current),
        thread_id=update.effective_message.message_thread_id
        if update.effective_message and update.effective_message.is_topic_message
        else None,
    )


async def on_language_tap(query: CallbackQuery, tap: MenuTap, context: Context) -> None:
    """A language button: store it (in a group, only for an admin) and redraw the menu in it."""
    code = supported(tap.arg)
    message = query.message
    if code is None or message is None:
        await query.answer(view.UNKNOWN_LANGUAGE)
        return
    chat = message.chat
    group = chat.type != Chat.PRIVATE
    if group and not await _taps_as_admin(context, chat.id, query.from_user.id):
        await query.answer(view.ADMINS_ONLY)
        return
    await choose_language(context.bot_data.services.db, chat.id, code)
    set_chat_locale(chat.id, code)
    with using_locale(code):
        await query.answer(view.saved(code)[:200])
        await edit_html(
            context.bot,
            chat.id,
            message.message_id,
            view.menu_text(code, group),
            view.menu_keyboard(code),
        )


async def _taps_as_admin(context: Context, chat_id: int, user_id: int) -> bool:
    """Whether the person tapping administers the group (a tap is never anonymous)."""
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
