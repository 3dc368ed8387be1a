"""Inline quizzes: `@bot query` in any chat, taps on the posted questions, and their tally edits.

An inline query is answered straight from its handler (not through the outbox): its id expires
within seconds. Taps come with an `inline_message_id` and no chat; the message is edited by that
id, at most once per few seconds (bot.services.inline), the sweep making the edits held back.
"""

from __future__ import annotations

import logging
import re

from telegram import Bot, CallbackQuery, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.handlers.common import edit_skipped
from bot.runtime import App, Context
from bot.services.container import Services
from bot.services.inline import Posted
from bot.services.views import Refusal
from bot.storage.inline import Tally
from bot.views import inline as view
from bot.views.callbacks import InlineTap
from bot.views.i18n import DEFAULT_LOCALE, current_locale, using_locale

log = logging.getLogger(__name__)

# Results depend on the person (their decks, what is due): cached briefly, for them alone.
CACHE_SECONDS = 10
_LANGUAGE = re.compile(r"[a-z]{2}")


def _message_language() -> str:
    """The language a message posted now is written in, as its buttons carry it."""
    code = current_locale()
    return code if _LANGUAGE.fullmatch(code) else DEFAULT_LOCALE


async def on_inline_query(update: Update, context: Context) -> None:
    """`@bot query`: questions from the person's decks matching the query, a page at a time."""
    query = update.inline_query
    if query is None:
        return
    services = context.bot_data.services
    found = await services.inline.search(query.from_user.id, query.query, query.offset)
    language = _message_language()
    results = [view.result(shown, language, services.inline.tap) for shown in found.results]
    try:
        await query.answer(
            results,
            cache_time=CACHE_SECONDS,
            is_personal=True,
            next_offset=found.next_offset or None,
            # Nothing to post would leave a blank list: point to where decks are added.
            button=view.no_results_button() if not results and not query.offset else None,
        )
    except BadRequest as exc:
        # The person typed on (a newer query replaced this one) or it waited too long.
        log.info("inline query %s not answered: %s", query.id, exc.message)


async def on_inline_tap(query: CallbackQuery, tap: InlineTap, context: Context) -> None:
    """A tap on a posted question: the tapper's verdict as a toast, the tally edited if due."""
    services = context.bot_data.services
    user = query.from_user
    verdict = await services.inline.answer(
        tap, query.inline_message_id or "", user.id, user.first_name
    )
    if isinstance(verdict, Refusal):
        await query.answer(verdict.toast)
        return
    await query.answer(view.verdict_toast(verdict))
    if verdict.tally is not None:
        await edit_tally(context.bot, services, verdict.posted, verdict.tally)


async def edit_tally(bot: Bot, services: Services, shown: Posted, tally: Tally) -> None:
    """Edit a posted question to show its tally, in the language it was posted in."""
    with using_locale(tally.language):
        text = view.message_text(shown, tally)
        keyboard = view.keyboard(shown, tally.language, services.inline.tap)
    try:
        await bot.edit_message_text(
            text,
            inline_message_id=tally.inline_message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    except BadRequest as exc:
        if not edit_skipped(exc, 0, 0):
            log.warning("inline quiz %s not edited: %s", tally.inline_message_id, exc.message)
    except TelegramError as exc:
        # Owed again: the sweep tries later.
        log.info("inline quiz %s not edited now: %s", tally.inline_message_id, exc.message)
        await services.inline.owe_edit(tally.inline_message_id)


async def sweep_inline_quizzes(app: App) -> None:
    """Edit the posted questions whose tally edit was held back and is now due."""
    if not app.bot_data.ready:
        return
    services = app.bot_data.services
    for shown, tally in await services.inline.owed_edits():
        await edit_tally(app.bot, services, shown, tally)
