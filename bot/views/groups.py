"""/groupdeck: which deck a group plays, the admin's choice of it, and a member's copy of it."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.storage.decks import DeckInfo
from bot.storage.groups import GroupDeck
from bot.views.callbacks import GroupTap, encode
from bot.views.fmt import clip, esc
from bot.views.i18n import N_, _, count

TITLE_CHARS = 60
BUTTON_CHARS = 40
MAX_CHOICES = 30  # the bundled decks and an admin's own: within Telegram's 100 buttons

# Short replies, translated when read (`view.ADMINS_ONLY`): see __getattr__ below.
_TEXTS = {
    "IN_PRIVATE": N_("A group's deck is chosen in the group: send /groupdeck there."),
    "ADMINS_ONLY": N_("Only the group's admins can choose its deck"),
    "NOT_YOUR_DECK": N_("An admin can pick a bundled deck or one of their own"),
    "DECK_CHANGED": N_("The group's deck has changed: send /groupdeck again"),
    "ALREADY_YOURS": N_("This deck is already yours"),
    "OPEN_BOT": N_("Saved to your decks. Open a private chat with me to study it"),
}


def __getattr__(attribute: str) -> str:
    """A short reply of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


def _cards(n: int) -> str:
    return count(n, "%(n)s card", "%(n)s cards")


def deck_text(deck: GroupDeck, admin: bool) -> str:
    """What /groupdeck says: the group's deck and its size, and how it is chosen."""
    title = esc(clip(deck.title, TITLE_CHARS))
    lines = []
    if deck.lost is not None:
        lines.append(
            _(
                "The deck <b>%(title)s</b> chosen for this group was deleted by its owner, "
                "so the group plays the default deck again."
            )
            % {"title": esc(clip(deck.lost, TITLE_CHARS))}
        )
    if deck.chosen:
        head = _("📚 This group plays <b>%(title)s</b> (%(cards)s).")
    else:
        head = _("📚 This group plays the default deck, <b>%(title)s</b> (%(cards)s).")
    lines.append(head % {"title": title, "cards": _cards(deck.cards)})
    lines.append(_("Battles and the daily question take their cards from it."))
    if admin:
        lines.append(_("Admins: pick the group's deck below (a bundled deck or one of yours)."))
    lines.append(_("Tap <b>Add to my decks</b> to study it on your own."))
    return "\n".join(lines)


def deck_keyboard(deck: GroupDeck, choices: Sequence[DeckInfo]) -> InlineKeyboardMarkup:
    """Add to my decks, then (for an admin's /groupdeck) one button per deck they may pick."""
    rows = [
        [
            InlineKeyboardButton(
                _("➕ Add to my decks"), callback_data=encode(GroupTap(deck.deck_id, "copy"))
            )
        ]
    ]
    for choice in list(choices)[:MAX_CHOICES]:
        mark = "✅ " if choice.id == deck.deck_id else ""
        rows.append(
            [
                InlineKeyboardButton(
                    mark + clip(choice.title, BUTTON_CHARS),
                    callback_data=encode(GroupTap(choice.id, "pick")),
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def picked(deck: GroupDeck) -> str:
    """The toast after an admin's pick."""
    return _("The group now plays %(title)s") % {"title": clip(deck.title, BUTTON_CHARS)}


def copied(title: str, cards: int) -> str:
    """The private message after a member added the group's deck to their decks."""
    return _("📚 <b>%(title)s</b> (%(cards)s) is now one of your decks: pick it in /decks.") % {
        "title": esc(clip(title, TITLE_CHARS)),
        "cards": _cards(cards),
    }


def copied_toast(title: str) -> str:
    """The toast after a member added the group's deck to their decks."""
    return _("Added to your decks: %(title)s") % {"title": clip(title, BUTTON_CHARS)}
