"""What the bot says about itself, and the deep links that open its private chat."""

from __future__ import annotations

import pytest

from bot.core.deeplinks import START_PAYLOADS, start_link, start_payload
from bot.handlers.start import OPENS
from bot.views.commands import DESCRIPTION, SHORT_DESCRIPTION
from bot.views.texts import OPEN_PRIVATE_CHAT, private_chat_keyboard


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_the_descriptions_fit_telegrams_limits() -> None:
    # Counted both ways: characters, and UTF-16 code units (an emoji counts twice there).
    assert 0 < len(DESCRIPTION) <= utf16_len(DESCRIPTION) <= 512
    assert 0 < len(SHORT_DESCRIPTION) <= utf16_len(SHORT_DESCRIPTION) <= 120
    # Telegram shows them as plain text: markup would be shown as typed.
    assert "<" not in DESCRIPTION and "<" not in SHORT_DESCRIPTION


@pytest.mark.parametrize("payload", START_PAYLOADS)
def test_a_known_payload_opens_its_command(payload: str) -> None:
    assert start_payload([payload]) == payload


@pytest.mark.parametrize(
    "args",
    [
        None,
        [],
        ["forget"],  # never reached through a link
        ["Decks"],
        ["decks "],
        ["decks", "extra"],
        ["decks_"],
        ["start"],
        ["help"],
        ["../decks"],
        ["x" * 64],
    ],
)
def test_anything_else_is_a_plain_start(args: list[str] | None) -> None:
    assert start_payload(args) is None


def test_every_payload_has_a_command_to_open() -> None:
    assert set(OPENS) == set(START_PAYLOADS)


def test_links_name_the_bot_and_the_payload() -> None:
    assert start_link("quizmaster_bot", "decks") == "https://t.me/quizmaster_bot?start=decks"
    assert start_link("quizmaster_bot") == "https://t.me/quizmaster_bot"
    with pytest.raises(ValueError, match="unknown start payload"):
        start_link("quizmaster_bot", "forget")


def test_the_button_opens_the_private_chat() -> None:
    keyboard = private_chat_keyboard("quizmaster_bot", "settings")
    [[button]] = keyboard.inline_keyboard
    assert (button.text, button.url) == (
        OPEN_PRIVATE_CHAT,
        "https://t.me/quizmaster_bot?start=settings",
    )
    assert button.callback_data is None
