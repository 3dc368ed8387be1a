"""Each learner's own FSRS parameters: fitted from their review log, kept, and reported.

A periodic sweep (bot.handlers.parameters_sweep) fits a few users at a time under one job lease,
so that of several bot processes one does the fitting; the optimiser runs in a worker thread,
off the event loop. Answers in quizzes and battles are scheduled with the kept parameters unless
the user chose the defaults (storage reads them with the rest of an answer's context).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.clock import Clock
from bot.core.learning_days import LearningDays
from bot.core.personal_parameters import (
    MIN_REVIEWS,
    REFIT_AFTER,
    REFIT_GROWTH,
    Answer,
    Fit,
    fit,
)
from bot.core.scheduling import Grade
from bot.services.unixtime import from_unix, unix
from bot.storage import leases
from bot.storage import parameters as store
from bot.storage.db import Database
from bot.storage.parameters import NOT_STARTED, FitStanding, StoredFit

log = logging.getLogger(__name__)

FITTER_JOB = "fsrs-fitter"  # the job lease of the one process fitting at a time
FITS_PER_SWEEP = 3  # a fit takes up to a second or so: a few per run keep each run short
FIT_LEASE_SECONDS = 120.0


def history(rows: Sequence[tuple[int, int, int]]) -> list[list[Answer]]:
    """Answers as (question id, unix time, rating), per question and oldest first, grouped
    into the optimiser's history (one list per question)."""
    groups: dict[int, list[Answer]] = {}
    for question_id, at, rating in rows:
        groups.setdefault(question_id, []).append((from_unix(at), Grade(rating)))
    return list(groups.values())


def _fit(
    rows: Sequence[tuple[int, int, int]], days: LearningDays, current: tuple[float, ...] | None
) -> Fit | None:
    return fit(history(rows), days, current)


@dataclass
class ParametersService:
    """Fits users' FSRS parameters and says where each user stands with theirs."""

    db: Database
    clock: Clock

    async def fit_due(
        self,
        limit: int = FITS_PER_SWEEP,
        *,
        owner: str | None = None,
        lease_seconds: float = FIT_LEASE_SECONDS,
        wall: Callable[[], float] = time.time,
    ) -> list[int] | None:
        """Fit up to `limit` users due a fit; the users fitted, or None while another process
        holds the fitter's lease."""
        owner = owner or leases.new_owner()
        lease_ms = int(lease_seconds * 1000)

        def now_ms() -> int:
            return int(wall() * 1000)

        # Mostly nobody is due: a read, and no lease taken and given back, says so.
        if not await self._due(limit):
            return []
        if not await leases.take(self.db, leases.JOB_LEASES, FITTER_JOB, owner, now_ms(), lease_ms):
            return None
        fitted: list[int] = []
        try:
            # Read again under the lease: another process may have fitted them meanwhile.
            for user_id in await self._due(limit):
                # Each fit renews the lease first: a holder that stalled past it stops here.
                if not await leases.renew(
                    self.db, leases.JOB_LEASES, FITTER_JOB, owner, now_ms(), lease_ms
                ):
                    log.warning("parameter fits: the fitter's lease passed to another process")
                    break
                if await self.fit_user(user_id) is not None:
                    fitted.append(user_id)
        finally:
            await leases.release(self.db, leases.JOB_LEASES, FITTER_JOB, owner)
        return fitted

    async def _due(self, limit: int) -> list[int]:
        return await store.due_for_fit(
            self.db,
            unix(self.clock.now()),
            MIN_REVIEWS,
            int(REFIT_AFTER.total_seconds()),
            REFIT_GROWTH,
            limit,
        )

    async def fit_user(self, user_id: int) -> StoredFit | None:
        """Fit one user's parameters to their whole review log now and keep the result; None
        for an unknown user or one below Anki's threshold of answers."""
        who = await store.learner(self.db, user_id)
        if who is None:
            return None
        rows = await store.answers(self.db, user_id)
        days = LearningDays.of(who.timezone, who.day_start_hour)
        current = who.fit.parameters if who.fit is not None else None
        now = unix(self.clock.now())
        try:
            # Milliseconds to a second of optimiser and scoring: in a worker thread.
            result = await asyncio.to_thread(_fit, rows, days, current)
        except Exception:
            log.exception("fitting the FSRS parameters of user %s failed", user_id)
            # Noted as tried at this many answers, so it is tried again only once it is due
            # again, not on every sweep; the parameters kept stay as they were.
            kept = who.fit or StoredFit(None, now, len(rows), who.reviews_logged, None, None)
            await store.save_fit(self.db, user_id, replace(kept, logged=who.reviews_logged))
            return None
        if result is None:
            # Fewer answers than counted: a deleted deck took some along. Counted afresh, the
            # user is no longer due until they have answered enough again.
            await store.recount(self.db, user_id)
            return None
        stored = StoredFit(
            parameters=result.parameters,
            fitted_at=now,
            reviews=result.reviews,
            logged=who.reviews_logged,
            log_loss=result.log_loss,
            default_log_loss=result.default_log_loss,
        )
        await store.save_fit(self.db, user_id, stored)
        return stored

    async def standing(self, user_id: int) -> FitStanding:
        """Where a user stands with their own parameters (nothing yet for an unknown user)."""
        found = await store.standing(self.db, user_id)
        return found if found is not None else NOT_STARTED
