"""How a learner's own FSRS parameters read, in /stats and in /settings."""

from __future__ import annotations

from bot.core.timezones import zone_for
from bot.services.unixtime import from_unix
from bot.storage.parameters import FitStanding
from bot.views.fmt import plural

DEFAULTS = "FSRS defaults"
YOURS = "Yours"
FROM_ANKI = "Your Anki preset's (until yours are fitted)"
CHOICE_LABELS = {"personal": "Mine", "default": DEFAULTS}


def _count(number: int, word: str) -> str:
    """'1,234 reviews'."""
    return plural(number, word).replace(str(number), f"{number:,}", 1)


def _day(seconds: int, zone_name: str) -> str:
    """A unix time as the user's local date: '3 Dec 2026'."""
    local = from_unix(seconds).astimezone(zone_for(zone_name))
    return f"{local.day} {local.strftime('%b %Y')}"


def parameters_line(standing: FitStanding, zone_name: str) -> str:
    """One line on the user's own FSRS parameters: how well they predict the user's recall
    against the defaults (log loss on the same reviews), or how far off their first fit is."""
    fit = standing.fit
    if fit is not None and fit.from_anki and fit.parameters is not None:
        line = (
            "🧠 FSRS parameters: your Anki preset's, brought with your deck, until yours are "
            f"fitted to your answers here ({_count(standing.reviews_to_go, 'more review')})"
            if standing.reviews_to_go
            else "🧠 FSRS parameters: your Anki preset's, until yours are fitted here (soon)"
        )
        if standing.use_defaults:
            line += ", not used: you chose the defaults in /settings"
        return line
    if fit is None or fit.default_log_loss is None:
        to_go = standing.reviews_to_go
        if to_go:
            return (
                "🧠 FSRS parameters: the defaults, until yours are fitted to your answers in "
                f"{_count(to_go, 'more review')}"
            )
        return "🧠 FSRS parameters: the defaults, until yours are fitted to your answers (soon)"
    basis = f"{_count(fit.reviews, 'review')}, fitted {_day(fit.fitted_at, zone_name)}"
    if fit.parameters is None or fit.log_loss is None:
        return (
            "🧠 FSRS parameters: the defaults predict your recall best so far "
            f"(log loss {fit.default_log_loss:.3f}; {basis})"
        )
    line = (
        f"🧠 Your FSRS parameters: log loss <b>{fit.log_loss:.3f}</b> vs "
        f"{fit.default_log_loss:.3f} with the defaults ({basis})"
    )
    if standing.use_defaults:
        line += ", not used: you chose the defaults in /settings"
    return line


def parameters_value(standing: FitStanding) -> str:
    """Which parameters schedule the user's answers, as the settings menu shows it."""
    if standing.use_defaults:
        return DEFAULTS
    if standing.personal is not None:
        return FROM_ANKI if standing.fit is not None and standing.fit.from_anki else YOURS
    if standing.fitted:
        return f"{YOURS} (the defaults fit you best so far)"
    to_go = standing.reviews_to_go
    if to_go:
        return f"{YOURS}, once fitted ({_count(to_go, 'more review')})"
    return f"{YOURS}, once fitted (soon)"
