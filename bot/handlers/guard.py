"""Runs before every handler: drops an update seen before, and slows down a user who floods."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.core.flood import FloodGate, RecentIds, Verdict
from bot.views import texts
from bot.views.i18n import using_locale

if TYPE_CHECKING:
    # Only a type here: bot.runtime makes its guard from this module.
    from bot.runtime import Context

log = logging.getLogger(__name__)


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


async def guard_update(update: Update, context: Context) -> None:
    """Stop a duplicate update or a flooder's message before any handler sees it."""
    guard = context.bot_data.guard
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
                # The guard runs before the chat's language is looked up (a flood costs no read):
                # the sender's Telegram language says it.
                with using_locale(user.language_code):
                    slow_down = texts.SLOW_DOWN
                await message.reply_text(slow_down)
            except TelegramError as exc:
                log.info("could not tell user %s to slow down: %s", user.id, exc.message)
    raise ApplicationHandlerStop
