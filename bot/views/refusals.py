"""Why a service turned a tap or a message down, in the words the handler shows.

The services hand these back inside `bot.services.views.Refusal` (and import failures), so this
module imports neither Telegram nor any service: nothing here can make an import cycle.
"""

from __future__ import annotations

# The quiz
QUESTION_CLOSED = "This question is closed"
NOT_YOUR_QUESTION = "This question belongs to someone else's quiz"

# /decks
DECK_GONE = "That deck is no longer there"

# /settings
CHOICE_GONE = "That choice is no longer on offer"
START_FIRST = "Send /start first"

# Importing a deck
PREVIEW_GONE = "This preview is gone — send the deck again"
PREVIEW_EXPIRED = "This preview expired after a day — send the deck again"
FILE_UNREADABLE = "the file is damaged or not a deck I know"
PASTE_UNREADABLE = "it is in no form of flashcards I know"


def too_many_decks(limit: int) -> str:
    """A save refused because the user already has `limit` decks of their own."""
    return f"You have {limit} decks already: delete one in /decks first"
