"""How /decks looks: the list with the active deck marked, switch and delete buttons, the confirm."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.decks import DeckList
from bot.storage.decks import DeckInfo
from bot.views.callbacks import DeckTap, encode
from bot.views.fmt import clip, esc, plural

TITLE_CHARS = 60
BUTTON_CHARS = 40
DECKS_IN_PRIVATE = "Your decks are personal: send /decks in a private chat with me."
STALE_BUTTON = "This button no longer works"
DELETED_TOAST = "Deleted"


def _line(deck: DeckInfo, active: bool) -> str:
    mark = "✅ " if active else "• "
    return f"{mark}{esc(clip(deck.title, TITLE_CHARS))} — {plural(deck.cards, 'card')}"


def list_text(listing: DeckList, note: str | None = None) -> str:
    """Every deck the user can study, bundled first, the active one ticked."""
    bundled = [d for d in listing.decks if d.owner_id is None]
    own = [d for d in listing.decks if d.owner_id is not None]
    lines = ["🗂 <b>Your decks</b>", "", "<i>Bundled</i>"]
    lines += [_line(d, d.id == listing.active_id) for d in bundled]
    lines += ["", "<i>Yours</i>"]
    lines += [_line(d, d.id == listing.active_id) for d in own] or [
        "none yet — /import to bring one"
    ]
    lines += ["", "Tap a deck to study it; your progress on each deck is kept."]
    if note:
        lines += ["", note]
    return "\n".join(lines)


def list_keyboard(listing: DeckList) -> InlineKeyboardMarkup:
    """One row per deck: switch to it; own decks also get a delete button."""
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
            row.append(InlineKeyboardButton("🗑", callback_data=encode(DeckTap(deck.id, "delete"))))
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def confirm_text(deck: DeckInfo) -> str:
    """The question before a deck is deleted."""
    return (
        f"Delete <b>{esc(clip(deck.title, TITLE_CHARS))}</b> ({plural(deck.cards, 'card')})?\n"
        "Your progress and answers on it are deleted too. This cannot be undone."
    )


def confirm_keyboard(deck: DeckInfo) -> InlineKeyboardMarkup:
    """Delete / Keep it."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🗑 Delete", callback_data=encode(DeckTap(deck.id, "confirm"))),
                InlineKeyboardButton("↩️ Keep it", callback_data=encode(DeckTap(deck.id, "list"))),
            ]
        ]
    )


def deleted_note(title: str) -> str:
    """The line under the list after a delete."""
    return f"🗑 Deleted <b>{esc(clip(title, TITLE_CHARS))}</b>."


def switched_toast(deck: DeckInfo) -> str:
    """The toast after switching decks."""
    return f"Now studying: {clip(deck.title, 150)}"
