"""Every question the bot makes from a labelled set of decks, judged by the criteria it must meet.

The decks in `tests/fixtures/quality/` are written for this (public-domain facts) in every format the
bot reads, and `labels.toml` says for each card what a teacher expects: the sort of its answer, the
facts a question may ask for, the answers a learner would naturally type, and wrong facts. The
judgement is independent of how the questions are made:

- (a) **one right option**: of a question's options (drawn with several seeds), exactly one is
  right: the answer, or anything the card's label takes as right;
- (b) **the fact**: a typed or choice answer is one of the card's labelled keys, a blank hides one of
  its labelled facts, "Which card is this?" and a reverse question answer with the card's front;
- (c) **no leak**: the prompt does not show the answer, whole or in part (a word of it, its number,
  a word cut by a mask such as "de-___");
- (d) **wrong options of the answer's kind**: another card's answer of the same labelled sort, a
  front asked with the same question word, or a number near the answer (years within 15, counts
  within a factor of two);
- (e) **context**: a blank shows its card's front; choice, typed and recall questions ask the front;
  a reverse question asks the card's back (only the front's own words hidden); a masked back keeps
  words to read.

A question failing any of (b)–(e) is defective; (a) and (c) must never fail. Typed grading is
judged on every typed question: each labelled right answer must be graded right, no wrong fact may be.
"""

from __future__ import annotations

import random
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.cards.answers import kind_of, strip_latex
from bot.cards.formats import read_deck_file
from bot.cards.model import Deck
from bot.cards.questions import Question, QuestionKind, card_key, display_front, make_questions
from bot.core.grading import TypedVerdict, grade_typed, normalize_answer
from bot.storage.decks import both_ways

QUALITY = Path(__file__).resolve().parent / "fixtures" / "quality"
BUNDLED = Path(__file__).resolve().parents[1] / "data" / "decks"
BOTH_WAYS = "spanish.tsv"
SEEDS = range(5)
MASK = "___"
YEAR_NEAR = 15
QUESTION_WORDS = ("when", "who", "whom", "whose", "where", "what", "which", "why", "how", "name")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Label:
    """What a teacher expects of one card."""

    kind: str
    key: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Defect:
    """One criterion one question fails."""

    deck: str
    card: str
    kind: str
    criterion: str
    detail: str


@dataclass
class Report:
    """The figures over the whole set."""

    questions: Counter[str] = field(default_factory=Counter)
    defects: list[Defect] = field(default_factory=list)
    typed_right: int = 0
    typed_total: int = 0
    typed_misses: list[tuple[str, str, str]] = field(default_factory=list)  # card, given, answer
    wrong_accepted: list[tuple[str, str]] = field(default_factory=list)  # card, given
    typed_cards: int = 0
    keyed_cards: int = 0

    @property
    def total(self) -> int:
        """How many questions the set yields."""
        return sum(self.questions.values())

    def failing(self, criterion: str) -> list[Defect]:
        """The defects of one criterion."""
        return [d for d in self.defects if d.criterion == criterion]

    @property
    def defective(self) -> int:
        """How many questions fail at least one criterion."""
        return len({(d.deck, d.card, d.kind) for d in self.defects})


def load_labels() -> dict[str, dict[str, Label]]:
    """labels.toml, by deck file name then card front."""
    raw = tomllib.loads((QUALITY / "labels.toml").read_text(encoding="utf-8"))
    return {
        deck: {
            front: Label(
                kind=str(value["kind"]),
                key=tuple(value.get("key", ())),
                right=tuple(value.get("right", ())),
                wrong=tuple(value.get("wrong", ())),
                facts=tuple(value.get("facts", ())),
            )
            for front, value in cards.items()
        }
        for deck, cards in raw.items()
    }


def quality_decks() -> dict[str, Deck]:
    """Every deck of the set, and the bundled decks, by file name."""
    paths = [p for p in sorted(QUALITY.iterdir()) if p.name != "labels.toml"]
    paths += sorted(BUNDLED.glob("*.toml"))
    decks = {path.name: read_deck_file(path) for path in paths}
    # A vocabulary deck is studied both ways (its owner's /decks setting): reverse questions too.
    decks[BOTH_WAYS] = both_ways(decks[BOTH_WAYS])
    return decks


def _norm(texts: Iterable[str]) -> set[str]:
    return {normalize_answer(text) for text in texts if normalize_answer(text)}


def _question_word(front: str) -> str | None:
    words = normalize_answer(strip_latex(front)).split()
    return words[0] if words and words[0] in QUESTION_WORDS else None


def _value(text: str) -> float | None:
    found = _NUMBER.search(text)
    return float(found.group(0).replace(",", "")) if found else None


def _near(answer: str, option: str, kind: str) -> bool:
    """Whether a generated number, year or date is of the answer's kind and near it."""
    if not kind_of(option).numeric:
        return False
    numbers_a = [float(n.replace(",", "")) for n in _NUMBER.findall(answer)]
    numbers_o = [float(n.replace(",", "")) for n in _NUMBER.findall(option)]
    if len(numbers_a) != len(numbers_o) or not numbers_a:
        return False
    if kind in ("year", "date", "range"):
        years_a = [n for n in numbers_a if n >= 100]
        years_o = [n for n in numbers_o if n >= 100]
        return all(abs(a - o) <= YEAR_NEAR for a, o in zip(years_a, years_o, strict=False))
    if kind == "fraction":
        return all(a / 10 <= o <= a * 10 for a, o in zip(numbers_a, numbers_o, strict=True) if a)
    return all(
        a / 2 <= o <= a * 2 if a else o < 10 for a, o in zip(numbers_a, numbers_o, strict=True)
    )


class Judge:
    """Judges the questions of one deck against its labels."""

    def __init__(self, name: str, deck: Deck, labels: dict[str, Label], report: Report) -> None:
        self.name = name
        self.deck = deck
        self.labels = labels
        self.report = report
        self.by_key = {card_key(card): card for card in deck.cards}
        # Which card's labelled answer an option is (to know its sort).
        self.answer_owner: dict[str, list[str]] = {}
        for card in deck.cards:
            for text in (*labels[card.front].key, *labels[card.front].right):
                self.answer_owner.setdefault(normalize_answer(text), []).append(card.front)
        self.front_owner = {normalize_answer(display_front(c.front)): c.front for c in deck.cards}

    def by_key_of(self, front: str) -> str:
        """The card key of the card with this front."""
        return next(key for key, card in self.by_key.items() if card.front == front)

    def fail(self, front: str, question: Question, criterion: str, detail: str) -> None:
        """Record a defect."""
        self.report.defects.append(Defect(self.name, front, str(question.kind), criterion, detail))

    def judge(self, question: Question) -> None:
        """Check one question against every criterion."""
        card = self.by_key[question.card_key]
        label = self.labels[card.front]
        self.report.questions[str(question.kind)] += 1
        self.fact(card.front, label, question)
        self.context(card.front, question)
        self.leak(card.front, question)
        if question.has_options:
            for seed in SEEDS:
                options, _ = _draw(question, seed)
                self.one_right(card.front, label, question, options)
                self.same_kind(card.front, label, question, options)
        if question.kind is QuestionKind.TYPED:
            self.typed(card.front, label, question)

    def is_right(self, front: str, label: Label, question: Question, option: str) -> bool:
        """Whether an option would be a right answer to the question."""
        if normalize_answer(option) == normalize_answer(question.answer):
            return True
        if question.kind is QuestionKind.IDENTIFY:
            # Another front whose card says the same is right too.
            owner = self.front_owner.get(normalize_answer(option))
            return owner is not None and _norm([self._back(owner)]) == _norm([self._back(front)])
        if question.kind is QuestionKind.CLOZE:
            return False
        rights = _norm((*label.key, *label.right))
        if normalize_answer(option) in rights:
            return True
        return grade_typed(option, question.answer, question.accepted) is TypedVerdict.RIGHT

    def _back(self, front: str) -> str:
        return next(c.back for c in self.deck.cards if c.front == front)

    def one_right(self, front: str, label: Label, question: Question, options: list[str]) -> None:
        """(a) exactly one right option."""
        right = [o for o in options if self.is_right(front, label, question, o)]
        if len(right) != 1:
            self.fail(front, question, "a", f"right options {right} of {options}")

    def fact(self, front: str, label: Label, question: Question) -> None:
        """(b) the answer asked for is the card's fact."""
        answer = normalize_answer(question.answer)
        expected = {
            QuestionKind.CHOICE: _norm(label.key),
            QuestionKind.TYPED: _norm(label.key),
            QuestionKind.CLOZE: _norm(label.facts),
            QuestionKind.IDENTIFY: {normalize_answer(display_front(front))},
            QuestionKind.REVERSE: {normalize_answer(front)},
        }.get(question.kind)
        if expected is not None and answer not in expected:
            self.fail(front, question, "b", f"asks {question.answer!r}, expected one of {expected}")

    def context(self, front: str, question: Question) -> None:
        """(e) the prompt reads as a question with its context."""
        if question.kind is QuestionKind.CLOZE:
            if question.prompt.split("\n", 1)[0] != front or MASK not in question.prompt:
                self.fail(front, question, "e", f"blank without its front: {question.prompt!r}")
        elif question.kind is QuestionKind.IDENTIFY:
            # What the mask leaves must still say something: three words, or a formula.
            words = [w for w in question.prompt.replace(MASK, " ").split() if w.isalpha()]
            if len(words) < 3 and "[$]" not in question.prompt:
                self.fail(front, question, "e", f"too little left to read: {question.prompt!r}")
        elif question.kind is QuestionKind.REVERSE:
            # The back, with nothing but the front's own words hidden, and words left to read.
            back = self._back(front)
            kept = re.split(re.escape(MASK), question.prompt)
            if "".join(kept) and not all(piece in back for piece in kept):
                self.fail(front, question, "e", f"not the card's back: {question.prompt!r}")
            if not re.search(r"[^\W\d_]", question.prompt.replace(MASK, " ")):
                self.fail(front, question, "e", f"nothing left to read: {question.prompt!r}")
        elif question.prompt != front:
            self.fail(front, question, "e", f"does not ask the front: {question.prompt!r}")
        if question.kind is QuestionKind.TYPED and len(question.answer) > 40:
            self.fail(front, question, "e", f"too long to type: {question.answer!r}")

    def leak(self, front: str, question: Question) -> None:
        """(c) the prompt does not show the answer, whole or in part."""
        prompt = question.prompt
        if question.kind in (QuestionKind.RECALL,):
            return
        if question.kind is QuestionKind.CLOZE:
            prompt = prompt.replace(MASK, " ")
        shown = normalize_answer(strip_latex(prompt))
        answer = normalize_answer(strip_latex(question.answer))
        if answer and f" {answer} " in f" {shown} ":
            self.fail(front, question, "c", f"the answer {question.answer!r} shows in the prompt")
            return
        if re.search(r"\w[-‐]___|___[-‐]\w", question.prompt):
            self.fail(front, question, "c", "a mask cuts a word")
            return
        if question.kind in (QuestionKind.CLOZE, QuestionKind.IDENTIFY, QuestionKind.REVERSE):
            prompt_words = set(shown.split())
            partial = [
                w
                for w in answer.split()
                if (len(w) >= 4 and not w.isdigit() and w in prompt_words)
                or (w.isdigit() and w in prompt_words)
            ]
            if partial:
                self.fail(front, question, "c", f"part of the answer shows: {partial}")
            if question.kind is QuestionKind.IDENTIFY and _inside_latex_mask(question.prompt):
                self.fail(front, question, "c", "a mask inside LaTeX")

    def same_kind(self, front: str, label: Label, question: Question, options: list[str]) -> None:
        """(d) every wrong option is of the answer's kind."""
        for option in options:
            if self.is_right(front, label, question, option):
                continue
            if question.kind is QuestionKind.IDENTIFY:
                owner = self.front_owner.get(normalize_answer(option))
                if owner is None:
                    self.fail(front, question, "d", f"{option!r} is no front of the deck")
                elif self.labels[owner].kind != label.kind or _question_word(
                    owner
                ) != _question_word(front):
                    self.fail(front, question, "d", f"front {option!r} is not asked like {front!r}")
                continue
            owners = self.answer_owner.get(normalize_answer(option), [])
            if owners and not kind_of(option).numeric:
                if any(self.labels[o].kind != label.kind for o in owners):
                    self.fail(front, question, "d", f"{option!r} is not a {label.kind}")
                continue
            if question.kind is QuestionKind.CLOZE and not kind_of(option).numeric:
                facts = {normalize_answer(f) for lb in self.labels.values() for f in lb.facts}
                same_shape = len(option.split()) == len(question.answer.split())
                if normalize_answer(option) not in facts or not same_shape:
                    self.fail(
                        front, question, "d", f"{option!r} is no term like {question.answer!r}"
                    )
                continue
            kind = label.kind
            if question.kind is QuestionKind.CLOZE:
                kind = "year" if kind_of(question.answer).value == "year" else "number"
            if not _near(question.answer, option, kind):
                self.fail(front, question, "d", f"{option!r} is not near {question.answer!r}")

    def typed(self, front: str, label: Label, question: Question) -> None:
        """Typed grading: labelled right answers right, wrong facts never."""
        self.report.typed_cards += 1
        for given in label.right:
            self.report.typed_total += 1
            if grade_typed(given, question.answer, question.accepted) is TypedVerdict.RIGHT:
                self.report.typed_right += 1
            else:
                self.report.typed_misses.append((front, given, question.answer))
        for given in label.wrong:
            if grade_typed(given, question.answer, question.accepted) is TypedVerdict.RIGHT:
                self.report.wrong_accepted.append((front, given))


def _inside_latex_mask(prompt: str) -> bool:
    return any(MASK in span for span in re.findall(r"\[\$\].*?\[/\$\]", prompt, re.DOTALL))


def _draw(question: Question, seed: int) -> tuple[list[str], int]:
    from bot.cards.questions import question_options

    drawn = question_options(question, random.Random(f"{seed}:{question.key}"))
    assert drawn is not None
    return drawn


def evaluate() -> Report:
    """Judge every question of every deck of the set."""
    labels = load_labels()
    report = Report()
    for name, deck in quality_decks().items():
        deck_labels = labels[name]
        missing = [card.front for card in deck.cards if card.front not in deck_labels]
        assert not missing, f"{name}: cards without labels: {missing}"
        report.keyed_cards += sum(1 for card in deck.cards if deck_labels[card.front].right)
        judge = Judge(name, deck, deck_labels, report)
        for question in make_questions(deck):
            judge.judge(question)
    return report


def unlabelled_defects(deck: Deck) -> list[str]:
    """What can be judged of a deck nobody labelled: two right options (by the grader) and leaks."""
    found: list[str] = []
    for question in make_questions(deck):
        if question.has_options:
            for seed in SEEDS:
                options, _ = _draw(question, seed)
                right = [
                    o
                    for o in options
                    if normalize_answer(o) == normalize_answer(question.answer)
                    or (
                        question.kind is QuestionKind.CHOICE
                        and grade_typed(o, question.answer, question.accepted) is TypedVerdict.RIGHT
                    )
                ]
                if len(right) != 1:
                    found.append(f"{question.key}: right options {right} of {options}")
        if question.kind is QuestionKind.RECALL:
            continue
        shown = normalize_answer(strip_latex(question.prompt.replace(MASK, " ")))
        answer = normalize_answer(strip_latex(question.answer))
        if answer and f" {answer} " in f" {shown} ":
            found.append(f"{question.key}: {question.answer!r} shows in {question.prompt!r}")
        if re.search(r"\w[-‐]___|___[-‐]\w", question.prompt):
            found.append(f"{question.key}: a mask cuts a word in {question.prompt!r}")
    return found


def summary(report: Report) -> str:
    """The figures as README quotes them."""
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report.questions.items()))
    lines = [
        f"questions: {report.total} ({kinds})",
        f"two right options (a): {len(report.failing('a'))}",
        f"leaked answers (c): {len(report.failing('c'))}",
        f"defective by (b)-(e): {report.defective} of {report.total} "
        f"({100 * report.defective / max(report.total, 1):.1f} %)",
        f"typed: {report.typed_right}/{report.typed_total} natural right answers graded right "
        f"({100 * report.typed_right / max(report.typed_total, 1):.1f} %) over "
        f"{report.typed_cards} typed questions; wrong facts accepted: {len(report.wrong_accepted)}",
    ]
    return "\n".join(lines)
