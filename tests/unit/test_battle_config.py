"""`/battle [rounds [seconds]]`: defaults, ranges and friendly errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.battle import BattleArgsError, BattleConfig, parse_battle_args
from bot.views.battle import battle_args_text


@pytest.mark.parametrize(
    ("args", "rounds", "seconds"),
    [
        ([], 10, 20),
        (["5"], 5, 20),
        (["5", "15"], 5, 15),
        (["3", "10"], 3, 10),
        (["20", "60"], 20, 60),
        (["05"], 5, 20),
    ],
)
def test_valid_args(args: list[str], rounds: int, seconds: int) -> None:
    assert parse_battle_args(args) == BattleConfig(rounds=rounds, seconds=seconds)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["10000"], "3 to 20 rounds, not 10000"),
        (["2"], "3 to 20 rounds, not 2"),
        (["21"], "3 to 20 rounds, not 21"),
        (["5", "9"], "10 to 60 seconds, not 9"),
        (["5", "61"], "10 to 60 seconds, not 61"),
        (["abc"], "“abc” is not a number of rounds"),
        (["5", "x"], "“x” is not a number of seconds"),
        (["-5"], "“-5” is not a number of rounds"),
        (["5.5"], "“5.5” is not a number of rounds"),
        (["1_0"], "“1_0” is not a number of rounds"),
        (["５"], "is not a number of rounds"),  # full-width digit: int() would take it
        (["9" * 5000], "is not a number of rounds"),
        (["5", "15", "2"], "at most two numbers"),
    ],
)
def test_invalid_args_explain_what_works(args: list[str], says: str) -> None:
    with pytest.raises(BattleArgsError) as caught:
        parse_battle_args(args)
    text = battle_args_text(caught.value)
    assert says in text
    assert "/battle 5 15" in text
    assert len(text) < 300


@pytest.mark.parametrize(("rounds", "seconds"), [(2, 20), (21, 20), (10, 9), (10, 61)])
def test_config_refuses_out_of_range(rounds: int, seconds: int) -> None:
    with pytest.raises(ValueError):
        BattleConfig(rounds=rounds, seconds=seconds)


@given(st.lists(st.text(max_size=12), max_size=4))
def test_any_args_give_a_config_or_a_friendly_error(args: list[str]) -> None:
    try:
        config = parse_battle_args(args)
    except BattleArgsError as error:
        assert "/battle" in battle_args_text(error)
    else:
        assert 3 <= config.rounds <= 20
        assert 10 <= config.seconds <= 60


@given(st.integers(min_value=3, max_value=20), st.integers(min_value=10, max_value=60))
def test_every_valid_pair_is_accepted(rounds: int, seconds: int) -> None:
    assert parse_battle_args([str(rounds), str(seconds)]) == BattleConfig(rounds, seconds)
