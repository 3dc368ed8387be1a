"""How reminders, the reminder setting and the time-zone setting look in the chat."""

from __future__ import annotations

from datetime import datetime

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.core.timezones import DEFAULT_ZONE, ZoneProblem, describe_zone, zone_for
from bot.services.reminders import ReminderOffer, ReminderSend, ReminderView
from bot.views.callbacks import MenuTap, encode
from bot.views.fmt import esc, plural, when
from bot.views.quiz import start_quiz_keyboard

REMIND = "remind"  # arg: a time as HHMM, or "off"
REMIND_NO = "remind_no"
TIMEZONE = "tz"  # arg: a zone name
REMINDER_TAPS = frozenset({REMIND, REMIND_NO, TIMEZONE})
PRESETS = ("08:00", "12:30", "18:30", "21:00")
OFF_WORDS = frozenset({"off", "stop", "none", "no", "disable", "0ff"})

REMIND_IN_PRIVATE = "Reminders come in our private chat — open it and send /remind there."
TIMEZONE_IN_PRIVATE = "Time zones are set in our private chat — open it and send /timezone there."
STALE_BUTTON = "This button no longer works"
TIME_HELP = (
    "I could not read that as a time of day. Try 18:30, 6:30pm, 18h30 or 0730 "
    "(hours 0–23, minutes 00–59)."
)
REMINDER_SET_TOAST = "Reminder set"
REMINDER_OFF_TOAST = "Reminder off"
TIMEZONE_SET_TOAST = "Time zone set"
UTC_HINT = (
    "Your time zone is still UTC — send /timezone with your city (like /timezone London) "
    "so reminders and streak days follow your clock."
)


def _button(label: str, tap: MenuTap) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(tap))


def _zone_line(zone: str, now: datetime) -> str:
    local = now.astimezone(zone_for(zone)).strftime("%H:%M")
    return f"{esc(describe_zone(zone, now))}, where it is now {local}"


def remind_keyboard(view: ReminderView) -> InlineKeyboardMarkup:
    """Preset times, and Off when a reminder is set."""
    presets = [
        _button(("✅ " if view.remind_time == t else "") + t, MenuTap(REMIND, t.replace(":", "")))
        for t in PRESETS
    ]
    rows = [presets[:2], presets[2:]]
    if view.remind_time is not None:
        rows.append([_button("🔕 Off", MenuTap(REMIND, "off"))])
    return InlineKeyboardMarkup(rows)


def remind_setting_text(view: ReminderView, now: datetime) -> str:
    """What /remind alone says: the setting, and how to change it."""
    if view.remind_time is None:
        lines = ["⏰ Daily reminder: <b>off</b>."]
    else:
        lines = [f"⏰ Daily reminder at <b>{view.remind_time}</b> your time."]
        if view.next_at is not None:
            lines.append(f"Next one {when(view.next_at, now, view.timezone)} (if you need it).")
    lines.append(f"Time zone: {_zone_line(view.timezone, now)}.")
    lines.append("Tap a time below, or send /remind 18:30 for any time, /remind off to stop.")
    if view.timezone == DEFAULT_ZONE:
        lines.append(UTC_HINT)
    return "\n".join(lines)


def remind_set_text(view: ReminderView, now: datetime) -> str:
    """The confirmation after a reminder time is set or turned off."""
    if view.remind_time is None:
        return "🔕 Daily reminder off. Send /remind 18:30 to get one again."
    lines = [
        f"⏰ I'll remind you every day at <b>{view.remind_time}</b> "
        f"({esc(describe_zone(view.timezone, now))}) when you have questions due or a streak "
        "to keep."
    ]
    if view.timezone == DEFAULT_ZONE:
        lines.append(UTC_HINT)
    return "\n".join(lines)


def remind_bad_time_text() -> str:
    """One friendly line for a time that cannot be read."""
    return f"{esc(TIME_HELP)} Or send /remind off to stop reminders."


def offer_text(offer: ReminderOffer) -> str:
    """The one-time offer after the first finished quiz."""
    text = f"⏰ Remind me every day at this time (<b>{offer.remind_time}</b>)?"
    if offer.zone_is_default:
        text += f"\n{UTC_HINT}"
    return text


def offer_keyboard(offer: ReminderOffer) -> InlineKeyboardMarkup:
    """Yes (at the offered time) and No."""
    return InlineKeyboardMarkup(
        [
            [
                _button("✅ Yes, remind me", MenuTap(REMIND, offer.remind_time.replace(":", ""))),
                _button("No, thanks", MenuTap(REMIND_NO)),
            ]
        ]
    )


OFFER_DECLINED = "OK, no reminders. Send /remind 18:30 whenever you want one."


def reminder_text(send: ReminderSend) -> str:
    """The daily reminder: questions due and the streak at stake."""
    lines = ["⏰ <b>Time for your daily review!</b>"]
    if send.due_count > 0:
        lines.append(f"📚 {plural(send.due_count, 'question')} due.")
    if send.streak > 0:
        lines.append(f"🔥 Your {send.streak}-day streak is at stake — study today to keep it.")
    return "\n".join(lines)


def reminder_keyboard() -> InlineKeyboardMarkup:
    """The Start quiz button."""
    return start_quiz_keyboard()


LOCATION_BUTTON = "📍 Share my location"


def timezone_current_text(zone: str, now: datetime) -> str:
    """What /timezone alone says."""
    return (
        f"🌍 Your time zone: {_zone_line(zone, now)}.\n"
        "Change it with a city (/timezone London), a zone name (/timezone America/New_York) "
        f"or a UTC offset (/timezone +5:30), or tap “{LOCATION_BUTTON}” below."
    )


def location_keyboard() -> ReplyKeyboardMarkup:
    """The one-tap Share my location keyboard under /timezone (private chats only)."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(LOCATION_BUTTON, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def no_keyboard() -> ReplyKeyboardRemove:
    """Takes the Share my location keyboard away once the zone is set."""
    return ReplyKeyboardRemove()


def timezone_from_location_text(view: ReminderView | None, now: datetime) -> str:
    """The answer to a shared location: the zone set there, or why none was."""
    if view is None:
        return "I could not find a time zone at that point. Send /timezone with your city instead."
    return timezone_set_text(view, now)


def timezone_set_text(view: ReminderView, now: datetime) -> str:
    """The confirmation after a zone is set."""
    text = f"🌍 Time zone set: {_zone_line(view.timezone, now)}."
    if view.remind_time is not None:
        text += f"\n⏰ Your reminder stays at {view.remind_time} your time."
    return text


def timezone_choices_text() -> str:
    """Above the buttons when a place matches several zones."""
    return "🌍 Which one is yours?"


def timezone_keyboard(zones: tuple[str, ...], now: datetime) -> InlineKeyboardMarkup:
    """One button per candidate zone (those whose name fits in callback data)."""
    rows = []
    for zone in zones:
        try:
            rows.append([_button(describe_zone(zone, now), MenuTap(TIMEZONE, zone))])
        except ValueError:
            continue  # a name too long for callback data; the user can type it instead
    return InlineKeyboardMarkup(rows)


ZONE_PROBLEMS = {
    ZoneProblem.TOO_LONG: (
        "That is too long for a time zone. Try a city like “London” or an offset like “+5:30”."
    ),
    ZoneProblem.EMPTY: (
        "Send a city (“London”, “New York”), a zone name (“Europe/London”) or an offset (“+5:30”)."
    ),
    ZoneProblem.BAD_OFFSET: (
        "That offset does not exist on Earth: offsets run from −12:00 to +14:00 "
        "in steps of 30 or 45 minutes (like “+5:30” or “UTC-3”)."
    ),
    ZoneProblem.NOT_FOUND: (
        "I could not find that place. Try a big city near you (“Berlin”, “São Paulo”), "
        "a zone name (“America/New_York”) or an offset (“UTC+2”)."
    ),
}


def zone_problem_text(problem: ZoneProblem | None) -> str:
    """Why a text names no zone, in one plain sentence."""
    return ZONE_PROBLEMS[problem or ZoneProblem.NOT_FOUND]


def timezone_bad_text(problem: ZoneProblem | None) -> str:
    """One friendly line for text that names no zone."""
    return esc(zone_problem_text(problem))
