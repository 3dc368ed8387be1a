"""Find where cards start in pasted flashcard text: score each line, then search every split exactly.

A paste is a run of lines; each card is one front line followed by one or more back lines. Every line
gets a *front score* (log-odds style: positive means "looks like a front") from a table of weighted
features; the best split is the one whose fronts have the highest total score, subject to the
structure (the first line is a front, a front is followed by at least one back line) and, when the
paste announces "(N cards)", to a penalty for every card more or fewer than N. The search is an
exact dynamic programme over (line, cards so far, front/back), so no greedy choice can go wrong.

Decks differ (questions above one-word answers, one-word terms above definitions), so the scores are
then adjusted to the deck's own *style*: which shapes its fronts share and its backs lack, learnt
from the split (with the first card, which is certain, counting more) and used to split again,
until the split stops changing. Finally every line gets a *margin*: how much less the best split is
worth with that line read the other way round. A small margin marks a guess, which the reader
names in a warning.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# A card count that differs from the announced "(N cards)" costs this much per card. Forcing a
# genuine back sentence to be a front costs more than this (so a paste cut short keeps its real
# cards), while a mis-scored short front costs less (so the count repairs it).
COUNT_MISMATCH_PENALTY = 2.5
# A last line that looks like a front but has no back: the paste was cut after it.
DANGLING_FRONT_PENALTY = 1.5
# Above this many DP cells (lines × card counts searched) the count is not searched over exactly;
# the best split regardless of count is used instead (only huge .txt files get there).
MAX_COUNT_CELLS = 2_000_000

_BULLET = re.compile(r"^(?:[-–—•*·▪●◦‣>]\s*|\d{1,3}[.)]\s+|[a-zA-Z][)]\s+|\(\w{1,3}\)\s+)")
_QUESTION_START = re.compile(
    r"^(?:what|when|where|who|whom|whose|why|how|which|name|define|explain|describe|list|give|"
    r"state|outline|identify|is|are|was|were|does|do|did|can|could|should|would|in what|to what)\b",
    re.IGNORECASE,
)
# A question without its question mark: a wh-word asking (not "Where two plates meet", a
# definition), or an instruction. Weak instruction verbs are nouns too ("State farms", "List of
# ..."), so they count only before a determiner, a number or a wh-word.
_ASKS = re.compile(
    r"^(?:¿"
    r"|(?:who|whom|whose|which|what)\b"
    r"|(?:where|when|why|how)\s+(?:is|are|was|were|do|does|did|can|could|will|would|should|"
    r"has|have|had|may|might|must)\b"
    r"|how\s+(?:many|much|long|far|old|often|big|large|fast|high|deep|else)\b"
    r"|(?:in|to|at|on|for|from|by|of|with)\s+(?:what|which|whom|whose)\b"
    r"|(?:define|explain|describe|identify|compare|contrast|distinguish|calculate|translate|"
    r"summari[sz]e|evaluate|analy[sz]e|discuss|justify|suggest)\s+\S"
    r"|(?:name|list|give|state|outline|label|find)\s+(?:the|a|an|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|some|all|any|each|every|its|their|his|her|this|these|those|what|"
    r"which|who|how|why|when|where|\d+)\b)",
    re.IGNORECASE,
)
# A prompt in a noun phrase: a superlative ("Longest river in Africa") or the measure asked
# for ("Number of bones in ...", "Length of a day on Venus").
_PROMPT_PHRASE = re.compile(
    r"^(?:(?:the\s+)?(?:longest|largest|biggest|highest|tallest|deepest|smallest|shortest|"
    r"oldest|youngest|fastest|slowest|hottest|coldest|first|last|most|least|main|chief)\s+\w"
    r"|(?:number|length|age|size|area|volume|mass|weight|height|depth|speed|distance|"
    r"temperature|population|capital|author|date|year|meaning|symbol|formula|unit|cause|causes|"
    r"effect|effects|purpose|function|role|result|results|definition|opposite|plural|"
    r"past tense)\s+(?:of|for|from|in|between)\s)",
    re.IGNORECASE,
)
_PREPOSITION = re.compile(
    r"^(?:in|on|at|by|for|from|with|without|about|to|during|after|before|since|between|"
    r"through|under|over|into|because|so|and|but|or)\b",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(?:the|a|an)\s", re.IGNORECASE)
_LABEL_VALUE = re.compile(r"^[^:?]{1,30}:\s+\S")
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)"
)
_DATE_WORD = re.compile(
    rf"^(?:{_MONTH}|\d{{1,4}}(?:st|nd|rd|th|s)?|ad|bc|bce|ce|c\.|circa|about|around|to|and|from|"
    r"until|in|early|late|mid|between|[-–—,/])$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_][\w'’.-]*")
_LETTERS = re.compile(r"[^\W\d_]+")
_BARE_VALUE = re.compile(r"^[\d\s.,:%/+-]+[a-z%]{0,3}$", re.IGNORECASE)
# Which side of a phrase deck is English, and which is not: told apart by English's commonest
# words and by letters English does not use.
_ENGLISH = re.compile(
    r"\b(?:the|is|are|was|you|your|it|it's|does|do|don't|how|what|where|please|my|this|that|"
    r"with|would|i|i'm|and|of|to)\b",
    re.IGNORECASE,
)
_ACCENTED = re.compile(r"[À-ÖØ-öø-ÿĀ-žȘ-țẞ¿¡]")


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank source line: its text (stripped), 1-based number, indent and a blank line before it."""

    text: str
    number: int
    after_blank: bool = False
    indent: int = 0


@dataclass(frozen=True, slots=True)
class Split:
    """The chosen split: index of each complete card's front line, and whether a last front lacks a back."""

    fronts: tuple[int, ...]
    dangling: bool


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _content_words(text: str) -> set[str]:
    return {w.casefold() for w in _LETTERS.findall(text) if len(w) > 3}


def _title_case(text: str) -> bool:
    # "The Secret Speech", "USSR"; not formulas such as "NaCl".
    significant = [w for w in _LETTERS.findall(text) if len(w) > 3]
    return (
        text[:1].isupper()
        and bool(significant)
        and all(w.isupper() or (w[0].isupper() and w[1:].islower()) for w in significant)
    )


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip("’'\")]»”")
    return stripped.endswith((".", "!", ";", "…")) and not stripped.endswith("...")


Feature = Callable[[Line, Line | None, Line | None], bool]

# (name, weight, test(line, previous line, next line)). Positive weights mean "front-like".
FEATURES: tuple[tuple[str, float, Feature], ...] = (
    ("short (at most 6 words)", 1.5, lambda ln, p, n: len(_words(ln.text)) <= 6),
    ("very short (at most 3 words)", 0.5, lambda ln, p, n: len(_words(ln.text)) <= 3),
    ("long (more than 12 words)", -2.0, lambda ln, p, n: len(_words(ln.text)) > 12),
    ("very long (more than 25 words)", -2.0, lambda ln, p, n: len(_words(ln.text)) > 25),
    ("ends with a question mark", 3.5, lambda ln, p, n: ln.text.rstrip().endswith("?")),
    ("question word and short", 1.0, lambda ln, p, n: _question_like(ln.text)),
    ("asks without a question mark", 2.5, lambda ln, p, n: _asks(ln.text)),
    ("names what to recall", 1.5, lambda ln, p, n: bool(_PROMPT_PHRASE.match(ln.text))),
    ("ends a sentence (. ! ;)", -2.5, lambda ln, p, n: _ends_sentence(ln.text)),
    ("ends with a colon", -2.0, lambda ln, p, n: ln.text.rstrip().endswith(":")),
    ("ends with a comma or dash", -2.0, lambda ln, p, n: ln.text.rstrip().endswith((",", "-"))),
    ("inner comma or semicolon", -1.0, lambda ln, p, n: _inner_clause(ln.text)),
    ("bullet or numbered item", -5.0, lambda ln, p, n: bool(_BULLET.match(ln.text))),
    ("starts lowercase, several words", -2.5, lambda ln, p, n: _lower_start(ln.text, 3)),
    ("starts lowercase", -0.5, lambda ln, p, n: _lower_start(ln.text, 0)),
    ("bare number or amount", -3.0, lambda ln, p, n: bool(_BARE_VALUE.match(ln.text))),
    ("a date or period only", -2.5, lambda ln, p, n: _only_date(ln.text)),
    ("starts with a digit", -1.0, lambda ln, p, n: ln.text[:1].isdigit()),
    ("contains a number", -1.0, lambda ln, p, n: any(c.isdigit() for c in ln.text)),
    ("starts with a preposition", -1.0, lambda ln, p, n: bool(_PREPOSITION.match(ln.text))),
    ("starts with an article", -0.5, lambda ln, p, n: bool(_ARTICLE.match(ln.text))),
    ("label: value", -1.5, lambda ln, p, n: bool(_LABEL_VALUE.match(ln.text))),
    ("starts like the previous line", -1.0, lambda ln, p, n: _same_start(ln, p)),
    ("title case", 0.75, lambda ln, p, n: _title_case(ln.text)),
    ("previous line ends with a colon", -3.0, lambda ln, p, n: _prev_colon(p)),
    ("previous line ends with a comma", -2.0, lambda ln, p, n: _prev_comma(p)),
    ("indented", -3.0, lambda ln, p, n: ln.indent > 0),
    ("after a blank line", 3.0, lambda ln, p, n: ln.after_blank),
    ("introduces a list (no colon)", 1.5, lambda ln, p, n: _introduces_list(ln, n)),
    ("next line repeats its words", 1.0, lambda ln, p, n: _echoed(ln, n)),
)
BIAS = -0.5


def _only_date(text: str) -> bool:
    tokens = re.findall(r"[\w.]+|[-–—,/]", text)
    return any(t[:1].isdigit() for t in tokens) and all(_DATE_WORD.match(t) for t in tokens)


def _question_like(text: str) -> bool:
    return bool(_QUESTION_START.match(text)) and (
        text.rstrip().endswith("?") or len(_words(text)) <= 8
    )


def _asks(text: str) -> bool:
    return bool(_ASKS.match(text)) and not text.rstrip().endswith("?")


def _inner_clause(text: str) -> bool:
    return bool(re.search(r"[,;]\s", text.rstrip(",; ")))


def _lower_start(text: str, more_than_words: int) -> bool:
    first = text.lstrip("‘'\"“(")[:1]
    return first.islower() and len(_words(text)) > more_than_words


def _prev_colon(prev: Line | None) -> bool:
    return prev is not None and prev.text.rstrip().endswith(":")


def _prev_comma(prev: Line | None) -> bool:
    return prev is not None and prev.text.rstrip().endswith(",")


def _same_start(line: Line, prev: Line | None) -> bool:
    # Back lines of one card are often parallel ("In the beta cells..." / "In the pancreas").
    if prev is None or _ARTICLE.match(line.text):
        return False
    own, other = _words(line.text)[:1], _words(prev.text)[:1]
    return bool(own and other) and own[0].casefold() == other[0].casefold()


def _introduces_list(line: Line, nxt: Line | None) -> bool:
    # A bulleted back right under a line that is not a bullet and does not end with a colon: the
    # line is the card's front ("Name the four basic collection types." / "- list").
    return (
        nxt is not None
        and bool(_BULLET.match(nxt.text))
        and not _BULLET.match(line.text)
        and not line.text.rstrip().endswith(":")
    )


def _echoed(line: Line, nxt: Line | None) -> bool:
    # A title front is often repeated by its first back sentence ("Ending terror" → "Ending
    # terror began right after...").
    if nxt is None or len(_words(line.text)) > 6:
        return False
    own = _content_words(line.text)
    return bool(own) and len(own & _content_words(nxt.text)) * 2 >= len(own)


def front_score(line: Line, prev: Line | None = None, nxt: Line | None = None) -> float:
    """How front-like a line is, given its neighbours: the sum of the weights of the features it has."""
    return BIAS + sum(weight for _, weight, test in FEATURES if test(line, prev, nxt))


def explain_score(line: Line, prev: Line | None = None, nxt: Line | None = None) -> list[str]:
    """The names of the features a line has (for `deck check` diagnostics and tests)."""
    return [name for name, _, test in FEATURES if test(line, prev, nxt)]


def line_scores(lines: Sequence[Line]) -> list[float]:
    """Every line's front score, with the back-like features the first line has set aside.

    The first line is a front whatever it looks like, so a back-like feature it has ("a date
    only" in a timeline whose fronts are years, "starts lowercase" in a vocabulary list) says
    nothing about where cards start in this paste, and counting it would merge those cards.
    """
    n = len(lines)
    if n == 0:
        return []
    kept = [
        (weight, test)
        for _, weight, test in FEATURES
        if weight > 0 or not test(lines[0], None, lines[1] if n > 1 else None)
    ]
    return [
        BIAS
        + sum(
            weight
            for weight, test in kept
            if test(line, lines[i - 1] if i else None, lines[i + 1] if i + 1 < n else None)
        )
        for i, line in enumerate(lines)
    ]


def best_split(lines: Sequence[Line], expected: int | None = None) -> Split:
    """The highest-scoring split of `lines` into cards; `expected` is the announced card count."""
    return read_split(lines, expected).split


@dataclass(frozen=True, slots=True)
class Reading:
    """A split with the line scores it was chosen on (base features plus the deck's style)."""

    split: Split
    scores: tuple[float, ...]


def read_split(lines: Sequence[Line], expected: int | None = None) -> Reading:
    """Split on the line scores, then learn the deck's style from the split and split again.

    The style is learnt afresh from each new split until the split stops changing (a few rounds
    at most): a first split that got some cards right teaches the shapes that fix the rest.
    """
    base = line_scores(lines)
    split = split_scores(base, expected)
    scores = base
    shapes = _line_shapes(lines)
    for _ in range(STYLE_ROUNDS):
        style = style_scores(lines, split, shapes)
        if style is None:
            break
        scores = [a + b for a, b in zip(base, style, strict=True)]
        again = split_scores(scores, expected)
        if again == split:
            break
        split = again
    return Reading(split, tuple(scores))


def _question_shape(text: str) -> bool:
    return text.rstrip().endswith("?") or _asks(text)


# Shapes a deck's fronts share with each other and not with its backs (all questions, all one
# or two words, all formulas...). Learnt from a split, then used to score the lines again.
SHAPES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("question", _question_shape),
    ("sentence", _ends_sentence),
    ("number", lambda t: any(c.isdigit() for c in t)),
    ("formula or code", lambda t: bool(re.search(r"[a-z][A-Z]|[A-Za-z]\d|[()=_/<>]", t))),
    ("eight words or more", lambda t: len(_words(t)) >= 8),
    ("one or two words", lambda t: len(_words(t)) <= 2),
    ("lowercase start", lambda t: t[:1].islower()),
    ("title case", _title_case),
    ("starts with an article", lambda t: bool(_ARTICLE.match(t))),
    ("inner comma", lambda t: "," in t.rstrip(",")),
    ("bullet", lambda t: bool(_BULLET.match(t))),
    ("label: value", lambda t: bool(_LABEL_VALUE.match(t))),
    # Which side is in which language, for phrase decks whose sides are both sentences.
    ("English words", lambda t: bool(_ENGLISH.search(t))),
    ("accented letters", lambda t: bool(_ACCENTED.search(t))),
)
STYLE_WEIGHT = 1.0
STYLE_LIMIT = 3.0
STYLE_ROUNDS = 3
MIN_STYLE_CARDS = 3
ANCHOR_WEIGHT = 2
FRONT_SHAPE_SHARE = 0.85
# A first word counts as a shape of its own when this many lines start with it ("Capital of",
# "What is the capital of", "Atomic number"): fronts often repeat a pattern their backs lack.
MIN_FIRST_WORD_LINES = 2


def _first_word(text: str) -> str | None:
    words = _words(text)
    return words[0].casefold() if words else None


# The shapes a line is judged by come in three groups: its own, the previous line's (it ends the
# card before: every card of a deck often ends alike, "Atomic number 26", a list of examples) and
# the next line's (a front's first back line: often alike too, a formula, "to ..."). The
# neighbours' evidence is capped: it repeats what the lines themselves say, and uncapped it
# lets a split that went wrong teach itself to go more wrong.
AFTER, BEFORE = "after ", "before "
NEIGHBOUR_LIMIT = 1.0


def _line_shapes(lines: Sequence[Line]) -> list[set[str]]:
    """Each line's shapes: its own (and its first word when repeated), and its neighbours'."""
    firsts = [_first_word(line.text) for line in lines]
    counted = Counter(w for w in firsts if w is not None)
    repeated = {w for w, count in counted.items() if count >= MIN_FIRST_WORD_LINES}
    own: list[set[str]] = []
    for line, first in zip(lines, firsts, strict=True):
        names = {name for name, test in SHAPES if test(line.text)}
        if first in repeated:
            names.add(f"first word {first}")
        own.append(names)
    last = len(lines) - 1
    return [
        own[i]
        | {AFTER + name for name in (own[i - 1] if i else {"the start"})}
        | {BEFORE + name for name in (own[i + 1] if i < last else {"the end"})}
        for i in range(len(lines))
    ]


def _group(name: str) -> str:
    return AFTER if name.startswith(AFTER) else BEFORE if name.startswith(BEFORE) else ""


def style_scores(
    lines: Sequence[Line], split: Split, shapes: Sequence[set[str]] | None = None
) -> list[float] | None:
    """Per line, how much its shape resembles the split's fronts rather than its backs (naive Bayes).

    `shapes` are the lines' shapes when already known (`_line_shapes`).
    """
    fronts = set(split.fronts)
    if len(fronts) < MIN_STYLE_CARDS:
        return None
    if shapes is None:
        shapes = _line_shapes(lines)
    # The first card is no guess (the first line is a front, the next one its back), so it
    # counts as several cards: a first split that went wrong cannot outvote it.
    in_fronts = [shapes[i] for i in range(len(lines)) if i in fronts] + [shapes[0]] * ANCHOR_WEIGHT
    in_backs = [shapes[i] for i in range(len(lines)) if i not in fronts]
    if len(lines) > 1:
        in_backs += [shapes[1]] * ANCHOR_WEIGHT
    # Per shape: evidence when a line has it, and when it lacks it. Lacking a shape counts only
    # when the fronts nearly all have it ("every front is a question; this line is not"): lacking
    # a common shape says little, and summing many such weak signs would drown the real ones.
    front_counts = Counter(name for row in in_fronts for name in row)
    back_counts = Counter(name for row in in_backs for name in row)
    having: dict[str, float] = {}
    lacking = {"": 0.0, AFTER: 0.0, BEFORE: 0.0}  # per group, for a line with none of the shapes
    for name in front_counts | back_counts:
        # Laplace smoothing keeps a shape seen once from deciding anything alone.
        p_front = (front_counts[name] + 1) / (len(in_fronts) + 2)
        p_back = (back_counts[name] + 1) / (len(in_backs) + 2)
        lack = math.log((1 - p_front) / (1 - p_back)) if p_front >= FRONT_SHAPE_SHARE else 0.0
        lacking[_group(name)] += lack
        having[name] = math.log(p_front / p_back) - lack  # instead of lacking it
    scores: list[float] = []
    for row in shapes:
        groups = dict(lacking)
        for name in row:
            groups[_group(name)] += having[name]
        total = groups[""] + sum(
            max(-NEIGHBOUR_LIMIT, min(NEIGHBOUR_LIMIT, groups[side])) for side in (AFTER, BEFORE)
        )
        scores.append(max(-STYLE_LIMIT, min(STYLE_LIMIT, STYLE_WEIGHT * total)))
    return scores


def split_value(scores: Sequence[float], split: Split, expected: int | None = None) -> float:
    """The total a split scores: its fronts' scores, minus the dangling and count penalties."""
    total = sum(scores[i] for i in split.fronts)
    if split.dangling:
        total += scores[-1] - DANGLING_FRONT_PENALTY
    if expected is not None and expected > 0:
        total -= COUNT_MISMATCH_PENALTY * abs(len(split.fronts) - expected)
    return total


def split_scores(scores: Sequence[float], expected: int | None = None) -> Split:
    """The split with the highest `split_value` for these line scores (an exact search)."""
    n = len(scores)
    if n == 0:
        return Split((), dangling=False)
    free = _split_free(scores)
    if expected is None or expected <= 0:
        return free
    # The count-free optimum has the highest raw total, so a split with c cards can only beat it
    # if |c - expected| < |free count - expected|: no need to search counts further away.
    slack = abs(len(free.fronts) - expected)
    if slack == 0:
        return free
    max_cards = min(expected + slack, (n + 1) // 2) + 1
    if n * max_cards > MAX_COUNT_CELLS:
        return free
    return _split_with_count(scores, expected, max_cards)


_NEG = float("-inf")


def _split_free(scores: Sequence[float]) -> Split:
    """Viterbi over two states (front, back) when the card count does not matter."""
    n = len(scores)
    # front[i] / back[i]: best total when line i is a front / a back; *_from: previous state.
    front, back = [_NEG] * n, [_NEG] * n
    back_from_front = [False] * n
    front[0] = scores[0]
    for i in range(1, n):
        front[i] = back[i - 1] + scores[i]
        if front[i - 1] >= back[i - 1]:
            back[i], back_from_front[i] = front[i - 1], True
        else:
            back[i] = back[i - 1]
    dangling = n == 1 or front[n - 1] - DANGLING_FRONT_PENALTY > back[n - 1]
    labels: list[bool] = [False] * n  # True = front
    state_front = dangling
    for i in range(n - 1, -1, -1):
        labels[i] = state_front
        state_front = False if state_front else back_from_front[i]
    return _as_split(labels, dangling)


def _split_with_count(scores: Sequence[float], expected: int, max_cards: int) -> Split:
    """Exact DP over (line, fronts so far, front/back), then the count with the best penalised total."""
    n = len(scores)
    width = max_cards + 1
    front = [_NEG] * width  # front[k]: line i is the k-th front
    back = [_NEG] * width  # back[k]: line i is a back line, k fronts so far
    front[1] = scores[0]
    # For line i, whether back[k] came from a front at line i-1 (else from a back).
    back_from_front: list[bytearray] = [bytearray(width)]
    for i in range(1, n):
        s = scores[i]
        new_front = [_NEG, *(back[k - 1] + s for k in range(1, width))]
        came = bytearray(width)
        new_back = back[:]
        for k in range(1, width):
            if front[k] >= back[k] and front[k] != _NEG:
                new_back[k] = front[k]
                came[k] = 1
        front, back = new_front, new_back
        back_from_front.append(came)
    best_total, best_k, best_dangling = _NEG, 0, False
    for k in range(1, width):
        for dangling, raw in ((False, back[k]), (True, front[k] - DANGLING_FRONT_PENALTY)):
            cards = k - 1 if dangling else k
            if raw == _NEG or (dangling and n == 1):
                continue
            total = raw - COUNT_MISMATCH_PENALTY * abs(cards - expected)
            if total > best_total:
                best_total, best_k, best_dangling = total, k, dangling
    if best_total == _NEG:
        # One line only: a front without a back.
        return Split((), dangling=True)
    labels = [False] * n
    state_front, k = best_dangling, best_k
    for i in range(n - 1, -1, -1):
        labels[i] = state_front
        if state_front:
            state_front, k = False, k - 1
        else:
            state_front = bool(back_from_front[i][k])
    return _as_split(labels, best_dangling)


def _as_split(labels: Sequence[bool], dangling: bool) -> Split:
    fronts = [i for i, is_front in enumerate(labels) if is_front]
    if dangling and fronts:
        fronts.pop()
    return Split(tuple(fronts), dangling)


def _labels(split: Split, n: int) -> list[bool]:
    """Per line, whether it is a front (a dangling last front included)."""
    labels = [False] * n
    for i in split.fronts:
        labels[i] = True
    if split.dangling and n:
        labels[-1] = True
    return labels


@dataclass(frozen=True, slots=True)
class BackLengths:
    """How long a deck's backs run, learnt from a split: a card's back has two lines or more with
    probability `more`, and each line after the second continues with probability `go_on`."""

    more: float
    go_on: float

    @classmethod
    def learn(cls, labels: Sequence[bool]) -> BackLengths:
        """The back lengths of the cards `labels` cut (smoothed, so no length is impossible)."""
        lengths = [length for _, length in _cards(labels.__getitem__, len(labels), 0, len(labels))]
        longer = sum(1 for length in lengths if length >= 2)
        beyond = sum(length - 2 for length in lengths if length >= 2)
        return cls((longer + 1) / (len(lengths) + 2), (beyond + 1) / (beyond + longer + 2))

    def log_odds(self, length: int) -> float:
        """How likely a back of `length` lines is in this deck (natural log)."""
        if length <= 0:
            return 0.0  # a dangling front: its own penalty covers it
        if length == 1:
            return math.log(1 - self.more)
        return math.log(self.more) + (length - 2) * math.log(self.go_on) + math.log(1 - self.go_on)


def _cards(is_front: Callable[[int], bool], n: int, start: int, stop: int) -> list[tuple[int, int]]:
    """(front, back length) of each card whose front is in [start, stop); start must be a front."""
    cards: list[tuple[int, int]] = []
    for i in range(start, n):
        if is_front(i):
            if i >= stop:
                break
            cards.append((i, 0))
        elif cards:
            cards[-1] = (cards[-1][0], cards[-1][1] + 1)
    return cards


def margins(scores: Sequence[float], split: Split, expected: int | None = None) -> list[float]:
    """Per line, how much less the best split is worth with that line read the other way round.

    The other readings tried are the ones a person would weigh: the line alone flipped (a new
    card starts here, or does not), or its role swapped with a neighbour's (the card starts one
    line earlier or later). Besides the line scores and penalties the split was chosen on, the
    value counts how regular the cards' back lengths stay: a line that would turn a 3-line back
    into two 1-line cards, in a deck of 1-line backs, is a closer call than its score alone says.
    A small margin means the split at that line is a guess; the first line's is infinite.
    """
    n = len(scores)
    labels = _labels(split, n)
    lengths = BackLengths.learn(labels)
    if expected is not None and len(split.fronts) != expected:
        # A count the split does not reach (a paste cut short) is evidence for no single line.
        expected = None
    fronts_before = [0] * n  # index of the front at or before each line
    for i in range(n):
        fronts_before[i] = i if labels[i] else fronts_before[i - 1] if i else 0

    def lengths_value(is_front: Callable[[int], bool], start: int, stop: int) -> float:
        return sum(lengths.log_odds(length) for _, length in _cards(is_front, n, start, stop))

    def value_change(flipped: Sequence[int]) -> float | None:
        """The change in value when `flipped` lines change role; None if that is no split."""
        if any(i <= 0 or i >= n for i in flipped):
            return None  # the first line stays a front
        new = {i: not labels[i] for i in flipped}

        def changed(i: int) -> bool:
            return new.get(i, labels[i])

        if changed(n - 1) != labels[-1]:
            return None  # whether the paste was cut short has a warning of its own
        for i in flipped:
            # A front needs a back line right after it.
            for j in (i - 1, i):
                if 0 <= j < n - 1 and changed(j) and changed(j + 1):
                    return None
        change = sum(scores[i] if new[i] else -scores[i] for i in flipped)
        if expected is not None and expected > 0:
            before = len(split.fronts)
            after = before + sum(1 if is_front else -1 for is_front in new.values())
            change -= COUNT_MISMATCH_PENALTY * (abs(after - expected) - abs(before - expected))
        # Only the cards from the front before the flip to the next front after it change.
        start, stop = fronts_before[min(flipped) - 1], max(flipped) + 2
        change += lengths_value(changed, start, stop) - lengths_value(
            labels.__getitem__, start, stop
        )
        return change

    # Two neighbours flipped together is a swap (two backs flipped would be two fronts in a row).
    result: list[float] = []
    for i in range(n):
        changes = (value_change(flipped) for flipped in ((i,), (i - 1, i), (i, i + 1)))
        result.append(min((-c for c in changes if c is not None), default=math.inf))
    return result
