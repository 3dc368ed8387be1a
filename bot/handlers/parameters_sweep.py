"""The parameter sweep: fit the FSRS parameters of a few learners who are due a fit."""

from __future__ import annotations

import logging

from bot.runtime import App

log = logging.getLogger(__name__)


async def sweep_parameters(app: App) -> None:
    """Fit the parameters of users due a fit (periodic; tests call it after moving the clock)."""
    fitted = await app.bot_data.services.parameters.fit_due()
    if fitted:
        log.info("fitted the FSRS parameters of %d user(s)", len(fitted))
