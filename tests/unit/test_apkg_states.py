"""Anki's own FSRS memory states: taken from a package whose preset carries FSRS parameters.

The shared package has FSRS memory states on its 1,113 review cards but no parameters in its
preset: it is replayed (tests/storage/test_anki_import.py). Here the same package gets FSRS-6
parameters written into its preset, as Anki writes them after "Optimize", and a few cards'
states are spoiled the way a hostile file would.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import zstandard

from bot.cards.formats.apkg import read_apkg
from bot.cards.formats.apkg_package import collection_copy
from bot.cards.upload import Upload, decode_upload, encode_upload
from bot.core.personal_parameters import DEFAULT_PARAMETERS
from tests.conftest import shared_path
from tests.deck_notes import said

# FSRS-6's defaults, each a tenth larger: parameters FSRS takes, and not its defaults.
PARAMS = tuple(round(w * 1.1, 4) for w in DEFAULT_PARAMETERS)
DAY_ZERO = date(2023, 4, 17)  # the shared collection's day 0 (tests/fixtures/anki_reference.json)
XIN_CHAO = 1681846987083  # its first card: "xin chào", front to back


def package_with(edit: Callable[[sqlite3.Connection], object]) -> bytes:
    """The shared package with its collection edited."""
    original = shared_path("fixtures", "anki", "vietnamese-anki21b-with-reviews.apkg")
    with collection_copy(original.read_bytes(), original.name) as (_, path, _):
        db_bytes = Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "c.sqlite"
        copy.write_bytes(db_bytes)
        db = sqlite3.connect(copy)
        edit(db)
        db.commit()
        db.close()
        packed = zstandard.ZstdCompressor().compress(copy.read_bytes())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("meta", b"\x08\x03")
        archive.writestr("collection.anki21b", packed)
        archive.writestr("media", b"")
    return buffer.getvalue()


def optimised(db: sqlite3.Connection) -> None:
    """Write FSRS-6 parameters into the preset (DeckConfig.Config field 6, packed floats)."""
    packed = struct.pack(f"<{len(PARAMS)}f", *PARAMS)
    field = bytes([6 << 3 | 2, len(packed)]) + packed
    for preset, config in db.execute("SELECT id, config FROM deck_config").fetchall():
        db.execute("UPDATE deck_config SET config = ? WHERE id = ?", (config + field, preset))


def test_a_preset_without_parameters_keeps_no_state() -> None:
    result = read_apkg(package_with(lambda db: None), "v.apkg")
    assert (result.memories, result.parameters) == ([], ())


def test_with_parameters_every_review_card_keeps_anki_s_state() -> None:
    result = read_apkg(package_with(optimised), "v.apkg")
    assert result.parameters == tuple(struct.unpack("<21f", struct.pack("<21f", *PARAMS)))
    assert len(result.memories) == 1_113
    first = next(m for m in result.memories if m.card_index == 0 and not m.reverse)
    # cards row: type 2, due 180, data {"s":95.28,"d":7.141,"dr":0.9}; its last answer
    assert (first.stability, first.difficulty) == (95.28, 7.141)
    assert first.due_day == DAY_ZERO + timedelta(days=180)
    assert first.last_review == max(
        r.reviewed_at for r in result.reviews if r.card_index == 0 and not r.reverse
    )
    assert said(result.deck.warnings)[-1].startswith("1,113 Anki cards keep Anki's own FSRS memory")
    # and the states survive the preview, as the reviews do
    upload = Upload(result.deck, tuple(result.reviews), tuple(result.memories), result.parameters)
    kept = decode_upload(encode_upload(upload))
    assert (kept.memories, kept.parameters) == (upload.memories, upload.parameters)


def test_spoiled_states_are_replayed_instead() -> None:
    def spoil(db: sqlite3.Connection) -> None:
        optimised(db)
        spoiled = [
            ('{"s":"95","d":7}', XIN_CHAO),  # not a number
            ('{"s":0,"d":7}', 1681847513912),  # no stability
            ('{"s":3.5,"d":11}', 1681847804170),  # difficulty beyond 10
            ("not json", 1681848211597),
            ('{"s":1e999,"d":5}', 1681848328717),  # infinite
        ]
        db.executemany("UPDATE cards SET data = ? WHERE id = ?", spoiled)
        db.execute(  # a due day no calendar has
            "UPDATE cards SET due = 99999999 WHERE id = (SELECT MAX(id) FROM cards WHERE type = 2)"
        )

    result = read_apkg(package_with(spoil), "v.apkg")
    assert len(result.memories) == 1_113 - 6


@pytest.mark.parametrize(
    ("created", "day_zero"),
    [
        # 01:30 on the 18th at UTC+2 (the collection's offset), before its 4 am rollover
        (datetime(2023, 4, 17, 23, 30, tzinfo=UTC), date(2023, 4, 17)),
        # 04:30 on the 18th there: the 18th is day 0
        (datetime(2023, 4, 18, 2, 30, tzinfo=UTC), date(2023, 4, 18)),
    ],
)
def test_the_due_day_counts_from_day_zero_in_the_collection_s_offset_and_rollover(
    created: datetime, day_zero: date
) -> None:
    def moved(db: sqlite3.Connection) -> None:
        optimised(db)
        db.execute("UPDATE col SET crt = ?", (int(created.timestamp()),))

    result = read_apkg(package_with(moved), "v.apkg")
    first = next(m for m in result.memories if m.card_index == 0 and not m.reverse)
    assert first.due_day == day_zero + timedelta(days=180)
