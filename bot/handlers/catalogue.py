"""The starter catalogue's buttons: show it, add one of its decks."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.handlers.common import edit_html, send_html
from bot.runtime import Context
from bot.services.views import Refusal
from bot.views import catalogue as view
from bot.views.callbacks import MenuTap

CATALOGUE_TAP, CATALOGUE_ADD_TAP = view.CATALOGUE_TAP, view.ADD_TAP


async def catalogue_command(update: Update, context: Context) -> None:
    """Show the catalogue, its decks ticked as added (what `/start catalogue` opens)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    screen = await context.bot_data.services.catalogue.screen(user.id)
    await send_html(
        context.bot, chat.id, view.catalogue_text(screen), view.catalogue_keyboard(screen)
    )


async def on_catalogue_tap(query: CallbackQuery, tap: MenuTap, context: Context) -> None:
    """Show the catalogue (a new message), or add the deck tapped and say so in its place."""
    if query.message is None:
        await query.answer()  # the router lets no such tap through; answered all the same
        return
    catalogue = context.bot_data.services.catalogue
    user = query.from_user
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if tap.name == view.CATALOGUE_TAP or tap.arg is None:
        screen = await catalogue.screen(user.id)
        await query.answer()
        await send_html(
            context.bot, chat_id, view.catalogue_text(screen), view.catalogue_keyboard(screen)
        )
        return
    answered = False

    async def adding(title: str) -> None:
        # Copying takes a second or more (its questions are made): answer the tap first.
        nonlocal answered
        answered = True
        await query.answer(view.adding_toast(title))

    added = await catalogue.add(user.id, user.first_name, tap.arg, started=adding)
    if isinstance(added, Refusal):
        if not answered:
            await query.answer(added.toast)
        return
    if not answered:
        await query.answer(view.found_toast())
    await edit_html(context.bot, chat_id, message_id, view.added_text(added), view.added_keyboard())
