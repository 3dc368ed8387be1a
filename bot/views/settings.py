"""The /settings menu: its text, its keyboards, and what its buttons' data mean.

Button data goes through the shared codec as `MenuTap("settings", arg)`, with `arg` one of
`menu`, `open.<section>` or `set.<section>.<value>`; `settings_action` reads it back defensively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.personal_parameters import MIN_REVIEWS
from bot.services.settings import (
    DAY_STARTS,
    MIXES,
    NEW_PER_DAY,
    PARAMETER_CHOICES,
    RETENTIONS,
    SESSION_SIZES,
    SettingsView,
)
from bot.views.callbacks import MenuTap, encode
from bot.views.fmt import clip, esc
from bot.views.i18n import N_, _, number, percent
from bot.views.parameters import CHOICE_LABELS, parameters_line, parameters_value

TAP_NAME = "settings"
_ARG = re.compile(
    r"(menu)|open\.(size|new|mix|ret|deck|day|fsrs|tz|remind)"
    r"|set\.(size|new|mix|ret|deck|day|fsrs)\.([a-z0-9]{1,19})"
)
# Marked with N_() for the catalogue; translated with _() where they are shown.
MIX_LABELS = {
    "mixed": N_("Mixed"),
    "choice": N_("Choice only"),
    "typed": N_("Typed only"),
    "selfgraded": N_("Self-graded only"),
}
SECTION_ICONS = {
    "size": "📚",
    "new": "🆕",
    "mix": "🎲",
    "ret": "🎯",
    "deck": "🗂",
    "day": "🌅",
    "fsrs": "🧠",
    "tz": "🌍",
    "remind": "⏰",
}
SECTION_NAMES = {
    "size": N_("Questions per session"),
    "new": N_("New per day"),
    "mix": N_("Question mix"),
    "ret": N_("Retention"),
    "deck": N_("Deck"),
    "day": N_("New day at"),
    "fsrs": N_("FSRS parameters"),
    "tz": N_("Time zone"),
    "remind": N_("Reminder"),
}
SECTION_HELP = {
    "size": N_("How many questions one /quiz session asks."),
    "new": N_("How many cards you have never studied may join your sessions each day."),
    "mix": N_(
        "Which kinds of questions you get. Mixed follows your memory: a new card starts with "
        "answers to tap, then you type it, then you recall the whole card yourself. Choice only "
        "asks questions with answers to tap, Typed only has you type every answer, Self-graded "
        "only shows a card and lets you grade your recall."
    ),
    "ret": N_(
        "How sure you want to be of remembering when a question comes back. Higher means "
        "more frequent reviews; it applies to every answer from now on."
    ),
    "deck": N_("The deck your quizzes come from."),
    "day": N_(
        "When your new day starts, local time. Until then you are still on the day before: a "
        "question due tomorrow waits until this hour, and late-night study counts for today's "
        "streak and new cards. 04:00 is what Anki uses."
    ),
    "fsrs": N_(
        "FSRS predicts when you would forget each question from a set of parameters. Once you "
        "have %(reviews)s reviews, yours are fitted to your own answers, and again every month, "
        "and they schedule your reviews when they predict your recall better than FSRS's defaults. "
        "Choose the defaults to schedule with those instead: yours are still fitted, and you "
        "can come back to them at any time."
    ),
    "tz": N_(
        "Your time zone sets when your day starts for streaks and reminders.\n"
        "Send /timezone followed by a city or an offset, e.g. <code>/timezone Berlin</code> or "
        "<code>/timezone +5:30</code>."
    ),
    "remind": N_(
        "A daily nudge at your local time when you have questions due.\n"
        "Send <code>/remind 18:30</code> to set it, or <code>/remind off</code> to stop it."
    ),
}
CHECK = "✓ "
# Short replies, translated when read (`view.STALE_BUTTON`): see __getattr__ below.
_TEXTS = {
    "BACK": N_("« Back"),
    "STALE_BUTTON": N_("This button no longer works"),
    "SETTINGS_IN_PRIVATE": N_("Settings are personal: send /settings in a private chat with me."),
}


def __getattr__(attribute: str) -> str:
    """A short reply of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


def section_name(section: str) -> str:
    """A section's name in the current locale: 'Questions per session'."""
    return _(SECTION_NAMES[section])


def section_label(section: str) -> str:
    """A section's button: its icon and name."""
    return f"{SECTION_ICONS[section]} {section_name(section)}"


def section_help(section: str) -> str:
    """What a section's setting does."""
    text = _(SECTION_HELP[section])
    return text % {"reviews": number(MIN_REVIEWS)} if section == "fsrs" else text


@dataclass(frozen=True, slots=True)
class SettingsAction:
    """A decoded settings button: show the menu, open a section, or set a value."""

    kind: Literal["menu", "open", "set"]
    section: str = ""
    value: str = ""


def settings_action(arg: str | None) -> SettingsAction | None:
    """What a settings button's argument asks for, or None for anything malformed."""
    match = _ARG.fullmatch(arg or "")
    if match is None:
        return None
    if match[1]:
        return SettingsAction("menu")
    if match[2]:
        return SettingsAction("open", match[2])
    return SettingsAction("set", match[3], match[4])


def _button(label: str, arg: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(clip(label, 60), callback_data=encode(MenuTap(TAP_NAME, arg)))


def _percent(value: float) -> str:
    return percent(round(value * 100) / 100)


def _hour(hour: int) -> str:
    return f"{hour:02d}:00"


def current_value(view: SettingsView, section: str) -> str:
    """A setting's value as the menu shows it (plain text, not escaped)."""
    user = view.user
    values = {
        "size": str(user.session_size),
        "new": str(user.new_per_day),
        "mix": _(MIX_LABELS[user.question_mix])
        if user.question_mix in MIX_LABELS
        else user.question_mix,
        "ret": _percent(user.desired_retention),
        "deck": view.deck_title,
        "day": _hour(user.day_start_hour),
        "fsrs": parameters_value(view.parameters),
        "tz": user.timezone,
    }
    return values.get(section, "")


def menu_text(view: SettingsView, saved: str | None = None) -> str:
    """The main menu: every setting and its value, with the change just made on top."""
    lines = []
    if saved:
        lines += [_("✅ Saved — %(change)s") % {"change": esc(saved)}, ""]
    lines.append(_("⚙️ <b>Settings</b>"))
    for section in ("size", "new", "mix", "ret", "deck", "day", "fsrs", "tz"):
        value = esc(clip(current_value(view, section), 80))
        lines.append(f"{section_name(section)}: <b>{value}</b>")
    if view.remind_time:
        lines.append(
            _("Reminder: <b>every day at %(time)s</b> (change with /remind)")
            % {"time": esc(view.remind_time)}
        )
    else:
        lines.append(_("Reminder: <b>off</b> — set one with /remind 18:30"))
    lines.append("\n" + _("Tap a setting to change it."))
    return "\n".join(lines)


def menu_keyboard() -> InlineKeyboardMarkup:
    """The main menu's buttons, one per setting."""
    rows = [("size", "new"), ("mix", "ret"), ("deck", "day"), ("fsrs",), ("tz", "remind")]
    return InlineKeyboardMarkup(
        [[_button(section_label(s), f"open.{s}") for s in row] for row in rows]
    )


def _choices(view: SettingsView, section: str) -> list[tuple[str, str]]:
    """(label, value) of every choice in a section."""
    if section == "size":
        return [(str(n), str(n)) for n in SESSION_SIZES]
    if section == "new":
        return [(str(n), str(n)) for n in NEW_PER_DAY]
    if section == "mix":
        return [(_(MIX_LABELS[m]), m) for m in MIXES]
    if section == "ret":
        return [(_percent(r), str(round(r * 100))) for r in RETENTIONS]
    if section == "deck":
        return [(d.title, str(d.id)) for d in view.decks[:24]]
    if section == "day":
        return [(_hour(h), str(h)) for h in DAY_STARTS]
    if section == "fsrs":
        return [(_(CHOICE_LABELS[c]), c) for c in PARAMETER_CHOICES]
    return []


def _is_current(view: SettingsView, section: str, value: str) -> bool:
    user = view.user
    current = {
        "size": str(user.session_size),
        "new": str(user.new_per_day),
        "mix": user.question_mix,
        "ret": str(round(user.desired_retention * 100)),
        "deck": str(view.deck_id),
        "day": str(user.day_start_hour),
        "fsrs": "default" if view.parameters.use_defaults else "personal",
    }
    return current.get(section) == value


def section_text(view: SettingsView, section: str) -> str:
    """A section's page: what the setting does and its value now."""
    lines = [f"<b>{section_label(section)}</b>", section_help(section)]
    now = _("Now: %(value)s")
    if section not in ("tz", "remind"):
        lines.append(
            "\n" + now % {"value": f"<b>{esc(clip(current_value(view, section), 80))}</b>"}
        )
    if section == "fsrs":
        lines.append(parameters_line(view.parameters, view.user.timezone))
    elif section == "tz":
        lines.append("\n" + now % {"value": f"<b>{esc(view.user.timezone)}</b>"})
    return "\n".join(lines)


def section_keyboard(view: SettingsView, section: str) -> InlineKeyboardMarkup:
    """A section's choices (the current one ticked) and a Back button."""
    buttons = [
        _button(
            (CHECK if _is_current(view, section, value) else "") + label, f"set.{section}.{value}"
        )
        for label, value in _choices(view, section)
    ]
    per_row = {"size": 3, "new": 5, "mix": 2, "ret": 4, "deck": 1, "day": 3, "fsrs": 2}.get(
        section, 1
    )
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    rows.append([_button(_(_TEXTS["BACK"]), "menu")])
    return InlineKeyboardMarkup(rows)


def saved_line(view: SettingsView, section: str) -> str:
    """'Questions per session: 20' — the confirmation of a change."""
    return f"{section_name(section)}: {current_value(view, section)}"


def saved_toast(saved: str) -> str:
    """The toast after a change: 'Saved: Questions per session: 20'."""
    return (_("Saved: %(change)s") % {"change": saved})[:200]
