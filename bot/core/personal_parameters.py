"""Each learner's own FSRS parameters, fitted to their review history as Anki fits them.

A history is a learner's answers grouped per question (Anki: per card), each group oldest first:
`[[(when, grade), ...], ...]` with tz-aware datetimes. Time is counted in learning days
(bot.core.learning_days): a review's elapsed time is the number of learning days since the
question's previous answer, 0 for another answer the same day.

Training items are built as Anki 26.9 builds them (rslib/src/scheduler/fsrs/params.rs,
`reviews_for_fsrs`): one item for every answer after a question's first that falls on a later
learning day than the answer before it, holding the question's answers up to and including it;
items are ordered by the time of that last answer and carry their question's id, so fsrs-rs
weighs recent reviews more. The optimiser is fsrs-rs's `compute_parameters`, run with Anki's
settings (short-term stability on, 8 epochs, the scheduler's one relearning step), and, as Anki
does, the new parameters replace the current ones only when they predict the same history with a
lower log loss (fsrs-rs's own weighted measure).

`enough_reviews` is Anki's threshold: 400 answers. Anki 23.10-24.04 refused to optimise below it
(ftl/core/deck-config.ftl, `deck-config-must-have-400-reviews`: "You must have at least 400
reviews for this operation"); from 24.06 Anki lets the optimiser decide, and fsrs-rs keeps the
default parameters below 8 training items and fits only the first-day stabilities below 64.

`log_loss` and `rmse_bins` say how well a parameter set predicts a history: for every answer that
makes a training item, the recall probability FSRS predicts from the memory state before it (the
question's earlier answers replayed with those parameters) against whether it was recalled (any
grade but Again). Log loss is the plain mean over those answers; RMSE (bins) groups them as
fsrs-rs does (by elapsed days, long-term review count and lapses) and weighs each bin by its
size. Both are pure; the optimiser takes milliseconds to a second, so callers on an event loop run
it in a worker thread.

`fit` is what the bot stores for a learner: the parameters kept (None when the defaults predict
their history at least as well) with the log loss of both on it, so /stats can show it without
fitting again. `refit_due` says when to fit again: Anki's manual suggests optimising about once a
month; a history that has doubled since the last fit is fitted sooner, as the first fits (on a
few hundred answers) move most.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import fsrs_rs_python as fsrs_rs
from fsrs import Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS as FSRS_DEFAULT_PARAMETERS

from bot.core.learning_days import LearningDays
from bot.core.scheduling import Grade

Answer = tuple[datetime, Grade]
History = Sequence[Sequence[Answer]]

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(FSRS_DEFAULT_PARAMETERS)
MIN_REVIEWS = 400  # Anki 23.10-24.04's minimum (deck-config-must-have-400-reviews)
ANKI_EPOCHS = 8  # Anki's TrainingConfig for compute_params (fsrs-rs defaults to 5)
# The bot schedules with FSRS's default steps; fsrs-rs fits short-term stability to them.
RELEARNING_STEPS = len(Scheduler().relearning_steps)
REFIT_AFTER = timedelta(days=30)  # Anki's manual: optimise about once a month
REFIT_GROWTH = 2  # ... or once the history has doubled since the last fit


@dataclass(frozen=True, slots=True)
class Review:
    """One answer as the optimiser takes it: the grade and learning days since the last one."""

    rating: int
    delta_t: int


@dataclass(frozen=True, slots=True)
class Prediction:
    """FSRS's recall probability for one answer, and whether it was recalled."""

    probability: float
    recalled: bool
    bin: tuple[int, int, int]


def reviews(answers: Sequence[Answer], days: LearningDays) -> tuple[Review, ...]:
    """A question's answers with learning days elapsed (0 for the first and same-day ones)."""
    return tuple(
        Review(int(grade), days.between(answers[i - 1][0], at) if i else 0)
        for i, (at, grade) in enumerate(answers)
    )


def training_items(
    cards: History, days: LearningDays
) -> tuple[tuple[tuple[Review, ...], ...], tuple[int, ...]]:
    """Anki's training items (each a question's answers up to a later-day one), oldest last
    answer first, with the index of the question each comes from."""
    keyed: list[tuple[datetime, int, tuple[Review, ...]]] = []
    for index, answers in enumerate(cards):
        history = reviews(answers, days)
        keyed.extend(
            (answers[i][0], index, history[: i + 1])
            for i in range(1, len(history))
            if history[i].delta_t > 0
        )
    keyed.sort(key=lambda entry: (entry[0], entry[1]))
    return tuple(entry[2] for entry in keyed), tuple(entry[1] for entry in keyed)


def enough_reviews(cards: History) -> bool:
    """Whether a history has Anki's minimum of answers for the optimiser."""
    return sum(len(answers) for answers in cards) >= MIN_REVIEWS


def _item(history: Sequence[Review]) -> fsrs_rs.FSRSItem:
    return fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r.rating, r.delta_t) for r in history])


def personal_parameters(
    cards: History,
    days: LearningDays,
    current: Sequence[float] = DEFAULT_PARAMETERS,
) -> tuple[float, ...]:
    """The 21 FSRS parameters fitted to a history (`current` when they fit it no better)."""
    histories, card_ids = training_items(cards, days)
    if not histories:
        return tuple(current)
    items = [_item(history) for history in histories]
    fitted = fsrs_rs.FSRS(list(current)).compute_parameters(
        items,
        card_ids=list(card_ids),
        enable_short_term=True,
        num_relearning_steps=RELEARNING_STEPS,
        training_config=fsrs_rs.TrainingConfig(num_epochs=ANKI_EPOCHS),
    )
    # fsrs-rs works in f32; 4 decimals, as Anki shows them, keep the figures readable.
    fitted = [round(value, 4) for value in fitted]
    # Anki's guard: keep the current parameters unless the new ones fit the history better.
    before = fsrs_rs.FSRS(list(current)).evaluate(items).log_loss
    after = fsrs_rs.FSRS(fitted).evaluate(items).log_loss
    return tuple(fitted) if after < before else tuple(current)


def memory_states(
    parameters: Sequence[float], answers: Sequence[Answer], days: LearningDays
) -> tuple[tuple[float, float], ...]:
    """(stability, difficulty) after each of a question's answers, with these parameters."""
    if not answers:
        return ()
    states = fsrs_rs.FSRS(list(parameters)).historical_memory_states(_item(reviews(answers, days)))
    return tuple((state.stability, state.difficulty) for state in states)


def _bin(history: Sequence[Review]) -> tuple[int, int, int]:
    # fsrs-rs's r_matrix_index: elapsed days, long-term review count and lapses, log-binned.
    delta_t = history[-1].delta_t
    delta_t_bin = round(2.48 * 3.62 ** math.floor(math.log(delta_t, 3.62)) * 100)
    length = sum(1 for review in history if review.delta_t > 0) + 1
    length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    lapses = sum(1 for review in history[:-1] if review.rating == 1 and review.delta_t > 0)
    if not lapses:
        return delta_t_bin, length_bin, 0
    return delta_t_bin, length_bin, round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73)))


def predictions(
    parameters: Sequence[float],
    cards: History,
    days: LearningDays,
    since: datetime | None = None,
) -> tuple[Prediction, ...]:
    """FSRS's prediction for every answer that makes a training item (from `since` on)."""
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    predicted: list[Prediction] = []
    for answers in cards:
        history = reviews(answers, days)
        states = memory_states(parameters, answers, days)
        for i in range(1, len(history)):
            if history[i].delta_t == 0 or (since is not None and answers[i][0] < since):
                continue
            # FSRS-6's forgetting curve from the state the previous answer left.
            stability = states[i - 1][0]
            probability = (1 + factor * history[i].delta_t / stability) ** decay
            predicted.append(
                Prediction(probability, history[i].rating > Grade.AGAIN, _bin(history[: i + 1]))
            )
    return tuple(predicted)


def mean_log_loss(predicted: Sequence[Prediction]) -> float:
    """Mean log loss of some predictions (NaN for none)."""
    if not predicted:
        return math.nan
    total = sum(-math.log(p.probability if p.recalled else 1 - p.probability) for p in predicted)
    return total / len(predicted)


def binned_rmse(predicted: Sequence[Prediction]) -> float:
    """fsrs-rs's RMSE (bins) of some predictions, each bin weighed by its size (NaN for none)."""
    if not predicted:
        return math.nan
    bins: dict[tuple[int, int, int], list[Prediction]] = {}
    for prediction in predicted:
        bins.setdefault(prediction.bin, []).append(prediction)
    squares = sum(
        (sum(p.probability for p in group) - sum(p.recalled for p in group)) ** 2 / len(group)
        for group in bins.values()
    )
    return math.sqrt(squares / len(predicted))


def log_loss(
    parameters: Sequence[float],
    cards: History,
    days: LearningDays,
    since: datetime | None = None,
) -> float:
    """Mean log loss of these parameters' recall predictions on a history (NaN for none)."""
    return mean_log_loss(predictions(parameters, cards, days, since))


def rmse_bins(
    parameters: Sequence[float],
    cards: History,
    days: LearningDays,
    since: datetime | None = None,
) -> float:
    """fsrs-rs's RMSE (bins) of these parameters' recall predictions on a history (NaN for none)."""
    return binned_rmse(predictions(parameters, cards, days, since))


@dataclass(frozen=True, slots=True)
class Fit:
    """A learner's parameters fitted to their history, and how well they and the defaults
    predict it (mean log loss on the same answers; None when no answer could be scored)."""

    parameters: tuple[float, ...] | None  # None: the defaults predict the history as well
    reviews: int
    log_loss: float | None  # of the parameters kept (the defaults' when those are kept)
    default_log_loss: float | None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def fit(cards: History, days: LearningDays, current: Sequence[float] | None = None) -> Fit | None:
    """A learner's parameters fitted to their history, starting from `current` (their last
    fit's, None for the defaults); None below Anki's threshold of answers."""
    if not enough_reviews(cards):
        return None
    answers = sum(len(group) for group in cards)
    start = tuple(current) if current is not None else DEFAULT_PARAMETERS
    fitted = personal_parameters(cards, days, start)
    default_loss = _finite(log_loss(DEFAULT_PARAMETERS, cards, days))
    loss = _finite(log_loss(fitted, cards, days)) if fitted != DEFAULT_PARAMETERS else None
    # The optimiser's guard compares the new parameters with `current`, which after a first fit
    # are the learner's own: the defaults must be beaten too, on the figure /stats shows.
    if loss is None or default_loss is None or loss >= default_loss:
        return Fit(None, answers, default_loss, default_loss)
    return Fit(fitted, answers, loss, default_loss)


def refit_due(
    logged: int, fitted_logged: int | None, fitted_at: datetime | None, now: datetime
) -> bool:
    """Whether a learner with `logged` answers is due a fit: never fitted and past Anki's
    threshold, or with new answers since the last fit (made at `fitted_logged` answers) and
    either a month older or twice the answers."""
    if logged < MIN_REVIEWS:
        return False
    if fitted_logged is None or fitted_at is None:
        return True
    if logged <= fitted_logged:
        return False
    return logged >= REFIT_GROWTH * fitted_logged or now - fitted_at >= REFIT_AFTER


# FSRS-6 added two weights to FSRS-5's 19: w19, the short-term stability exponent (0: none, as
# FSRS-5 had), and w20, the forgetting curve's decay (FSRS-5's was fixed at 0.5).
FSRS5_AS_FSRS6 = (0.0, 0.5)


def anki_parameters(raw: Sequence[float]) -> tuple[float, ...] | None:
    """An Anki preset's FSRS parameters as this FSRS-6 scheduler takes them: FSRS-6's as they
    are, FSRS-5's with the two weights FSRS-6 added set to schedule as FSRS-5 did; None for
    FSRS-4's, or any that FSRS refuses (out of its bounds)."""
    if len(raw) == len(DEFAULT_PARAMETERS) - len(FSRS5_AS_FSRS6):
        params = (*(float(w) for w in raw), *FSRS5_AS_FSRS6)
    elif len(raw) == len(DEFAULT_PARAMETERS):
        params = tuple(float(w) for w in raw)
    else:
        return None
    try:
        Scheduler(parameters=params)
    except ValueError:
        return None
    return params


def reviews_to_go(logged: int) -> int:
    """How many more answers a learner needs before their parameters are first fitted."""
    return max(0, MIN_REVIEWS - logged)
