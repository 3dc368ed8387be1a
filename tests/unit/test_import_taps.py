"""Callback data of import previews and /decks: round trips, and forgeries read as nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.views.callbacks import MAX_BYTES, DeckTap, ImportTap, decode, encode


@pytest.mark.parametrize(
    ("tap", "data"),
    [
        (ImportTap(7, "save"), "i:7:s"),
        (ImportTap(7, "history"), "i:7:h"),
        (ImportTap(7, "cancel"), "i:7:c"),
        (DeckTap(3, "use"), "d:3:u"),
        (DeckTap(3, "delete"), "d:3:d"),
        (DeckTap(3, "confirm"), "d:3:y"),
        (DeckTap(3, "list"), "d:3:l"),
    ],
)
def test_taps_encode_to_short_data_and_back(tap: ImportTap | DeckTap, data: str) -> None:
    assert encode(tap) == data
    assert decode(data) == tap


@pytest.mark.parametrize(
    "forged",
    [
        "i:0:s",
        "i:7:x",
        "i:7:",
        "i:-1:s",
        "i:7:s:",
        "d:0:u",
        "d:3:z",
        "d:3",
        "d:abc:u",
        "i:1" + "0" * 20 + ":s",
    ],
)
def test_forged_data_decodes_to_nothing(forged: str) -> None:
    assert decode(forged) is None


@given(st.integers(1, 2**62 - 1), st.sampled_from(["save", "history", "cancel"]))
def test_every_import_id_fits_in_callback_data(import_id: int, action: str) -> None:
    tap = ImportTap(import_id, action)  # type: ignore[arg-type]
    data = encode(tap)
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == tap
