"""Fitting a learner's own parameters (what the bot keeps, when it fits again) and scheduling
with them: the same call as with the defaults, other numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import bot.core.personal_parameters as pp
from bot.core.learning_days import LearningDays
from bot.core.personal_parameters import (
    DEFAULT_PARAMETERS,
    MIN_REVIEWS,
    REFIT_AFTER,
    anki_parameters,
    fit,
    log_loss,
    refit_due,
    reviews_to_go,
)
from bot.core.scheduling import Grade, replay, review, waits
from bot.storage.parameters import parameters_from_json, parameters_json
from tests.fitting import forgetful_history

DAYS = LearningDays.of("UTC", 4)
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
HISTORY = forgetful_history(50, 9, START)  # 450 answers


def test_a_forgetful_learners_own_parameters_predict_them_better_than_the_defaults() -> None:
    result = fit(HISTORY, DAYS)
    assert result is not None and result.parameters is not None
    assert result.reviews == 450
    assert len(result.parameters) == 21 and result.parameters != DEFAULT_PARAMETERS
    # The figures /stats shows are the plain mean log loss of each set on the same answers.
    assert result.log_loss == pytest.approx(log_loss(result.parameters, HISTORY, DAYS))
    assert result.default_log_loss == pytest.approx(log_loss(DEFAULT_PARAMETERS, HISTORY, DAYS))
    assert result.log_loss is not None and result.default_log_loss is not None
    assert result.log_loss < result.default_log_loss - 0.1
    # Forgets within the day: the first Good's stability is a fraction of the defaults' 2.3 days.
    assert result.parameters[2] < 0.5 < DEFAULT_PARAMETERS[2]


def test_no_fit_below_ankis_threshold() -> None:
    short = forgetful_history(44, 9, START)  # 396 answers
    assert sum(map(len, short)) < MIN_REVIEWS
    assert fit(short, DAYS) is None


def test_answers_all_on_one_day_keep_the_defaults_with_nothing_to_score() -> None:
    same_day = [[(START + timedelta(minutes=i), Grade.GOOD)] * 2 for i in range(200)]
    result = fit(same_day, DAYS)
    assert result is not None
    assert (result.parameters, result.reviews) == (None, 400)
    assert (result.log_loss, result.default_log_loss) == (None, None)


def test_parameters_that_predict_worse_than_the_defaults_are_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A refit starts from the learner's last parameters and the optimiser only compares with
    # those: the defaults are checked too. Here the "fit" returns a stranger's parameters.
    stranger = fit(forgetful_history(50, 9, START, seed=1), DAYS)
    assert stranger is not None and stranger.parameters is not None
    easy = [[(at, Grade.GOOD) for at, _ in answers] for answers in HISTORY]  # never forgets
    monkeypatch.setattr(pp, "personal_parameters", lambda *_: stranger.parameters)
    result = fit(easy, DAYS, current=stranger.parameters)
    assert result is not None and result.parameters is None
    assert result.log_loss == result.default_log_loss == log_loss(DEFAULT_PARAMETERS, easy, DAYS)


def test_a_refit_starts_from_the_learners_current_parameters() -> None:
    first = fit(HISTORY, DAYS)
    assert first is not None and first.parameters is not None
    again = fit(HISTORY, DAYS, current=first.parameters)
    assert again is not None and again.parameters is not None
    assert again.log_loss is not None and first.log_loss is not None
    assert again.log_loss <= first.log_loss + 1e-3


@pytest.mark.parametrize(
    ("logged", "fitted_logged", "fitted_days_ago", "due"),
    [
        (399, None, None, False),  # below Anki's threshold
        (400, None, None, True),  # first fit
        (400, 400, 0, False),  # just fitted
        (799, 400, 29, False),  # more answers, not yet doubled, under a month
        (800, 400, 1, True),  # doubled
        (401, 400, 30, True),  # a month on, with new answers
        (400, 400, 90, False),  # months on, but nothing new to fit
        (500, 600, 40, False),  # fewer than counted then (a deck deleted since)
    ],
)
def test_a_fit_is_due_at_400_answers_then_monthly_or_when_the_history_doubled(
    logged: int, fitted_logged: int | None, fitted_days_ago: int | None, due: bool
) -> None:
    fitted_at = None if fitted_days_ago is None else NOW - timedelta(days=fitted_days_ago)
    assert refit_due(logged, fitted_logged, fitted_at, NOW) is due
    assert timedelta(days=30) == REFIT_AFTER


def test_reviews_to_go_count_down_to_the_first_fit() -> None:
    assert [reviews_to_go(n) for n in (0, 399, 400, 1000)] == [400, 1, 0, 0]


def test_a_review_with_own_parameters_differs_and_the_defaults_given_are_the_defaults() -> None:
    result = fit(HISTORY, DAYS)
    assert result is not None and result.parameters is not None
    own = review(None, Grade.GOOD, NOW, 0.9, False, DAYS, 1, result.parameters)
    default = review(None, Grade.GOOD, NOW, 0.9, False, DAYS, 1)
    assert own.stability == pytest.approx(result.parameters[2])
    assert default.stability == pytest.approx(DEFAULT_PARAMETERS[2])
    assert review(None, Grade.GOOD, NOW, 0.9, False, DAYS, 1, DEFAULT_PARAMETERS) == default
    # Easy on a new question: 8 days with the defaults, a day for this learner.
    assert waits(None, NOW, 0.9, False, DAYS, 1)[3] == timedelta(days=8)
    assert waits(None, NOW, 0.9, False, DAYS, 1, result.parameters)[3] == timedelta(days=1)
    answers = HISTORY[0]
    assert replay(answers, 0.9, False, DAYS, result.parameters) != replay(answers, 0.9, False, DAYS)


def test_stored_parameters_read_back_and_anything_else_means_the_defaults() -> None:
    result = fit(HISTORY, DAYS)
    assert result is not None and result.parameters is not None
    assert parameters_from_json(parameters_json(result.parameters)) == result.parameters
    assert parameters_json(None) is None
    for broken in (None, "", "not json", "{}", "[1, 2]", "[" + ", ".join(["1"] * 20) + ", NaN]"):
        assert parameters_from_json(broken) is None
    assert parameters_from_json("[" + ", ".join(["true"] * 21) + "]") is None


def test_an_anki_preset_s_parameters_are_taken_as_fsrs_6_takes_them() -> None:
    six = tuple(round(w * 1.1, 4) for w in DEFAULT_PARAMETERS)
    assert anki_parameters(six) == six
    # FSRS-5's 19 get FSRS-6's two new weights set as FSRS-5 behaved: no short-term exponent,
    # the fixed decay 0.5
    assert anki_parameters(six[:19]) == (*six[:19], 0.0, 0.5)
    assert anki_parameters(six[:17]) is None  # FSRS-4's: another model
    assert anki_parameters((*six[:4], 99.0, *six[5:])) is None  # out of FSRS's bounds
    assert anki_parameters(()) is None
