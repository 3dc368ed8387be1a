"""Which questions a session asks: one per card, the kind following memory, no reveal that tells."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.selection import (
    RECALL_AFTER_DAYS,
    Pick,
    QuestionMemory,
    Shown,
    Stage,
    allowed,
    open_stage,
    order_without_leaks,
    plan_session,
    stage_of,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY_START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
LEARNING, REVIEW = 1, 2


def q(
    qid: int,
    card: int,
    kind: str,
    *,
    options: bool = True,
    state: int | None = None,
    stability: float | None = None,
    due: timedelta | None = None,
    last: timedelta | None = None,
    first: timedelta | None = None,
) -> QuestionMemory:
    """A question of `card`; times are offsets from NOW (negative: in the past)."""
    return QuestionMemory(
        question_id=qid,
        card_id=card,
        kind=kind,
        has_options=options and kind in ("choice", "identify", "cloze"),
        state=state,
        stability=stability,
        due=NOW + due if due is not None else None,
        last_review=NOW + last if last is not None else None,
        first_review=NOW + first if first is not None else None,
    )


def fresh_card(card: int, base: int) -> list[QuestionMemory]:
    return [
        q(base, card, "recall"),
        q(base + 1, card, "choice"),
        q(base + 2, card, "typed"),
        q(base + 3, card, "cloze"),
    ]


def plan(
    due: list[QuestionMemory],
    fresh: list[QuestionMemory] = (),  # type: ignore[assignment]
    mix: str = "mixed",
    limit: int = 10,
    new_cards: int = 10,
) -> list[Pick]:
    return plan_session(
        due, fresh, now=NOW, day_start=DAY_START, mix=mix, limit=limit, new_cards=new_cards
    )


def test_a_new_card_starts_with_recognition_of_a_kind_taken_in_turn() -> None:
    picks = plan([], fresh_card(1, 10) + fresh_card(2, 20))
    # Card 1 with its blank, card 2 with its choice: recognition, not all one kind.
    assert [(p.question_id, p.new_card) for p in picks] == [(13, True), (21, True)]


def test_new_cards_stop_at_the_days_allowance() -> None:
    fresh = [x for c in range(1, 6) for x in fresh_card(c, c * 10)]
    assert len(plan([], fresh, new_cards=3)) == 3
    assert plan([], fresh, new_cards=0) == []


def test_one_question_per_card_and_siblings_wait_for_tomorrow() -> None:
    choice_today = q(11, 1, "choice", state=REVIEW, stability=3, due=timedelta(hours=-1),
                     last=timedelta(hours=-2))  # fmt: skip
    cloze_due = q(12, 1, "cloze", state=REVIEW, stability=9, due=timedelta(days=-3),
                  last=timedelta(days=-10))  # fmt: skip
    # Answered today: the long-due blank waits; the choice, due again, may come back.
    assert plan([cloze_due, choice_today]) == [Pick(11, 1)]
    stepping = q(11, 1, "choice", state=LEARNING, stability=2, due=timedelta(minutes=5),
                 last=timedelta(minutes=-5))  # fmt: skip
    assert plan([cloze_due, stepping]) == []


def test_a_learning_step_due_today_comes_back() -> None:
    stepping = q(11, 1, "choice", state=LEARNING, stability=2, due=timedelta(minutes=-1),
                 last=timedelta(minutes=-11))  # fmt: skip
    assert plan([stepping]) == [Pick(11, 1)]


def test_typed_opens_once_recognition_graduates_and_is_asked_first() -> None:
    card = [
        q(
            11,
            1,
            "choice",
            state=REVIEW,
            stability=3,
            due=timedelta(days=-1),
            last=timedelta(days=-4),
        ),
        q(12, 1, "typed"),
        q(13, 1, "recall"),
    ]
    assert open_stage(card) is Stage.PRODUCE
    assert plan(card) == [Pick(12, 1)]


def test_recognition_still_learning_keeps_the_card_there() -> None:
    card = [
        q(
            11,
            1,
            "choice",
            state=LEARNING,
            stability=1,
            due=timedelta(days=-1),
            last=timedelta(days=-2),
        ),
        q(12, 1, "typed"),
    ]
    assert open_stage(card) is Stage.RECOGNISE
    assert plan(card) == [Pick(11, 1)]


def test_recall_opens_once_the_typed_answer_is_stable() -> None:
    card = [
        q(11, 1, "choice", state=REVIEW, stability=30, due=timedelta(days=5), last=timedelta(days=-9)),
        q(12, 1, "typed", state=REVIEW, stability=RECALL_AFTER_DAYS, due=timedelta(days=-1),
          last=timedelta(days=-8)),
        q(13, 1, "recall"),
    ]  # fmt: skip
    assert open_stage(card) is Stage.RECALL
    assert plan(card) == [Pick(13, 1)]


def test_a_card_without_typed_questions_goes_from_blanks_to_recall() -> None:
    card = [
        q(11, 1, "identify", state=REVIEW, stability=RECALL_AFTER_DAYS + 1, due=timedelta(days=-1),
          last=timedelta(days=-9)),
        q(12, 1, "cloze"),
        q(13, 1, "recall"),
    ]  # fmt: skip
    assert open_stage(card) is Stage.RECALL
    assert plan(card) == [Pick(13, 1)]


def test_due_cards_come_most_overdue_first_then_new_ones() -> None:
    due = [
        q(
            11,
            1,
            "choice",
            state=REVIEW,
            stability=1,
            due=timedelta(days=-1),
            last=timedelta(days=-2),
        ),
        q(
            21,
            2,
            "choice",
            state=REVIEW,
            stability=1,
            due=timedelta(days=-3),
            last=timedelta(days=-4),
        ),
    ]
    picks = plan(due, fresh_card(3, 30))
    assert [p.question_id for p in picks] == [21, 11, 33]


@pytest.mark.parametrize(
    ("mix", "first"),
    [("choice", 11), ("typed", 12), ("selfgraded", 10)],
)
def test_other_settings_ask_only_their_kinds(mix: str, first: int) -> None:
    assert [p.question_id for p in plan([], fresh_card(1, 10), mix=mix)] == [first]


def test_typed_only_asks_blanks_typed_and_never_a_choice() -> None:
    assert allowed("typed", q(1, 1, "cloze"))
    assert not allowed("typed", q(1, 1, "choice"))
    assert not allowed("typed", q(1, 1, "identify"))
    assert not allowed("choice", q(1, 1, "cloze", options=False))
    assert stage_of(q(1, 1, "cloze", options=False)) is Stage.PRODUCE


def test_a_card_met_only_in_another_setting_starts_over_as_new() -> None:
    met_by_choice = [
        q(
            11,
            1,
            "choice",
            state=REVIEW,
            stability=3,
            due=timedelta(days=-1),
            last=timedelta(days=-3),
        ),
        q(12, 1, "typed"),
    ]
    assert plan(met_by_choice, mix="typed") == [Pick(12, 1, new_card=True)]
    assert plan(met_by_choice, mix="typed", new_cards=0) == []


def test_no_reveal_answers_a_later_question() -> None:
    first = Shown(
        Pick(1, 1), "Khrushchev", "Backlash\nIn 1957 the Anti-Party group tried to oust him."
    )
    tells = Shown(Pick(2, 2), "1957", "The Anti-Party group\nIt struck in 1957.")
    other = Shown(Pick(3, 3), "44%", "Personnel\n44% of the Central Committee went.")
    # The 1957 question moves ahead of the card that would tell it.
    assert order_without_leaks([first, tells, other], 10) == [Pick(2, 2), Pick(1, 1), Pick(3, 3)]
    assert order_without_leaks([first, tells, other], 2) == [Pick(2, 2), Pick(1, 1)]


def test_a_question_that_fits_nowhere_waits() -> None:
    a = Shown(Pick(1, 1), "1957", "A\nIt was 1961.")
    b = Shown(Pick(2, 2), "1961", "B\nIt was 1957.")
    assert order_without_leaks([a, b], 10) == [Pick(1, 1)]


# Both directions: a card meant both ways has a reverse question with its own schedule.


def test_a_reverse_question_is_recall_of_the_other_way_asked_by_self_grading() -> None:
    reverse = q(14, 1, "reverse")
    assert stage_of(reverse) is Stage.RECALL
    assert allowed("selfgraded", reverse) and allowed("mixed", reverse)
    assert not allowed("choice", reverse) and not allowed("typed", reverse)


@pytest.mark.parametrize("mix", ["mixed", "selfgraded"])
def test_a_card_starts_the_way_it_is_written(mix: str) -> None:
    both = [q(10, 1, "recall"), q(11, 1, "reverse")]
    assert plan([], both, mix=mix) == [Pick(10, 1, new_card=True)]


@pytest.mark.parametrize("mix", ["mixed", "selfgraded"])
def test_the_other_direction_opens_when_the_card_next_comes_up(mix: str) -> None:
    recall = q(10, 1, "recall", state=REVIEW, stability=20, due=timedelta(hours=-1),
               last=timedelta(days=-20))  # fmt: skip
    reverse = q(11, 1, "reverse")
    # The reverse question starts (as no new card: the card is met), the due recall waits.
    assert plan([recall, reverse], mix=mix) == [Pick(11, 1)]
    not_due = q(10, 1, "recall", state=REVIEW, stability=20, due=timedelta(days=3),
                last=timedelta(days=-17))  # fmt: skip
    assert plan([not_due, reverse], mix=mix) == []


def test_each_direction_keeps_its_own_schedule() -> None:
    recall = q(10, 1, "recall", state=REVIEW, stability=20, due=timedelta(days=4),
               last=timedelta(days=-16))  # fmt: skip
    reverse = q(11, 1, "reverse", state=REVIEW, stability=5, due=timedelta(hours=-2),
                last=timedelta(days=-5))  # fmt: skip
    assert plan([recall, reverse], mix="selfgraded") == [Pick(11, 1)]
    # Answered back to front today, the forward direction waits for tomorrow even when due.
    answered = q(11, 1, "reverse", state=REVIEW, stability=9, due=timedelta(days=9),
                 last=timedelta(hours=-1))  # fmt: skip
    due_recall = q(10, 1, "recall", state=REVIEW, stability=20, due=timedelta(hours=-1),
                   last=timedelta(days=-20))  # fmt: skip
    assert plan([due_recall, answered], mix="selfgraded") == []
