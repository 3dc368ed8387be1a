"""The fullest screens, rendered in every language of the interface and in the pseudo-locale,
parse as Telegram HTML and fit Telegram's limits: text 4,096, toasts 200, buttons' data 64 bytes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from telegram import InlineKeyboardMarkup

from bot.cards.model import Card
from bot.core.battle import (
    BattleConfig,
    FastestAnswer,
    LobbyOutcome,
    Notice,
    Player,
    RevealRound,
    RoundResult,
    Standing,
    Standings,
    Toast,
)
from bot.sandbox.validate import check_message_text, parse_html
from bot.services.battles import BattleRefusal
from bot.services.imports import PAGE_CARDS, ImportPreview
from bot.storage.battles import LeaderRow
from bot.views import battle, imports, language, refusals, taps, texts
from bot.views import reminders as reminder_views
from bot.views.commands import commands
from bot.views.fmt import utf16_len
from bot.views.i18n import LOCALES, PSEUDO_ENV, using_locale
from tests.unit.test_battle_views import round_row

TOAST_LIMIT = 200
LANGUAGES = [*LOCALES, "pseudo"]


@pytest.fixture(params=LANGUAGES)
def speaking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Render in one language (the pseudo-locale: English made 40% longer and accented)."""
    code = request.param
    if code == "pseudo":
        monkeypatch.setenv(PSEUDO_ENV, "1")
        code = "en"
    with using_locale(code):
        yield request.param


def fits(text: str) -> None:
    """Valid Telegram HTML within one message (4,096 characters once the tags are read)."""
    check_message_text(parse_html(text))


def small_toast(text: str) -> None:
    """A toast Telegram takes."""
    assert 0 < utf16_len(text) <= TOAST_LIMIT, text


def keyboard_fits(keyboard: InlineKeyboardMarkup | None) -> None:
    """Every button has a label and callback data within 64 bytes."""
    for row in keyboard.inline_keyboard if keyboard else ():
        for button in row:
            assert button.text
            assert button.callback_data is None or len(str(button.callback_data).encode()) <= 64


def test_the_welcome_help_and_menus(speaking: str) -> None:
    fits(texts.welcome("A" * 200))
    fits(texts.help_text())
    fits(texts.help_text(inline_bot="a_very_long_quiz_bot_username_of_32c"))
    fits(texts.group_help_text())
    for private in (True, False):
        for _name, text in commands(private):
            assert 3 <= len(text) <= 256
    for code in LOCALES:
        fits(language.menu_text(code, group=True))
        keyboard_fits(language.menu_keyboard(code))
        small_toast(language.saved(code))
    for small in (texts.SORRY, texts.DATABASE_SLOW_TOAST, taps.OUT_OF_PLACE, taps.PRIVATE_ONLY):
        small_toast(small)
    for name in ("QUESTION_CLOSED", "NOT_YOUR_QUESTION", "DECK_GONE", "CHOICE_GONE"):
        small_toast(getattr(refusals, name))
    small_toast(refusals.too_many_decks(30))


def test_a_full_battle(speaking: str) -> None:
    players = [Player(i, "N" * 64) for i in range(60)]
    config = BattleConfig(20, 60)
    for outcome in (None, *LobbyOutcome):
        fits(battle.lobby_text("D" * 200, config, players, 1, outcome))
    keyboard_fits(battle.lobby_keyboard(2**62 - 1))
    built = replace(round_row(prompt="x" * 5000), options=["y" * 900] * 4, back="z" * 5000)
    results = tuple(RoundResult(i, "n" * 200, i % 4, 1.0, i % 2 == 0, 1000) for i in range(50))
    fits(battle.round_text(built, 20, 20, 60))
    fits(battle.reveal_text(built, RevealRound(20, "k", 1, results), 20))
    fits(battle.cancelled_text(built, 20, 20))
    table = Standings(
        tuple(Standing(i, i, "N" * 64, 99_999, 20, 20, 1.5) for i in range(1, 60)),
        FastestAnswer(1, "N" * 64, 0.5, 20),
        20,
    )
    fits(battle.finish_text(table, stopped=True))
    # The table shows the top ten (bot.storage.battles.leaderboard).
    rows = [LeaderRow(i, "N" * 64, 10**6, 999, 999, 9999, 9999) for i in range(10)]
    fits(battle.leaderboard_text(rows))
    for notice in Notice:
        small_toast(battle.toast_text(Toast(0, notice, option=3)))
    for reason in BattleRefusal:
        small_toast(battle.refusal_text(reason))


def test_the_fullest_import_page(speaking: str) -> None:
    side = "é" * 2000
    cards = tuple(Card(f"{n} {side}", f"{side}\n{side}") for n in range(5000))
    warnings = tuple(f"card {n} (line {n}, '{side[:40]}'): {side}" for n in range(40))
    preview = ImportPreview(
        import_id=2**62 - 1,
        title="T" * 200,
        filename="f" * 120 + ".apkg",
        cards=len(cards),
        page=0,
        pages=625,
        page_cards=cards[:PAGE_CARDS],
        warnings=warnings,
        reviews=99_999,
        updates_existing=True,
        at_deck_limit=True,
        deck_limit=30,
    )
    fits(imports.preview_text(preview))
    keyboard_fits(imports.preview_keyboard(preview))
    fits(imports.HOW_TO_IMPORT)


def test_reminder_and_time_zone_replies(speaking: str) -> None:
    fits(reminder_views.timezone_choices_text())
    fits(reminder_views.remind_bad_time_text())
    fits(reminder_views.timezone_bad_text(None))
    for toast in ("REMINDER_SET_TOAST", "REMINDER_OFF_TOAST", "TIMEZONE_SET_TOAST", "STALE_BUTTON"):
        small_toast(getattr(reminder_views, toast))


def test_help_tells_of_inline_mode_only_when_it_is_on() -> None:
    shown = texts.help_text(inline_bot="quizmaster_bot")
    assert "In any chat, type @quizmaster_bot and a few words" in shown
    assert "@" not in texts.help_text()
    assert "/groupdeck" in shown and "/dailyq" in shown and "a daily quiz" in shown
    assert "share" in dict(commands(True))["decks"]
