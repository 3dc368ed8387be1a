"""The Mini App's sentences (webapp_decks): sent to the page as a dictionary, translated for the reader."""

from __future__ import annotations

from bot.views.i18n import N_, _

# Keys are what decks.js asks t() for; numbers travel as {placeholders} in a neutral form
# ("Cards: {count}") so one sentence serves every plural rule.
_STRINGS: dict[str, str] = {
    # The decks list.
    "decks.title": N_("Decks"),
    "decks.search_label": N_("Search decks by title"),
    "decks.yours": N_("Your decks"),
    "decks.bundled": N_("Starter decks"),
    "decks.none_yours": N_("You have no decks of your own yet."),
    "decks.none_found": N_("No deck matches your search."),
    "decks.cards_count": N_("Cards: {count}"),
    "decks.active": N_("Active: /quiz asks it"),
    "decks.follows": N_("Follows its author's changes"),
    "decks.new_heading": N_("New deck"),
    "decks.new_title_label": N_("Title of the new deck"),
    "decks.create": N_("Create deck"),
    "decks.creating": N_("Creating…"),
    "decks.created": N_("Deck created: add its first card."),
    # One deck.
    "decks.rename_label": N_("Deck title"),
    "decks.rename_save": N_("Save title"),
    "decks.renamed": N_("Title saved."),
    "decks.actions": N_("Actions"),
    "decks.use": N_("Quiz this deck"),
    "decks.used": N_("Your next /quiz asks this deck."),
    "decks.close": N_("Back to the chat"),
    "decks.export": N_("Send the deck to the chat"),
    "decks.sending": N_("Sending…"),
    "decks.exported": N_("The deck was sent to your chat as a file."),
    "decks.download": N_("Download the deck as a file"),
    "decks.download_ready": N_("The file is ready: save it with the link below."),
    "decks.download_link": N_("Save the file"),
    "decks.delete": N_("Delete deck"),
    "decks.delete_confirm": N_(
        "Delete “{title}” and its cards? Your progress on it is deleted too; this cannot be undone."
    ),
    "decks.deleting": N_("Deleting…"),
    "decks.deleted": N_("Deck deleted."),
    "decks.read_only": N_(
        "This is a starter deck: you can read its cards, not edit them. "
        "To change it, import it as a deck of your own."
    ),
    "decks.cards": N_("Cards"),
    "decks.search_cards_label": N_("Search cards (front and back)"),
    "decks.add_card": N_("Add card"),
    "decks.no_cards": N_("This deck has no cards yet."),
    "decks.no_cards_found": N_("No card matches your search."),
    "decks.range": N_("{first}–{last} of {total}"),
    "decks.prev": N_("Previous page"),
    "decks.next": N_("Next page"),
    "decks.open_card": N_("Edit card: {front}"),
    "decks.move_up": N_("Move up: {front}"),
    "decks.move_down": N_("Move down: {front}"),
    "decks.moved": N_("Card moved."),
    "decks.picture_alt": N_("Picture of the card “{front}”"),
    "decks.picture_failed": N_("The picture could not be loaded."),
    "decks.picture": N_("Picture"),
    "decks.remove_picture": N_("Remove picture"),
    "decks.picture_uploading": N_("Sending the picture…"),
    "decks.picture_saved": N_("Picture saved."),
    "decks.removing": N_("Removing…"),
    "decks.picture_removed": N_("Picture removed."),
    # One card.
    "decks.edit_card": N_("Edit card"),
    "decks.new_card": N_("New card"),
    "decks.front": N_("Front (the question)"),
    "decks.back": N_("Back (the answer)"),
    "decks.chars": N_("{count} of {max} characters"),
    "decks.keep_schedule": N_("Keep this card's schedule (the edited front is the same question)"),
    "decks.keep_schedule_help": N_(
        "Questions are known by their front: unchecked, the edited card starts as a new card."
    ),
    "decks.save": N_("Save card"),
    "decks.saving": N_("Saving…"),
    "decks.leave_unsaved": N_("Leave without saving? Your changes to this card will be lost."),
    "decks.saved": N_("Card saved."),
    "decks.saved_new": N_("Card saved: it starts as a new card."),
    "decks.added": N_("Card added."),
    "decks.stopped_following": N_(
        "This deck no longer follows its author's changes, so your edits stay."
    ),
    "decks.delete_card": N_("Delete card"),
    "decks.delete_card_confirm": N_("Delete this card? Its schedule is kept if you add it back."),
    "decks.card_deleted": N_("Card deleted."),
    "decks.changed_heading": N_("Changed elsewhere"),
    "decks.changed": N_(
        "This card was changed elsewhere. Here it is now; your text is still in the boxes: "
        "save again to apply it."
    ),
    "decks.now_front": N_("Front now: {text}"),
    "decks.now_back": N_("Back now: {text}"),
    "decks.failed": N_("That did not work: {message}"),
}


def strings() -> dict[str, str]:
    """This module's sentences in the current locale, by key."""
    return {key: _(text) for key, text in _STRINGS.items()}


__all__ = ["N_", "strings"]
