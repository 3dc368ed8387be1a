"""The Mini App's sentences (webapp_progress): sent to the page as a dictionary, translated for the reader."""

from __future__ import annotations

from bot.views.i18n import N_, _

_STRINGS: dict[str, str] = {
    "progress.title": N_("Your progress"),
    "progress.empty": N_(
        "No reviews yet. Answer a few questions with /quiz in the chat and your progress shows here."
    ),
    "progress.heatmap": N_("Reviews in the past year"),
    "progress.heatmap_hint": N_("Tap a day, or focus the chart and use the arrow keys."),
    "progress.heatmap_chart": N_("Reviews per day over the past year"),
    "progress.day_reviews": N_("Reviews on {date}: {count}"),
    "progress.fewer": N_("Fewer"),
    "progress.more": N_("More"),
    "progress.forecast": N_("Due in the next 30 days"),
    "progress.forecast_hint": N_("Tap a bar to see that day's due questions."),
    "progress.forecast_chart": N_("Questions due per day over the next 30 days"),
    "progress.day_due": N_("Due on {date}: {count}"),
    "progress.column_day": N_("Day"),
    "progress.column_reviews": N_("Reviews"),
    "progress.column_due": N_("Due"),
    "progress.decks": N_("Retention by deck (last 30 days)"),
    "progress.no_decks": N_("No deck studied yet."),
    "progress.retention": N_("{percent} answered right"),
    "progress.no_retention": N_("No reviews in 30 days"),
    "progress.deck_reviews": N_("Reviews: {count}"),
    "progress.deck_due": N_("Due now: {count}"),
    "progress.hardest": N_("Hardest cards"),
    "progress.hardest_hint": N_("The cards you forget most. Pick some to review them now."),
    "progress.no_hardest": N_("No card to show yet."),
    "progress.card_detail": N_("{deck} · forgotten: {lapses} · difficulty: {difficulty}/10"),
    "progress.review_selected": N_("Review selected now"),
    "progress.pick_first": N_("Pick at least one card to review."),
    "progress.review_sent": N_("Your quiz is waiting in the chat with the bot."),
    "progress.error": N_("Your progress could not be loaded. Try again in a moment."),
    "progress.bad_cards": N_("Pick from 1 to 20 cards to review."),
    "progress.not_yours": N_("One of these cards is not in your decks."),
    "progress.no_question": N_("One of these cards has no question to ask."),
    "progress.no_chat": N_(
        "Open a chat with the bot first (send it /start): the quiz is asked there."
    ),
}


def strings() -> dict[str, str]:
    """This module's sentences in the current locale, by key."""
    return {key: _(text) for key, text in _STRINGS.items()}


def sentence(key: str) -> str:
    """One of this module's sentences in the current locale (an API error's message)."""
    return _(_STRINGS[key])


__all__ = ["N_", "sentence", "strings"]
