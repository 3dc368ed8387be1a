"""Where each button belongs: the chat a tap works in, the messages that carry it, and what a tap
out of place is told.

Telegram hands back whatever callback data a (modified) client sends, from whatever message it
names; but the message itself, keyboard included, comes from Telegram as the bot left it. So a tap
is taken only from a message whose keyboard carries a button of the same place (see `place`) — or,
for a message whose keyboard has changed since, from one the feature's own records say showed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from bot.views.callbacks import (
    BattleTap,
    DailyTap,
    DeckTap,
    GroupTap,
    ImportTap,
    InlineTap,
    LinkTap,
    MenuTap,
    QuizTap,
    Tap,
    decode,
)
from bot.views.i18n import N_, _
from bot.views.reminders import REMIND, REMIND_NO

Home = Literal["private", "group", "anywhere", "inline"]
# Menus that work in any chat: /language (a group's is for its admins, checked by its handler).
ANYWHERE_MENUS = frozenset({"lang"})

# Refusals, translated when read (`taps.OUT_OF_PLACE`): see __getattr__ below.
_TEXTS = {
    "OUT_OF_PLACE": N_("This button no longer works"),
    "PRIVATE_ONLY": N_("That button works in our private chat"),
}


def __getattr__(attribute: str) -> str:
    """A refusal of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


# Menu taps that share a message: the reminder offer carries both Yes (a time) and No.
_MENU_FAMILIES = {REMIND_NO: REMIND}


def home(tap: Tap) -> Home:
    """The kind of chat a tap's action belongs to: battles in groups, /language anywhere,
    everything else in private."""
    if isinstance(tap, MenuTap) and tap.name in ANYWHERE_MENUS:
        return "anywhere"
    if isinstance(tap, InlineTap):
        return "inline"  # a message posted through inline mode: no chat comes with its taps
    return "group" if isinstance(tap, BattleTap | GroupTap | DailyTap) else "private"


def place(tap: Tap) -> tuple[object, ...]:
    """The message a tap belongs on: two taps of equal place are buttons of the same message.

    A quiz question's buttons (and its reveal's "I was right") share session and position; a
    battle's lobby (Join, Start) is round 0 and each round's options share its number; an import
    preview's buttons share its id; /decks and each menu are one kind of message each.
    """
    if isinstance(tap, QuizTap):
        return ("quiz", tap.session_id, tap.position)
    if isinstance(tap, BattleTap):
        return ("battle", tap.battle_id, tap.round_no)
    if isinstance(tap, ImportTap):
        return ("import", tap.import_id)
    if isinstance(tap, DeckTap):
        return ("decks",)
    if isinstance(tap, LinkTap):
        return ("link", tap.token)
    if isinstance(tap, InlineTap):
        return ("inline", tap.question_id)
    if isinstance(tap, GroupTap):
        return ("groupdeck",)
    if isinstance(tap, DailyTap):
        return ("daily", tap.daily_id)
    return ("menu", _MENU_FAMILIES.get(tap.name, tap.name))


def carried(tap: Tap, data: str, buttons: Iterable[str]) -> bool:
    """Whether a keyboard whose buttons hold `buttons` (callback data) carries this tap's place."""
    shown = list(buttons)
    if data in shown:
        return True
    wanted = place(tap)
    return any(other is not None and place(other) == wanted for other in map(decode, shown))


def closed_preview(tap: Tap, buttons: Iterable[str]) -> bool:
    """Whether an import tap may come from a preview that was saved or cancelled since.

    Such a preview keeps no button of its own (at most Start quiz) and its message id is not
    stored, so a message showing no more than that is taken for it; the import's owner is still
    checked by the import service, and nothing but the tapper's own chat is ever touched.
    """
    quiz = MenuTap("quiz")
    return isinstance(tap, ImportTap) and all(decode(b) == quiz for b in buttons)
