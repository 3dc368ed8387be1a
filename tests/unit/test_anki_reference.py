"""The Anki reference fixture (written by bench/anki_reference.py) is whole and consistent.

It is what the bot's FSRS is to be compared with, so a truncated or hand-edited file must fail
here rather than make a comparison pass or fail for the wrong reason.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "anki_reference.json"
CARD_KEYS = {"cid", "nid", "ord", "front", "s", "d", "last_review", "reviews"}
DUE_KEYS = {"due", "due_lo", "due_hi", "due_date"}


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_header(reference: dict[str, Any]) -> None:
    collection = reference["collection"]
    assert 0 <= collection["rollover_hour"] <= 23
    assert -14 * 60 <= collection["utc_offset_minutes_west"] <= 12 * 60
    fsrs = reference["fsrs"]
    assert len(fsrs["params"]) == 21
    assert all(math.isfinite(w) for w in fsrs["params"])
    assert fsrs["desired_retention"] == 0.9
    assert fsrs["maximum_interval"] > 0


def test_day_zero_is_the_creation_day(reference: dict[str, Any]) -> None:
    """Day 0 is the creation time's date in its UTC offset, less the rollover hours."""
    collection = reference["collection"]
    local = collection["created"] - 60 * collection["utc_offset_minutes_west"]
    local -= 3600 * collection["rollover_hour"]
    assert date(1970, 1, 1) + timedelta(days=local // 86400) == date.fromisoformat(
        collection["day_zero"]
    )


def test_every_card_has_a_sane_memory_state(reference: dict[str, Any]) -> None:
    cards = reference["cards"]
    assert cards
    for card in cards:
        assert set(card) >= CARD_KEYS, card
        assert math.isfinite(card["s"]) and card["s"] > 0, card
        assert 1 <= card["d"] <= 10, card
        assert card["reviews"] >= 1, card
        assert card["ord"] in (0, 1), card
        assert 0 < len(card["front"]) <= 40, card
        assert card["last_review"] >= reference["collection"]["created"], card


def test_cards_are_unique_and_sorted(reference: dict[str, Any]) -> None:
    ids = [card["cid"] for card in reference["cards"]]
    assert ids == sorted(set(ids))
    pairs = [(card["nid"], card["ord"]) for card in reference["cards"]]
    assert len(pairs) == len(set(pairs))


def test_both_directions_are_present(reference: dict[str, Any]) -> None:
    """The package's notes are forward and reverse cards; nearly every note has both reviewed."""
    cards = reference["cards"]
    directions = Counter(card["ord"] for card in cards)
    assert set(directions) == {0, 1}
    per_note = Counter(card["nid"] for card in cards)
    both = sum(1 for count in per_note.values() if count == 2)
    assert both >= 0.95 * len(per_note)
    # The shared 570-note package: 1,113 reviewed cards of 557 notes.
    assert len(cards) == 1113
    assert len(per_note) == 557


def test_due_days_are_within_the_fuzz_range_and_dated(reference: dict[str, Any]) -> None:
    day_zero = date.fromisoformat(reference["collection"]["day_zero"])
    offset = 60 * reference["collection"]["utc_offset_minutes_west"]
    offset += 3600 * reference["collection"]["rollover_hour"]
    rescheduled = [card for card in reference["cards"] if "due" in card]
    assert len(rescheduled) >= 0.95 * len(reference["cards"])
    pushed_later = 0
    for card in rescheduled:
        assert set(card) >= DUE_KEYS, card
        assert card["due_lo"] <= card["due"] <= card["due_hi"], card
        assert day_zero + timedelta(days=card["due"]) == date.fromisoformat(card["due_date"])
        # The range lies around last review + stability (Anki's interval at 0.9 retention), or
        # later where Anki keeps fuzz from shortening an interval below the previous one.
        last_day = date(1970, 1, 1) + timedelta(days=(card["last_review"] - offset) // 86400)
        centre = (last_day - day_zero).days + card["s"]
        assert centre <= card["due_hi"] + 1, card
        pushed_later += centre < card["due_lo"] - 1
    assert pushed_later <= 0.1 * len(rescheduled)
