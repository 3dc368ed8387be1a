"""Wrong options: of the answer's kind, plausible, and never another right answer.

- A year gets nearby years (the deck's own first, within 40 years); a date the same day or month in
  nearby years, or nearby months; a range of years the same span shifted; a decade its neighbours.
- A count or measure gets numbers of its magnitude, one edit away in its leading digits (4620 →
  4820, 4260, 5620); a percentage stays within 0–100 %; a fraction changes its denominator.
- A name or phrase gets other cards' answers of the same sort: asked by the same question word
  (people with people), of the same shape (a name with names, "to drink" with verbs), in the same
  script and of similar length.
- Refused always: the answer and anything the card accepts as right, and for numbers every number
  the card's back states.

Candidates are ranked, most plausible first; `draw_options` takes three of the first few at random,
so a question asked again shows a different set.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.cards.answers import Answer, AnswerKind, kind_of, script_of, strip_latex
from bot.core.grading import MONTHS, normalize_answer

DISTRACTORS = 3
MAX_CANDIDATES = 12
SCAN_LIMIT = 400  # other cards weighed as wrong options for one card, at most
DRAW_FROM = 6  # options are drawn from this many of the most plausible candidates
YEAR_SPAN = 15  # deck years further than this from the answer would give the answer away
MIN_YEAR, MAX_YEAR = 1000, 2099

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_WORD = re.compile(r"\b(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\.?", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_STOPWORDS = frozenset(
    {"the", "a", "an", "of", "and", "or", "to", "in", "on", "at", "by", "for", "with", "from"}
    | {"is", "was", "were", "are", "be", "his", "her", "its", "their", "this", "that", "what"}
    | {"which", "who", "when", "where", "why", "how", "did", "does", "do", "as", "it", "he", "she"}
)


def significant_words(text: str) -> list[str]:
    """The words of a text worth comparing (folded, four letters or more, no function words)."""
    words = normalize_answer(strip_latex(text)).split()
    return [w for w in words if len(w) >= 4 and w not in _STOPWORDS and not w.isdigit()]


# ---------------------------------------------------------------------------------------------
# Numbers, years and dates


def _render_digits(template: str, digits: Sequence[str]) -> str:
    """The template with its digits replaced in order (keeps commas, points, suffixes)."""
    out: list[str] = []
    it = iter(digits)
    for ch in template:
        out.append(next(it) if ch.isdigit() else ch)
    return "".join(out)


def numeric_value(text: str) -> float:
    """The first number in a text, as a float (0.0 when there is none)."""
    match = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if match is None:
        return 0.0
    try:
        return float(match.group(0).replace(",", ""))
    except ValueError:
        return 0.0


def _digit_variants(template: str, rng: random.Random) -> list[str]:
    """Same-format numbers one edit away in the leading digits: 4620 → 5620, 4820, 4260.

    The three sorts of edit (first digit, second digit, a swap) take turns, so the options differ
    from the answer in different places and none stands out as the odd one.
    """
    digits = [ch for ch in template if ch.isdigit()]
    if not digits:
        return []
    first = next((i for i, d in enumerate(digits) if d != "0"), len(digits) - 1)
    single = len(digits) - first == 1

    def change(position: int, deltas: Iterable[int], low: int) -> list[list[str]]:
        changed: list[list[str]] = []
        for delta in deltas:
            value = int(digits[position]) + delta
            if low <= value <= 9:
                changed.append([*digits[:position], str(value), *digits[position + 1 :]])
        return changed

    def swap(i: int) -> list[list[str]]:
        if i + 1 >= len(digits) or digits[i] == digits[i + 1]:
            return []
        swapped = [*digits]
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        return [swapped] if swapped[first] != "0" else []

    near = (-3, -2, -1, 1, 2, 3)
    families = [
        change(first, near if single else (-2, -1, 1, 2), low=1 if first == 0 else 0),
        change(first + 1, near, low=0) if not single else [],
        swap(first) + swap(first + 1),
    ]
    value = numeric_value(template)
    rendered: list[list[str]] = []
    for family in families:
        texts = [_render_digits(template, variant) for variant in family]
        if value >= 3:
            # Similar magnitude: within a factor of two of the answer.
            texts = [t for t in texts if value / 2 <= numeric_value(t) <= value * 2]
        rng.shuffle(texts)
        rendered.append(texts)
    rng.shuffle(rendered)
    # Round robin over the families, so the first options come from different ones.
    mixed: list[str] = []
    for turn in range(max(len(family) for family in rendered)):
        mixed.extend(family[turn] for family in rendered if turn < len(family))
    return mixed


def _round_percents(text: str) -> list[str]:
    """Percentages a few steps below and above: 100% has no same-length neighbour."""
    match = re.match(r"\d+", text)
    if match is None:
        return []
    value = int(match.group(0))
    steps = (-10, -20, 10, -5, 5, -30, 20, -2, 2, -1, 1)
    return [f"{value + step}{text[match.end() :]}" for step in steps if 0 < value + step <= 100]


def _nearby_years(year: int, rng: random.Random) -> list[int]:
    candidates: list[int] = []
    for offset in (1, 2, 3, 4, 5, 6, 7, 8, 10):
        pair = [year - offset, year + offset]
        rng.shuffle(pair)
        candidates.extend(y for y in pair if MIN_YEAR <= y <= MAX_YEAR)
    return candidates


def _year_candidates(text: str, deck_years: Iterable[str], rng: random.Random) -> list[str]:
    match = re.search(r"\d{3,4}", text)
    if match is None:
        return []
    value = int(match.group(0))
    prefix, suffix = text[: match.start()], text[match.end() :]
    from_deck = sorted(
        {
            int(y)
            for y in deck_years
            if y.isdigit() and 0 < abs(int(y) - value) <= YEAR_SPAN and int(y) >= MIN_YEAR
        },
        key=lambda y: (abs(y - value), y),
    )[:3]
    years = list(dict.fromkeys([*from_deck, *_nearby_years(value, rng)]))
    return [f"{prefix}{y}{suffix}" for y in years]


def _date_candidates(text: str, rng: random.Random) -> list[str]:
    """The same date in nearby years, in turn with nearby months: "March 1953" → "March 1954"."""
    by_year: list[str] = []
    year = re.search(r"\d{3,4}(?!.*\d{3,4})", text)
    if year is not None:
        for y in _nearby_years(int(year.group(0)), rng)[:6]:
            by_year.append(f"{text[: year.start()]}{y}{text[year.end() :]}")
    by_month: list[str] = []
    month = _MONTH_WORD.search(text)
    if month is not None:
        index = next(i for i, m in enumerate(MONTHS) if m.startswith(month.group(1).lower()))
        shifts = [1, -1, 2, -2, 3, -3]
        rng.shuffle(shifts)
        for shift in shifts:
            name = _MONTH_NAMES[(index + shift) % 12]
            by_month.append(f"{text[: month.start()]}{name}{text[month.end() :]}")
    # Years and months take turns, so the options do not all differ in the same place.
    mixed: list[str] = []
    for turn in range(max(len(by_year), len(by_month))):
        mixed.extend(group[turn] for group in (by_year, by_month) if turn < len(group))
    return mixed


def _range_candidates(text: str, rng: random.Random) -> list[str]:
    """The same span shifted, or one end moved: "1917-24" → "1918-25", "1917-22"."""
    numbers = list(_DIGITS.finditer(text))
    if len(numbers) < 2:
        return []
    first, second = numbers[0], numbers[-1]
    start = int(first.group(0))
    short = len(second.group(0)) == 2
    end = (start // 100) * 100 + int(second.group(0)) if short else int(second.group(0))
    if end < start:
        end += 100
    moves = [(1, 1), (-1, -1), (2, 2), (-2, -2), (0, 2), (0, -2), (3, 3), (-3, -3), (0, 3), (1, 0)]
    rng.shuffle(moves)
    out: list[str] = []
    for a, b in moves:
        s, e = start + a, end + b
        if e <= s:
            continue
        e_text = f"{e % 100:02d}" if short and s // 100 == e // 100 else str(e)
        out.append(f"{text[: first.start()]}{s}{text[first.end() : second.start()]}{e_text}")
    return out


def _fraction_candidates(text: str) -> list[str]:
    numbers = list(_DIGITS.finditer(text))
    if len(numbers) < 2:
        return []
    denominator = numbers[-1]
    value = int(denominator.group(0))
    factors = (2, 0.5, 5, 0.2, 4, 0.25, 10, 0.1, 3)
    out: list[str] = []
    for factor in factors:
        new = round(value * factor)
        if new > int(numbers[0].group(0)) and new != value:
            out.append(f"{text[: denominator.start()]}{new}{text[denominator.end() :]}")
    return out


def _decade_candidates(text: str) -> list[str]:
    match = re.search(r"\d{3}0", text)
    if match is None:
        return []
    value = int(match.group(0))
    return [
        f"{text[: match.start()]}{value + step}{text[match.end() :]}"
        for step in (10, -10, 20, -20, 30, -30)
    ]


def numeric_candidates(
    text: str, kind: AnswerKind, deck_values: Iterable[str], seed: str
) -> list[str]:
    """Wrong values of the same kind for a number, year or date, most plausible first."""
    rng = random.Random(seed)
    if kind is AnswerKind.YEAR:
        return _year_candidates(text, deck_values, rng)
    if kind is AnswerKind.DATE:
        return _date_candidates(text, rng)
    if kind is AnswerKind.RANGE:
        return _range_candidates(text, rng)
    if kind is AnswerKind.DECADE:
        return _decade_candidates(text)
    if kind is AnswerKind.FRACTION:
        return _fraction_candidates(text)
    generated = _digit_variants(text, rng)
    if kind is AnswerKind.PERCENT:
        limit = 100.0 if numeric_value(text) <= 100 else float("inf")
        deck = [p for p in deck_values if 0 < numeric_value(p) <= limit]
        rng.shuffle(deck)
        # One option from the deck at most: the rest look like the answer, not like other cards.
        options = deck[:1] + generated + _round_percents(text)
        return [p for p in options if 0 < numeric_value(p) <= limit]
    return generated


def refuse_numbers(back: str, answer: str = "") -> set[str]:
    """Every number a back states besides the answer's own, normalized: none may be offered."""
    own = numbers_of(answer)
    return {t for t in normalize_answer(back).split() if t[:1].isdigit() and t not in own}


def numbers_of(text: str) -> set[str]:
    """The numbers of a text, normalized (4,620 → 4620; 6.9 million → 6900000)."""
    return {token for token in normalize_answer(text).split() if token[:1].isdigit()}


# ---------------------------------------------------------------------------------------------
# Answers drawn from other cards


@dataclass(frozen=True, slots=True)
class Sort:
    """The sort of thing an answer (or a front) is, for matching wrong options to it."""

    asks: str | None
    kind: AnswerKind
    script: str | None
    verb: bool  # "to drink"
    words: int
    capitalised: bool

    @classmethod
    def of(cls, text: str, asks: str | None = None) -> Sort:
        """The sort of `text`, answering a front that asks for `asks`."""
        plain = strip_latex(text)
        return cls(
            asks=asks,
            kind=kind_of(text),
            script=script_of(plain),
            verb=plain.lower().startswith("to "),
            words=len(plain.split()),
            capitalised=plain[:1].isupper(),
        )


def front_stem(front: str) -> str:
    """The first two words of a front, folded: fronts that share it ask the same sort of thing."""
    return " ".join(normalize_answer(strip_latex(front)).split()[:2])


@dataclass(frozen=True, slots=True)
class Entry:
    """One card as a source of wrong options: what it shows and what it accepts as right."""

    text: str  # the option it would give (its answer's key, or its front)
    sort: Sort
    stem: str
    right: frozenset[str]  # normalized answers the card takes as right
    back: str  # normalized back
    listing: bool = False  # the card's answer is a list ("Estonia, Latvia, Lithuania")
    norm: str = ""  # `text`, normalized


def entry_for(text: str, answer: Answer, front: str, back: str, as_front: bool = False) -> Entry:
    """A card as a source of options showing `text` (its key, or, `as_front`, its front)."""
    right = {normalize_answer(answer.key), *(normalize_answer(a) for a in answer.accepted)}
    sort = Sort.of(text, answer.asks)
    if as_front and sort.kind is AnswerKind.NAME:
        # Titles go with titles whatever their capitals: "The Secret Speech", "Ending terror".
        sort = replace(sort, kind=AnswerKind.TEXT)
    return Entry(
        text=text,
        sort=sort,
        stem=front_stem(front),
        right=frozenset(r for r in right if r),
        back=normalize_answer(back),
        listing=answer.is_list and not as_front,
        norm=normalize_answer(text),
    )


def deck_candidates(entries: Sequence[Entry], index: int, seed: str) -> list[str]:
    """Other cards' texts that could pass for `entries[index]`'s without being right for it.

    A big deck is sampled (`SCAN_LIMIT` other cards, seeded), so making a deck's questions grows
    with its size, not with its square: no card copies the deck's list.
    """
    rng = random.Random(seed)
    mine = entries[index]
    scored: list[tuple[float, float, str]] = []
    seen: set[str] = set(mine.right) | {mine.norm}
    count = len(entries) - 1  # the others: every position but `index`
    picks = range(count) if count <= SCAN_LIMIT else rng.sample(range(count), SCAN_LIMIT)
    # This loop runs SCAN_LIMIT times for every card of a deck being saved, so what does not
    # depend on the other card is worked out once, and the tests are written out in it.
    # Compatible: the same script, kind of answer, verb or not, asked the same way ("Who…" with
    # people, "Which treaty…" with treaties), and about as many words. Closer: asked alike, the
    # same first words on the front, the same capitals, fewer words apart.
    ms = mine.sort
    widest = max(2, ms.words // 2)
    my_right, my_listing, my_stem = mine.right, mine.listing, mine.stem
    padded_back = f" {mine.back} "
    asked_alike = 3.0 if ms.asks is not None else 0.0  # compatible cards are asked alike
    for pick in picks:
        other = entries[pick if pick < index else pick + 1]
        norm = other.norm
        if not norm or norm in seen:
            continue
        theirs = other.sort
        if (
            theirs.script != ms.script
            or theirs.kind != ms.kind
            or theirs.verb != ms.verb
            or theirs.asks != ms.asks
            or abs(ms.words - theirs.words) > widest
        ):
            continue
        if other.listing != my_listing:
            continue  # a list is no option for one thing, nor one thing for a list
        # Never another right answer: nothing the card accepts, nothing its back says, and no
        # card that shares an answer with it (synonyms, cards with the same back).
        if norm in my_right or f" {norm} " in padded_back or not my_right.isdisjoint(other.right):
            continue
        seen.add(norm)
        score = asked_alike
        if my_stem and my_stem == other.stem:
            score += 2.0
        if ms.capitalised == theirs.capitalised:
            score += 1.0
        score -= abs(ms.words - theirs.words) * 0.5
        scored.append((-score, rng.random(), other.text))
    scored.sort()
    return [text for _, _, text in scored[:MAX_CANDIDATES]]


# ---------------------------------------------------------------------------------------------
# Drawing the options shown


def _date_sort_key(text: str) -> tuple[float, ...]:
    numbers = [int(n) for n in _DIGITS.findall(text)]
    year = next((n for n in numbers if n >= 100), 0)
    month_match = _MONTH_WORD.search(text)
    month = (
        next(i for i, m in enumerate(MONTHS) if m.startswith(month_match.group(1).lower())) + 1
        if month_match
        else 0
    )
    day = next((n for n in numbers if n < 100), 0)
    return (float(year), float(month), float(day), numeric_value(text))


def draw_options(
    answer: str, candidates: Sequence[str], rng: random.Random, count: int = DISTRACTORS + 1
) -> tuple[list[str], int]:
    """The answer and `count - 1` wrong options drawn from the most plausible candidates.

    Numbers, years and dates are shown in order (as quizzes do); other options are shuffled.
    Returns (options, index of the answer).
    """
    seen = {normalize_answer(answer)}
    pool: list[str] = []
    for candidate in candidates:
        norm = normalize_answer(candidate)
        if norm and norm not in seen:
            seen.add(norm)
            pool.append(candidate)
    wanted = min(count - 1, len(pool))
    top = pool[: max(DRAW_FROM, wanted)]
    wrong = rng.sample(top, wanted)
    options = [answer, *wrong]
    if all(kind_of(option).numeric for option in options):
        options.sort(key=_date_sort_key)
    else:
        rng.shuffle(options)
    return options, options.index(answer)
