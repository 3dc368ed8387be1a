"""The quiz: starting a session, showing answers, grading, and writing each review once."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.cards.questions import QuestionKind, choice_options
from bot.clock import Clock
from bot.core.grading import TypedVerdict, grade_typed
from bot.core.scheduling import Grade
from bot.core.selection import Candidate, pick_session
from bot.core.timezones import zone_for
from bot.services.reviewing import Reviewer, make_review
from bot.services.unixtime import from_unix, unix
from bot.services.views import (
    AnswerResult,
    NothingDue,
    QuestionView,
    Refusal,
    RevealView,
    SessionSummary,
    StreakNews,
)
from bot.storage import decks as deck_store
from bot.storage import quiz as store
from bot.storage.db import Database
from bot.storage.quiz import ItemContext, NewItem, QuestionRow
from bot.storage.users import UserRecord

CLOSED = "This question is closed"
NOT_YOURS = "This question belongs to someone else's quiz"
QUIET = ""  # a refusal the user need not hear about (a duplicate delivery)
STALE_SESSION = timedelta(hours=12)
MAX_TYPED_CHARS = 300

KINDS_BY_MIX: dict[str, tuple[str, ...]] = {
    "mixed": ("recall", "choice", "cloze", "typed"),
    "choice": ("choice", "cloze"),
    "typed": ("typed", "cloze"),
    "selfgraded": ("recall",),
}
GRADE_OUTCOME = {Grade.AGAIN: "again", Grade.HARD: "hard", Grade.GOOD: "good", Grade.EASY: "easy"}


def day_start_utc(now: datetime, zone_name: str) -> datetime:
    """The UTC instant at which the user's current local day began."""
    zone = zone_for(zone_name)
    local_midnight = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    return local_midnight.astimezone(UTC)


def _view(ctx: ItemContext, q: QuestionRow, position: int, revealed: bool) -> QuestionView:
    """Question `q` of the session `ctx` belongs to, as shown at `position`."""
    return QuestionView(
        session_id=ctx.session_id,
        position=position,
        size=ctx.size,
        deck_title=ctx.deck_title,
        kind=q.kind,
        prompt=q.prompt,
        answer=q.answer,
        front=q.front,
        back=q.back,
        options=tuple(q.options),
        right_index=q.right_index,
        revealed=revealed,
    )


def current_view(ctx: ItemContext) -> QuestionView:
    """The view of the question a context describes."""
    return _view(ctx, ctx.question, ctx.position, ctx.revealed)


def _unfinished_answer(ctx: ItemContext, now: datetime) -> AnswerResult | None:
    """The answer to deliver again when it was written but what follows it was never sent.

    That is what a process stopped between writing an answer and asking the next question (or
    summing the session up) leaves behind; the tap that answered, delivered again, finishes the
    job instead of being refused.
    """
    if not ctx.answered or ctx.state is None:
        return None
    last = ctx.position == ctx.size - 1
    if last:
        # Finished by this very answer (not abandoned), and its summary never recorded.
        delivered = not ctx.finished or ctx.current != ctx.size or ctx.summary_shown
    else:
        # The next question still current and never shown.
        delivered = (
            ctx.finished
            or ctx.current != ctx.position + 1
            or ctx.next_question is None
            or ctx.next_message_id is not None
        )
    if delivered:
        return None
    due = from_unix(ctx.state.due)
    streak = StreakNews(ctx.streak_current, ctx.streak_best, ctx.streak_freezes)
    summary = None
    next_question = None
    if last:
        dues = [due] + ([from_unix(ctx.other_min_due)] if ctx.other_min_due is not None else [])
        summary = SessionSummary(
            ctx.correct_so_far,
            ctx.size,
            streak,
            min(dues),
            now,
            ctx.timezone,
            ctx.reminder_offer_pending,
        )
    else:
        assert ctx.next_question is not None
        next_question = _view(ctx, ctx.next_question, ctx.position + 1, revealed=False)
    return AnswerResult(
        reveal=RevealView(current_view(ctx), ctx.outcome or "", ctx.given, due, ctx.timezone),
        message_id=ctx.message_id,
        chat_id=ctx.chat_id,
        next_question=next_question,
        next_message_id=None,
        summary=summary,
        streak=streak,
    )


@dataclass
class QuizService:
    """Runs private quiz sessions over the database; every method is one user action."""

    db: Database
    clock: Clock
    default_deck_id: int
    fuzz: bool = True
    rng: random.Random | None = None

    def _rng(self) -> random.Random:
        if self.rng is None:
            self.rng = random.Random()
        return self.rng

    async def start(self, user: UserRecord, chat_id: int) -> QuestionView | NothingDue:
        """Resume the user's open session, or start one of due then new questions."""
        now = self.clock.now()
        current = await store.load_current_item(self.db, user.id)
        if current is not None:
            if now - from_unix(current.shown_at or unix(now)) < STALE_SESSION:
                return current_view(current)
            await store.close_session(self.db, current.session_id, unix(now))
        deck_id = user.active_deck_id or self.default_deck_id
        kinds = KINDS_BY_MIX.get(user.question_mix, KINDS_BY_MIX["mixed"])
        since = day_start_utc(now, user.timezone)
        new_done = await store.new_reviewed_since(self.db, user.id, unix(since))
        new_allowed = max(user.new_per_day - new_done, 0)
        size = user.session_size
        due = await store.due_candidates(self.db, user.id, deck_id, unix(now), kinds, size)
        new = await store.new_candidates(self.db, user.id, deck_id, kinds, min(size, new_allowed))
        picked = pick_session(
            [Candidate(q, c, from_unix(d)) for q, c, d in due],
            [Candidate(q, c) for q, c in new],
            size,
            new_allowed,
        )
        if not picked:
            next_due = await store.next_due_at(self.db, user.id, deck_id)
            return NothingDue(
                next_due=from_unix(next_due) if next_due is not None else None,
                now=now,
                timezone=user.timezone,
                new_limit_reached=new_allowed == 0,
            )
        items = await self._items(deck_id, [c.question_id for c in picked])
        session_id = await store.create_session(
            self.db, user.id, chat_id, deck_id, unix(now), items
        )
        ctx = await store.load_item(self.db, session_id, 0)
        assert ctx is not None
        return current_view(ctx)

    async def _items(self, deck_id: int, question_ids: list[int]) -> list[NewItem]:
        """Answer buttons for each picked question, fixed now so a restart shows the same ones."""
        rows = await store.question_rows(self.db, question_ids)
        fronts: list[str] | None = None
        items: list[NewItem] = []
        for qid in question_ids:
            kind, answer, _card, distractors = rows[qid]
            if kind == QuestionKind.CHOICE:
                if fronts is None:
                    fronts = await deck_store.deck_fronts(self.db, deck_id)
                options, right = choice_options(answer, fronts, self._rng())
                items.append(NewItem(qid, options, right))
            elif kind == QuestionKind.CLOZE:
                options, right = choice_options(answer, distractors, self._rng())
                items.append(NewItem(qid, options, right))
            else:
                items.append(NewItem(qid, [], None))
        return items

    async def shown(self, view: QuestionView, message_id: int) -> None:
        """Record the message that now shows a question."""
        await store.set_message(
            self.db, view.session_id, view.position, message_id, unix(self.clock.now())
        )

    async def summed_up(self, session_id: int, message_id: int) -> None:
        """Record the message that summed a session up."""
        await store.set_summary_message(self.db, session_id, message_id)

    async def _open_item(
        self, user_id: int, session_id: int, position: int
    ) -> ItemContext | Refusal | AnswerResult:
        ctx = await store.load_item(self.db, session_id, position)
        if ctx is None:
            return Refusal(CLOSED)
        if ctx.user_id != user_id:
            return Refusal(NOT_YOURS)
        unfinished = _unfinished_answer(ctx, self.clock.now())
        if unfinished is not None:
            return unfinished
        if ctx.finished or ctx.answered or ctx.current != position:
            return Refusal(CLOSED)
        return ctx

    async def reveal(self, user_id: int, session_id: int, position: int) -> QuestionView | Refusal:
        """Show a recall question's answer so the user can grade themselves."""
        ctx = await self._open_item(user_id, session_id, position)
        if isinstance(ctx, AnswerResult):
            return Refusal(CLOSED)  # a "Show answer" tap never answers: nothing to finish
        if isinstance(ctx, Refusal):
            return ctx
        if ctx.question.kind != QuestionKind.RECALL:
            return Refusal(CLOSED)
        if not await store.mark_revealed(self.db, session_id, position):
            return Refusal("The answer is already shown")
        return _view(ctx, ctx.question, position, revealed=True)

    async def grade(
        self, user_id: int, session_id: int, position: int, grade: Grade
    ) -> AnswerResult | Refusal:
        """A self-grade of a revealed recall question."""
        ctx = await self._open_item(user_id, session_id, position)
        if not isinstance(ctx, ItemContext):
            return ctx
        if ctx.question.kind != QuestionKind.RECALL or not ctx.revealed:
            return Refusal(CLOSED)
        return await self._record(ctx, grade, None, GRADE_OUTCOME[grade], None)

    async def choose(
        self, user_id: int, session_id: int, position: int, option: int
    ) -> AnswerResult | Refusal:
        """A tap on one of a choice or cloze question's answer buttons."""
        ctx = await self._open_item(user_id, session_id, position)
        if not isinstance(ctx, ItemContext):
            return ctx
        q = ctx.question
        if q.right_index is None or not 0 <= option < len(q.options):
            return Refusal(CLOSED)
        right = option == q.right_index
        return await self._record(
            ctx,
            Grade.GOOD if right else Grade.AGAIN,
            right,
            "right" if right else "wrong",
            q.options[option],
        )

    async def give_up(self, user_id: int, session_id: int, position: int) -> AnswerResult | Refusal:
        """ "I don't know" on a typed question: counts as wrong and shows the answer."""
        ctx = await self._open_item(user_id, session_id, position)
        if not isinstance(ctx, ItemContext):
            return ctx
        if ctx.question.kind not in (QuestionKind.TYPED, QuestionKind.CLOZE):
            return Refusal(CLOSED)
        return await self._record(ctx, Grade.AGAIN, False, "wrong", None)

    async def type_answer(
        self, user_id: int, text: str, message_id: int | None = None
    ) -> AnswerResult | Refusal | QuestionView | None:
        """A typed message: graded against the open typed or cloze question; None if none is open.

        `message_id` is the typed message's id. Ids in a chat only grow, so a message older than
        the one showing the question cannot answer it: it is the same update delivered again
        after a crash (its answer went to the previous question), and gets a quiet refusal.
        A question with no message recorded was never shown (the process answering the previous
        one stopped before asking it): it is returned to be asked now, not graded.
        """
        ctx = await store.load_current_item(self.db, user_id)
        if ctx is None or ctx.question.kind not in (QuestionKind.TYPED, QuestionKind.CLOZE):
            return None
        if ctx.message_id is None:
            return current_view(ctx)
        if message_id is not None and ctx.message_id is not None and message_id < ctx.message_id:
            return Refusal(QUIET)
        given = text.strip()[:MAX_TYPED_CHARS]
        verdict = grade_typed(given, ctx.question.answer)
        right = verdict is TypedVerdict.RIGHT
        outcome = "right" if right else ("close" if verdict is TypedVerdict.CLOSE else "wrong")
        return await self._record(ctx, Grade.GOOD if right else Grade.AGAIN, right, outcome, given)

    async def _record(
        self, ctx: ItemContext, grade: Grade, correct: bool | None, outcome: str, given: str | None
    ) -> AnswerResult | Refusal:
        now = self.clock.now()
        reviewed = make_review(
            Reviewer(
                user_id=ctx.user_id,
                question_id=ctx.question.question_id,
                deck_id=ctx.deck_id,
                card_id=ctx.card_id,
                state=ctx.state,
                timezone=ctx.timezone,
                desired_retention=ctx.desired_retention,
                streak_current=ctx.streak_current,
                streak_best=ctx.streak_best,
                streak_last_day=ctx.streak_last_day,
                streak_freezes=ctx.streak_freezes,
            ),
            grade,
            correct,
            outcome,
            given,
            now,
            session_id=ctx.session_id,
            position=ctx.position,
            duration_ms=(unix(now) - ctx.shown_at) * 1000 if ctx.shown_at else None,
            fuzz=self.fuzz,
        )
        after, update = reviewed.after, reviewed.streak
        new_streak = update.streak
        written = await store.insert_review(self.db, reviewed.write)
        if not written:
            return Refusal(CLOSED)
        news = StreakNews(
            new_streak.current,
            new_streak.best,
            new_streak.freezes,
            update.events,
        )
        reveal = RevealView(current_view(ctx), outcome, given, after.due, ctx.timezone)
        summary = None
        next_view = None
        if ctx.next_question is not None:
            next_view = _view(ctx, ctx.next_question, ctx.position + 1, revealed=False)
        else:
            dues = [after.due]
            if ctx.other_min_due is not None:
                dues.append(from_unix(ctx.other_min_due))
            right = ctx.correct_so_far + int(
                bool(correct) if correct is not None else grade >= Grade.HARD
            )
            summary = SessionSummary(
                right, ctx.size, news, min(dues), now, ctx.timezone, ctx.reminder_offer_pending
            )
        return AnswerResult(
            reveal=reveal,
            message_id=ctx.message_id,
            chat_id=ctx.chat_id,
            next_question=next_view,
            next_message_id=ctx.next_message_id,
            summary=summary,
            streak=news,
        )
