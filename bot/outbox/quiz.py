"""How the quiz's intents are shown: each rendered from the database as it is when delivered."""

from __future__ import annotations

from bot.core.streaks import FreezeEarned, FreezeUsed, StreakEvent
from bot.outbox.deliverer import Renderer, Screen
from bot.outbox.intents import Kind
from bot.outbox.media import MAX_CAPTION, ScreenMedia, captioned
from bot.services.quiz import QuizService
from bot.services.reminders import ReminderService
from bot.services.views import ClosedItem, QuestionView, RevealView, StreakNews
from bot.storage.media import media_kind
from bot.storage.outbox import OwedRow
from bot.views import quiz as view
from bot.views import reminders as reminder_view
from bot.views.fmt import TEXT_LIMIT, when


class ItemRenderer:
    """A session question: asked in a new message, or its message edited to its state now."""

    def __init__(self, quiz: QuizService) -> None:
        """Read questions through `quiz`."""
        self.quiz = quiz

    async def render(self, intent: OwedRow) -> Screen | None:
        """The question as it stands, on the message that shows it (a new one if none does)."""
        p = intent.payload
        item = await self.quiz.screen_of(int(p["session"]), int(p["position"]))
        if item is None:
            return None
        target = p.get("message")
        if target is None and not p.get("fresh"):
            target = item.message_id
        shown = item.shown
        question = shown if isinstance(shown, QuestionView) else shown.question
        media = None
        if question.front_media is not None:
            # Worked out from the question each time: its message is a caption if it fit one.
            fits = captioned(view.question_text(question))
            # The front's other pictures go ahead of it, on the first attempt only: after an
            # unknown outcome they may be out already, and an album twice is worse than none.
            more = question.front_more if intent.attempts == 0 else ()
            media = ScreenMedia(question.front_media, fits, more)
        if isinstance(shown, RevealView):
            at = shown.answered_at or self.quiz.clock.now()
            # A caption holds less than a message: the reveal shortens the card to fit it.
            room = MAX_CAPTION if media is not None and media.captioned else TEXT_LIMIT
            text = view.reveal_text(shown, when(shown.next_due, at, shown.timezone), room)
            return Screen(text, view.reveal_keyboard(shown), target, media=media)
        if isinstance(shown, ClosedItem):
            if target is None:
                return None  # never shown, and no longer asked
            text = view.closed_question_text(shown.question)
            return Screen(text, None, target, media=media)
        return Screen(view.question_text(shown), view.question_keyboard(shown), target, media=media)

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """A question's own message, sent now, is the one its buttons and answers belong to."""
        p = intent.payload
        if p.get("message") is None:
            await self.quiz.shown_at(int(p["session"]), int(p["position"]), message_id)


class BackRenderer:
    """The pictures and sound of an answered card's back, sent once after its verdict."""

    def __init__(self, quiz: QuizService) -> None:
        """Read questions through `quiz`."""
        self.quiz = quiz

    async def render(self, intent: OwedRow) -> Screen | None:
        """The back's pictures (an album) then its sound, unless tried before with no answer.

        Sent at most once: a first attempt whose outcome is unknown (a timeout while uploading)
        may have reached the chat, and these messages have no state to fix a copy up with."""
        if intent.attempts:
            return None
        p = intent.payload
        item = await self.quiz.screen_of(int(p["session"]), int(p["position"]))
        if item is None or isinstance(item.shown, ClosedItem):
            return None
        shown = item.shown
        if isinstance(shown, QuestionView) and not shown.revealed:
            return None  # not answered (never the case: owed with the answer)
        files = (shown if isinstance(shown, QuestionView) else shown.question).back_media
        if not files:
            return None
        # Pictures then at most one sound: with no sound, every picture goes in the album.
        if len(files) > 1 and await media_kind(self.quiz.db, files[-1]) == "photo":
            return Screen("", media=ScreenMedia("", True, files))  # the pictures: one album
        return Screen("", media=ScreenMedia(files[-1], True, files[:-1]))

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """Nothing to note: nothing edits these messages."""


class SummaryRenderer:
    """A completed session's summary: sent once, edited when its figures change."""

    def __init__(self, quiz: QuizService) -> None:
        """Read sessions through `quiz`."""
        self.quiz = quiz

    async def render(self, intent: OwedRow) -> Screen | None:
        """The summary as the session stands now."""
        found = await self.quiz.summary_of(int(intent.payload["session"]))
        if found is None:
            return None
        summary, message_id = found
        return Screen(view.summary_text(summary), view.summary_keyboard(summary), message_id)

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """The message that sums the session up."""
        await self.quiz.summed_up(int(intent.payload["session"]), message_id)


class StreakRenderer:
    """Streak news an answer brought: a freeze used or earned."""

    async def render(self, intent: OwedRow) -> Screen | None:
        """One message of the news' lines."""
        events: list[StreakEvent] = []
        for item in intent.payload.get("news", []):
            if item[0] == 0:
                events.append(FreezeUsed(count=0, saved_streak=int(item[1]), days=()))
            else:
                events.append(FreezeEarned(streak_days=int(item[1]), held=int(item[2])))
        lines = view.streak_event_lines(StreakNews(0, 0, 0, tuple(events)))
        return Screen("\n".join(lines)) if lines else None

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """Nothing to note."""


class OfferRenderer:
    """The one-time offer of a daily reminder, after a first finished quiz."""

    def __init__(self, reminders: ReminderService) -> None:
        """Read and record offers through `reminders`."""
        self.reminders = reminders

    async def render(self, intent: OwedRow) -> Screen | None:
        """The offer at this local time, unless the user has a reminder or was offered one.

        Recorded as made only once it is sent (`record`): a send whose outcome is unknown is
        made again, not lost."""
        offer = await self.reminders.offer_for(int(intent.payload["user"]))
        if offer is None:
            return None
        return Screen(reminder_view.offer_text(offer), reminder_view.offer_keyboard(offer))

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """The offer was made: never again."""
        await self.reminders.offered(int(intent.payload["user"]))


def quiz_renderers(quiz: QuizService, reminders: ReminderService) -> dict[str, Renderer]:
    """The renderers of every quiz intent, by kind."""
    return {
        Kind.ITEM: ItemRenderer(quiz),
        Kind.SUMMARY: SummaryRenderer(quiz),
        Kind.BACK: BackRenderer(quiz),
        Kind.STREAK: StreakRenderer(),
        Kind.OFFER: OfferRenderer(reminders),
    }
