"""Each Anki card's own answers, as Anki's FSRS takes them from a package's review log.

Learning, review, relearning and filtered-deck answers count (ease 1-4); manual entries (a
reschedule, "set due date") do not, and a "forget" (a manual entry that resets the card, its
interval 0) starts the card's history over. Answers are per Anki card: a note's two directions
are two histories.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, datetime

from bot.cards.formats.apkg_package import collection_copy
from bot.core.scheduling import Grade

MANUAL = 4  # revlog.type of a manual entry


def anki_card_reviews(data: bytes, filename: str) -> dict[int, list[tuple[datetime, Grade]]]:
    """Each Anki card's answers by card id, oldest first: (when, grade)."""
    with collection_copy(data, filename) as (_, path, _):
        db = sqlite3.connect(path)
        try:
            rows = db.execute("SELECT cid, id, ease, type, ivl FROM revlog ORDER BY id").fetchall()
        finally:
            db.close()
    reviews: dict[int, list[tuple[datetime, Grade]]] = defaultdict(list)
    for card_id, at_ms, ease, kind, interval in rows:
        if kind == MANUAL:
            if interval == 0:
                reviews[int(card_id)].clear()  # forgotten: FSRS starts over
            continue
        if 1 <= ease <= 4:
            at = datetime.fromtimestamp(int(at_ms) / 1000, UTC)
            reviews[int(card_id)].append((at, Grade(int(ease))))
    return dict(reviews)
