"""The callback-data codec: round trips, and anything forged or malformed decodes to None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.views.callbacks import ImportTap, MenuTap, QuizTap, decode, encode


@pytest.mark.parametrize(
    "tap",
    [
        QuizTap(1, 0, "show"),
        QuizTap(123456789, 9, "grade", 4),
        QuizTap(42, 3, "option", 3),
        QuizTap(42, 3, "giveup"),
        QuizTap(42, 3, "override"),
        ImportTap(7, "save"),
        ImportTap(7, "page", 0),
        ImportTap(7, "page", 12),
        MenuTap("quiz"),
        MenuTap("tz", "Europe/London"),
    ],
)
def test_round_trip(tap: QuizTap | ImportTap | MenuTap) -> None:
    data = encode(tap)
    assert len(data.encode()) <= 64
    assert decode(data) == tap


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "q:1:0:g5",
        "q:1:0:g",
        "q:0:0:s",
        "q:-1:0:s",
        "q:1:0:s1",
        "q:1:0:r1",
        "i:7:p",
        "i:7:p01",
        "i:7:p12345",
        "i:7:s1",
        "q:1:0:o",
        "q:1:0:z",
        "q:99999999999999999999:0:s",
        "q:1:0:s\n",
        "x" * 65,
        "m:" + "a" * 70,
        "m:Quiz",
        "m:quiz:" + "é",
    ],
)
def test_malformed_data_is_refused(data: object) -> None:
    assert decode(data) is None


@given(st.one_of(st.text(max_size=80), st.binary(max_size=80), st.none(), st.integers()))
def test_decode_never_raises(data: object) -> None:
    tap = decode(data)
    if tap is not None:
        assert decode(encode(tap)) == tap


def test_encode_refuses_what_would_not_fit() -> None:
    with pytest.raises(ValueError):
        encode(MenuTap("tz", "x" * 60))
