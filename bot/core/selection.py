"""Which questions a quiz session asks, and in what order.

- **One question per card** in a session and in a day. Once any question of a card has been
  answered in the learner's day, its other questions wait until tomorrow (as Anki buries
  siblings); the question answered today comes back only when its learning step falls due.
- **The kind follows memory** (the "mixed" setting). A card starts with recognition: a choice,
  an identify question or a blank with options. Its typed questions (typed, a blank without
  options) open once a recognition question has graduated from learning; its recall question once
  a typed question (on a card without one, a recognition question) is stable for
  `RECALL_AFTER_DAYS`. When a card comes up (one of its questions is due), a question of its
  highest open stage is asked, a new one first; questions answered before keep their schedules.
- **Both directions.** A card meant both ways has a reverse question (back shown, front recalled),
  of the recall stage, with its own schedule. Once a card has been met, its reverse question is
  opened the next time the card comes up, in any setting that asks it, before the card's due ones.
- **Other settings** ask only their kinds, with no stages: "choice" the questions with options,
  "typed" every question that can be typed (a blank is typed there), "selfgraded" recall and
  reverse.
- **Order**: due questions first, most overdue first; then new cards in deck order while the day's
  allowance of new cards lasts (a card is new on the day its first question is answered; the
  caller counts them).
- **No reveal answers a later question**: a reveal shows the whole card, so a question whose answer
  an earlier question's card shows is asked before it, or waits for another session
  (`order_without_leaks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from bot.core.grading import normalize_answer

RECALL_AFTER_DAYS = 7.0
SELF_GRADED = ("recall", "reverse")
REVERSE = "reverse"
REVIEW_STATE = 2  # fsrs.State.Review: graduated from the learning steps


class Stage(IntEnum):
    """How a question asks: recognise the answer, produce it, or recall the whole card."""

    RECOGNISE = 0
    PRODUCE = 1
    RECALL = 2


@dataclass(frozen=True, slots=True)
class QuestionMemory:
    """One question of a card and the learner's memory of it (state None: never answered)."""

    question_id: int
    card_id: int
    kind: str  # recall / reverse / choice / identify / cloze / typed
    has_options: bool
    state: int | None = None
    stability: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    first_review: datetime | None = None

    @property
    def seen(self) -> bool:
        """Whether the learner has answered it before."""
        return self.state is not None


@dataclass(frozen=True, slots=True)
class Pick:
    """A question chosen for the session."""

    question_id: int
    card_id: int
    new_card: bool = False


def stage_of(question: QuestionMemory) -> Stage:
    """The stage a question belongs to."""
    if question.kind in SELF_GRADED:
        return Stage.RECALL
    if question.kind == "typed" or (question.kind == "cloze" and not question.has_options):
        return Stage.PRODUCE
    return Stage.RECOGNISE


def allowed(mix: str, question: QuestionMemory) -> bool:
    """Whether the question-mix setting asks this question at all."""
    if mix == "choice":
        return question.has_options and question.kind in ("choice", "identify", "cloze")
    if mix == "typed":
        return question.kind in ("typed", "cloze")
    if mix == "selfgraded":
        return question.kind in SELF_GRADED
    return True


def _graduated(questions: Iterable[QuestionMemory], days: float = 0.0) -> bool:
    return any(
        q.state == REVIEW_STATE and (q.stability or 0.0) >= days for q in questions if q.seen
    )


def open_stage(questions: Sequence[QuestionMemory]) -> Stage:
    """The highest stage of a card the learner may be asked now (see the module docstring)."""
    by_stage = {stage: [q for q in questions if stage_of(q) is stage] for stage in Stage}
    recognise, produce = by_stage[Stage.RECOGNISE], by_stage[Stage.PRODUCE]
    if recognise and not _graduated(recognise):
        return Stage.RECOGNISE
    ready_for_recall = (
        _graduated(produce, RECALL_AFTER_DAYS)
        if produce
        else (not recognise or _graduated(recognise, RECALL_AFTER_DAYS))
    )
    if produce and not ready_for_recall:
        return Stage.PRODUCE
    return Stage.RECALL if ready_for_recall else Stage.PRODUCE


# Which kind a card starts with, among those of its first stage: the card as a whole first.
_FIRST_KINDS = {"choice": 0, "identify": 1, "typed": 2, "cloze": 3, "recall": 4, "reverse": 5}


def _first_question(questions: Sequence[QuestionMemory], mix: str) -> QuestionMemory | None:
    """The question a card not yet met in this setting starts with.

    Mixed: one of its lowest stage; any other setting: the question about the whole card (a
    choice, a typed answer) before the blanks.
    """
    usable = [q for q in questions if allowed(mix, q)]
    # A card starts the way it is written; its reverse question comes the next time it comes up.
    usable = [q for q in usable if q.kind != REVERSE] or usable
    if not usable:
        return None
    if mix != "mixed":
        return min(usable, key=lambda q: (_FIRST_KINDS.get(q.kind, 9), q.question_id))
    # Mixed: one of the lowest stage, taken in turn from card to card so that a session of new
    # cards is not all one kind ("Which card is this?" for one, a blank for the next).
    lowest = min(stage_of(q) for q in usable)
    first = sorted(
        (q for q in usable if stage_of(q) is lowest),
        key=lambda q: (_FIRST_KINDS.get(q.kind, 9), q.question_id),
    )
    return first[questions[0].card_id % len(first)]


def _most_overdue(questions: Iterable[QuestionMemory]) -> QuestionMemory | None:
    return min(questions, key=lambda q: (q.due or datetime.max, q.question_id), default=None)


def _pick_seen(
    questions: Sequence[QuestionMemory], now: datetime, day_start: datetime, mix: str
) -> tuple[QuestionMemory, bool] | None:
    """The question to ask of a card the learner has met, and whether it is new to them."""
    answered_today = [
        q for q in questions if q.last_review is not None and q.last_review >= day_start
    ]
    if answered_today:
        # Its siblings wait for tomorrow; the question itself may come back for a learning step.
        again = [
            q for q in answered_today if allowed(mix, q) and q.due is not None and q.due <= now
        ]
        chosen = _most_overdue(again)
        return (chosen, False) if chosen is not None else None
    usable = [q for q in questions if allowed(mix, q)]
    if not any(q.seen for q in usable):
        # Met only through questions this setting does not ask (or that the deck no longer
        # has): the card starts over in this setting, as a new one.
        first = _first_question(questions, mix)
        return (first, True) if first is not None else None
    due = [q for q in usable if q.seen and q.due is not None and q.due <= now]
    if due and (reverse := [q for q in usable if not q.seen and q.kind == REVERSE]):
        return reverse[0], False  # the card's other direction starts as the card comes up
    if mix != "mixed":
        chosen = _most_overdue(due)
        return (chosen, False) if chosen is not None else None
    if not due:
        return None
    stage = open_stage(questions)
    opened = [q for q in usable if not q.seen and stage_of(q) <= stage]
    top = max(stage_of(q) for q in [*due, *opened])
    fresh = sorted((q for q in opened if stage_of(q) is top), key=lambda q: q.question_id)
    if fresh:
        return fresh[0], False
    chosen = _most_overdue(q for q in due if stage_of(q) is top)
    return (chosen, False) if chosen is not None else None


def question_to_review(questions: Sequence[QuestionMemory], mix: str) -> QuestionMemory | None:
    """The question to ask of a card the learner picked to review now, due or not.

    The most overdue of the questions they have met that the question-mix setting asks; a card
    met in no such question starts as a new card does in that setting; a card whose questions the
    setting never asks is asked as in the mixed setting.
    """
    met = [q for q in questions if q.seen and allowed(mix, q)]
    if met:
        return _most_overdue(met)
    return _first_question(questions, mix) or _first_question(questions, "mixed")


def plan_session(
    due_cards: Sequence[QuestionMemory],
    fresh: Sequence[QuestionMemory],
    *,
    now: datetime,
    day_start: datetime,
    mix: str,
    limit: int,
    new_cards: int,
) -> list[Pick]:
    """Up to `limit` questions, one per card: due ones (most overdue first), then new cards.

    `due_cards` holds every question of the cards with something due; `fresh` the questions of
    cards never met, in deck order; at most `new_cards` cards are started.
    """
    if limit <= 0:
        return []
    cards: dict[int, list[QuestionMemory]] = {}
    for question in due_cards:
        cards.setdefault(question.card_id, []).append(question)
    due: list[tuple[datetime, int, Pick]] = []
    new: list[Pick] = []
    for card_id, questions in cards.items():
        found = _pick_seen(questions, now, day_start, mix)
        if found is None:
            continue
        question, new_to_mix = found
        if new_to_mix:
            new.append(Pick(question.question_id, card_id, new_card=True))
        else:
            when = question.due or now  # a question newly opened on a card that came up
            due.append((when, question.question_id, Pick(question.question_id, card_id)))
    due.sort(key=lambda item: (item[0], item[1]))
    picks = [pick for _, _, pick in due]
    fresh_cards: dict[int, list[QuestionMemory]] = {}
    for question in fresh:
        fresh_cards.setdefault(question.card_id, []).append(question)
    for card_id, questions in fresh_cards.items():
        first = _first_question(questions, mix)
        if first is not None:
            new.append(Pick(first.question_id, card_id, new_card=True))
    picks.extend(new[: max(new_cards, 0)])
    return picks[:limit]


@dataclass(frozen=True, slots=True)
class Shown:
    """A picked question with what answering it takes and what its reveal shows."""

    pick: Pick
    answer: str  # what the question asks for
    reveal: str  # the card as its reveal shows it (front and back)


def shows_answer(text: str, answer: str) -> bool:
    """Whether `text` states `answer` (as whole words, numbers compared by value)."""
    return _states(f" {normalize_answer(text)} ", normalize_answer(answer))


def _states(padded_text: str, wanted: str) -> bool:
    """`shows_answer` on forms normalised already: the text padded with spaces, the answer bare."""
    return bool(wanted) and f" {wanted} " in padded_text


@dataclass(frozen=True, slots=True)
class _Normalised:
    """An item with its answer and reveal normalised once (ordering compares them many times)."""

    item: Shown
    wanted: str
    said: str

    @classmethod
    def of(cls, item: Shown) -> _Normalised:
        """The item with its normalised forms."""
        return cls(item, normalize_answer(item.answer), f" {normalize_answer(item.reveal)} ")


def order_without_leaks(items: Sequence[Shown], size: int) -> list[Pick]:
    """Up to `size` items in about their given order, no item after a reveal that shows its answer.

    Each item goes as late as it can: after the items before it unless one of their reveals shows
    its answer, in which case it moves ahead of that one (when its own reveal tells none of the
    answers it then precedes). An item that fits nowhere waits for another session.
    """
    placed: list[_Normalised] = []
    for shown in items:
        item = _Normalised.of(shown)
        for at in range(len(placed), -1, -1):
            before, after = placed[:at], placed[at:]
            if any(_states(earlier.said, item.wanted) for earlier in before):
                continue
            if any(_states(item.said, later.wanted) for later in after):
                continue
            placed.insert(at, item)
            break
        if len(placed) == size:
            break
    return [item.item.pick for item in placed]
