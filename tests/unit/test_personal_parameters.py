"""Personal FSRS parameters: Anki's training items in learning days, its review threshold, the
memory states of a parameter set (the bot's own with the defaults), log loss and RMSE (bins), and
a real history predicted better by its own parameters than by the defaults."""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import fsrs_rs_python as fsrs_rs
import pytest

from bot.cards.formats.apkg_reviews import anki_card_reviews
from bot.core.learning_days import LearningDays
from bot.core.personal_parameters import (
    DEFAULT_PARAMETERS,
    MIN_REVIEWS,
    Answer,
    Review,
    binned_rmse,
    enough_reviews,
    log_loss,
    memory_states,
    personal_parameters,
    predictions,
    reviews,
    rmse_bins,
    training_items,
)
from bot.core.scheduling import Grade, replay
from tests.conftest import shared_path

DAYS = LearningDays(timezone(timedelta(hours=2)), start_hour=4)  # the shared collection's days
REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "anki_reference.json"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in March 2026, given in UTC (local time is two hours later)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# Card 0: learnt at 09:00 local, again at 09:10; next day; at 02:30 local two days later (still
# the day before in learning days); then a week on, forgotten.
CARD_0: list[Answer] = [
    (at(2, 7), Grade.AGAIN),
    (at(2, 7, 10), Grade.GOOD),
    (at(3, 18), Grade.GOOD),
    (at(5, 0, 30), Grade.HARD),
    (at(11, 8), Grade.AGAIN),
]
# Card 1: learnt in between, reviewed twice.
CARD_1: list[Answer] = [(at(3, 10), Grade.GOOD), (at(4, 10), Grade.EASY), (at(9, 10), Grade.GOOD)]


def curve(delta_t: int, stability: float, parameters: tuple[float, ...]) -> float:
    """FSRS-6's forgetting curve, written out."""
    decay = -parameters[20]
    return float((1 + (0.9 ** (1 / decay) - 1) * delta_t / stability) ** decay)


def test_answers_count_learning_days_since_the_previous_one_and_same_day_ones_count_zero() -> None:
    assert reviews(CARD_0, DAYS) == (
        Review(1, 0),
        Review(3, 0),
        Review(3, 1),
        Review(2, 1),  # 02:30 on 5 March is still 4 March's learning day
        Review(1, 7),
    )
    assert reviews([], DAYS) == ()


def test_training_items_are_ankis_one_per_later_day_answer_ordered_by_time_with_card_ids() -> None:
    items, card_ids = training_items([CARD_0, CARD_1], DAYS)
    r0 = reviews(CARD_0, DAYS)
    r1 = reviews(CARD_1, DAYS)
    assert items == (r0[:3], r1[:2], r0[:4], r1[:3], r0[:5])
    assert card_ids == (0, 1, 0, 1, 0)
    assert training_items([CARD_0[:2], CARD_1[:1], []], DAYS) == ((), ())


def test_enough_reviews_is_ankis_minimum_of_400_answers() -> None:
    assert MIN_REVIEWS == 400
    answer = (at(2, 7), Grade.GOOD)
    assert not enough_reviews([[answer] * 200, [answer] * 199])
    assert enough_reviews([[answer] * 200, [answer] * 200])
    assert not enough_reviews([])


def test_too_little_history_keeps_the_current_parameters() -> None:
    # No answer on a later day: nothing to fit.
    mine = tuple(round(w * 1.01, 4) for w in DEFAULT_PARAMETERS)
    assert personal_parameters([CARD_0[:2]], DAYS, current=mine) == mine
    # Five items: fsrs-rs keeps its defaults (under 8), no better than the current ones.
    assert personal_parameters([CARD_0, CARD_1], DAYS) == DEFAULT_PARAMETERS


def test_default_parameters_give_the_bots_own_memory_states() -> None:
    for card in (CARD_0, CARD_1):
        states = memory_states(DEFAULT_PARAMETERS, card, DAYS)
        assert len(states) == len(card)
        for n, (stability, difficulty) in enumerate(states, start=1):
            bot = replay(card[:n], fuzz=False, days=DAYS)
            assert bot is not None and bot.stability is not None and bot.difficulty is not None
            assert stability == pytest.approx(bot.stability, rel=1e-5)
            assert difficulty == pytest.approx(bot.difficulty, rel=1e-5)
    assert memory_states(DEFAULT_PARAMETERS, [], DAYS) == ()


def test_log_loss_and_rmse_score_each_later_day_answer_on_the_state_before_it() -> None:
    # Good on day one (stability w2), forgotten three learning days later.
    card: list[Answer] = [(at(2, 7), Grade.GOOD), (at(5, 7), Grade.AGAIN)]
    p = curve(3, DEFAULT_PARAMETERS[2], DEFAULT_PARAMETERS)
    (scored,) = predictions(DEFAULT_PARAMETERS, [card], DAYS)
    assert scored.probability == pytest.approx(p, rel=1e-6)
    assert (scored.recalled, scored.bin) == (False, (248, 4, 0))  # 3 days, 1 long-term review
    assert log_loss(DEFAULT_PARAMETERS, [card], DAYS) == pytest.approx(-math.log(1 - p), rel=1e-6)
    assert rmse_bins(DEFAULT_PARAMETERS, [card], DAYS) == pytest.approx(p, rel=1e-6)
    # fsrs-rs's own measure of a single item agrees (its recency weights cancel out).
    item = fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(3, 0), fsrs_rs.FSRSReview(1, 3)])
    binding = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS)).evaluate([item])
    assert log_loss(DEFAULT_PARAMETERS, [card], DAYS) == pytest.approx(binding.log_loss, rel=1e-5)
    assert rmse_bins(DEFAULT_PARAMETERS, [card], DAYS) == pytest.approx(binding.rmse_bins, rel=1e-5)


def test_scores_cover_the_training_items_answers_and_since_keeps_the_later_ones() -> None:
    cards = [CARD_0, CARD_1]
    scored = predictions(DEFAULT_PARAMETERS, cards, DAYS)
    assert [p.recalled for p in scored] == [True, True, False, True, True]
    states = memory_states(DEFAULT_PARAMETERS, CARD_0, DAYS)
    assert scored[2].probability == pytest.approx(curve(7, states[3][0], DEFAULT_PARAMETERS))
    assert scored[2].bin == (898, 7, 0)  # 7 days; 3 long-term reviews; no lapse
    later = predictions(DEFAULT_PARAMETERS, cards, DAYS, since=at(9, 0))
    assert later == (scored[2], scored[4])
    assert math.isnan(log_loss(DEFAULT_PARAMETERS, [CARD_0[:2]], DAYS))
    assert math.isnan(binned_rmse(()))
    expected = sum(-math.log(p.probability if p.recalled else 1 - p.probability) for p in scored)
    assert log_loss(DEFAULT_PARAMETERS, cards, DAYS) == pytest.approx(expected / 5)


def test_a_real_history_is_predicted_better_by_its_own_parameters_than_by_the_defaults() -> None:
    """The shared package's 13,552 reviews as one learner (bench/bench_personal_parameters.py):
    lower log loss and RMSE in-sample, and on the last fifth of the answers when fitted on the
    rest. About a second."""
    package = shared_path("fixtures", "anki", "vietnamese-anki21b-with-reviews.apkg")
    collection = json.loads(REFERENCE.read_text(encoding="utf-8"))["collection"]
    assert collection["utc_offset_minutes_west"] == -120 and collection["rollover_hour"] == 4
    cards = [a for a in anki_card_reviews(package.read_bytes(), package.name).values() if a]
    assert sum(map(len, cards)) == 13_552 and enough_reviews(cards)

    started = time.perf_counter()
    personal = personal_parameters(cards, DAYS)
    assert time.perf_counter() - started < 10  # fsrs-rs takes well under a second here
    assert len(personal) == 21 and personal != DEFAULT_PARAMETERS
    assert log_loss(personal, cards, DAYS) < log_loss(DEFAULT_PARAMETERS, cards, DAYS) - 0.005
    assert rmse_bins(personal, cards, DAYS) < rmse_bins(DEFAULT_PARAMETERS, cards, DAYS)

    times = sorted(when for answers in cards for when, _ in answers)
    cutoff = times[int(0.8 * len(times))]
    earlier = [[a for a in answers if a[0] < cutoff] for answers in cards]
    fitted = personal_parameters([a for a in earlier if a], DAYS)
    assert log_loss(fitted, cards, DAYS, cutoff) < log_loss(DEFAULT_PARAMETERS, cards, DAYS, cutoff)

    # With the defaults, the states behind these scores are the bot's own for every card.
    for answers in cards[::25]:
        stability, difficulty = memory_states(DEFAULT_PARAMETERS, answers, DAYS)[-1]
        bot = replay(answers, fuzz=False, days=DAYS)
        assert bot is not None and bot.stability is not None and bot.difficulty is not None
        assert stability == pytest.approx(bot.stability, rel=1e-4)
        assert difficulty == pytest.approx(bot.difficulty, rel=1e-4)
