"""The quiz: starting a session, showing answers, grading, and writing each review once."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import Enum

from bot.cards.answers import kind_of
from bot.cards.distractors import draw_options
from bot.cards.questions import SELF_GRADED, QuestionKind
from bot.cards.richtext import readable_latex
from bot.clock import Clock
from bot.core.grading import TypedVerdict, grade_typed
from bot.core.learning_days import LearningDays
from bot.core.scheduling import Grade, review, waits
from bot.core.selection import (
    Pick,
    QuestionMemory,
    Shown,
    order_without_leaks,
    plan_session,
    question_to_review,
)
from bot.outbox import intents
from bot.services.reviewing import Reviewer, make_review, next_seed, to_state, to_stored
from bot.services.unixtime import from_unix, unix
from bot.services.views import (
    AnswerResult,
    ClosedItem,
    ItemScreen,
    Moved,
    NothingDue,
    QuestionView,
    Refusal,
    RevealView,
    SessionSummary,
    StreakNews,
)
from bot.storage import decks as deck_store
from bot.storage import progress as progress_store
from bot.storage import quiz as store
from bot.storage.db import Database
from bot.storage.deck_edits import has_cards
from bot.storage.leases import new_owner
from bot.storage.outbox import Holder, Intent, Owed
from bot.storage.quiz import ItemContext, MemoryRow, NewItem, QuestionDetail, QuestionRow
from bot.storage.users import UserRecord
from bot.views import refusals

QUIET = ""  # a refusal the user need not hear about (a duplicate delivery)
STALE_SESSION = timedelta(hours=12)
OWN_INTENTS_MS = 30_000  # how long a process holds the intents it writes before others may
MAX_TYPED_CHARS = 300
# Cards considered per place in a session: siblings, stages and leaks leave some out.
CANDIDATES_PER_PLACE = 3
GRADE_OUTCOME = {Grade.AGAIN: "again", Grade.HARD: "hard", Grade.GOOD: "good", Grade.EASY: "easy"}
WRONG_OUTCOMES = ("wrong", "close")  # typed answers the learner may override as right
RIGHT_OUTCOMES = ("right", "hard", "good", "easy", "overridden")
TYPED_KINDS = (QuestionKind.TYPED, QuestionKind.CLOZE)


def _view(
    ctx: ItemContext, q: QuestionRow, position: int, revealed: bool, retry: bool = False
) -> QuestionView:
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
        accepted=tuple(q.accepted),
        retry=retry,
        front_html=q.front_html,
        back_html=q.back_html,
        front_media=q.front_media,
        front_more=q.front_more,
        back_media=q.back_media,
    )


def current_view(ctx: ItemContext) -> QuestionView:
    """The view of the question a context describes."""
    return _view(ctx, ctx.question, ctx.position, ctx.revealed, ctx.retry)


def _can_override(question: QuestionRow, outcome: str, given: str | None) -> bool:
    """Whether a verdict may be overridden: a typed answer (not a tapped option) graded wrong."""
    return (
        question.kind in TYPED_KINDS
        and outcome in WRONG_OUTCOMES
        and bool(given)
        and given not in question.options
    )


def _memory(row: MemoryRow) -> QuestionMemory:
    return QuestionMemory(
        question_id=row.question_id,
        card_id=row.card_id,
        kind=row.kind,
        has_options=row.has_options,
        state=row.state,
        stability=row.stability,
        due=from_unix(row.due) if row.due is not None else None,
        last_review=from_unix(row.last_review) if row.last_review is not None else None,
        first_review=from_unix(row.first_review) if row.first_review is not None else None,
    )


class PickRefused(Enum):
    """Why cards picked to review now cannot be: one is not the learner's, or has no question, or
    the bot has no chat with the learner to ask them in."""

    NOT_YOURS = "not_yours"
    NO_QUESTION = "no_question"
    NO_CHAT = "no_chat"


@dataclass
class QuizService:
    """Runs private quiz sessions over the database; every method is one user action."""

    db: Database
    clock: Clock
    default_deck_id: int
    fuzz: bool = True
    rng: random.Random | None = None
    # Who holds the intents this service writes: the process, which delivers them at once.
    holder: Holder = field(default_factory=lambda: Holder(new_owner(), OWN_INTENTS_MS))

    def _owed(self, owed: list[Intent]) -> Owed:
        return Owed(owed, self.holder)

    def _rng(self) -> random.Random:
        if self.rng is None:
            self.rng = random.Random()
        return self.rng

    async def start(
        self, user: UserRecord, chat_id: int, update_id: int | None = None
    ) -> QuestionView | NothingDue:
        """Resume the user's open session, or start one of due then new questions.

        `update_id` is the update asking (a /quiz, a Next round tap). Handled again after a crash,
        it finds the session it started, or the new message it asked for, and owes nothing more.
        """
        now = self.clock.now()
        current = await store.load_current_item(self.db, user.id)
        if current is not None:
            if now - from_unix(current.shown_at or unix(now)) < STALE_SESSION:
                owed: list[Intent] = []
                s, p = current.session_id, current.position
                if current.message_id is None:
                    # Never shown (or not known to be): its own message is owed (again).
                    owed.append(intents.item(chat_id, s, p))
                elif update_id is None or update_id != current.started_by:
                    # Asked again in a new message at the bottom of the chat, which then stands
                    # for it.
                    nonce = update_id if update_id is not None else int(now.timestamp() * 1000)
                    owed.append(intents.item_again(chat_id, s, p, nonce))
                await store.owe(self.db, self._owed(owed))
                return current_view(current)
            await store.close_session(self.db, current.session_id, unix(now))
        deck_id = user.active_deck_id or self.default_deck_id
        await deck_store.ensure_current_questions(self.db, deck_id, unix(now))
        since = user.days.start_of(user.days.day_of(now))  # new cards count per learning day
        met_today = await store.cards_met_since(self.db, user.id, deck_id, unix(since))
        new_cards = max(user.new_per_day - met_today, 0)
        size = user.session_size
        pool = size * CANDIDATES_PER_PLACE
        due = await store.due_card_questions(self.db, user.id, deck_id, unix(now), pool)
        fresh = await store.unmet_questions(self.db, user.id, deck_id, min(pool, new_cards))
        picks = plan_session(
            [_memory(row) for row in due],
            [_memory(row) for row in fresh],
            now=now,
            day_start=since,
            mix=user.question_mix,
            limit=pool,
            new_cards=new_cards,
        )
        if not picks:
            next_due = await store.next_due_at(self.db, user.id, deck_id)
            return NothingDue(
                next_due=from_unix(next_due) if next_due is not None else None,
                now=now,
                timezone=user.timezone,
                new_limit_reached=new_cards == 0,
                deck_empty=not await has_cards(self.db, deck_id),
            )
        details = await store.question_details(self.db, [p.question_id for p in picks])
        ordered = order_without_leaks(
            [
                Shown(
                    pick, details[pick.question_id].answer, _reveal_text(details[pick.question_id])
                )
                for pick in picks
                if pick.question_id in details
            ],
            size,
        )
        items = [self._item(pick, details[pick.question_id], user.question_mix) for pick in ordered]
        session_id = await store.create_session(
            self.db,
            user.id,
            chat_id,
            deck_id,
            unix(now),
            items,
            owed=lambda created: self._owed([intents.item(chat_id, created, 0)]),
            started_by=update_id,
        )
        ctx = await store.load_item(self.db, session_id, 0)
        assert ctx is not None
        return current_view(ctx)

    async def start_on_cards(
        self, user: UserRecord, chat_id: int, card_ids: Sequence[int]
    ) -> QuestionView | PickRefused:
        """Start a session of exactly these cards, due or not, in the order given.

        Each card must be in a deck the learner owns or a bundled one. Any open session is closed
        (as a stale one is), and the first question is owed to the chat in the same transaction.
        """
        now = self.clock.now()
        wanted = list(dict.fromkeys(card_ids))
        found = await progress_store.picked_cards(self.db, user.id, wanted)
        owners = {card.card_id: card.owner_id for card in found}
        if not wanted or any(i not in owners or owners[i] not in (None, user.id) for i in wanted):
            return PickRefused.NOT_YOURS
        for deck_id in sorted({card.deck_id for card in found}):
            await deck_store.ensure_current_questions(self.db, deck_id, unix(now))
        cards = {c.card_id: c for c in await progress_store.picked_cards(self.db, user.id, wanted)}
        picks: list[Pick] = []
        for card_id in wanted:
            memories = [_memory(row) for row in cards[card_id].questions]
            chosen = question_to_review(memories, user.question_mix)
            if chosen is None:
                return PickRefused.NO_QUESTION
            picks.append(Pick(chosen.question_id, card_id))
        details = await store.question_details(self.db, [p.question_id for p in picks])
        items = [self._item(pick, details[pick.question_id], user.question_mix) for pick in picks]
        session_id = await store.create_session(
            self.db,
            user.id,
            chat_id,
            cards[wanted[0]].deck_id,
            unix(now),
            items,
            owed=lambda created: self._owed([intents.item(chat_id, created, 0)]),
        )
        ctx = await store.load_item(self.db, session_id, 0)
        assert ctx is not None
        return current_view(ctx)

    def _item(self, pick: Pick, detail: QuestionDetail, mix: str) -> NewItem:
        """The answer buttons a picked question shows, fixed now so a restart shows the same ones.

        In the "typed" setting a blank has none: it is typed.
        """
        typed_blank = detail.kind == QuestionKind.CLOZE and mix == "typed"
        if detail.kind in SELF_GRADED or detail.kind == QuestionKind.TYPED or typed_blank:
            return NewItem(pick.question_id, [], None)
        if not detail.distractors:
            return NewItem(pick.question_id, [], None)
        options, right = draw_options(detail.answer, detail.distractors, self._rng())
        return NewItem(pick.question_id, options, right)

    async def shown(self, view: QuestionView, message_id: int) -> None:
        """Record the message that now shows a question."""
        await self.shown_at(view.session_id, view.position, message_id)

    async def shown_at(self, session_id: int, position: int, message_id: int) -> None:
        """Record the message that now shows a session's question."""
        await store.set_message(self.db, session_id, position, message_id, unix(self.clock.now()))

    async def shown_on(self, session_id: int, position: int, chat_id: int, message_id: int) -> bool:
        """Whether this message is the one that showed a session's question."""
        return await store.item_shown_on(self.db, session_id, position, chat_id, message_id)

    async def summed_up(self, session_id: int, message_id: int) -> None:
        """Record the message that summed a session up."""
        await store.set_summary_message(self.db, session_id, message_id)

    async def _open_item(
        self, user_id: int, session_id: int, position: int, message_id: int | None
    ) -> ItemContext | Refusal | Moved:
        """The item a tap acts on, or what the tap gets when it cannot act on it.

        A tap on a question answered, passed or closed since acts on nothing: the message it came
        from is shown again as the question stands now (its reveal, or closed), and anything the
        chat is still owed follows (a next question a stopped process never asked).
        """
        ctx = await store.load_item(self.db, session_id, position)
        if ctx is None:
            return Refusal(refusals.QUESTION_CLOSED)
        if ctx.user_id != user_id:
            return Refusal(refusals.NOT_YOUR_QUESTION)
        if ctx.finished or ctx.answered or ctx.current != position:
            return await self._as_it_stands(ctx, message_id)
        return ctx

    async def _as_it_stands(self, ctx: ItemContext, message_id: int | None) -> Moved:
        """Owe the tapped message (and the question's own) a fresh look at the question's state."""
        await store.owe(self.db, self._owed(self._screens_of(ctx, message_id)))
        return Moved(ctx.chat_id)

    @staticmethod
    def _screens_of(ctx: ItemContext, message_id: int | None) -> list[Intent]:
        """The question's own message, and the tapped one when it is another copy, shown anew."""
        owed = [intents.item(ctx.chat_id, ctx.session_id, ctx.position)]
        if message_id is not None and ctx.message_id not in (None, message_id):
            owed.append(intents.item_on(ctx.chat_id, ctx.session_id, ctx.position, message_id))
        return owed

    @staticmethod
    def _back_of(ctx: ItemContext) -> list[Intent]:
        """The back's pictures and sound, owed once with the answer when the card has any."""
        if not ctx.question.back_media:
            return []
        return [intents.back_media(ctx.chat_id, ctx.session_id, ctx.position)]

    async def reveal(
        self, user_id: int, session_id: int, position: int, message_id: int | None = None
    ) -> QuestionView | Refusal | Moved:
        """Show a self-graded question's answer (recall, reverse) so the user can grade it."""
        ctx = await self._open_item(user_id, session_id, position, message_id)
        if not isinstance(ctx, ItemContext):
            return ctx
        if ctx.question.kind not in SELF_GRADED:
            return Refusal(refusals.QUESTION_CLOSED)
        owed = self._screens_of(ctx, message_id) + self._back_of(ctx)
        if not await store.mark_revealed(self.db, session_id, position, self._owed(owed)):
            return await self._as_it_stands(ctx, message_id)  # shown already: show it as it is
        return _view(ctx, ctx.question, position, revealed=True, retry=ctx.retry)

    async def grade(
        self,
        user_id: int,
        session_id: int,
        position: int,
        grade: Grade,
        message_id: int | None = None,
    ) -> AnswerResult | Refusal | Moved:
        """A self-grade of a revealed recall or reverse question."""
        ctx = await self._open_item(user_id, session_id, position, message_id)
        if not isinstance(ctx, ItemContext):
            return ctx
        if ctx.question.kind not in SELF_GRADED or not ctx.revealed:
            return Refusal(refusals.QUESTION_CLOSED)
        return await self._record(ctx, grade, None, GRADE_OUTCOME[grade], None, message_id)

    async def choose(
        self,
        user_id: int,
        session_id: int,
        position: int,
        option: int,
        message_id: int | None = None,
    ) -> AnswerResult | Refusal | Moved:
        """A tap on one of a question's answer buttons."""
        ctx = await self._open_item(user_id, session_id, position, message_id)
        if not isinstance(ctx, ItemContext):
            return ctx
        q = ctx.question
        if q.right_index is None or not 0 <= option < len(q.options):
            return Refusal(refusals.QUESTION_CLOSED)
        right = option == q.right_index
        return await self._record(
            ctx,
            Grade.GOOD if right else Grade.AGAIN,
            right,
            "right" if right else "wrong",
            q.options[option],
            message_id,
        )

    async def give_up(
        self, user_id: int, session_id: int, position: int, message_id: int | None = None
    ) -> AnswerResult | Refusal | Moved:
        """ "I don't know" on a typed question: counts as wrong and shows the answer."""
        ctx = await self._open_item(user_id, session_id, position, message_id)
        if not isinstance(ctx, ItemContext):
            return ctx
        if ctx.question.kind not in TYPED_KINDS:
            return Refusal(refusals.QUESTION_CLOSED)
        return await self._record(ctx, Grade.AGAIN, False, "wrong", None, message_id)

    async def type_answer(
        self, user_id: int, text: str, message_id: int | None = None
    ) -> AnswerResult | Refusal | Moved | None:
        """A typed message: graded against the open typed or cloze question; None if none is open.

        `message_id` is the typed message's id. Ids in a chat only grow, so a message older than
        the one showing the question cannot answer it: it is the same update delivered again
        after a crash (its answer went to the previous question), and gets a quiet refusal.
        A question with no message recorded was never shown (its intent is still owed): the
        words cannot be meant for it, and are not graded.
        """
        ctx = await store.load_current_item(self.db, user_id)
        if ctx is None or ctx.question.kind not in TYPED_KINDS:
            return None
        if ctx.message_id is None:
            return Moved(ctx.chat_id)
        if message_id is not None and ctx.message_id is not None and message_id < ctx.message_id:
            return Refusal(QUIET)
        given = text.strip()[:MAX_TYPED_CHARS]
        verdict = grade_typed(given, ctx.question.answer, ctx.question.accepted)
        right = verdict is TypedVerdict.RIGHT
        outcome = "right" if right else ("close" if verdict is TypedVerdict.CLOSE else "wrong")
        return await self._record(
            ctx, Grade.GOOD if right else Grade.AGAIN, right, outcome, given, None, keep_prior=True
        )

    async def _retries(self, ctx: ItemContext, right_now: bool) -> list[NewItem]:
        """The missed questions to ask once more, when this answer ends the session's first pass."""
        ends_first_pass = not ctx.retry and ctx.retries == 0 and ctx.position == ctx.size - 1
        missed_before = ctx.position - ctx.correct_so_far
        if not ends_first_pass or (missed_before == 0 and right_now):
            return []
        missed = await store.missed_items(self.db, ctx.session_id) if missed_before else []
        current = ItemOptions(
            ctx.question.question_id, ctx.question.options, ctx.question.right_index
        )
        items = [ItemOptions(q, options, right) for _, q, options, right in missed]
        if not right_now:
            items.append(current)
        return [item.shuffled(self._rng()) for item in items]

    async def _record(
        self,
        ctx: ItemContext,
        grade: Grade,
        correct: bool | None,
        outcome: str,
        given: str | None,
        message_id: int | None,
        keep_prior: bool = False,
    ) -> AnswerResult | Moved:
        """Write one answer with the screens it owes the chat; its verdict, for the tap's toast."""
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
                day_start_hour=ctx.day_start_hour,
                parameters=ctx.parameters,
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
            keep_prior=keep_prior and _can_override(ctx.question, outcome, given),
        )
        right_now = bool(correct) if correct is not None else grade >= Grade.HARD
        retries = await self._retries(ctx, right_now)
        owed = self._screens_of(ctx, message_id) + self._back_of(ctx)
        news = intents.streak_news(
            ctx.chat_id, ctx.session_id, ctx.position, reviewed.streak.events
        )
        if news is not None:
            owed.append(news)
        if retries:
            owed.append(intents.item(ctx.chat_id, ctx.session_id, ctx.size))
        elif ctx.position + 1 < ctx.size:  # not the session's last item: the next one is asked
            owed.append(intents.item(ctx.chat_id, ctx.session_id, ctx.position + 1))
        else:
            owed.append(intents.summary(ctx.chat_id, ctx.session_id))
            if ctx.reminder_offer_pending:
                owed.append(intents.offer(ctx.chat_id, ctx.user_id))
        # The tapped message stands for the question when no other was recorded (sent, and its
        # sender stopped before noting it).
        tapped = message_id if ctx.message_id is None else None
        written = await store.insert_review(
            self.db, reviewed.write, retries, self._owed(owed), tapped
        )
        if not written:
            # Answered meanwhile (the same tap twice at once): show it as it stands.
            return await self._as_it_stands(ctx, message_id)
        # What the chat sees (the reveal, the next question or the summary) is rendered from the
        # database by the outbox (bot.outbox.quiz); the tap itself only shows the verdict.
        return AnswerResult(outcome)

    async def override(
        self, user_id: int, session_id: int, position: int, message_id: int | None = None
    ) -> Moved | Refusal:
        """ "I was right": count a typed answer graded wrong as Good after all.

        The answer is scheduled again from the schedule it started from, as if graded Good at the
        time it was given, while no later answer of the question built on it. Either way the
        reveal is shown as it stands after (counted now, counted already, or answered again
        since), and a summary already shown is mended.
        """
        found = await store.load_answered_item(self.db, session_id, position)
        if found is None or not found[0].answered:
            return Refusal(refusals.QUESTION_CLOSED)
        ctx, answer = found
        if ctx.user_id != user_id:
            return Refusal(refusals.NOT_YOUR_QUESTION)
        if answer is None or not _changeable(ctx, answer):
            return await self._as_it_stands(ctx, message_id)
        when = from_unix(answer.reviewed_at)
        prior = to_state(answer.prior)
        # Scheduled as the answer was (its learning days, its fuzz seed), graded Good.
        after = review(
            prior,
            Grade.GOOD,
            when,
            ctx.desired_retention,
            self.fuzz,
            LearningDays.of(ctx.timezone, ctx.day_start_hour),
            next_seed(ctx.user_id, ctx.question.question_id, prior),
            ctx.parameters,
        )
        owed = self._screens_of(ctx, message_id)
        if ctx.finished:
            owed.append(intents.summary(ctx.chat_id, session_id))
        now = unix(self.clock.now())
        if not await store.override_answer(
            self.db, answer.review_id, to_stored(after), now, self._owed(owed)
        ):
            return await self._as_it_stands(ctx, message_id)
        return Moved(ctx.chat_id)

    async def screen_of(self, session_id: int, position: int) -> ItemScreen | None:
        """A session question as it stands: open (asked or revealed), answered, or closed."""
        # The item and its answer in one round trip: every reveal the outbox renders reads both.
        found = await store.load_answered_item(self.db, session_id, position)
        if found is None:
            return None
        ctx, answer = found
        shown: QuestionView | RevealView | ClosedItem
        if ctx.answered:
            shown = self._reveal(ctx, answer)
        elif ctx.finished or ctx.current != position:
            shown = ClosedItem(current_view(ctx))
        else:
            shown = self._with_waits(ctx, current_view(ctx))
        return ItemScreen(shown, ctx.message_id, ctx.chat_id)

    def _with_waits(self, ctx: ItemContext, view: QuestionView) -> QuestionView:
        """A self-graded question shown with its answer, with what each grade would do to it: the
        same scheduling call (and fuzz seed) the grade will make."""
        if view.kind not in SELF_GRADED or not view.revealed:
            return view
        previous = to_state(ctx.state)
        seed = next_seed(ctx.user_id, ctx.question.question_id, previous)
        days = LearningDays.of(ctx.timezone, ctx.day_start_hour)
        now = self.clock.now()
        return replace(
            view,
            waits=waits(
                previous, now, ctx.desired_retention, self.fuzz, days, seed, ctx.parameters
            ),
        )

    def _reveal(self, ctx: ItemContext, answer: store.AnswerRow | None) -> RevealView:
        """The reveal of an answer as the database has it now."""
        due = from_unix(answer.due) if answer is not None else self.clock.now()
        outcome = ctx.outcome or ""
        return RevealView(
            current_view(ctx),
            outcome,
            ctx.given,
            due,
            ctx.timezone,
            answer is not None and _changeable(ctx, answer),
            answered_again=answer is not None and not answer.latest,
            answered_at=from_unix(answer.reviewed_at) if answer is not None else None,
        )

    async def summary_of(self, session_id: int) -> tuple[SessionSummary, int | None] | None:
        """A completed session's summary as it stands, and the message showing it (if sent)."""
        ctx = await store.load_item(self.db, session_id, 0)
        if ctx is None or not ctx.finished or ctx.current < ctx.size:
            return None  # still running, or abandoned before its end: nothing to sum up
        now = self.clock.now()
        next_due = await store.next_due_at(self.db, ctx.user_id, ctx.deck_id)
        streak = StreakNews(ctx.streak_current, ctx.streak_best, ctx.streak_freezes)
        summary = SessionSummary(
            right=ctx.correct_so_far - ctx.retries_right,
            total=ctx.size - ctx.retries,
            streak=streak,
            next_due=from_unix(next_due) if next_due is not None else None,
            now=now,
            timezone=ctx.timezone,
            retried=ctx.retries,
            retried_right=ctx.retries_right,
        )
        return summary, ctx.summary_message_id


def _changeable(ctx: ItemContext, answer: store.AnswerRow) -> bool:
    """Whether "I was right" may still count this answer: a typed answer graded wrong, written
    with its prior schedule, not counted yet, and not built on by a later answer."""
    return (
        answer.latest
        and answer.kept_prior
        and not answer.overridden
        and _can_override(ctx.question, ctx.outcome or "", ctx.given)
    )


@dataclass(frozen=True, slots=True)
class ItemOptions:
    """A question's answer buttons as first shown, to show again in another order."""

    question_id: int
    options: list[str]
    right_index: int | None

    def shuffled(self, rng: random.Random) -> NewItem:
        """The same options in a new order (a missed question asked again)."""
        if self.right_index is None or not self.options:
            return NewItem(self.question_id, [], None)
        right = self.options[self.right_index]
        options = list(self.options)
        if not all(kind_of(option).numeric for option in options):
            rng.shuffle(options)  # numbers and dates stay in their order
        return NewItem(self.question_id, options, options.index(right))


def _reveal_text(detail: QuestionDetail) -> str:
    """What a question's reveal shows of its card (its front and back, formulas readable as the
    answers they are compared with)."""
    return readable_latex(f"{detail.front}\n{detail.back}")
