"""Why a service turned a tap or a message down, in the words the handler shows.

The services hand these back inside `bot.services.views.Refusal` (and import failures), so this
module imports neither Telegram nor any service: nothing here can make an import cycle. Each text
is read as `refusals.NAME` when the refusal is made, inside the update, so it is in the reader's
language (see __getattr__).
"""

from __future__ import annotations

from bot.views.i18n import N_, _

_TEXTS = {
    # The quiz
    "QUESTION_CLOSED": N_("This question is closed"),
    "NOT_YOUR_QUESTION": N_("This question belongs to someone else's quiz"),
    # /decks
    "DECK_GONE": N_("That deck is no longer there"),
    # /settings
    "CHOICE_GONE": N_("That choice is no longer on offer"),
    "START_FIRST": N_("Send /start first"),
    # Importing a deck
    "PREVIEW_GONE": N_("This preview is gone — send the deck again"),
    "PREVIEW_EXPIRED": N_("This preview expired after a day — send the deck again"),
    "FILE_UNREADABLE": N_("the file is damaged or not a deck I know"),
    "PASTE_UNREADABLE": N_("it is in no form of flashcards I know"),
}


def __getattr__(attribute: str) -> str:
    """A refusal in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


def too_many_decks(limit: int) -> str:
    """A save refused because the user already has `limit` decks of their own."""
    return _("You have %(limit)s decks already: delete one in /decks first") % {"limit": limit}
