"""How a learner's own FSRS parameters read in /stats and /settings, and the settings buttons
that choose between them and the defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.stats import StatsFigures
from bot.core.streaks import StreakView
from bot.services.settings import SettingsView, parse_choice
from bot.services.stats import StatsReport
from bot.storage.parameters import FitStanding, StoredFit
from bot.storage.users import UserRecord
from bot.views.callbacks import MenuTap, decode
from bot.views.fmt import CAPTION_LIMIT, utf16_len
from bot.views.parameters import parameters_line, parameters_value
from bot.views.settings import (
    menu_keyboard,
    menu_text,
    section_keyboard,
    section_text,
    settings_action,
)
from bot.views.stats import stats_caption

OWN = tuple(0.1 * i for i in range(21))
FITTED_AT = int(datetime(2026, 12, 3, 23, 30, tzinfo=UTC).timestamp())  # 4 Dec in Tokyo
FIT = StoredFit(OWN, FITTED_AT, 1234, 1234, 0.38612, 0.39449)
DEFAULTS_BEST = StoredFit(None, FITTED_AT, 450, 450, 0.52, 0.52)


def figures() -> StatsFigures:
    today = date(2026, 3, 2)
    return StatsFigures(
        today, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0.9, today, (0,), (0,) * 14
    )  # fmt: skip


def report(standing: FitStanding, timezone: str = "UTC") -> StatsReport:
    streak = StreakView(0, 0, 0, False, False, 0, 0)
    return StatsReport(figures(), "Capitals", streak, timezone, standing)


@pytest.mark.parametrize(
    ("standing", "zone", "line"),
    [
        (
            FitStanding(1234, False, FIT),
            "UTC",
            "🧠 Your FSRS parameters: log loss <b>0.386</b> vs 0.394 with the defaults "
            "(1,234 reviews, fitted 3 Dec 2026)",
        ),
        (
            FitStanding(1234, False, FIT),
            "Asia/Tokyo",
            "🧠 Your FSRS parameters: log loss <b>0.386</b> vs 0.394 with the defaults "
            "(1,234 reviews, fitted 4 Dec 2026)",
        ),
        (
            FitStanding(1300, True, FIT),
            "UTC",
            "🧠 Your FSRS parameters: log loss <b>0.386</b> vs 0.394 with the defaults "
            "(1,234 reviews, fitted 3 Dec 2026), not used: you chose the defaults in /settings",
        ),
        (
            FitStanding(450, False, DEFAULTS_BEST),
            "UTC",
            "🧠 FSRS parameters: the defaults predict your recall best so far "
            "(log loss 0.520; 450 reviews, fitted 3 Dec 2026)",
        ),
        (
            FitStanding(123, False, None),
            "UTC",
            "🧠 FSRS parameters: the defaults, until yours are fitted to your answers in "
            "277 more reviews",
        ),
        (
            FitStanding(399, False, None),
            "UTC",
            "🧠 FSRS parameters: the defaults, until yours are fitted to your answers in "
            "1 more review",
        ),
        (
            FitStanding(400, False, None),
            "UTC",
            "🧠 FSRS parameters: the defaults, until yours are fitted to your answers (soon)",
        ),
    ],
)
def test_stats_say_how_well_the_learners_parameters_predict_them_or_when_they_come(
    standing: FitStanding, zone: str, line: str
) -> None:
    assert parameters_line(standing, zone) == line
    caption = stats_caption(report(standing, zone))
    assert line in caption.split("\n") and utf16_len(caption) <= CAPTION_LIMIT


def user() -> UserRecord:
    return UserRecord(1, "Alice", None, "UTC", 10, 10, "mixed", 0.9, 0, 0, None, 0)


def settings(standing: FitStanding) -> SettingsView:
    return SettingsView(user(), 5, "Capitals", (), None, standing)


@pytest.mark.parametrize(
    ("standing", "value"),
    [
        (FitStanding(1234, False, FIT), "Yours"),
        (FitStanding(1234, True, FIT), "FSRS defaults"),
        (FitStanding(450, False, DEFAULTS_BEST), "Yours (the defaults fit you best so far)"),
        (FitStanding(100, False, None), "Yours, once fitted (300 more reviews)"),
        (FitStanding(100, True, None), "FSRS defaults"),
    ],
)
def test_the_settings_menu_names_the_parameters_in_use(standing: FitStanding, value: str) -> None:
    assert parameters_value(standing) == value
    assert f"FSRS parameters: <b>{value}</b>" in menu_text(settings(standing))


def test_the_settings_page_ticks_the_choice_in_the_database_and_its_buttons_decode() -> None:
    mine = settings(FitStanding(1234, False, FIT))
    defaults = settings(FitStanding(1234, True, FIT))
    opened = [row for row in menu_keyboard().inline_keyboard if len(row) == 1]
    assert [b.text for b in opened[0]] == ["🧠 FSRS parameters"]
    for view, labels in (
        (mine, ["✓ Mine", "FSRS defaults"]),
        (defaults, ["Mine", "✓ FSRS defaults"]),
    ):
        rows = section_keyboard(view, "fsrs").inline_keyboard
        assert [b.text for b in rows[0]] == labels
        choices = []
        for button in rows[0]:
            tap = decode(button.callback_data)
            assert isinstance(tap, MenuTap)
            action = settings_action(tap.arg)
            assert action is not None and action.kind == "set" and action.section == "fsrs"
            choices.append(parse_choice(action.section, action.value))
        assert choices == [("fsrs_defaults", 0), ("fsrs_defaults", 1)]
    text = section_text(mine, "fsrs")
    assert "400 reviews" in text and "Now: <b>Yours</b>" in text
    assert parameters_line(mine.parameters, "UTC") in text


@pytest.mark.parametrize("arg", ["set.fsrs.mine", "set.fsrs.", "set.fsrs.DEFAULT", "open.fsrsx"])
def test_forged_parameter_choices_are_refused(arg: str) -> None:
    action = settings_action(arg)
    assert action is None or parse_choice(action.section, action.value) is None


def test_an_anki_preset_s_parameters_say_where_they_come_from() -> None:
    anki = StoredFit(OWN, FITTED_AT, 13_552, 0, None, None, source="anki")
    standing = FitStanding(120, False, anki)
    assert parameters_value(standing) == "Your Anki preset's (until yours are fitted)"
    assert parameters_line(standing, "UTC") == (
        "🧠 FSRS parameters: your Anki preset's, brought with your deck, until yours are "
        "fitted to your answers here (280 more reviews)"
    )
    chose_defaults = FitStanding(120, True, anki)
    assert parameters_value(chose_defaults) == "FSRS defaults"
    assert parameters_line(chose_defaults, "UTC").endswith(
        ", not used: you chose the defaults in /settings"
    )
