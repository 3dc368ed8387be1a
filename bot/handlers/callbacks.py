"""One entry point for every button tap: decode the data, route it, refuse the rest politely."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.battle import on_battle_tap
from bot.handlers.decks import on_deck_tap
from bot.handlers.imports import on_import_tap
from bot.handlers.quiz import begin, on_quiz_tap
from bot.handlers.reminders import on_reminder_tap
from bot.handlers.settings import SETTINGS_TAP, on_settings_tap
from bot.handlers.userdata import FORGET_TAP, on_forget_tap
from bot.services.container import get_services
from bot.views.callbacks import BattleTap, DeckTap, ImportTap, MenuTap, QuizTap, decode
from bot.views.reminders import REMINDER_TAPS

log = logging.getLogger(__name__)
UNKNOWN_BUTTON = "This button no longer works"


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a callback query by its decoded data."""
    query = update.callback_query
    if query is None:
        return
    tap = decode(query.data)
    if isinstance(tap, QuizTap):
        await on_quiz_tap(query, tap, context)
    elif isinstance(tap, BattleTap):
        await on_battle_tap(query, tap, context)
    elif isinstance(tap, ImportTap):
        await on_import_tap(query, tap, context)
    elif isinstance(tap, DeckTap):
        await on_deck_tap(query, tap, context)
    elif isinstance(tap, MenuTap) and tap.name == "quiz":
        await query.answer()
        if query.message is not None:
            await begin(
                context.bot,
                get_services(context.bot_data),
                query.message.chat,
                query.from_user.id,
                query.from_user.first_name,
            )
    elif isinstance(tap, MenuTap) and tap.name in REMINDER_TAPS:
        await on_reminder_tap(query, tap, context)
    elif isinstance(tap, MenuTap) and tap.name == SETTINGS_TAP:
        await on_settings_tap(query, tap, context)
    elif isinstance(tap, MenuTap) and tap.name == FORGET_TAP:
        await on_forget_tap(query, tap, context)
    else:
        log.info("refused callback data %r", (query.data or "")[:80])
        await query.answer(UNKNOWN_BUTTON)
