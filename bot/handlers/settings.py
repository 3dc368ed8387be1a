"""/settings: an inline menu edited in place, one button per choice."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Update

from bot.handlers.common import edit_html, send_html, send_to_private
from bot.runtime import Context
from bot.services.views import Refusal
from bot.views import settings as view
from bot.views.callbacks import MenuTap

SETTINGS_TAP = view.TAP_NAME


async def settings_command(update: Update, context: Context) -> None:
    """Show the settings menu."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if chat.type != Chat.PRIVATE:
        await send_to_private(context.bot, chat.id, view.SETTINGS_IN_PRIVATE, "settings")
        return
    current = await context.bot_data.services.user_settings.view(user.id, user.first_name)
    await send_html(context.bot, chat.id, view.menu_text(current), view.menu_keyboard())


async def on_settings_tap(query: CallbackQuery, tap: MenuTap, context: Context) -> None:
    """A tap in the settings menu: open a section, go back, or store a choice."""
    action = view.settings_action(tap.arg)
    if action is None or query.message is None:
        await query.answer(view.STALE_BUTTON)
        return
    settings = context.bot_data.services.user_settings
    user_id = query.from_user.id
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if action.kind == "set":
        changed = await settings.change(user_id, action.section, action.value)
        if isinstance(changed, Refusal):
            await query.answer(changed.toast)
            return
        saved = view.saved_line(changed, action.section)
        await query.answer(view.saved_toast(saved))
        await edit_html(
            context.bot, chat_id, message_id, view.menu_text(changed, saved), view.menu_keyboard()
        )
        return
    await query.answer()
    current = await settings.view(user_id)
    if action.kind == "menu":
        await edit_html(
            context.bot, chat_id, message_id, view.menu_text(current), view.menu_keyboard()
        )
    else:
        await edit_html(
            context.bot,
            chat_id,
            message_id,
            view.section_text(current, action.section),
            view.section_keyboard(current, action.section),
        )
