"""/decks: switch between decks, ask your own both ways, share them, delete them (after a confirm)."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Update

from bot.handlers.common import edit_html, send_html, send_to_private
from bot.handlers.sharing import SHARE_ACTIONS, on_share_tap
from bot.runtime import Context
from bot.services.views import Refusal
from bot.views import decks as view
from bot.views.callbacks import DeckTap, MenuTap


async def decks_command(update: Update, context: Context) -> None:
    """List the bundled decks and the user's own, the active one ticked."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if chat.type != Chat.PRIVATE:
        await send_to_private(context.bot, chat.id, view.DECKS_IN_PRIVATE, "decks")
        return
    listing = await context.bot_data.services.decks.list(user.id, user.first_name)
    keyboard = view.list_keyboard(listing, webapp_url(context, chat))
    await send_html(context.bot, chat.id, view.list_text(listing), keyboard)


def webapp_url(context: Context, chat: Chat) -> str | None:
    """The Mini App's address when the bot has one and `chat` is private (web_app buttons work
    nowhere else), else None."""
    if chat.type != Chat.PRIVATE:
        return None
    return context.bot_data.services.settings.webapp_url


async def on_my_decks_tap(query: CallbackQuery, tap: MenuTap, context: Context) -> None:
    """My decks (under the catalogue or a share link): the message becomes the /decks list."""
    if query.message is None:
        await query.answer(view.STALE_BUTTON)
        return
    user = query.from_user
    listing = await context.bot_data.services.decks.list(user.id, user.first_name)
    await query.answer()
    await edit_html(
        context.bot,
        query.message.chat.id,
        query.message.message_id,
        view.list_text(listing),
        view.list_keyboard(listing, webapp_url(context, query.message.chat)),
    )


async def on_deck_tap(query: CallbackQuery, tap: DeckTap, context: Context) -> None:
    """Use a deck, ask one both ways or not, ask before deleting one, delete it, go back to the
    list, or share one (bot.handlers.sharing)."""
    if query.message is None:
        await query.answer(view.STALE_BUTTON)
        return
    if tap.action in SHARE_ACTIONS:
        await on_share_tap(query, tap, context)
        return
    decks = context.bot_data.services.decks
    user_id = query.from_user.id
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if tap.action == "delete":
        deck = await decks.own_deck(user_id, tap.deck_id)
        if isinstance(deck, Refusal):
            await query.answer(deck.toast)
            return
        await query.answer()
        await edit_html(
            context.bot, chat_id, message_id, view.confirm_text(deck), view.confirm_keyboard(deck)
        )
        return
    note = None
    if tap.action == "use":
        used = await decks.use(user_id, tap.deck_id)
        if isinstance(used, Refusal):
            await query.answer(used.toast)
            return
        listing, deck = used
        await query.answer(view.switched_toast(deck))
    elif tap.action == "both":
        toggled = await decks.toggle_both_ways(user_id, tap.deck_id)
        if isinstance(toggled, Refusal):
            await query.answer(toggled.toast)
            return
        listing, deck = toggled
        await query.answer(view.both_ways_toast(deck))
    elif tap.action == "confirm":
        deleted = await decks.delete(user_id, tap.deck_id)
        if isinstance(deleted, Refusal):
            await query.answer(deleted.toast)
            return
        listing, title = deleted
        note = view.deleted_note(title)
        await query.answer(view.DELETED_TOAST)
    else:
        listing = await decks.list(user_id)
        await query.answer()
    keyboard = view.list_keyboard(listing, webapp_url(context, query.message.chat))
    await edit_html(context.bot, chat_id, message_id, view.list_text(listing, note), keyboard)
