"""/groupdeck: the deck a group's battles and daily question use, its admins' choice of it, and
a member's one-tap copy of it into their own decks."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Chat, ChatMember, Update
from telegram.error import Forbidden, TelegramError

from bot.core.deeplinks import start_link
from bot.handlers.battle import is_group_admin
from bot.handlers.common import edit_html, send_html
from bot.runtime import Context
from bot.services.battles import ANONYMOUS_ADMIN_ID
from bot.services.views import Refusal
from bot.views import groups as view
from bot.views.callbacks import GroupTap

log = logging.getLogger(__name__)


async def group_deck_command(update: Update, context: Context) -> None:
    """/groupdeck: which deck the group plays; an admin also gets the decks to pick from."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    if chat.type == Chat.PRIVATE:
        await send_html(context.bot, chat.id, view.IN_PRIVATE)
        return
    groups = context.bot_data.services.groups
    admin = await is_group_admin(context.bot, message, user.id)
    # An anonymous admin posts as the group: their own decks are unknown, the bundled ones offered.
    anonymous = message.sender_chat is not None or user.id == ANONYMOUS_ADMIN_ID
    choices = await groups.choices(None if anonymous else user.id) if admin else []
    deck = await groups.deck_of(chat.id)
    await send_html(
        context.bot,
        chat.id,
        view.deck_text(deck, admin),
        view.deck_keyboard(deck, choices),
        thread_id=message.message_thread_id if message.is_topic_message else None,
    )


async def on_group_tap(query: CallbackQuery, tap: GroupTap, context: Context) -> None:
    """An admin's pick of the group's deck, or a member's Add to my decks."""
    message = query.message
    if message is None:
        return
    groups = context.bot_data.services.groups
    chat_id, user = message.chat.id, query.from_user
    if tap.action == "pick":
        member = await context.bot.get_chat_member(chat_id, user.id)
        if member.status not in (ChatMember.ADMINISTRATOR, ChatMember.OWNER):
            await query.answer(view.ADMINS_ONLY)
            return
        chosen = await groups.choose(chat_id, user.id, tap.deck_id)
        if isinstance(chosen, Refusal):
            await query.answer(chosen.toast[:200])
            return
        await query.answer(view.picked(chosen)[:200])
        choices = await groups.choices(user.id)
        await edit_html(
            context.bot,
            chat_id,
            message.message_id,
            view.deck_text(chosen, True),
            view.deck_keyboard(chosen, choices),
        )
        return
    copied = await groups.copy(chat_id, tap.deck_id, user.id, user.first_name)
    if isinstance(copied, Refusal):
        await query.answer(copied.toast[:200])
        return
    try:
        await send_html(context.bot, user.id, view.copied(copied.title, copied.cards))
    except Forbidden:
        # Someone who never opened the private chat: the bot may not write first. The answer's
        # link opens it (the deck is saved already and waits in /decks).
        await query.answer(view.OPEN_BOT[:200], url=start_link(context.bot.username))
        return
    except TelegramError as exc:
        log.info("no private note of a copied deck for %s: %s", user.id, exc)
    await query.answer(view.copied_toast(copied.title)[:200])
