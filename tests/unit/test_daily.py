"""The daily group question's pure rules: local days, posting and closing times, what a poll can
hold, and the weekly table with its ties."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core.daily import (
    Asked,
    Candidate,
    DailyArgs,
    DailyArgsError,
    DayAnswer,
    closes_at,
    drawable,
    first_post_at,
    first_right,
    fit_poll,
    group_day,
    leaks,
    next_post_at,
    parse_daily_args,
    week_start,
    weekly_table,
    winners,
)

SEVEN_PM = time(19, 0)


@pytest.mark.parametrize(
    ("now", "zone", "day"),
    [
        (datetime(2026, 3, 2, 22, 30, tzinfo=UTC), "UTC", date(2026, 3, 2)),
        (datetime(2026, 3, 2, 23, 30, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 3)),
        (datetime(2026, 3, 3, 3, 0, tzinfo=UTC), "America/New_York", date(2026, 3, 2)),
        (datetime(2026, 3, 2, 11, 0, tzinfo=UTC), "Pacific/Kiritimati", date(2026, 3, 3)),
    ],
)
def test_the_day_a_question_belongs_to_is_the_groups_local_date(
    now: datetime, zone: str, day: date
) -> None:
    assert group_day(now, zone) == day


def test_posting_comes_at_the_local_time_once_per_local_day() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert next_post_at(now, SEVEN_PM, "Europe/Berlin", None) == datetime(
        2026, 3, 2, 18, 0, tzinfo=UTC
    )
    # Today already has its question: tomorrow's time, however early it is now.
    assert next_post_at(now, SEVEN_PM, "Europe/Berlin", date(2026, 3, 2)) == datetime(
        2026, 3, 3, 18, 0, tzinfo=UTC
    )
    # Across the spring change (29 March 2026 in Berlin), 19:00 local stays 19:00 local.
    late = datetime(2026, 3, 28, 18, 30, tzinfo=UTC)
    assert next_post_at(late, SEVEN_PM, "Europe/Berlin", date(2026, 3, 28)) == datetime(
        2026, 3, 29, 17, 0, tzinfo=UTC
    )


def test_turned_on_at_the_very_minute_it_posts_today() -> None:
    at = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert first_post_at(at, SEVEN_PM, "Europe/Berlin", None) == at
    assert first_post_at(at + timedelta(minutes=1), SEVEN_PM, "Europe/Berlin", None) == at + (
        timedelta(days=1)
    )


def test_a_question_closes_after_its_open_time() -> None:
    posted = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert closes_at(posted, timedelta(hours=12)) == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


def test_weeks_start_on_monday() -> None:
    assert week_start(date(2026, 3, 8)) == date(2026, 3, 2)  # a Sunday
    assert week_start(date(2026, 3, 9)) == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("args", "parsed"),
    [
        ([], DailyArgs("show")),
        (["off"], DailyArgs("off")),
        (["TOP"], DailyArgs("top")),
        (["19:00"], DailyArgs("on", time(19, 0))),
        (["7pm", "6"], DailyArgs("on", time(19, 0), 6)),
        (["0730", "23h"], DailyArgs("on", time(7, 30), 23)),
    ],
)
def test_dailyq_arguments(args: list[str], parsed: DailyArgs) -> None:
    assert parse_daily_args(args) == parsed


@pytest.mark.parametrize(
    "args", [["25:00"], ["soon"], ["19:00", "0"], ["19:00", "24"], ["19:00", "6", "x"], ["x" * 41]]
)
def test_dailyq_arguments_that_do_not_read(args: list[str]) -> None:
    with pytest.raises(DailyArgsError):
        parse_daily_args(args)


def test_a_poll_holds_what_fits_telegrams_limits() -> None:
    assert fit_poll("q" * 300, ["a", "b"], "x").poll
    assert not fit_poll("q" * 301, ["a", "b"], "x").poll
    assert not fit_poll("q", ["a"], "x").poll
    assert not fit_poll("q", [str(i) for i in range(11)], "x").poll
    assert fit_poll("q", ["o" * 100, "b"], "x").poll
    assert not fit_poll("q", ["o" * 101, "b"], "x").poll
    assert not fit_poll("q", ["same", "same"], "x").poll
    # An emoji counts two, as Telegram counts (UTF-16).
    assert not fit_poll("😀" * 151, ["a", "b"], "x").poll
    fitted = fit_poll("q", ["a", "b"], "e" * 250 + "\n1\n2\n3")
    assert len(fitted.explanation) == 200 and fitted.explanation.endswith("…")
    assert fit_poll("q", ["a", "b"], "1\n2\n3\n4").explanation == "1\n2\n3"


def test_the_first_right_answer_is_the_earliest_right_one() -> None:
    given = [(1, "Ann", False, 10), (2, "Ben", True, 30), (3, "Cy", True, 20)]
    assert first_right(given) == (3, "Cy")
    assert first_right([(1, "Ann", False, 10)]) is None


def test_the_weekly_table_ranks_right_answers_then_firsts_and_ties_share_a_rank() -> None:
    answers = [
        # Monday: Ann first, Ben right, Cy wrong, Dee right
        DayAnswer(1, "Ann", True, True),
        DayAnswer(2, "Ben", True, False),
        DayAnswer(3, "Cy", False, False),
        DayAnswer(4, "Dee", True, False),
        # Tuesday: Ben first, Ann right, Dee right
        DayAnswer(2, "Ben", True, True),
        DayAnswer(1, "Ann", True, False),
        DayAnswer(4, "Dee", True, False),
        DayAnswer(3, "Cy", True, False),
    ]
    table = weekly_table(answers)
    assert [(s.rank, s.name, s.right, s.firsts, s.answered) for s in table] == [
        (1, "Ann", 2, 1, 2),
        (1, "Ben", 2, 1, 2),
        (3, "Dee", 2, 0, 2),
        (4, "Cy", 1, 0, 2),
    ]
    assert [s.name for s in winners(table)] == ["Ann", "Ben"]


def test_nobody_is_crowned_in_a_week_without_a_right_answer() -> None:
    table = weekly_table([DayAnswer(1, "Ann", False, False)])
    assert [(s.rank, s.right) for s in table] == [(1, 0)]
    assert winners(table) == []
    assert weekly_table([]) == []


def test_an_answer_leaks_as_a_word_of_its_own() -> None:
    assert leaks("1964", "In October 1964, Khrushchev was forced to retire")
    assert leaks("central  committee", "the Central Committee.")
    assert not leaks("196", "In October 1964")
    assert not leaks("", "anything")


def _month(seed: int) -> list[tuple[date, int, str, str]]:
    """A month of draws over nine cards of three blanks each, every card's text printing two
    answers of other cards (as the bundled deck's years and names do)."""
    answers = {card: [f"w{card}x{blank}" for blank in range(3)] for card in range(9)}
    prompts = {
        (card, blank): f"card {card} blank {blank}: {answers[(card + 1) % 9][blank]} and "
        f"{answers[(card + 4) % 9][(blank + 1) % 3]}"
        for card in range(9)
        for blank in range(3)
    }
    pool = [Candidate(card * 3 + blank, card, answers[card][blank]) for (card, blank) in prompts]
    rng = random.Random(seed)
    history: list[Asked] = []
    asked = []
    first = date(2026, 3, 2)
    for n in range(31):
        day = first + timedelta(days=n)
        pick = rng.choice(drawable(pool, history, day))
        text = prompts[(pick.card_id, pick.question_id % 3)]
        history.insert(0, Asked(day, pick.card_id, text))
        asked.append((day, pick.card_id, text, pick.answer))
    return asked


@pytest.mark.parametrize("seed", range(20))
def test_a_month_of_draws_repeats_no_card_within_eight_days_and_leaks_no_answer(seed: int) -> None:
    asked = _month(seed)
    for on, card, _text, answer in asked:
        again = [d for d, c, _t, _a in asked if c == card and on < d <= on + timedelta(days=8)]
        assert again == []
        monday = on - timedelta(days=on.weekday())
        for earlier, _c, text, _a in asked:
            if monday <= earlier < on:
                assert answer not in text.split(), (on, answer, text)
