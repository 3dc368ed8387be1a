"""/export and /forget: the user's data, handed over or deleted."""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, Chat, Update

from bot.core.timezones import local_date
from bot.handlers.common import edit_html, send_html, send_to_private
from bot.runtime import Context
from bot.views import userdata as view
from bot.views.callbacks import MenuTap

FORGET_TAP = view.FORGET_TAP


async def export_command(update: Update, context: Context) -> None:
    """Send two CSV documents: the user's schedules and their review log."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if chat.type != Chat.PRIVATE:
        await send_to_private(context.bot, chat.id, view.EXPORT_IN_PRIVATE, "export")
        return
    services = context.bot_data.services
    data = await services.userdata.export(user.id)
    if data.empty:
        await send_html(context.bot, chat.id, view.NOTHING_TO_EXPORT)
        return
    # A long history makes megabytes of CSV: written in a worker thread.
    progress, reviews = await asyncio.gather(
        asyncio.to_thread(view.progress_csv, data), asyncio.to_thread(view.reviews_csv, data)
    )
    names = view.export_names(local_date(services.clock.now(), data.timezone))
    for name, body, which in ((names[0], progress, "progress"), (names[1], reviews, "reviews")):
        await context.bot.send_document(
            chat.id, document=body, filename=name, caption=view.export_caption(data, which)
        )


async def forget_command(update: Update, context: Context) -> None:
    """Ask for confirmation before deleting everything about the user."""
    chat = update.effective_chat
    if chat is None:
        return
    if chat.type != Chat.PRIVATE:
        # No payload: a link never opens the question that deletes everything.
        await send_to_private(context.bot, chat.id, view.FORGET_IN_PRIVATE, None)
        return
    await send_html(context.bot, chat.id, view.FORGET_ASK, view.forget_keyboard())


async def on_forget_tap(query: CallbackQuery, tap: MenuTap, context: Context) -> None:
    """The answer to /forget's question: delete everything, or nothing."""
    if tap.arg not in ("yes", "no") or query.message is None:
        await query.answer(view.STALE_BUTTON)
        return
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if query.message.chat.type != Chat.PRIVATE:
        await query.answer(view.STALE_BUTTON)
        return
    if tap.arg == "no":
        await query.answer()
        await edit_html(context.bot, chat_id, message_id, view.KEPT)
        return
    await context.bot_data.services.userdata.forget(query.from_user.id)
    await query.answer(view.DELETED_TOAST)
    await edit_html(context.bot, chat_id, message_id, view.FORGOTTEN)
