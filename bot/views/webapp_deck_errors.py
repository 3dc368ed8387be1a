"""Why the Mini App's decks API turned a request down, in the reader's language (sent in the JSON
error body, `{"error": {"code", "message"}}`)."""

from __future__ import annotations

from bot.cards.model import MAX_CARDS, MAX_SIDE_CHARS, MAX_TITLE_CHARS
from bot.views.i18n import N_, _, number

_BY_CODE = {
    "not_found": N_("This deck or card no longer exists."),
    "not_yours": N_("This deck belongs to someone else."),
    "read_only": N_("This is a starter deck: it can be read, not edited."),
    "changed": N_("This card was changed elsewhere: here it is as it is now."),
    "busy": N_("The deck is being changed elsewhere right now: try again."),
    "empty_deck": N_("Add a card first: an empty deck cannot be quizzed."),
    "bad_request": N_("The request was not understood."),
    "no_chat": N_("The file could not be sent: open a chat with the bot first (send it /start)."),
    "not_sent": N_("The file could not be sent just now: try again in a moment."),
    "picture_type": N_("Send the picture as a JPEG, PNG or WebP file."),
    "picture_too_large": N_("This picture is larger than 5 MB: send a smaller one."),
    "not_a_picture": N_("This is not a picture we can use: send a JPEG, PNG or WebP photo."),
}

_FIELD_NAMES = {
    "title": N_("The title"),
    "front": N_("The front"),
    "back": N_("The back"),
}


def _invalid(field: str | None, reason: str | None) -> str:
    """A 422's sentence: which field and what is wrong with it."""
    if reason == "deck_full":
        return _("A deck holds at most %(limit)s cards.") % {"limit": number(MAX_CARDS)}
    if reason == "duplicate":
        return _("Another card of this deck already has this front.")
    if reason == "picture_only":
        return _("The front is only this picture: give it a front text first.")
    name = _(_FIELD_NAMES.get(field or "", N_("This field")))
    if reason == "empty":
        return _("%(field)s is empty.") % {"field": name}
    if reason == "too_long":
        limit = MAX_TITLE_CHARS if field == "title" else MAX_SIDE_CHARS
        return _("%(field)s is longer than %(limit)s characters.") % {
            "field": name,
            "limit": number(limit),
        }
    return _("%(field)s is not valid.") % {"field": name}


def error_message(
    code: str, field: str | None = None, reason: str | None = None, deck_limit: int = 0
) -> str:
    """The sentence for an error code (and, for `invalid`, its field and reason; for
    `too_many_decks`, how many decks one may own)."""
    if code == "invalid":
        return _invalid(field, reason)
    if code == "too_many_decks":
        return _("You have %(limit)s decks already: delete one first.") % {
            "limit": number(deck_limit)
        }
    return _(_BY_CODE.get(code, N_("That did not work.")))
