"""One entry point for every button tap: decode the data, check the tap belongs where it came from,
route it; refuse the rest politely, changing nothing."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Chat, Message, Update
from telegram.ext import ContextTypes

from bot.handlers.battle import on_battle_tap
from bot.handlers.decks import on_deck_tap
from bot.handlers.imports import on_import_tap
from bot.handlers.quiz import begin, on_quiz_tap
from bot.handlers.reminders import on_reminder_tap
from bot.handlers.settings import SETTINGS_TAP, on_settings_tap
from bot.handlers.userdata import FORGET_TAP, on_forget_tap
from bot.services.container import Services, get_services
from bot.views import taps
from bot.views.callbacks import BattleTap, DeckTap, ImportTap, QuizTap, Tap, decode
from bot.views.reminders import REMINDER_TAPS

log = logging.getLogger(__name__)
UNKNOWN_BUTTON = taps.OUT_OF_PLACE


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a callback query by its decoded data, once it is known to belong where it came from."""
    query = update.callback_query
    if query is None:
        return
    tap = decode(query.data)
    if tap is None:
        log.info("refused callback data %r", (query.data or "")[:80])
        await query.answer(UNKNOWN_BUTTON)
        return
    refusal = await _out_of_place(query, tap, get_services(context.bot_data))
    if refusal is not None:
        log.info("refused a %s tap out of place: %r", type(tap).__name__, (query.data or "")[:80])
        await query.answer(refusal)
        return
    if isinstance(tap, QuizTap):
        await on_quiz_tap(query, tap, context)
    elif isinstance(tap, BattleTap):
        await on_battle_tap(query, tap, context)
    elif isinstance(tap, ImportTap):
        await on_import_tap(query, tap, context)
    elif isinstance(tap, DeckTap):
        await on_deck_tap(query, tap, context)
    elif tap.name == "quiz" and query.message is not None:
        await query.answer()
        await begin(
            context.bot,
            get_services(context.bot_data),
            query.message.chat,
            query.from_user.id,
            query.from_user.first_name,
            update.update_id,
        )
    elif tap.name in REMINDER_TAPS:
        await on_reminder_tap(query, tap, context)
    elif tap.name == SETTINGS_TAP:
        await on_settings_tap(query, tap, context)
    elif tap.name == FORGET_TAP:
        await on_forget_tap(query, tap, context)
    else:
        log.info("refused callback data %r", (query.data or "")[:80])
        await query.answer(UNKNOWN_BUTTON)


def _buttons(message: object) -> list[str]:
    """The callback data of a message's inline buttons (none for a message Telegram withholds)."""
    markup = message.reply_markup if isinstance(message, Message) else None
    if markup is None:
        return []
    return [
        button.callback_data
        for row in markup.inline_keyboard
        for button in row
        if isinstance(button.callback_data, str)
    ]


async def _out_of_place(query: CallbackQuery, tap: Tap, services: Services) -> str | None:
    """Why a tap does not belong on the message it came from (the toast), or None if it does.

    A private action only in the tapper's own private chat, a battle only in a group; and only on
    a message that carries a button of the tap's place now, or that the feature's records say
    showed it (a question answered since, a round closed since). The common tap, on the buttons
    as shown, costs no database read.
    """
    message = query.message
    if message is None:  # a button under an inline-mode message: the bot sends none
        return taps.OUT_OF_PLACE
    chat = message.chat
    if taps.home(tap) == "private":
        if chat.type != Chat.PRIVATE:
            return taps.PRIVATE_ONLY
        if chat.id != query.from_user.id:
            return taps.OUT_OF_PLACE
    elif chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return taps.OUT_OF_PLACE
    buttons = _buttons(message)
    if taps.carried(tap, query.data or "", buttons):
        return None
    if isinstance(tap, QuizTap):
        shown = await services.quiz.shown_on(
            tap.session_id, tap.position, chat.id, message.message_id
        )
    elif isinstance(tap, BattleTap):
        shown = await services.battles.shown_on(
            tap.battle_id, tap.round_no, chat.id, message.message_id
        )
    else:
        shown = taps.closed_preview(tap, buttons)
    return None if shown else taps.OUT_OF_PLACE
