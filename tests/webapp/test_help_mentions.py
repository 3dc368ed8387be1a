"""/help names the Mini App (the Manage decks button under /decks, the menu button) only when the
bot has one, in every language, and the fuller help still fits one Telegram message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.sandbox.server import SandboxServer
from bot.sandbox.validate import check_message_text, parse_html
from bot.views import texts
from bot.views.i18n import LOCALES, using_locale
from bot.views.webapp import manage_decks_button
from tests.e2e.conftest import RunningBot
from tests.webapp.test_buttons import APP_URL, MANAGE, settings_for, telegram

__all__ = ["telegram"]  # the sandbox fixture, bound here by its name

HELP_HEADING = "What I can do"


@pytest.mark.parametrize("address", [APP_URL, None])
async def test_help_names_the_mini_app_only_when_the_bot_has_one(
    telegram: SandboxServer, tmp_path: Path, clock: ManualClock, address: str | None
) -> None:
    bot = RunningBot(settings_for(telegram, tmp_path, address), clock)
    await bot.start()
    try:
        anna = telegram.user("Anna")
        await anna.send("/help")
        shown = await anna.wait_for(lambda m: HELP_HEADING in m.text)
        if address is None:
            assert MANAGE not in shown.text and "menu button" not in shown.text
        else:
            assert f"tap {MANAGE} under /decks or the bot's menu button (Decks)" in shown.text
    finally:
        await bot.stop()


@pytest.mark.parametrize("code", LOCALES)
def test_the_mini_app_line_is_translated_and_fits(code: str) -> None:
    with using_locale(code):
        plain, fuller = texts.help_text(), texts.help_text(inline_bot="quiz_bot", mini_app=True)
        button = manage_decks_button()
    with using_locale("en"):
        english = texts.help_text(mini_app=True)
    check_message_text(parse_html(fuller))
    assert button not in plain
    (line,) = [line for line in fuller.splitlines() if button in line]
    assert "/decks" in line
    if code != "en":
        assert line not in english, f"not translated into {code}: {line}"
