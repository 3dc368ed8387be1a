"""The Mini App's sentences (webapp_progress): sent to the page as a dictionary, translated for the reader."""

from __future__ import annotations

from bot.views.i18n import N_, _

_STRINGS: dict[str, str] = {}


def strings() -> dict[str, str]:
    """This module's sentences in the current locale, by key."""
    return {key: _(text) for key, text in _STRINGS.items()}


__all__ = ["N_", "strings"]
