"""One entry point for every button tap: decode the data, check the tap belongs where it came from,
hand it to its handler in the table build_application gives; refuse the rest politely, changing
nothing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import CallbackQuery, Chat, Message, Update

from bot.views import taps
from bot.views.callbacks import BattleTap, MenuTap, QuizTap, Tap, decode

if TYPE_CHECKING:
    from bot.runtime import Context
    from bot.services.container import Services

log = logging.getLogger(__name__)
UNKNOWN_BUTTON = taps.OUT_OF_PLACE

# A button's handler: the tap, decoded and known to belong where it came from, and the context.
Route = Callable[[CallbackQuery, Any, "Context"], Awaitable[None]]


@dataclass(frozen=True)
class TapRoutes:
    """Which handler a tap goes to: a typed tap by its type, a menu tap by its name."""

    by_type: Mapping[type[Tap], Route]
    by_name: Mapping[str, Route]

    def route(self, tap: Tap) -> Route | None:
        """The handler of `tap`, or None for a tap no handler takes."""
        if isinstance(tap, MenuTap):
            return self.by_name.get(tap.name)
        return self.by_type.get(type(tap))


@dataclass(frozen=True)
class TapRouter:
    """The one callback-query handler: checks each tap, then hands it to its route."""

    routes: TapRoutes

    async def on_callback(self, update: Update, context: Context) -> None:
        """Route a callback query by its decoded data, once it is known to belong where it came
        from."""
        query = update.callback_query
        if query is None:
            return
        tap = decode(query.data)
        if tap is None:
            log.info("refused callback data %r", (query.data or "")[:80])
            await query.answer(UNKNOWN_BUTTON)
            return
        refusal = await _out_of_place(query, tap, context.bot_data.services)
        if refusal is not None:
            log.info(
                "refused a %s tap out of place: %r", type(tap).__name__, (query.data or "")[:80]
            )
            await query.answer(refusal)
            return
        route = self.routes.route(tap)
        if route is None:
            log.info("refused callback data %r", (query.data or "")[:80])
            await query.answer(UNKNOWN_BUTTON)
            return
        await route(query, tap, context)


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
    where = taps.home(tap)
    if where == "inline" or message is None:
        # A button under an inline-mode message comes with no message (and only such a tap
        # belongs there): its data is signed, and the inline service checks the signature.
        return None if where == "inline" and message is None else taps.OUT_OF_PLACE
    chat = message.chat
    if where == "private":
        if chat.type != Chat.PRIVATE:
            return taps.PRIVATE_ONLY
        if chat.id != query.from_user.id:
            return taps.OUT_OF_PLACE
    elif where == "group" and chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
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
