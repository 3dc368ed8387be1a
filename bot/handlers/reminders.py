"""/remind, /timezone, their buttons, shared locations, and the reminder offer after a first quiz."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Update

from bot.core.reminders import UnreadableTime, parse_remind_time
from bot.core.timezones import zone_for
from bot.handlers.common import edit_html, send_html, send_to_private
from bot.runtime import Context
from bot.views import reminders as view
from bot.views.callbacks import MenuTap


def _private_args(update: Update, context: Context) -> str:
    return " ".join(context.args or []).strip()


async def remind_command(update: Update, context: Context) -> None:
    """/remind 18:30 sets the daily reminder, /remind off stops it, /remind alone shows it."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if chat.type != Chat.PRIVATE:
        await send_to_private(context.bot, chat.id, view.REMIND_IN_PRIVATE, "remind")
        return
    services = context.bot_data.services
    await services.users.touch(user.id, user.first_name)
    now = services.clock.now()
    arg = _private_args(update, context)
    reminders = services.reminders
    if not arg:
        shown = await reminders.current(user.id)
        text, keyboard = view.remind_setting_text(shown, now), view.remind_keyboard(shown)
        await send_html(context.bot, chat.id, text, keyboard)
        return
    if arg.casefold() in view.OFF_WORDS:
        shown = await reminders.turn_off(user.id)
    else:
        try:
            shown = await reminders.set_time(user.id, arg)
        except UnreadableTime:
            await send_html(context.bot, chat.id, view.remind_bad_time_text())
            return
    await send_html(context.bot, chat.id, view.remind_set_text(shown, now))


async def timezone_command(update: Update, context: Context) -> None:
    """/timezone <city, zone or offset> sets the zone; a city may offer up to five buttons."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if chat.type != Chat.PRIVATE:
        await send_to_private(context.bot, chat.id, view.TIMEZONE_IN_PRIVATE, "timezone")
        return
    services = context.bot_data.services
    record = await services.users.touch(user.id, user.first_name)
    now = services.clock.now()
    arg = _private_args(update, context)
    if not arg:
        text = view.timezone_current_text(record.timezone, now)
        await send_html(context.bot, chat.id, text, view.location_keyboard())
        return
    change = await services.reminders.set_timezone(user.id, arg)
    if change.reminder is not None:
        text = view.timezone_set_text(change.reminder, now)
        # Typed instead of shared: the Share my location keyboard has done its job either way.
        await send_html(context.bot, chat.id, text, view.no_keyboard())
    elif change.match.found:
        keyboard = view.timezone_keyboard(change.match.candidates, now)
        await send_html(context.bot, chat.id, view.timezone_choices_text(), keyboard)
    else:
        await send_html(context.bot, chat.id, view.timezone_bad_text(change.match.problem))


async def on_location(update: Update, context: Context) -> None:
    """A location shared in the private chat (the Share my location button) sets the zone."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.location is None:
        return
    services = context.bot_data.services
    await services.users.touch(user.id, user.first_name)
    point = message.location
    shown = await services.reminders.set_timezone_at(user.id, point.latitude, point.longitude)
    text = view.timezone_from_location_text(shown, services.clock.now())
    await send_html(context.bot, message.chat_id, text, view.no_keyboard())


async def on_reminder_tap(query: CallbackQuery, tap: MenuTap, context: Context) -> None:
    """A tap on a reminder preset, Off, the offer's Yes/No, or a time-zone choice."""
    services = context.bot_data.services
    user = query.from_user
    reminders = services.reminders
    now = services.clock.now()
    if tap.name == view.REMIND_NO:
        await query.answer()
        text = view.OFFER_DECLINED
    elif tap.name == view.REMIND and tap.arg is not None:
        if tap.arg != "off" and not _readable_time(tap.arg):
            await query.answer(view.STALE_BUTTON)
            return
        await services.users.touch(user.id, user.first_name)
        if tap.arg == "off":
            shown = await reminders.turn_off(user.id)
        else:
            shown = await reminders.set_time(user.id, tap.arg)
        await query.answer(
            view.REMINDER_OFF_TOAST if shown.remind_time is None else view.REMINDER_SET_TOAST
        )
        text = view.remind_set_text(shown, now)
    elif tap.name == view.TIMEZONE and tap.arg is not None and _known_zone(tap.arg):
        await services.users.touch(user.id, user.first_name)
        shown = await reminders.choose_timezone(user.id, tap.arg)
        await query.answer(view.TIMEZONE_SET_TOAST)
        text = view.timezone_set_text(shown, now)
    else:
        await query.answer(view.STALE_BUTTON)
        return
    if query.message is not None:
        await edit_html(context.bot, query.message.chat.id, query.message.message_id, text)


def _readable_time(text: str) -> bool:
    try:
        parse_remind_time(text)
    except ValueError:
        return False
    return True


def _known_zone(name: str) -> bool:
    try:
        zone_for(name)
    except ValueError:
        return False
    return True
