"""Each learner's own FSRS parameters: who is due a fit, the answers a fit reads, and the fit kept.

A user's answers are counted in `users.reviews_logged` (a trigger on `reviews`), so finding who
is due a fit is a look at the users table, never a count over the review log. Their last fit is
one row of `fsrs_fits`; `users.fsrs_defaults` is their choice to schedule with the defaults.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from bot.core.personal_parameters import reviews_to_go
from bot.storage.db import Database, Row

PARAMETER_COUNT = 21  # FSRS-6's weights
# Joined to a query on `users u`, `pf.parameters` is what the user's answers are scheduled with:
# their own parameters' JSON, or NULL for FSRS's defaults (none kept, or the defaults chosen).
SCHEDULING_JOIN = "LEFT JOIN fsrs_fits pf ON pf.user_id = u.id AND u.fsrs_defaults = 0"


def parameters_json(parameters: tuple[float, ...] | None) -> str | None:
    """FSRS parameters as stored (a JSON list), None for the defaults."""
    return None if parameters is None else json.dumps(list(parameters))


def parameters_from_json(text: str | None) -> tuple[float, ...] | None:
    """Stored parameters; None for none, and for anything that is not 21 finite numbers (the
    defaults are scheduled with rather than a broken row failing every answer)."""
    if text is None:
        return None
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != PARAMETER_COUNT:
        return None
    if not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        return None
    return tuple(float(v) for v in values)


@dataclass(frozen=True, slots=True)
class StoredFit:
    """A user's last fit: the parameters kept (None: the defaults), when, on how many answers
    (`logged`: the user's answer count then), and the mean log loss of the kept parameters and
    of the defaults on those answers (None when none could be scored)."""

    parameters: tuple[float, ...] | None
    fitted_at: int
    reviews: int
    logged: int
    log_loss: float | None
    default_log_loss: float | None
    source: str = "fit"  # "anki": an imported Anki preset's parameters, not fitted here

    @property
    def from_anki(self) -> bool:
        """Whether these are an Anki preset's parameters, brought with an imported package."""
        return self.source == ANKI_SOURCE


@dataclass(frozen=True, slots=True)
class FitStanding:
    """Where a user stands with their own parameters: answers so far, their choice, last fit."""

    reviews_logged: int
    use_defaults: bool
    fit: StoredFit | None

    @property
    def fitted(self) -> bool:
        """Whether a fit has scored the user's answers (with their parameters or the defaults)."""
        return self.fit is not None and self.fit.default_log_loss is not None

    @property
    def personal(self) -> tuple[float, ...] | None:
        """The parameters the user's answers are scheduled with: theirs, or None (defaults)."""
        if self.use_defaults or self.fit is None:
            return None
        return self.fit.parameters

    @property
    def reviews_to_go(self) -> int:
        """Answers still needed before the first fit."""
        return reviews_to_go(self.reviews_logged)


NOT_STARTED = FitStanding(0, False, None)  # a user with no answers yet


@dataclass(frozen=True, slots=True)
class Learner:
    """What fitting a user's parameters needs besides their answers."""

    user_id: int
    timezone: str
    day_start_hour: int
    reviews_logged: int
    fit: StoredFit | None


_FIT_COLUMNS = (
    "f.parameters, f.fitted_at, f.reviews, f.logged, f.log_loss, f.default_log_loss, f.source"
)
ANKI_SOURCE = "anki"


def _fit(row: Row, at: int) -> StoredFit | None:
    if row[at + 1] is None:  # fitted_at: no fit row
        return None
    return StoredFit(
        parameters=parameters_from_json(row[at]),
        fitted_at=int(row[at + 1]),
        reviews=int(row[at + 2]),
        logged=int(row[at + 3]),
        log_loss=None if row[at + 4] is None else float(row[at + 4]),
        default_log_loss=None if row[at + 5] is None else float(row[at + 5]),
        source=str(row[at + 6]),
    )


async def due_for_fit(
    db: Database, now: int, min_reviews: int, refit_after: int, growth: int, limit: int
) -> list[int]:
    """Users due a fit (bot.core.personal_parameters.refit_due), never fitted first, then the
    oldest fits: past `min_reviews` answers with no fit, or with answers since their last fit
    and either `growth` times its answers or a fit `refit_after` seconds old."""
    rows = await db.fetchall(
        """SELECT u.id FROM users u
             LEFT JOIN fsrs_fits f ON f.user_id = u.id
            WHERE u.reviews_logged >= ?
              AND (f.user_id IS NULL
                   OR (u.reviews_logged > f.logged
                       AND (u.reviews_logged >= ? * f.logged OR f.fitted_at <= ?)))
            ORDER BY f.fitted_at IS NOT NULL, f.fitted_at, u.id
            LIMIT ?""",
        (min_reviews, growth, now - refit_after, limit),
    )
    return [int(r[0]) for r in rows]


async def learner(db: Database, user_id: int) -> Learner | None:
    """A user's days, answer count and last fit; None for an unknown user."""
    row = await db.fetchone(
        f"""SELECT u.id, u.timezone, u.day_start_hour, u.reviews_logged, {_FIT_COLUMNS}
              FROM users u LEFT JOIN fsrs_fits f ON f.user_id = u.id
             WHERE u.id = ?""",
        (user_id,),
    )
    if row is None:
        return None
    return Learner(int(row[0]), str(row[1]), int(row[2]), int(row[3]), _fit(row, 4))


async def answers(db: Database, user_id: int) -> list[tuple[int, int, int]]:
    """Every answer of a user as (question id, unix time, rating), per question, oldest first."""
    rows = await db.fetchall(
        "SELECT question_id, reviewed_at, rating FROM reviews WHERE user_id = ? "
        "ORDER BY question_id, reviewed_at, id",
        (user_id,),
    )
    return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]


async def recount(db: Database, user_id: int) -> None:
    """Count a user's answers afresh (the answers of a deleted deck leave with it, uncounted)."""
    await db.execute(
        "UPDATE users SET reviews_logged = (SELECT COUNT(*) FROM reviews r WHERE r.user_id = ?) "
        "WHERE id = ?",
        (user_id, user_id),
    )


async def save_fit(db: Database, user_id: int, fit: StoredFit) -> None:
    """Keep a user's new fit in place of the last one."""
    await db.execute(
        """INSERT INTO fsrs_fits (user_id, parameters, fitted_at, reviews, logged, log_loss,
                                  default_log_loss, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET
               parameters = excluded.parameters, fitted_at = excluded.fitted_at,
               reviews = excluded.reviews, logged = excluded.logged, log_loss = excluded.log_loss,
               default_log_loss = excluded.default_log_loss, source = excluded.source""",
        (
            user_id,
            parameters_json(fit.parameters),
            fit.fitted_at,
            fit.reviews,
            fit.logged,
            fit.log_loss,
            fit.default_log_loss,
            fit.source,
        ),
    )


async def adopt_anki_parameters(
    db: Database, user_id: int, parameters: tuple[float, ...], reviews: int, now: int
) -> bool:
    """Schedule a user with an imported Anki preset's parameters until their first fit here:
    kept only when they have no fit of their own (an earlier import's are replaced). The next
    fit starts from them and keeps them unless it predicts the user's answers better. Returns
    whether they were adopted. (`logged` 0: the first fit is due at Anki's threshold, as for
    anyone never fitted.)"""
    changed = await db.execute(
        """INSERT INTO fsrs_fits (user_id, parameters, fitted_at, reviews, logged, source)
           SELECT id, ?, ?, ?, 0, ? FROM users WHERE id = ?
           ON CONFLICT (user_id) DO UPDATE SET
               parameters = excluded.parameters, fitted_at = excluded.fitted_at,
               reviews = excluded.reviews, logged = excluded.logged, log_loss = NULL,
               default_log_loss = NULL
           WHERE fsrs_fits.source = ?""",
        (parameters_json(parameters), now, reviews, ANKI_SOURCE, user_id, ANKI_SOURCE),
    )
    return changed > 0


async def standing(db: Database, user_id: int) -> FitStanding | None:
    """A user's answer count, choice and last fit; None for an unknown user."""
    row = await db.fetchone(
        f"""SELECT u.reviews_logged, u.fsrs_defaults, {_FIT_COLUMNS}
              FROM users u LEFT JOIN fsrs_fits f ON f.user_id = u.id
             WHERE u.id = ?""",
        (user_id,),
    )
    if row is None:
        return None
    return FitStanding(int(row[0]), bool(row[1]), _fit(row, 2))
