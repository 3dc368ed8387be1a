"""Question quality over the labelled set: every question the bot makes, judged by its criteria.

Prints the figures README quotes (two right options, leaks, defective share, typed answers graded
right, wrong facts accepted), then each defect and each missed typed answer.

    .venv/bin/python bench/bench_questions.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.question_quality import evaluate, summary


def main() -> None:
    """Judge the set and print the figures."""
    report = evaluate()
    print(summary(report))
    for defect in report.defects:
        print(
            f"defect ({defect.criterion}) {defect.deck} / {defect.card} [{defect.kind}]: {defect.detail}"
        )
    for card, given, answer in report.typed_misses:
        print(f"typed miss: {card!r}: {given!r} graded wrong against {answer!r}")
    for card, given in report.wrong_accepted:
        print(f"WRONG FACT ACCEPTED: {card!r}: {given!r}")


if __name__ == "__main__":
    main()
