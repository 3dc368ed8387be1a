"""Personal FSRS parameters fitted to a real review history, against FSRS's defaults.

    .venv/bin/python bench/bench_personal_parameters.py

Replays every Anki card's answers of the shared package
(`../shared/fixtures/anki/vietnamese-anki21b-with-reviews.apkg`; `--package` for another) as one
learner's history, in the collection's UTC offset with its 4 am day start
(tests/fixtures/anki_reference.json), fits that learner's parameters with
`bot.core.personal_parameters` (fsrs-rs, Anki's optimiser and settings) and prints the review
count, the optimiser's wall and CPU time, the parameters, and the log loss and RMSE (bins) of
personal and default parameters on the same reviews: in-sample (fitted on everything), and held
out twice, so the gain is not only the fit's own: by cards (5 folds: each fifth of the cards
predicted by parameters fitted on the other four fifths) and by time (fitted on the answers before
the date of the 80th-percentile answer, measured on the answers from it on).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cards.formats.apkg_reviews import anki_card_reviews
from bot.core.learning_days import LearningDays
from bot.core.personal_parameters import (
    DEFAULT_PARAMETERS,
    MIN_REVIEWS,
    Answer,
    Prediction,
    binned_rmse,
    enough_reviews,
    mean_log_loss,
    personal_parameters,
    predictions,
)

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO.parent / "shared" / "fixtures" / "anki" / "vietnamese-anki21b-with-reviews.apkg"
REFERENCE = REPO / "tests" / "fixtures" / "anki_reference.json"
FOLDS = 5


def collection_days() -> LearningDays:
    """The shared collection's learning days: its UTC offset, its day start."""
    collection = json.loads(REFERENCE.read_text(encoding="utf-8"))["collection"]
    zone = timezone(timedelta(minutes=-collection["utc_offset_minutes_west"]))
    return LearningDays(zone, collection["rollover_hour"])


def row(label: str, personal: tuple[float, float], default: tuple[float, float], n: int) -> str:
    """One line of figures: log loss and RMSE, personal vs default."""
    return (
        f"  {label:<42} {n:>6} reviews  log loss {personal[0]:.4f} vs {default[0]:.4f}"
        f" ({100 * (personal[0] / default[0] - 1):+.1f} %)   RMSE (bins) {personal[1]:.4f}"
        f" vs {default[1]:.4f} ({100 * (personal[1] / default[1] - 1):+.1f} %)"
    )


def scores(predicted: Sequence[Prediction]) -> tuple[float, float]:
    """Log loss and RMSE (bins) of some predictions."""
    return mean_log_loss(predicted), binned_rmse(predicted)


def main() -> None:
    """Fit, time and compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=PACKAGE)
    args = parser.parse_args()
    if not args.package.exists():
        sys.exit(f"no package at {args.package}")
    days = collection_days()
    cards: list[list[Answer]] = [
        list(answers)
        for answers in anki_card_reviews(args.package.read_bytes(), args.package.name).values()
        if answers
    ]
    count = sum(map(len, cards))
    print(
        f"{args.package.name}: {count} reviews of {len(cards)} cards as one learner"
        f" (enough for the optimiser, >= {MIN_REVIEWS}: {enough_reviews(cards)})"
    )

    wall, cpu = time.perf_counter(), time.process_time()
    personal = personal_parameters(cards, days)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"optimiser: {wall:.3f} s wall, {cpu:.3f} s CPU")
    print("personal parameters:", ", ".join(f"{w:.4f}" for w in personal))
    print("default parameters: ", ", ".join(f"{w:.4f}" for w in DEFAULT_PARAMETERS))

    print(
        "log loss and RMSE (bins), personal vs default parameters, on the same reviews: the"
        " answers on a later learning day than their card's previous one"
    )
    scored = len(predictions(personal, cards, days))
    print(
        row(
            "in-sample (fitted on all)",
            scores(predictions(personal, cards, days)),
            scores(predictions(DEFAULT_PARAMETERS, cards, days)),
            scored,
        )
    )

    held_out: list[Prediction] = []
    for fold in range(FOLDS):
        fitted = personal_parameters([c for i, c in enumerate(cards) if i % FOLDS != fold], days)
        held_out.extend(predictions(fitted, cards[fold::FOLDS], days))
    print(
        row(
            f"held-out cards ({FOLDS} folds)",
            scores(held_out),
            scores(predictions(DEFAULT_PARAMETERS, cards, days)),
            len(held_out),
        )
    )

    times = sorted(at for answers in cards for at, _ in answers)
    cutoff: datetime = times[int(0.8 * len(times))]
    before = [[a for a in answers if a[0] < cutoff] for answers in cards]
    fitted = personal_parameters([answers for answers in before if answers], days)
    later = len(predictions(fitted, cards, days, since=cutoff))
    print(
        row(
            f"later answers (fitted before {cutoff:%Y-%m-%d})",
            scores(predictions(fitted, cards, days, cutoff)),
            scores(predictions(DEFAULT_PARAMETERS, cards, days, cutoff)),
            later,
        )
    )


if __name__ == "__main__":
    main()
