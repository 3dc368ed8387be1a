"""Pasted flashcards: how many cards of the labelled set in tests/fixtures/pastes/ split right.

A card is right when its front and its back are exactly the expected ones. Also counts the guess
warnings ("I guessed this line …"), and whether every wrong card carries one.

    .venv/bin/python bench/bench_paste_split.py [--verbose] [--folder DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.deck_notes import said
from tests.pastes import PASTES, cards_right, labelled_pastes, read


def main() -> None:
    """Print each deck's figure, then the total."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print the cards that differ")
    parser.add_argument("--folder", type=Path, default=PASTES, help="another labelled set")
    args = parser.parse_args()
    right = total = guesses = 0
    for paste in labelled_pastes(args.folder):
        deck = read(paste)
        good = cards_right(paste, deck)
        guessed = [w for w in said(deck.warnings) if "I guessed" in w]
        right, total, guesses = right + good, total + len(paste.cards), guesses + len(guessed)
        mark = "" if good == len(paste.cards) and len(deck.cards) == good else "  ✗"
        print(f"{paste.name:34} {good:3}/{len(paste.cards):<3} guesses {len(guessed)}{mark}")
        if args.verbose and mark:
            for card in deck.cards:
                if card not in paste.cards:
                    print(f"    got  {card.front!r} → {card.back[:60]!r}")
            for card in paste.cards:
                if card not in deck.cards:
                    print(f"    want {card.front!r} → {card.back[:60]!r}")
        if args.verbose:
            for warning in said(deck.warnings):
                print(f"    ⚠ {warning}")
    print(f"cards split right: {right}/{total} ({right / total:.1%}); guess warnings: {guesses}")


if __name__ == "__main__":
    main()
