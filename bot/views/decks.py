"""How /decks looks: the list with the active deck marked, switch, both-ways and delete buttons,
the confirm."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.services.decks import DeckList
from bot.storage.decks import DeckInfo
from bot.views.callbacks import DeckTap, encode
from bot.views.catalogue import catalogue_button
from bot.views.fmt import clip, esc
from bot.views.i18n import N_, _, count
from bot.views.webapp import manage_decks_button

TITLE_CHARS = 60
BUTTON_CHARS = 40
BOTH_WAYS_BUTTON = "⇄"
SHARE_BUTTON = "🔗"
# Short replies, translated when read (`view.STALE_BUTTON`): see __getattr__ below.
_TEXTS = {
    "DECKS_IN_PRIVATE": N_("Your decks are personal: send /decks in a private chat with me."),
    "STALE_BUTTON": N_("This button no longer works"),
    "DELETED_TOAST": N_("Deleted"),
    "BOTH_WAYS_LINE": N_(" · ⇄ both ways"),
    "BOTH_WAYS_HELP": N_(
        "⇄ asks one of your decks both ways: each back shown too, its front to recall."
    ),
    "SHARE_HELP": N_("🔗 shares one of your decks by a link."),
}


def __getattr__(attribute: str) -> str:
    """A short reply of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


def _cards(n: int) -> str:
    return count(n, "%(n)s card", "%(n)s cards")


def _line(deck: DeckInfo, active: bool) -> str:
    mark = "✅ " if active else "• "
    both = _(_TEXTS["BOTH_WAYS_LINE"]) if deck.both_ways else ""
    return f"{mark}{esc(clip(deck.title, TITLE_CHARS))} — {_cards(deck.cards)}{both}"


def list_text(listing: DeckList, note: str | None = None) -> str:
    """Every deck the user can study, bundled first, the active one ticked."""
    bundled = [d for d in listing.decks if d.owner_id is None]
    own = [d for d in listing.decks if d.owner_id is not None]
    lines = [_("🗂 <b>Your decks</b>"), "", _("<i>Bundled</i>")]
    lines += [_line(d, d.id == listing.active_id) for d in bundled]
    lines += ["", _("<i>Yours</i>")]
    lines += [_line(d, d.id == listing.active_id) for d in own] or [
        _("none yet — /import to bring one")
    ]
    lines += ["", _("Tap a deck to study it; your progress on each deck is kept.")]
    if own:
        lines.append(_(_TEXTS["BOTH_WAYS_HELP"]))
        lines.append(_(_TEXTS["SHARE_HELP"]))
    if note:
        lines += ["", note]
    return "\n".join(lines)


def list_keyboard(listing: DeckList, webapp_url: str | None = None) -> InlineKeyboardMarkup:
    """One row per deck: switch to it; own decks also get both-ways, share and delete buttons;
    with a Mini App address, a Manage decks button opening it (private chats only: Telegram's
    rule for web_app buttons)."""
    rows = []
    for deck in listing.decks:
        mark = "✅ " if deck.id == listing.active_id else ""
        row = [
            InlineKeyboardButton(
                f"{mark}{clip(deck.title, BUTTON_CHARS)}",
                callback_data=encode(DeckTap(deck.id, "use")),
            )
        ]
        if deck.owner_id is not None:
            both = f"{BOTH_WAYS_BUTTON} ✓" if deck.both_ways else BOTH_WAYS_BUTTON
            row.append(InlineKeyboardButton(both, callback_data=encode(DeckTap(deck.id, "both"))))
            share = encode(DeckTap(deck.id, "share"))
            row.append(InlineKeyboardButton(SHARE_BUTTON, callback_data=share))
            row.append(InlineKeyboardButton("🗑", callback_data=encode(DeckTap(deck.id, "delete"))))
        rows.append(row)
    if webapp_url is not None:
        rows.append([InlineKeyboardButton(manage_decks_button(), web_app=WebAppInfo(webapp_url))])
    rows.append([catalogue_button(_("📚 Browse catalogue"))])
    return InlineKeyboardMarkup(rows)


def confirm_text(deck: DeckInfo) -> str:
    """The question before a deck is deleted."""
    return _(
        "Delete %(deck)s (%(cards)s)?\n"
        "Your progress and answers on it are deleted too. This cannot be undone."
    ) % {"deck": f"<b>{esc(clip(deck.title, TITLE_CHARS))}</b>", "cards": _cards(deck.cards)}


def confirm_keyboard(deck: DeckInfo) -> InlineKeyboardMarkup:
    """Delete / Keep it."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🗑 Delete"), callback_data=encode(DeckTap(deck.id, "confirm"))
                ),
                InlineKeyboardButton(
                    _("↩️ Keep it"), callback_data=encode(DeckTap(deck.id, "list"))
                ),
            ]
        ]
    )


def deleted_note(title: str) -> str:
    """The line under the list after a delete."""
    return _("🗑 Deleted %(deck)s.") % {"deck": f"<b>{esc(clip(title, TITLE_CHARS))}</b>"}


def switched_toast(deck: DeckInfo) -> str:
    """The toast after switching decks."""
    return _("Now studying: %(deck)s") % {"deck": clip(deck.title, 150)}


def both_ways_toast(deck: DeckInfo) -> str:
    """The toast after turning a deck's both ways on or off."""
    title = clip(deck.title, 120)
    if deck.both_ways:
        return _("⇄ %(deck)s: every card is asked both ways now") % {"deck": title}
    return _("%(deck)s: asked front to back (and the cards its package reverses)") % {"deck": title}
