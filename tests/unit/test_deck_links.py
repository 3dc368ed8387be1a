"""A shared deck's link: its token fits Telegram's start parameter, and only `d_` + a token of the
right shape is read as one (anything else stays a plain /start)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.deeplinks import (
    TOKEN_CHARS,
    deck_link,
    deck_link_token,
    is_deck_token,
    new_deck_token,
    start_payload,
)
from bot.views.callbacks import LinkTap, decode, encode

START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


def test_a_new_token_fits_the_start_parameter_and_is_new_each_time() -> None:
    tokens = {new_deck_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == TOKEN_CHARS and is_deck_token(token)
        assert START_PARAMETER.fullmatch("d_" + token)


def test_the_link_opens_the_bot_with_the_payload() -> None:
    token = new_deck_token()
    assert deck_link("quiz_bot", token) == f"https://t.me/quiz_bot?start=d_{token}"
    with pytest.raises(ValueError):
        deck_link("quiz_bot", "short")


@pytest.mark.parametrize(
    "args",
    [
        None,
        [],
        ["d_"],
        ["d_" + "A" * 31],
        ["d_" + "A" * 33],
        ["d_" + "A" * 31 + "="],
        ["d_" + "A" * 31 + "\n"],
        ["D_" + "A" * 32],
        ["x_" + "A" * 32],
        ["d_" + "A" * 32, "more"],
        ["d_" + "А" * 32],  # Cyrillic А
        ["decks"],
    ],
)
def test_anything_but_d_and_a_token_is_not_a_deck_link(args: list[str] | None) -> None:
    assert deck_link_token(args) is None


def test_a_deck_link_payload_gives_its_token_and_no_command() -> None:
    token = new_deck_token()
    assert deck_link_token([f"d_{token}"]) == token
    assert start_payload([f"d_{token}"]) is None


@given(st.text(max_size=80))
def test_parsing_any_payload_never_fails(payload: str) -> None:
    token = deck_link_token([payload])
    assert token is None or (payload == "d_" + token and is_deck_token(token))


def test_the_add_button_carries_the_token_within_64_bytes() -> None:
    token = new_deck_token()
    data = encode(LinkTap(token))
    assert len(data.encode()) <= 64 and decode(data) == LinkTap(token)
    assert decode("l:" + token[:-1]) is None
    assert decode("l:" + token + "x") is None
