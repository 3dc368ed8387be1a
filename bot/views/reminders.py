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
from bot.views.fmt import esc, when
from bot.views.i18n import N_, _, count
from bot.views.quiz import start_quiz_keyboard

REMIND = "remind"  # arg: a time as HHMM, or "off"
REMIND_NO = "remind_no"
TIMEZONE = "tz"  # arg: a zone name
REMINDER_TAPS = frozenset({REMIND, REMIND_NO, TIMEZONE})
PRESETS = ("08:00", "12:30", "18:30", "21:00")
OFF_WORDS = frozenset({"off", "stop", "none", "no", "disable", "0ff"})

# Short replies, translated when read (`view.STALE_BUTTON`): see __getattr__ below.
_TEXTS = {
    "REMIND_IN_PRIVATE": N_("Reminders come in our private chat — open it and send /remind there."),
    "TIMEZONE_IN_PRIVATE": N_(
        "Time zones are set in our private chat — open it and send /timezone there."
    ),
    "STALE_BUTTON": N_("This button no longer works"),
    "TIME_HELP": N_(
        "I could not read that as a time of day. Try 18:30, 6:30pm, 18h30 or 0730 "
        "(hours 0–23, minutes 00–59)."
    ),
    "REMINDER_SET_TOAST": N_("Reminder set"),
    "REMINDER_OFF_TOAST": N_("Reminder off"),
    "TIMEZONE_SET_TOAST": N_("Time zone set"),
    "UTC_HINT": N_(
        "Your time zone is still UTC — send /timezone with your city (like /timezone London) "
        "so reminders and streak days follow your clock."
    ),
    "OFFER_DECLINED": N_("OK, no reminders. Send /remind 18:30 whenever you want one."),
    "LOCATION_BUTTON": N_("📍 Share my location"),
}


def __getattr__(attribute: str) -> str:
    """A short reply of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


def _text(key: str) -> str:
    return _(_TEXTS[key])


def _button(label: str, tap: MenuTap) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(tap))


def _zone_line(zone: str, now: datetime) -> str:
    local = now.astimezone(zone_for(zone)).strftime("%H:%M")
    return _("%(zone)s, where it is now %(time)s") % {
        "zone": esc(describe_zone(zone, now)),
        "time": local,
    }


def remind_keyboard(view: ReminderView) -> InlineKeyboardMarkup:
    """Preset times, and Off when a reminder is set."""
    presets = [
        _button(("✅ " if view.remind_time == t else "") + t, MenuTap(REMIND, t.replace(":", "")))
        for t in PRESETS
    ]
    rows = [presets[:2], presets[2:]]
    if view.remind_time is not None:
        rows.append([_button(_("🔕 Off"), MenuTap(REMIND, "off"))])
    return InlineKeyboardMarkup(rows)


def remind_setting_text(view: ReminderView, now: datetime) -> str:
    """What /remind alone says: the setting, and how to change it."""
    if view.remind_time is None:
        lines = [_("⏰ Daily reminder: <b>off</b>.")]
    else:
        at = {"time": f"<b>{view.remind_time}</b>"}
        lines = [_("⏰ Daily reminder at %(time)s your time.") % at]
        if view.next_at is not None:
            lines.append(
                _("Next one %(when)s (if you need it).")
                % {"when": when(view.next_at, now, view.timezone)}
            )
    lines.append(_("Time zone: %(zone)s.") % {"zone": _zone_line(view.timezone, now)})
    lines.append(_("Tap a time below, or send /remind 18:30 for any time, /remind off to stop."))
    if view.timezone == DEFAULT_ZONE:
        lines.append(_text("UTC_HINT"))
    return "\n".join(lines)


def remind_set_text(view: ReminderView, now: datetime) -> str:
    """The confirmation after a reminder time is set or turned off."""
    if view.remind_time is None:
        return _("🔕 Daily reminder off. Send /remind 18:30 to get one again.")
    lines = [
        _(
            "⏰ I'll remind you every day at %(time)s (%(zone)s) when you have questions due or "
            "a streak to keep."
        )
        % {
            "time": f"<b>{view.remind_time}</b>",
            "zone": esc(describe_zone(view.timezone, now)),
        }
    ]
    if view.timezone == DEFAULT_ZONE:
        lines.append(_text("UTC_HINT"))
    return "\n".join(lines)


def remind_bad_time_text() -> str:
    """One friendly line for a time that cannot be read."""
    return esc(_text("TIME_HELP")) + " " + _("Or send /remind off to stop reminders.")


def offer_text(offer: ReminderOffer) -> str:
    """The one-time offer after the first finished quiz."""
    text = _("⏰ Remind me every day at this time (%(time)s)?") % {
        "time": f"<b>{offer.remind_time}</b>"
    }
    if offer.zone_is_default:
        text += "\n" + _text("UTC_HINT")
    return text


def offer_keyboard(offer: ReminderOffer) -> InlineKeyboardMarkup:
    """Yes (at the offered time) and No."""
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    _("✅ Yes, remind me"), MenuTap(REMIND, offer.remind_time.replace(":", ""))
                ),
                _button(_("No, thanks"), MenuTap(REMIND_NO)),
            ]
        ]
    )


def reminder_text(send: ReminderSend) -> str:
    """The daily reminder: questions due and the streak at stake."""
    lines = [_("⏰ <b>Time for your daily review!</b>")]
    if send.due_count > 0:
        lines.append(count(send.due_count, "📚 %(n)s question due.", "📚 %(n)s questions due."))
    if send.streak > 0:
        lines.append(
            count(
                send.streak,
                "🔥 Your %(n)s-day streak is at stake — study today to keep it.",
                "🔥 Your %(n)s-day streak is at stake — study today to keep it.",
            )
        )
    return "\n".join(lines)


def reminder_keyboard() -> InlineKeyboardMarkup:
    """The Start quiz button."""
    return start_quiz_keyboard()


def timezone_current_text(zone: str, now: datetime) -> str:
    """What /timezone alone says."""
    return _(
        "🌍 Your time zone: %(zone)s.\n"
        "Change it with a city (/timezone London), a zone name (/timezone America/New_York) "
        "or a UTC offset (/timezone +5:30), or tap “%(button)s” below."
    ) % {"zone": _zone_line(zone, now), "button": _text("LOCATION_BUTTON")}


def location_keyboard() -> ReplyKeyboardMarkup:
    """The one-tap Share my location keyboard under /timezone (private chats only)."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_text("LOCATION_BUTTON"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def no_keyboard() -> ReplyKeyboardRemove:
    """Takes the Share my location keyboard away once the zone is set."""
    return ReplyKeyboardRemove()


def timezone_from_location_text(view: ReminderView | None, now: datetime) -> str:
    """The answer to a shared location: the zone set there, or why none was."""
    if view is None:
        return _(
            "I could not find a time zone at that point. Send /timezone with your city instead."
        )
    return timezone_set_text(view, now)


def timezone_set_text(view: ReminderView, now: datetime) -> str:
    """The confirmation after a zone is set."""
    text = _("🌍 Time zone set: %(zone)s.") % {"zone": _zone_line(view.timezone, now)}
    if view.remind_time is not None:
        text += "\n" + _("⏰ Your reminder stays at %(time)s your time.") % {
            "time": view.remind_time
        }
    return text


def timezone_choices_text() -> str:
    """Above the buttons when a place matches several zones."""
    return _("🌍 Which one is yours?")


def timezone_keyboard(zones: tuple[str, ...], now: datetime) -> InlineKeyboardMarkup:
    """One button per candidate zone (those whose name fits in callback data)."""
    rows = []
    for zone in zones:
        try:
            rows.append([_button(describe_zone(zone, now), MenuTap(TIMEZONE, zone))])
        except ValueError:
            continue  # a name too long for callback data; the user can type it instead
    return InlineKeyboardMarkup(rows)


# Marked with N_() for the catalogue; zone_problem_text translates them.
ZONE_PROBLEMS = {
    ZoneProblem.TOO_LONG: N_(
        "That is too long for a time zone. Try a city like “London” or an offset like “+5:30”."
    ),
    ZoneProblem.EMPTY: N_(
        "Send a city (“London”, “New York”), a zone name (“Europe/London”) or an offset (“+5:30”)."
    ),
    ZoneProblem.BAD_OFFSET: N_(
        "That offset does not exist on Earth: offsets run from −12:00 to +14:00 "
        "in steps of 30 or 45 minutes (like “+5:30” or “UTC-3”)."
    ),
    ZoneProblem.NOT_FOUND: N_(
        "I could not find that place. Try a big city near you (“Berlin”, “São Paulo”), "
        "a zone name (“America/New_York”) or an offset (“UTC+2”)."
    ),
}


def zone_problem_text(problem: ZoneProblem | None) -> str:
    """Why a text names no zone, in one plain sentence."""
    return _(ZONE_PROBLEMS[problem or ZoneProblem.NOT_FOUND])


def timezone_bad_text(problem: ZoneProblem | None) -> str:
    """One friendly line for text that names no zone."""
    return esc(zone_problem_text(problem))
