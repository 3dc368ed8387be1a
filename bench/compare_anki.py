"""The bot's schedules for the shared Anki package, compared card by card with Anki's own FSRS.

    .venv/bin/python bench/compare_anki.py

It imports `../shared/fixtures/anki/vietnamese-anki21b-with-reviews.apkg` (relative to the
repository; `--package` for another) the way a user's import does: `ImportService.read_file`
(reader process, preview) and `save(..., with_history=True)` into a temporary SQLite database,
for a user whose time zone and day start are the collection's own (its UTC offset, its rollover
hour). Each Anki card's answers are replayed into the question that matches it: a note's forward
card (ord 0) into its card's recall question, its reverse card (ord 1) into its reverse question.
Then, for every card of `tests/fixtures/anki_reference.json` (what bench/anki_reference.py
computed with the official `anki` library, default parameters), it prints the median, p10 and p90
of bot/Anki stability, bot − Anki (and bot/Anki) difficulty and bot − Anki due day (days, in the
collection's UTC offset and rollover hour), and how many due days fall inside Anki's fuzz range:
over all of Anki's cards, then for each direction. Nothing here needs `anki`;
`tests/storage/test_anki_import.py` holds the import to the same figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cards.formats.apkg import FIELD_SEPARATOR, REVERSE_ORD
from bot.cards.formats.apkg_html import field_to_text
from bot.cards.formats.apkg_package import collection_copy
from bot.cards.model import Card
from bot.cards.questions import card_key
from bot.clock import ManualClock
from bot.services.imports import ImportPreview, ImportService, SavedDeck
from bot.storage.db import open_database
from bot.storage.users import upsert_user

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


def question_of(anki_card: dict[str, Any], keys: dict[int, str]) -> str | None:
    """The key of the bot's question an Anki card's answers go to: recall or reverse."""
    key = keys.get(anki_card["nid"])
    if key is None:
        return None
    return f"{'reverse' if anki_card['ord'] == REVERSE_ORD else 'recall'}:{key}"


def collection_zone(collection: dict[str, Any]) -> str:
    """A time zone with the collection's UTC offset (whole hours: Etc/GMT zones' signs are
    inverted, as POSIX has them)."""
    hours, minutes = divmod(collection["utc_offset_minutes_west"], 60)
    if minutes:
        raise ValueError("the collection's UTC offset is not a whole number of hours")
    return "UTC" if hours == 0 else f"Etc/GMT{hours:+d}"


async def bot_states(
    data: bytes, filename: str, collection: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], SavedDeck]:
    """The bot's stored schedule per question key, after importing the package with its history
    as a user living on the collection's learning days."""
    with tempfile.TemporaryDirectory(prefix="compare-anki-") as tmp:
        db = await open_database(f"sqlite:///{Path(tmp) / 'bot.sqlite3'}")
        service = ImportService(db, ManualClock(NOW))
        try:
            await upsert_user(db, USER, "Anki", int(NOW.timestamp()))
            await db.execute(
                "UPDATE users SET timezone = ?, day_start_hour = ? WHERE id = ?",
                (collection_zone(collection), collection["rollover_hour"], USER),
            )
            shown = await service.read_file(USER, "Compare", data, filename)
            if not isinstance(shown, ImportPreview):
                raise RuntimeError(f"the bot did not read the package: {shown}")
            saved = await service.save(USER, shown.import_id, with_history=True)
            if not isinstance(saved, SavedDeck):
                raise RuntimeError(f"the bot did not save the package: {saved}")
            rows = await db.fetchall(
                """SELECT q.key, rs.stability, rs.difficulty, rs.due, rs.last_review, rs.reps
                     FROM review_states rs JOIN questions q ON q.id = rs.question_id
                    WHERE rs.user_id = ?""",
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


@dataclass(frozen=True, slots=True)
class Figures:
    """How the bot's schedules compare with Anki's over a set of Anki cards."""

    cards: int
    stability: tuple[float, float, float]  # bot/Anki: median, p10, p90
    difficulty: tuple[float, float, float]  # bot − Anki
    difficulty_ratio: tuple[float, float, float]  # bot/Anki
    due_days: tuple[float, float, float]  # bot − Anki
    due_inside: int  # due days inside Anki's fuzz range
    due_cards: int  # Anki cards with a due day


def figures(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]], collection: dict[str, Any]
) -> Figures:
    """The spread of bot against Anki over matched (Anki card, bot schedule) pairs."""
    due = [(a, anki_day(b["due"], collection)) for a, b in pairs if "due" in a]
    return Figures(
        cards=len(pairs),
        stability=spread([b["s"] / a["s"] for a, b in pairs]),
        difficulty=spread([b["d"] - a["d"] for a, b in pairs]),
        difficulty_ratio=spread([b["d"] / a["d"] for a, b in pairs]),
        due_days=spread([float(day - a["due"]) for a, day in due]),
        due_inside=sum(a["due_lo"] <= day <= a["due_hi"] for a, day in due),
        due_cards=len(due),
    )


def shown(found: Figures) -> str:
    """The figures as lines of text."""
    rows = []
    for label, values, signed in (
        ("stability bot/Anki (×)", found.stability, False),
        ("difficulty bot − Anki", found.difficulty, True),
        ("difficulty bot/Anki (×)", found.difficulty_ratio, False),
        ("due day bot − Anki (d)", found.due_days, True),
    ):
        text = [f"{v:+.3f}" if signed else f"{v:.3f}" for v in values]
        rows.append(f"  {label:<24} median {text[0]:>7}  p10 {text[1]:>7}  p90 {text[2]:>7}")
    share = found.due_inside / found.due_cards
    rows.append(
        f"  due day inside Anki's fuzz range: {found.due_inside} of {found.due_cards} ({share:.1%})"
    )
    return "\n".join(rows)


def matched(
    reference: dict[str, Any], keys: dict[int, str], bot: dict[str, dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each Anki card of the reference with the bot's schedule of the question it went to."""
    pairs = []
    for card in reference["cards"]:
        key = question_of(card, keys)
        if key is not None and key in bot:
            pairs.append((card, bot[key]))
    return pairs


def compare(reference: dict[str, Any], keys: dict[int, str], bot: dict[str, dict[str, Any]]) -> str:
    """Anki's cards matched with the bot's schedules, and the figures: all, then by direction."""
    collection = reference["collection"]
    pairs = matched(reference, keys, bot)
    lines = [
        f"Anki cards: {len(reference['cards'])}; matched with the bot's question of the same "
        f"direction: {len(pairs)}",
        f"all matched Anki cards ({len(pairs)}):",
        shown(figures(pairs, collection)),
    ]
    for ordinal, name in ((0, "forward"), (REVERSE_ORD, "reverse")):
        part = [(a, b) for a, b in pairs if a["ord"] == ordinal]
        lines += [f"ord {ordinal}, {name} ({len(part)}):", shown(figures(part, collection))]
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
    bot, saved = await bot_states(data, args.package.name, reference["collection"])
    print(
        f"bot import: {saved.cards} cards, {saved.replayed_reviews} reviews replayed into "
        f"{saved.replayed_cards} schedules"
    )
    print(compare(reference, keys, bot))


if __name__ == "__main__":
    asyncio.run(main())
