"""The daily group question, pure: which local day it is, when to post and close, whether a poll
can hold a question, and the weekly table.

One question per group and local day: the day is the group's calendar date at its time zone, and
posting times are the reminders' (`bot.core.reminders`: one instant per local date, DST-safe).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.reminders import UnreadableTime, next_reminder_utc, parse_remind_time
from bot.core.timezones import local_date

# Telegram's quiz poll limits (Bot API sendPoll): beyond them the question goes out with buttons.
POLL_QUESTION_CHARS = 300
POLL_OPTION_CHARS = 100
POLL_OPTIONS = range(2, 11)
EXPLANATION_CHARS = 200
EXPLANATION_LINE_FEEDS = 2
DEFAULT_OPEN = timedelta(hours=12)
OPEN_HOURS = range(1, 24)  # a question stays open 1-23 hours: closed before the next one
MAX_ARGS_CHARS = 40
NOT_A_TIME, BAD_HOURS, TOO_LONG = "not a time", "hours", "too long"  # DailyArgsError.reason


class DailyArgsError(ValueError):
    """/dailyq arguments that do not read as a time, `off`, `top` or a number of hours: `reason`
    ("too long", "not a time", "hours") and the word at fault."""

    def __init__(self, reason: str, value: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value


@dataclass(frozen=True, slots=True)
class DailyArgs:
    """What /dailyq asks: show (`action` "show"), turn on at `at` (open `hours`), off, the table."""

    action: str  # "show" | "on" | "off" | "top"
    at: time | None = None
    hours: int | None = None


def parse_daily_args(args: Sequence[str]) -> DailyArgs:
    """Read `/dailyq`, `/dailyq 19:00 [hours]`, `/dailyq off` or `/dailyq top`."""
    if sum(len(a) for a in args) > MAX_ARGS_CHARS or len(args) > 2:
        raise DailyArgsError(TOO_LONG)
    if not args:
        return DailyArgs("show")
    word = args[0].casefold()
    if word in ("off", "top") and len(args) == 1:
        return DailyArgs(word)
    try:
        at = parse_remind_time(args[0])
    except UnreadableTime as exc:
        raise DailyArgsError(NOT_A_TIME, args[0]) from exc
    hours = None
    if len(args) == 2:
        raw = args[1].casefold().removesuffix("h")
        if not raw.isdigit() or int(raw) not in OPEN_HOURS:
            raise DailyArgsError(BAD_HOURS, args[1])
        hours = int(raw)
    return DailyArgs("on", at, hours)


def group_day(now: datetime, zone: str) -> date:
    """The group's local date at `now` (the day a question belongs to)."""
    return local_date(now, zone)


def next_post_at(now: datetime, at: time, zone: str, last_day: date | None) -> datetime:
    """The next posting instant after `now` whose local day is after `last_day` (the newest day
    that already has its question), so that no day ever gets two."""
    moment = next_reminder_utc(now, at, zone)
    while last_day is not None and local_date(moment, zone) <= last_day:
        moment = next_reminder_utc(moment, at, zone)
    return moment


def first_post_at(now: datetime, at: time, zone: str, last_day: date | None) -> datetime:
    """When a freshly turned-on daily question first posts: today's time if it has not passed."""
    return next_post_at(now - timedelta(seconds=1), at, zone, last_day)


def closes_at(posted: datetime, open_for: timedelta) -> datetime:
    """When a question posted at `posted` closes."""
    return posted + open_for


def week_start(day: date) -> date:
    """The Monday of `day`'s week (weekly tables run Monday to Sunday, local days)."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class PollFit:
    """Whether Telegram's quiz poll holds a question, and its explanation cut to fit."""

    poll: bool
    explanation: str


def _explanation(text: str) -> str:
    lines = text.split("\n")
    if len(lines) > EXPLANATION_LINE_FEEDS + 1:
        text = "\n".join(lines[: EXPLANATION_LINE_FEEDS + 1])
    if len(text) > EXPLANATION_CHARS:
        text = text[: EXPLANATION_CHARS - 1].rstrip() + "…"
    return text


def fit_poll(question: str, options: Sequence[str], explanation: str) -> PollFit:
    """A poll when the question, each option and their number are within Telegram's limits;
    else buttons. (Lengths in characters as Python counts them; a question near a limit with
    characters outside the BMP goes out as buttons rather than be refused.)"""

    def fits(text: str, limit: int) -> bool:
        return 0 < len(text.encode("utf-16-le")) // 2 <= limit

    poll = (
        len(options) in POLL_OPTIONS
        and fits(question, POLL_QUESTION_CHARS)
        and all(fits(o, POLL_OPTION_CHARS) for o in options)
        and len(set(options)) == len(options)
    )
    return PollFit(poll, _explanation(explanation))


@dataclass(frozen=True, slots=True)
class DayAnswer:
    """One member's answer to one day's question: right or not, and whether they were first right."""

    user_id: int
    name: str
    correct: bool
    first: bool


@dataclass(frozen=True, slots=True)
class Standing:
    """A line of the weekly table: rank (shared by ties), right answers, firsts, answers."""

    rank: int
    user_id: int
    name: str
    right: int
    firsts: int
    answered: int


def first_right(answers: Iterable[tuple[int, str, bool, int]]) -> tuple[int, str] | None:
    """Who answered right first (by time, then id) among (user, name, correct, answered_at)."""
    right = sorted((at, user, name) for user, name, correct, at in answers if correct)
    return (right[0][1], right[0][2]) if right else None


def weekly_table(answers: Iterable[DayAnswer]) -> list[Standing]:
    """The week's table: most right answers, then most firsts; equal on both share a rank
    (1, 1, 3), listed by name within it."""
    totals: dict[int, tuple[str, int, int, int]] = {}
    for a in answers:
        _name, right, firsts, answered = totals.get(a.user_id, (a.name, 0, 0, 0))
        totals[a.user_id] = (a.name, right + a.correct, firsts + a.first, answered + 1)
    rows = sorted(
        ((v[1], v[2], v[0], uid, v[3]) for uid, v in totals.items()),
        key=lambda r: (-r[0], -r[1], r[2].casefold(), r[3]),
    )
    table: list[Standing] = []
    for i, (right, firsts, name, uid, answered) in enumerate(rows):
        same = table and (table[-1].right, table[-1].firsts) == (right, firsts)
        rank = table[-1].rank if same else i + 1
        table.append(Standing(rank, uid, name, right, firsts, answered))
    return table


def winners(table: Sequence[Standing]) -> list[Standing]:
    """The week's best: everyone ranked first, if anyone answered right at all."""
    return [s for s in table if s.rank == 1 and s.right > 0]


# The draw. A group is never asked a card (any of its questions: each cloze blank is one) it was
# asked in the last `repeat_gap` days, and a question whose answer is printed in a question asked
# earlier in the same week is not drawn, so one day never gives away another's answer. Cards the
# group was never asked come first, then the longest unasked. When a deck is too small to keep
# both rules, the gap gives way before the leak rule, and both before there is no question.
MAX_REPEAT_GAP_DAYS = 30


@dataclass(frozen=True, slots=True)
class Candidate:
    """A question the deck can ask: its card, its answer."""

    question_id: int
    card_id: int
    answer: str


@dataclass(frozen=True, slots=True)
class Asked:
    """A question the group was asked: its local day, card and printed text."""

    day: date
    card_id: int | None
    text: str


def repeat_gap(cards: int) -> int:
    """Days a card stays out of the draw after it was asked: one less than the deck's cards,
    at most a month (a 9-card deck asks all nine before any comes back)."""
    return max(0, min(cards - 1, MAX_REPEAT_GAP_DAYS))


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def leaks(answer: str, text: str) -> bool:
    """Whether `text` prints `answer` as a word or phrase of its own (case and spacing aside)."""
    needle = _words(answer)
    if not needle:
        return False
    hay = _words(text)
    start = hay.find(needle)
    while start != -1:
        end = start + len(needle)
        before = hay[start - 1] if start > 0 else " "
        after = hay[end] if end < len(hay) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        start = hay.find(needle, start + 1)
    return False


def drawable(pool: Sequence[Candidate], history: Iterable[Asked], day: date) -> list[Candidate]:
    """The questions the group may be asked on `day`, best first tier only (the caller picks one
    of them at random): see the rule above."""
    last: dict[int, date] = {}
    week_texts = []
    monday = week_start(day)
    for asked in history:
        if asked.day >= day:
            continue
        if asked.card_id is not None:
            last[asked.card_id] = max(asked.day, last.get(asked.card_id, asked.day))
        if asked.day >= monday:
            week_texts.append(asked.text)
    gap = repeat_gap(len({c.card_id for c in pool}))

    def rested(c: Candidate) -> bool:
        seen = last.get(c.card_id)
        return seen is None or (day - seen).days > gap

    def clean(c: Candidate) -> bool:
        return not any(leaks(c.answer, text) for text in week_texts)

    for keep in (
        lambda c: rested(c) and clean(c),
        rested,
        clean,
        lambda c: True,
    ):
        tier = [c for c in pool if keep(c)]
        if tier:
            never = [c for c in tier if c.card_id not in last]
            if never:
                return never
            oldest = min(last[c.card_id] for c in tier)
            return [c for c in tier if last[c.card_id] == oldest]
    return []
