"""The Mini App's sentences (webapp): sent to the page as a dictionary, translated for the reader,
and the API's error sentences."""

from __future__ import annotations

from bot.views.i18n import N_, _

# What the page's shell shows (app.js): `t("webapp.…")`.
_STRINGS: dict[str, str] = {
    "webapp.title": N_("Quizmaster"),
    "webapp.tabs": N_("Sections"),
    "webapp.tab_decks": N_("Decks"),
    "webapp.tab_progress": N_("Progress"),
    "webapp.back": N_("Back"),
    "webapp.loading": N_("Loading…"),
    "webapp.retry": N_("Try again"),
    "webapp.close": N_("Close"),
    "webapp.saved": N_("Saved"),
    "webapp.offline": N_("No connection to the bot. Check your connection and try again."),
    "webapp.failed": N_("Something went wrong. Try again in a moment."),
    "webapp.unavailable": N_("This part is not available right now."),
}

# The API's refusals, by error code: the `message` of `{"error": {"code", "message"}}`.
_ERRORS: dict[str, str] = {
    "unauthorized": N_(
        "Open this page from the bot in Telegram: the 🗂 Manage decks button under /decks, "
        "or the bot's menu button."
    ),
    "expired": N_(
        "This page was opened more than a day ago. Close it and open it again from the bot."
    ),
    "cross_site": N_("This request did not come from the bot's own page."),
    "unsupported_media_type": N_("The page must send its data as JSON."),
    "too_large": N_("That is too much at once: send less text."),
    "bad_request": N_("The page sent something the bot cannot read. Reload it and try again."),
    "not_found": N_("There is nothing here."),
    "method_not_allowed": N_("That cannot be done here."),
    "server_error": N_("Something went wrong on the bot's side. Try again in a moment."),
}


def strings() -> dict[str, str]:
    """This module's sentences in the current locale, by key."""
    return {key: _(text) for key, text in _STRINGS.items()}


def error_message(code: str) -> str:
    """The sentence for the API error `code` in the current locale (the generic one if unknown)."""
    return _(_ERRORS.get(code, _ERRORS["server_error"]))


def manage_decks_button() -> str:
    """The `web_app` button under /decks that opens the Mini App."""
    return _("🗂 Manage decks")


def menu_button_text() -> str:
    """The bot's menu button opening the Mini App (set once, for everyone)."""
    return _("Decks")


def sandbox_link_line(name: str, url: str) -> str:
    """What offline play prints: where to open the Mini App in a browser, as whom."""
    return _("Mini App: open {url} in a browser to use it as {name}").format(url=url, name=name)


__all__ = ["N_", "strings"]
