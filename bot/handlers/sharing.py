"""Sharing a deck by link: the owner's Share screen in /decks, a link's preview, its Add button."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.handlers.common import edit_html, send_html
from bot.runtime import Context
from bot.services.views import Refusal
from bot.views import sharing as view
from bot.views.callbacks import DeckTap, LinkTap

SHARE_ACTIONS = frozenset({"share", "revoke", "follow"})


async def on_share_tap(query: CallbackQuery, tap: DeckTap, context: Context) -> None:
    """Open a deck's Share screen (making a link if it has none), revoke its link, or switch what
    adding it gives (following the owner's edits or a copy)."""
    if query.message is None:
        await query.answer()
        return
    sharing = context.bot_data.services.sharing
    user_id = query.from_user.id
    if tap.action == "revoke":
        screen = await sharing.revoke(user_id, tap.deck_id)
    elif tap.action == "follow":
        screen = await sharing.toggle_follow(user_id, tap.deck_id)
    else:
        screen = await sharing.share(user_id, tap.deck_id)
    if isinstance(screen, Refusal):
        await query.answer(screen.toast)
        return
    await query.answer(view.share_toast(screen))
    await edit_html(
        context.bot,
        query.message.chat.id,
        query.message.message_id,
        view.share_text(screen, context.bot.username),
        view.share_keyboard(screen),
    )


async def open_deck_link(update: Update, context: Context, token: str) -> None:
    """Show what a shared deck's link leads to: the deck's preview with Add, or why not."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    shown = await context.bot_data.services.sharing.open_link(user.id, user.first_name, token)
    await send_html(context.bot, chat.id, view.link_text(shown), view.link_keyboard(shown))


async def on_link_tap(query: CallbackQuery, tap: LinkTap, context: Context) -> None:
    """Add a shared deck to the tapper's decks; the preview then shows what is true now."""
    if query.message is None:
        await query.answer()
        return
    user = query.from_user
    shown = await context.bot_data.services.sharing.add(user.id, user.first_name, tap.token)
    await query.answer(view.link_toast(shown))
    await edit_html(
        context.bot,
        query.message.chat.id,
        query.message.message_id,
        view.link_text(shown),
        view.link_keyboard(shown),
    )
