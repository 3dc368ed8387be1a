"""What an inline query (`@bot query`) offers: cards matched by the query, a page at a time.

Pure: the candidates come in, in the order they should be offered (the person's own decks first);
the matches and the page come out. Matching ignores case and accents ("Medvedev" finds
"Медведев" only if written so, but "ecole" finds "École"): the whole query as a substring of a
card's front or back, or else every word of it somewhere in them.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

PAGE_SIZE = 20  # results per answer (Telegram takes at most 50)
MAX_RESULTS = 50  # Telegram's limit on one answerInlineQuery
EMPTY_QUERY_RESULTS = 10  # "a few" offered before anything is typed
MAX_QUERY_CHARS = 256  # Telegram's limit on an inline query's text
MAX_OFFSET = 10_000  # an offset past this is no page the bot handed out

T = TypeVar("T")
# The combining marks accents decompose into (Latin, Greek and Cyrillic diacritics): one regex pass
# instead of a character loop, about 4x faster on a deck of accented words.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Text compared without case, accents or runs of spaces ("École  NORMALE" -> "ecole normale")."""
    if text.isascii():  # most cards: no accents to drop, and casefold() is lower()
        return " ".join(text.lower().split())
    bare = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True, slots=True)
class Searchable:
    """A candidate's folded texts, made once per candidate."""

    front: str
    back: str

    @classmethod
    def of(cls, front: str, back: str) -> Searchable:
        """The folded front and back of a card."""
        return cls(fold(front), fold(back))


def match_rank(query: str, card: Searchable) -> int | None:
    """0 for the query found whole in the card, 1 for each of its words found, None for no match.

    `query` is already folded.
    """
    if not query:
        return 0
    if query in card.front or query in card.back:
        return 0
    both = f"{card.front}\n{card.back}"
    return 1 if all(word in both for word in query.split()) else None


def matching(query: str, cards: Sequence[tuple[Searchable, T]]) -> list[T]:
    """The items whose card matches `query`: whole matches first, each group in the given order."""
    folded = fold(query[:MAX_QUERY_CHARS])
    ranked: list[tuple[int, int, T]] = []
    for index, (card, item) in enumerate(cards):
        rank = match_rank(folded, card)
        if rank is not None:
            ranked.append((rank, index, item))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _, _, item in ranked]


def parse_offset(offset: str) -> int:
    """The position an answer's `next_offset` named; 0 for the first page or anything else."""
    if not (offset.isascii() and offset.isdigit()) or len(offset) > 6:
        return 0
    value = int(offset)
    return value if value <= MAX_OFFSET else 0


def page(items: Sequence[T], offset: str, size: int = PAGE_SIZE) -> tuple[list[T], str]:
    """One page of `items` from `offset`, and the `next_offset` of the next page ("" when none)."""
    size = max(1, min(size, MAX_RESULTS))
    start = parse_offset(offset)
    shown = list(items[start : start + size])
    after = start + len(shown)
    return shown, (str(after) if shown and after < len(items) else "")


def sample_for_empty_query(
    due: Sequence[T], others: Sequence[T], seed: int, count: int = EMPTY_QUERY_RESULTS
) -> list[T]:
    """What an empty query offers: due questions first, then others drawn with `seed`."""
    chosen = list(due[:count])
    wanted = count - len(chosen)
    if wanted > 0 and others:
        chosen.extend(random.Random(seed).sample(list(others), min(wanted, len(others))))
    return chosen
