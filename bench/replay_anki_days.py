"""Each Anki card's own review log, replayed through the bot's FSRS with learning days, compared
with Anki's own FSRS card by card.

    .venv/bin/python bench/replay_anki_days.py

For every card of `tests/fixtures/anki_reference.json` (bench/anki_reference.py, the official
`anki` library, default parameters) it reads that card's reviews from the package's `revlog`
(`../shared/fixtures/anki/vietnamese-anki21b-with-reviews.apkg`; `--package` for another), replays
them with `bot.core.scheduling.review` — once counting elapsed time in 24-hour periods (the bot's
scheduling before learning days), once in learning days in the collection's UTC offset with its
rollover hour (`bot.core.learning_days`) — and prints bot/Anki stability, bot − Anki difficulty
and whether the due day falls inside Anki's fuzz range (median, p10, p90 over the cards). Replays
are without fuzz: the fuzz range is Anki's. Nothing here needs `anki`.

Reviews are taken as Anki's FSRS takes them (`bot.cards.formats.apkg_reviews`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cards.formats.apkg_reviews import anki_card_reviews
from bot.core.learning_days import LearningDays
from bot.core.scheduling import Grade, replay

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO.parent / "shared" / "fixtures" / "anki" / "vietnamese-anki21b-with-reviews.apkg"
REFERENCE = REPO / "tests" / "fixtures" / "anki_reference.json"


def spread(values: list[float]) -> str:
    """Median, p10 and p90, formatted."""
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return f"median {statistics.median(values):.3f}  p10 {deciles[0]:.3f}  p90 {deciles[-1]:.3f}"


def compare(
    reference: dict[str, Any],
    reviews: dict[int, list[tuple[datetime, Grade]]],
    days: LearningDays | None,
) -> str:
    """The figures of one way of counting time, over every reference card."""
    collection = reference["collection"]
    day_zero = date.fromisoformat(collection["day_zero"])
    anki_days = LearningDays(days.zone if days else UTC, collection["rollover_hour"])
    ratios: list[float] = []
    differences: list[float] = []
    inside = 0
    cards = reference["cards"]
    for card in cards:
        state = replay(reviews.get(card["cid"], []), fuzz=False, days=days)
        if state is None or state.stability is None or state.difficulty is None:
            continue
        ratios.append(state.stability / card["s"])
        differences.append(state.difficulty - card["d"])
        due_day = (anki_days.day_of(state.due) - day_zero).days
        inside += card["due_lo"] <= due_day <= card["due_hi"]
    return (
        f"  cards replayed: {len(ratios)} of {len(cards)}\n"
        f"  stability bot/Anki   {spread(ratios)}\n"
        f"  difficulty bot-Anki  {spread(differences)}\n"
        f"  due day inside Anki's fuzz range: {inside} of {len(ratios)}"
        f" ({100 * inside / max(1, len(ratios)):.1f} %)"
    )


def main() -> None:
    """Print the comparison, 24-hour periods first, then learning days."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=PACKAGE)
    args = parser.parse_args()
    if not args.package.exists():
        sys.exit(f"no package at {args.package}")
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    collection = reference["collection"]
    zone = timezone(timedelta(minutes=-collection["utc_offset_minutes_west"]))
    reviews = anki_card_reviews(args.package.read_bytes(), args.package.name)
    print(f"{args.package.name}: {sum(map(len, reviews.values()))} answers in {len(reviews)} cards")
    print("24-hour periods (the bot's scheduling without learning days):")
    print(compare(reference, reviews, None))
    print(
        f"learning days (UTC{-collection['utc_offset_minutes_west'] / 60:+.0f}, day starts at "
        f"{collection['rollover_hour']}:00):"
    )
    print(compare(reference, reviews, LearningDays(zone, collection["rollover_hour"])))


if __name__ == "__main__":
    main()
