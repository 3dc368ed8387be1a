"""The bot's schedules for the shared Anki package, compared card by card with Anki's own FSRS.

    .venv/bin/python bench/compare_anki.py

It imports `../shared/fixtures/anki/vietnamese-anki21b-with-reviews.apkg` (relative to the
repository; `--package` for another) the way a user's import does today: `ImportService.read_file`
(reader process, preview) and `save(..., with_history=True)` (the review log replayed through the
bot's FSRS and written as the recall questions' schedules) into a temporary SQLite database. Then,
for every card of `tests/fixtures/anki_reference.json` (what bench/anki_reference.py computed with
the official `anki` library), it finds the bot's card made from that note, by the front as the
bot's own importer renders it (the bot makes one card per note: both of Anki's directions are
matched with it), and prints the median, p10 and p90 of bot/Anki stability, bot − Anki (and
bot/Anki) difficulty and bot − Anki due day (days, in the collection's UTC offset and rollover
hour), and how many due days fall inside Anki's fuzz range: over all of Anki's cards, then for
each direction. The forward cards (ord 0) are the issue's baseline: stability 0.35× at the
median (p10 0.07, p90 1.11), difficulty 1.34×, due 16 days early. Nothing here needs `anki`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cards.formats.apkg import FIELD_SEPARATOR
from bot.cards.formats.apkg_html import field_to_text
from bot.cards.formats.apkg_package import collection_copy
from bot.cards.model import Card
from bot.cards.questions import card_key
from bot.clock import ManualClock
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.storage.db import open_database

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO.parent / "shared" / "fixtures" / "anki" / "vietnamese-anki21b-with-reviews.apkg"
REFERENCE = REPO / "tests" / "fixtures" / "anki_reference.json"
USER = 1
# Any time after the package's last review: the replay does not depend on it.
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


def note_keys(data: bytes, filename: str) -> dict[int, str]:
    """Each note's id → the key of the card the bot makes from it (from its first field)."""
    with collection_copy(data, filename) as (_, path, _):
        db = sqlite3.connect(path)
        try:
            notes = db.execute("SELECT id, flds FROM notes").fetchall()
        finally:
            db.close()
    keys = {}
    for note_id, fields in notes:
        front = field_to_text(str(fields).split(FIELD_SEPARATOR)[0]).text
        keys[int(note_id)] = card_key(Card(front, "-"))
    return keys


async def bot_states(data: bytes, filename: str) -> tuple[dict[str, dict[str, Any]], SavedDeck]:
    """The bot's stored schedule per card key, after importing the package with its history."""
    with tempfile.TemporaryDirectory(prefix="compare-anki-") as tmp:
        db = await open_database(f"sqlite:///{Path(tmp) / 'bot.sqlite3'}")
        service = ImportService(db, ManualClock(NOW))
        try:
            shown = await service.read_file(USER, "Compare", data, filename)
            if not isinstance(shown, ImportPreview):
                sys.exit(f"the bot did not read the package: {shown}")
            saved = await service.save(USER, shown.import_id, with_history=True)
            if not isinstance(saved, SavedDeck):
                sys.exit(f"the bot did not save the package: {saved}")
            rows = await db.fetchall(
                """SELECT c.key, rs.stability, rs.difficulty, rs.due, rs.last_review, rs.reps
                     FROM review_states rs JOIN cards c ON c.id = rs.card_id
                     JOIN questions q ON q.id = rs.question_id
                    WHERE rs.user_id = ? AND q.kind = 'recall'""",
                (USER,),
            )
        finally:
            await service.close()
            await db.close()
    states = {
        str(r[0]): {"s": r[1], "d": r[2], "due": int(r[3]), "last": r[4], "reps": int(r[5])}
        for r in rows
    }
    return states, saved


def spread(values: list[float]) -> tuple[float, float, float]:
    """Median, 10th and 90th percentile."""
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return statistics.median(values), deciles[0], deciles[-1]


def anki_day(unix: int, collection: dict[str, Any]) -> int:
    """A time as Anki's day number: its local date (offset, rollover) since day 0."""
    local = datetime.fromtimestamp(unix, UTC) - timedelta(
        minutes=collection["utc_offset_minutes_west"], hours=collection["rollover_hour"]
    )
    return (local.date() - date.fromisoformat(collection["day_zero"])).days


def figures(pairs: list[tuple[dict[str, Any], dict[str, Any]]], collection: dict[str, Any]) -> str:
    """The spread of bot against Anki over matched (Anki card, bot schedule) pairs."""
    ratio = [b["s"] / a["s"] for a, b in pairs if b["s"]]
    difference = [b["d"] - a["d"] for a, b in pairs if b["d"] is not None]
    times = [b["d"] / a["d"] for a, b in pairs if b["d"] is not None]
    due = [(a, anki_day(b["due"], collection)) for a, b in pairs if "due" in a]
    days = [float(day - a["due"]) for a, day in due]
    inside = sum(a["due_lo"] <= day <= a["due_hi"] for a, day in due)
    rows = []
    for label, values, signed in (
        ("stability bot/Anki (×)", ratio, False),
        ("difficulty bot − Anki", difference, True),
        ("difficulty bot/Anki (×)", times, False),
        ("due day bot − Anki (d)", days, True),
    ):
        shown = [f"{v:+.2f}" if signed else f"{v:.2f}" for v in spread(values)]
        rows.append(f"  {label:<24} median {shown[0]:>7}  p10 {shown[1]:>7}  p90 {shown[2]:>7}")
    rows.append(
        f"  due day inside Anki's fuzz range: {inside} of {len(due)} ({inside / len(due):.0%})"
    )
    return "\n".join(rows)


def compare(reference: dict[str, Any], keys: dict[int, str], bot: dict[str, dict[str, Any]]) -> str:
    """Anki's cards matched with the bot's schedules, and the figures: all, then by direction."""
    collection = reference["collection"]
    cards = reference["cards"]
    matched = [(card, bot[keys[card["nid"]]]) for card in cards if keys.get(card["nid"]) in bot]
    unmatched = Counter(card["ord"] for card in cards if keys.get(card["nid"]) not in bot)
    lines = [
        f"Anki cards: {len(cards)} of {len({c['nid'] for c in cards})} notes; matched with one of "
        f"the bot's {len(bot)} schedules (one per note, both directions on it): {len(matched)}; "
        f"unmatched: {sum(unmatched.values())}",
        f"all matched Anki cards ({len(matched)}):",
        figures(matched, collection),
    ]
    for ordinal, name in ((0, "forward"), (1, "reverse")):
        part = [(a, b) for a, b in matched if a["ord"] == ordinal]
        lines += [f"ord {ordinal}, {name} ({len(part)}):", figures(part, collection)]
    lines.append(
        "target: stability 0.95–1.05× at the median and 0.8–1.25× p10–p90; difficulty ±0.2 at "
        "the median; due day inside Anki's fuzz range"
    )
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=PACKAGE)
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    args = parser.parse_args()
    if not args.package.exists():
        sys.exit(f"no package at {args.package}")
    reference = json.loads(args.reference.read_text(encoding="utf-8"))
    if reference["package"] != args.package.name:
        sys.exit(f"{args.reference} was computed for {reference['package']}")
    data = args.package.read_bytes()
    keys = note_keys(data, args.package.name)
    bot, saved = await bot_states(data, args.package.name)
    print(
        f"bot import: {saved.cards} cards, {saved.replayed_reviews} reviews replayed into "
        f"{saved.replayed_cards} schedules"
    )
    print(compare(reference, keys, bot))


if __name__ == "__main__":
    asyncio.run(main())
