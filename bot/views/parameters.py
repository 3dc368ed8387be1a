"""How a learner's own FSRS parameters read, in /stats and in /settings."""

from __future__ import annotations

from bot.core.timezones import zone_for
from bot.services.unixtime import from_unix
from bot.storage.parameters import FitStanding
from bot.views.i18n import N_, _, count, day_month, number

DEFAULTS = N_("FSRS defaults")
YOURS = N_("Yours")
FROM_ANKI = N_("Your Anki preset's (until yours are fitted)")
# Marked with N_() for the catalogue; the settings menu translates them with _().
CHOICE_LABELS = {"personal": N_("Mine"), "default": DEFAULTS}
NOT_USED = N_(", not used: you chose the defaults in /settings")


def _more(n: int) -> str:
    """'1,234 more reviews'."""
    return count(n, "%(n)s more review", "%(n)s more reviews")


def _day(seconds: int, zone_name: str) -> str:
    """A unix time as the user's local date: '3 Dec 2026'."""
    local = from_unix(seconds).astimezone(zone_for(zone_name))
    return day_month(local.date(), year=True)


def _loss(value: float) -> str:
    return number(value, 3)


def parameters_line(standing: FitStanding, zone_name: str) -> str:
    """One line on the user's own FSRS parameters: how well they predict the user's recall
    against the defaults (log loss on the same reviews), or how far off their first fit is."""
    fit = standing.fit
    if fit is not None and fit.from_anki and fit.parameters is not None:
        line = (
            _(
                "🧠 FSRS parameters: your Anki preset's, brought with your deck, until yours are "
                "fitted to your answers here (%(more)s)"
            )
            % {"more": _more(standing.reviews_to_go)}
            if standing.reviews_to_go
            else _("🧠 FSRS parameters: your Anki preset's, until yours are fitted here (soon)")
        )
        if standing.use_defaults:
            line += _(NOT_USED)
        return line
    if fit is None or fit.default_log_loss is None:
        to_go = standing.reviews_to_go
        if to_go:
            return _(
                "🧠 FSRS parameters: the defaults, until yours are fitted to your answers in "
                "%(more)s"
            ) % {"more": _more(to_go)}
        return _("🧠 FSRS parameters: the defaults, until yours are fitted to your answers (soon)")
    basis = _("%(reviews)s, fitted %(day)s") % {
        "reviews": count(fit.reviews, "%(n)s review", "%(n)s reviews"),
        "day": _day(fit.fitted_at, zone_name),
    }
    if fit.parameters is None or fit.log_loss is None:
        return _(
            "🧠 FSRS parameters: the defaults predict your recall best so far "
            "(log loss %(default)s; %(basis)s)"
        ) % {"default": _loss(fit.default_log_loss), "basis": basis}
    line = _(
        "🧠 Your FSRS parameters: log loss %(yours)s vs %(default)s with the defaults (%(basis)s)"
    ) % {
        "yours": f"<b>{_loss(fit.log_loss)}</b>",
        "default": _loss(fit.default_log_loss),
        "basis": basis,
    }
    if standing.use_defaults:
        line += _(NOT_USED)
    return line


def parameters_value(standing: FitStanding) -> str:
    """Which parameters schedule the user's answers, as the settings menu shows it."""
    if standing.use_defaults:
        return _(DEFAULTS)
    if standing.personal is not None:
        return _(FROM_ANKI) if standing.fit is not None and standing.fit.from_anki else _(YOURS)
    if standing.fitted:
        return _("Yours (the defaults fit you best so far)")
    to_go = standing.reviews_to_go
    if to_go:
        return _("Yours, once fitted (%(more)s)") % {"more": _more(to_go)}
    return _("Yours, once fitted (soon)")
