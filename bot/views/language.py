"""/language: the interface language, chosen with buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views.callbacks import MenuTap, encode
from bot.views.i18n import LANGUAGE_NAMES, LOCALES, N_, _

TAP_NAME = "lang"

_TEXTS = {
    "ADMINS_ONLY": N_("Only the group's admins can change its language"),
    "UNKNOWN_LANGUAGE": N_("That language is not on offer"),
}


def __getattr__(name: str) -> str:
    """A text of this module in the current locale (looked up when used, so it is translated)."""
    try:
        return _(_TEXTS[name])
    except KeyError:
        raise AttributeError(name) from None


def menu_text(current: str, group: bool) -> str:
    """The /language screen: which language the bot speaks here now."""
    if group:
        head = _("🌐 <b>Language of this group</b>: %(language)s")
        note = _("An admin can pick the language the bot speaks in this group.")
    else:
        head = _("🌐 <b>Language</b>: %(language)s")
        note = _("Pick the language I speak with you.")
    return head % {"language": LANGUAGE_NAMES[current]} + "\n" + note


def menu_keyboard(current: str) -> InlineKeyboardMarkup:
    """One button per language, the current one ticked."""
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if code == current else "") + LANGUAGE_NAMES[code],
                callback_data=encode(MenuTap(TAP_NAME, code)),
            )
        ]
        for code in LOCALES
    ]
    return InlineKeyboardMarkup(rows)


def saved(code: str) -> str:
    """The toast after a choice, in the language just chosen."""
    return _("Language: %(language)s") % {"language": LANGUAGE_NAMES[code]}
