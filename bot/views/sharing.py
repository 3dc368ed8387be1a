"""How sharing a deck looks: the owner's Share screen and the preview a share link opens."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cards.richtext import card_html
from bot.core.deeplinks import deck_link
from bot.services.sharing import LinkView, ShareScreen
from bot.storage.sharing import SampleCard
from bot.views.callbacks import DeckTap, LinkTap, encode
from bot.views.catalogue import catalogue_button, start_quiz_or_decks
from bot.views.fmt import clip, esc
from bot.views.i18n import N_, _, count
from bot.views.quiz import start_quiz_keyboard
from bot.views.refusals import too_many_decks

TITLE_CHARS = 60
NAME_CHARS = 40
SIDE_CHARS = 200  # each side of a sample card in a preview
# Short replies, translated when read (`view.ADDED_TOAST`): see __getattr__ below.
_TEXTS = {
    "ADDED_TOAST": N_("Added to your decks"),
    "HAVE_TOAST": N_("You already have this deck"),
    "REVOKED_TOAST": N_("This link was revoked"),
    "UNKNOWN_TOAST": N_("This link no longer leads to a deck"),
    "OWN_TOAST": N_("This is your own deck"),
    "FOLLOW_TOAST": N_("People who add it now follow your edits"),
    "COPY_TOAST": N_("People who add it now get their own copy"),
    "LINK_REVOKED_TOAST": N_("Link revoked"),
}


def __getattr__(attribute: str) -> str:
    """A short reply of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


def _cards(n: int) -> str:
    return count(n, "%(n)s card", "%(n)s cards")


def _title(title: str) -> str:
    return f"<b>{esc(clip(title, TITLE_CHARS))}</b>"


def share_text(screen: ShareScreen, username: str) -> str:
    """The owner's Share screen: the link (or that there is none), what adding it gives, how many
    added it."""
    deck = screen.deck
    lines = [
        _("🔗 Share %(deck)s — %(cards)s")
        % {"deck": _title(deck.title), "cards": _cards(deck.cards)},
        "",
    ]
    if screen.link is None:
        lines.append(_("Not shared: nobody can add it from a link. “New link” makes one."))
    else:
        lines += [
            esc(deck_link(username, screen.link.token)),
            _("Send this link to anyone: they see a preview and can add the deck."),
            "",
            _("Who adds it follows your later edits (their progress stays theirs).")
            if screen.link.follow
            else _("Who adds it gets a copy of their own; your later edits do not reach it."),
        ]
    if deck.added:
        lines.append(count(deck.added, "Added %(n)s time so far.", "Added %(n)s times so far."))
    note = _note(screen)
    if note:
        lines += ["", note]
    return "\n".join(lines)


def _note(screen: ShareScreen) -> str | None:
    if screen.note == "made":
        return _("✅ New link made.")
    if screen.note == "revoked":
        return _(
            "🚫 Link revoked: nobody can add the deck from it any more; those who added it keep it."
        )
    if screen.note == "limit":
        return _("You have too many links open: revoke one of another deck first.")
    return None


def share_keyboard(screen: ShareScreen) -> InlineKeyboardMarkup:
    """Follow or copy and Revoke for a shared deck, New link for one that is not; Back to /decks."""
    deck_id = screen.deck.id
    back = InlineKeyboardButton(_("↩️ Back"), callback_data=encode(DeckTap(deck_id, "list")))
    if screen.link is None:
        new = InlineKeyboardButton(
            _("🔗 New link"), callback_data=encode(DeckTap(deck_id, "share"))
        )
        return InlineKeyboardMarkup([[new, back]])
    mode = _("📄 Give copies instead") if screen.link.follow else _("🔄 Let them follow my edits")
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(mode, callback_data=encode(DeckTap(deck_id, "follow")))],
            [
                InlineKeyboardButton(
                    _("🚫 Revoke link"), callback_data=encode(DeckTap(deck_id, "revoke"))
                ),
                back,
            ],
        ]
    )


def share_toast(screen: ShareScreen) -> str | None:
    """The toast after a tap on the Share screen, if it says more than the screen."""
    if screen.note == "follow":
        return _(_TEXTS["FOLLOW_TOAST"])
    if screen.note == "copy":
        return _(_TEXTS["COPY_TOAST"])
    if screen.note == "revoked":
        return _(_TEXTS["LINK_REVOKED_TOAST"])
    return None


def _sample(card: SampleCard) -> str:
    front = card_html(card.front, card.front_html, SIDE_CHARS)
    back = card_html(card.back, card.back_html, SIDE_CHARS)
    return f"<b>{front}</b>\n{back}"


def link_text(view: LinkView) -> str:
    """What a share link shows: the deck's preview and what adding it gives, or why it cannot be
    added."""
    link = view.link
    if view.status == "unknown" or link is None:
        return _(
            "🔗 This link does not lead to a deck: it may be mistyped, or its deck was deleted."
        )
    if view.status == "revoked":
        return _("🚫 This link was revoked by its owner: the deck can no longer be added from it.")
    owner = f"<b>{esc(clip(link.owner_name, NAME_CHARS))}</b>"
    if view.status == "added":
        lines = [
            _("✅ Added %(deck)s to your decks: it is the deck you study now.")
            % {"deck": _title(link.title)}
        ]
        lines.append(
            _("It follows %(owner)s's later edits; your progress stays yours.") % {"owner": owner}
            if link.follow
            else _("It is your own copy.")
        )
        return "\n".join(lines)
    lines = [
        f"📚 {_title(link.title)}",
        _("Shared by %(owner)s · %(cards)s") % {"owner": owner, "cards": _cards(link.cards)},
        "",
    ]
    lines += ["\n\n".join(_sample(card) for card in view.samples), ""]
    if view.status == "own":
        lines.append(_("This is your own deck: whoever opens this link can add it."))
    elif view.status == "have":
        lines.append(_("You already have this deck: see /decks."))
    else:
        lines.append(
            _("Adding it follows %(owner)s's later edits; your progress stays yours.")
            % {"owner": owner}
            if link.follow
            else _("Adding it gives you a copy of your own.")
        )
        if view.status == "full":
            lines += ["", esc(too_many_decks(view.deck_limit))]
    return "\n".join(lines)


def link_keyboard(view: LinkView) -> InlineKeyboardMarkup | None:
    """Add for a deck that can be added; Start quiz once it is; the catalogue when it cannot be."""
    if view.status == "added":
        return start_quiz_keyboard()
    if view.status in ("revoked", "unknown"):
        # Someone new may arrive by a dead link: give them decks to start with, not a dead end.
        return InlineKeyboardMarkup([[catalogue_button(_("📚 Browse decks"))]])
    if view.status == "have":
        return start_quiz_or_decks(view.have_id)
    if view.status in ("open", "full"):
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("➕ Add to my decks"), callback_data=encode(LinkTap(view.token))
                    )
                ]
            ]
        )
    return None


def link_toast(view: LinkView) -> str:
    """The toast after a tap on Add."""
    if view.status == "added":
        return _(_TEXTS["ADDED_TOAST"])
    if view.status == "have":
        return _(_TEXTS["HAVE_TOAST"])
    if view.status == "revoked":
        return _(_TEXTS["REVOKED_TOAST"])
    if view.status == "own":
        return _(_TEXTS["OWN_TOAST"])
    if view.status == "full":
        return too_many_decks(view.deck_limit)
    return _(_TEXTS["UNKNOWN_TOAST"])
