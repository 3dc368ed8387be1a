"""Runs before every handler: drops an update seen before, and slows down a user who floods."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core.flood import FloodGate, RecentIds, Verdict
from bot.views import texts

log = logging.getLogger(__name__)
GUARD_KEY = "update_guard"


@dataclass
class UpdateGuard:
    """The in-process memory of the guard: recent update ids and each user's message budget.

    Only messages count against the budget: taps are bounded by the buttons the bot shows, and a
    refused tap costs one indexed read and no write.
    """

    gate: FloodGate = field(default_factory=FloodGate)
    seen: RecentIds = field(default_factory=RecentIds)
    monotonic: Callable[[], float] = time.monotonic
    dropped: int = 0
    duplicates: int = 0


def guard_of(bot_data: dict[object, object]) -> UpdateGuard:
    """The application's guard, made on first use."""
    guard = bot_data.get(GUARD_KEY)
    if not isinstance(guard, UpdateGuard):
        guard = UpdateGuard()
        bot_data[GUARD_KEY] = guard
    return guard


async def guard_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop a duplicate update or a flooder's message before any handler sees it."""
    guard = guard_of(context.bot_data)
    if not guard.seen.add(update.update_id):
        # Telegram (or a webhook retry) delivered this update again while it was remembered here;
        # writes are idempotent too, for a duplicate that arrives after a restart.
        guard.duplicates += 1
        log.info("update %s delivered twice; ignored", update.update_id)
        raise ApplicationHandlerStop
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    verdict = guard.gate.check(user.id, guard.monotonic())
    if verdict is Verdict.ALLOW:
        return
    guard.dropped += 1
    if verdict is Verdict.WARN:
        log.info("user %s is flooding; dropping messages for a while", user.id)
        if message.chat.type == message.chat.PRIVATE:
            try:
                await message.reply_text(texts.SLOW_DOWN)
            except TelegramError as exc:
                log.info("could not tell user %s to slow down: %s", user.id, exc.message)
    raise ApplicationHandlerStop
