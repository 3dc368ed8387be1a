"""What the quiz service hands to the renderer: plain values, no Telegram types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.streaks import StreakEvent


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question as it stands on screen."""

    session_id: int
    position: int
    size: int
    deck_title: str
    kind: str
    prompt: str
    answer: str
    front: str
    back: str
    options: tuple[str, ...]
    right_index: int | None
    revealed: bool = False
    accepted: tuple[str, ...] = ()  # typed answers right besides `answer`
    retry: bool = False  # a question missed earlier in the session, asked once more
    # For a recall question shown with its answer: how long Again, Hard, Good and Easy would put
    # it away (the intervals the grades will give).
    waits: tuple[timedelta, ...] = ()
    front_html: str | None = None  # the card's formatted sides (bot.cards.richtext), if any
    back_html: str | None = None
    front_media: str | None = None  # the hash of the picture or sound shown with the question
    front_more: tuple[str, ...] = ()  # the front's other pictures, sent before the question
    back_media: tuple[str, ...] = ()  # the back's pictures and sound, sent after the answer


@dataclass(frozen=True, slots=True)
class RevealView:
    """An answered question: what was given, whether it was right, when it comes back."""

    question: QuestionView
    outcome: str  # right / wrong / close / again / hard / good / easy / overridden
    given: str | None
    next_due: datetime
    timezone: str
    can_override: bool = False  # a typed answer graded wrong the learner may count as right
    answered_again: bool = False  # the question was answered again since: this answer stands
    answered_at: datetime | None = None  # when it was answered: "next review in …" counts from it


@dataclass(frozen=True, slots=True)
class StreakNews:
    """Streak changes worth telling the user about."""

    current: int
    best: int
    freezes: int
    events: tuple[StreakEvent, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """The end of a session: right answers of the first pass, and of the missed ones asked again."""

    right: int
    total: int
    streak: StreakNews
    next_due: datetime | None
    now: datetime
    timezone: str
    offer_reminder: bool = False  # the user was never offered a daily reminder
    retried: int = 0  # missed questions asked once more at the end
    retried_right: int = 0


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """An answer written: its verdict (the outbox shows the reveal and what follows)."""

    outcome: str  # right / wrong / close / again / hard / good / easy


@dataclass(frozen=True, slots=True)
class Moved:
    """A tap or message that found its question moved on: the chat is owed its state as it is."""

    chat_id: int


@dataclass(frozen=True, slots=True)
class ClosedItem:
    """A question of a session that ended (or moved past it) before it was answered."""

    question: QuestionView


@dataclass(frozen=True, slots=True)
class ItemScreen:
    """A session question as it stands, and the message that shows it (None: none yet)."""

    shown: QuestionView | RevealView | ClosedItem
    message_id: int | None
    chat_id: int


@dataclass(frozen=True, slots=True)
class NothingDue:
    """No question to ask now."""

    next_due: datetime | None
    now: datetime
    timezone: str
    new_limit_reached: bool
    deck_empty: bool = False  # the deck has no card yet


@dataclass(frozen=True, slots=True)
class Refusal:
    """A tap or message that cannot act (closed question, someone else's, malformed)."""

    toast: str
