"""The daily group question: an admin's /dailyq, the sweep's steps (store the day's question,
post it, close it) and members' answers, each a review in their own schedule when the card is
theirs to study."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.cards.distractors import draw_options
from bot.clock import Clock
from bot.core import daily as core
from bot.core.scheduling import Grade
from bot.services.groups import GroupService
from bot.services.reviewing import make_review, stored_reviewer
from bot.storage import battles as battle_store
from bot.storage import daily as store
from bot.storage.daily import DailyRow
from bot.storage.db import Database
from bot.storage.quiz import ReviewWrite

UTC_ZONE = "UTC"
MEDIA_STAND_IN = "?"  # the length a picture-only question counts as, to fit a poll


@dataclass(frozen=True, slots=True)
class DailyInfo:
    """What /dailyq shows: on or off, the local time, zone, how long a question stays open, and
    where the zone came from ("group": kept before, "admin": the admin's own, "utc": none known)."""

    at: str | None
    zone: str
    hours: int
    zone_from: str
    next_at: datetime | None


@dataclass(frozen=True, slots=True)
class Answered:
    """A member's answer to a day's question: kept (first one) or not, right or not."""

    kept: bool
    correct: bool
    closed: bool = False


@dataclass(frozen=True, slots=True)
class CloseReport:
    """What the closing message says: the right answer, who got it first, how many answered."""

    row: DailyRow
    first: tuple[int, str] | None
    right: int
    answered: int


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _at(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


@dataclass
class DailyService:
    """Runs each group's daily question from what the database holds."""

    db: Database
    clock: Clock
    groups: GroupService
    fuzz: bool = True

    async def info(self, chat_id: int) -> DailyInfo:
        """The group's daily question settings as they stand."""
        s = await store.daily_settings(self.db, chat_id)
        if s is None:
            return DailyInfo(None, UTC_ZONE, core.DEFAULT_OPEN.seconds // 3600, "utc", None)
        next_at = datetime.fromtimestamp(s.next_at, UTC) if s.next_at is not None else None
        zone = s.timezone or UTC_ZONE
        return DailyInfo(s.daily_time, zone, s.minutes // 60, "group", next_at)

    async def turn_on(
        self, chat_id: int, admin_id: int | None, at: time, hours: int | None, thread_id: int | None
    ) -> DailyInfo:
        """An admin turns the question on at local `at`: in the group's zone if it has one, else
        the admin's own (set with /timezone in private), else UTC."""
        s = await store.daily_settings(self.db, chat_id)
        zone_from = "group"
        zone = s.timezone if s is not None else None
        if zone is None:
            mine = await store.user_timezone(self.db, admin_id) if admin_id is not None else None
            zone, zone_from = (mine, "admin") if mine and mine != UTC_ZONE else (UTC_ZONE, "utc")
        minutes = hours * 60 if hours is not None else (s.minutes if s is not None else 720)
        last = await store.last_day(self.db, chat_id)
        now = self.clock.now()
        first = core.first_post_at(now, at, zone, date.fromisoformat(last) if last else None)
        await store.set_daily(
            self.db, chat_id, at.strftime("%H:%M"), zone, _ts(first), minutes, thread_id
        )
        return DailyInfo(at.strftime("%H:%M"), zone, minutes // 60, zone_from, first)

    async def turn_off(self, chat_id: int) -> DailyInfo:
        """No more daily questions (an open one still closes on time)."""
        s = await store.daily_settings(self.db, chat_id)
        zone = (s.timezone if s is not None else None) or UTC_ZONE
        minutes = s.minutes if s is not None else 720
        await store.set_daily(self.db, chat_id, None, zone, None, minutes, None)
        return DailyInfo(None, zone, minutes // 60, "group", None)

    async def due_groups(self) -> list[int]:
        """Groups whose next question is due now."""
        return await store.due_groups(self.db, _ts(self.clock.now()))

    async def prepare(self, chat_id: int) -> int | None:
        """Store the group's question of today (never a second one for a local day) and move its
        next posting time to tomorrow's; the question's id, or None when nothing was stored."""
        s = await store.daily_settings(self.db, chat_id)
        if s is None or s.daily_time is None or s.next_at is None:
            return None
        now = self.clock.now()
        zone = s.timezone or UTC_ZONE
        day = core.group_day(now, zone)
        last = await store.last_day(self.db, chat_id)
        last_day = date.fromisoformat(last) if last else None
        following = core.next_post_at(now, _at(s.daily_time), zone, max(day, last_day or day))
        new = None
        if last_day is None or last_day < day:
            new = await self._draw(chat_id, day, s, now, last_day)
        return await store.store_day(self.db, chat_id, s.next_at, _ts(following), new, _ts(now))

    async def _draw(
        self, chat_id: int, day: date, s: store.DailySettings, now: datetime, last: date | None
    ) -> store.NewDaily | None:
        deck_id = await self.groups.deck_id_of(chat_id)
        pool = await store.askable(self.db, deck_id)
        if not pool:
            return None
        history = [
            core.Asked(date.fromisoformat(d), card, text)
            for d, card, text in await store.asked_before(self.db, chat_id)
        ]
        candidates = core.drawable(
            [core.Candidate(q.question_id, q.card_id, q.answer) for q in pool], history, day
        )
        fresh = {c.question_id for c in candidates}
        # The same group and day draw the same question: a retry after a crash asks it again.
        rng = random.Random(f"{chat_id}:{day.isoformat()}")
        asked = rng.choice([q for q in pool if q.question_id in fresh])
        options, right = draw_options(asked.answer, asked.distractors, rng)
        # A picture or sound alone asks "What is this?" (worded when posted): far within a poll.
        fit = core.fit_poll(asked.prompt or MEDIA_STAND_IN, options, asked.answer)
        weekly = None
        if last is not None and core.week_start(last) < core.week_start(day):
            table = await self.week_table(chat_id, last)
            if table:
                weekly = json.dumps(
                    {
                        "week": core.week_start(last).isoformat(),
                        "rows": [[t.rank, t.name, t.right, t.firsts, t.answered] for t in table],
                    },
                    ensure_ascii=False,
                )
        return store.NewDaily(
            day.isoformat(),
            s.thread_id,
            asked.question_id,
            asked.prompt,
            options,
            right,
            fit.explanation,
            "poll" if fit.poll else "buttons",
            _ts(now + timedelta(minutes=s.minutes)),
            weekly,
        )

    async def week_table(self, chat_id: int, day: date) -> list[core.Standing]:
        """The table of the week (Monday to Sunday, local days) that holds `day`."""
        first = core.week_start(day)
        rows = await store.week_answers(
            self.db, chat_id, first.isoformat(), (first + timedelta(days=6)).isoformat()
        )
        by_question: dict[int, list[tuple[int, str, bool, int]]] = {}
        for daily_id, user, name, correct, at in rows:
            by_question.setdefault(daily_id, []).append((user, name, correct, at))
        answers = []
        for given in by_question.values():
            first_right = core.first_right(given)
            for user, name, correct, _at_ms in given:
                first_one = first_right is not None and first_right[0] == user
                answers.append(core.DayAnswer(user, name, correct, first_one))
        return core.weekly_table(answers)

    async def this_week(self, chat_id: int) -> list[core.Standing]:
        """The current week's table (/dailyq top)."""
        s = await store.daily_settings(self.db, chat_id)
        zone = (s.timezone if s is not None else None) or UTC_ZONE
        return await self.week_table(chat_id, core.group_day(self.clock.now(), zone))

    async def owed(self) -> list[tuple[int, str]]:
        """Questions owed a post or a close now."""
        return await store.owed(self.db, _ts(self.clock.now()))

    async def claim(self, daily_id: int, stage: str) -> DailyRow | None:
        """Take a question to post or close (None: not owed, or another process has it)."""
        return await store.claim(self.db, daily_id, stage, _ts(self.clock.now()))

    async def posted(self, row: DailyRow, kind: str, message_id: int, poll_id: str | None) -> None:
        """Record the question's message once Telegram has it."""
        await store.posted(self.db, row.id, kind, message_id, poll_id, _ts(self.clock.now()))

    async def front_media(self, row: DailyRow) -> store.FrontMedia | None:
        """The picture or sound the question's card shows (posted with the question), if any."""
        if row.question_id is None:
            return None
        return await store.front_media(self.db, row.question_id)

    async def weekly_sent(self, row: DailyRow) -> None:
        """The weekly table with this question is out."""
        await store.weekly_sent(self.db, row.id)

    async def release(self, row: DailyRow) -> None:
        """Give a claim back after a failure."""
        await store.release(self.db, row.id)

    async def report(self, row: DailyRow) -> CloseReport:
        """The close's content: right answer, first right answerer, counts."""
        given = await store.answers(self.db, row.id)
        return CloseReport(row, core.first_right(given), sum(1 for g in given if g[2]), len(given))

    async def closed(self, row: DailyRow) -> None:
        """Record the question closed."""
        await store.closed(self.db, row.id, _ts(self.clock.now()))

    async def answer_poll(
        self, poll_id: str, user_id: int, name: str, option_ids: list[int]
    ) -> Answered | None:
        """A poll_answer: None for a poll that is not a daily question (or a retracted vote)."""
        row = await store.by_poll(self.db, poll_id)
        if row is None or not option_ids:
            return None
        return await self._answer(row, user_id, name, option_ids[0])

    async def answer_button(
        self, daily_id: int, user_id: int, name: str, option: int
    ) -> Answered | None:
        """A tap on a button question; None when there is no such question."""
        row = await store.by_id(self.db, daily_id)
        if row is None or not 0 <= option < len(row.options):
            return None
        return await self._answer(row, user_id, name, option)

    async def _answer(self, row: DailyRow, user_id: int, name: str, option: int) -> Answered:
        if row.closed_at is not None:
            return Answered(False, False, closed=True)
        now = self.clock.now()
        correct = option == row.right_index
        review = await self._review(row, user_id, option, correct, now)
        kept = await store.record_answer(
            self.db,
            row.id,
            user_id,
            name,
            option,
            correct,
            int(now.timestamp() * 1000),
            review,
        )
        return Answered(kept, correct)

    async def _review(
        self, row: DailyRow, user_id: int, option: int, correct: bool, now: datetime
    ) -> ReviewWrite | None:
        """The review the answer makes in the member's own schedule: only for someone who uses
        the bot (known here), when the deck is theirs or bundled, or they already study this
        question; anyone else's answer counts for the group only."""
        if row.question_id is None:
            return None
        card = await store.question_card(self.db, row.question_id)
        who = await battle_store.reviewer(self.db, user_id, row.question_id)
        if card is None or who is None:
            return None
        card_id, deck_id, owner = card
        if owner not in (None, user_id) and who.state is None:
            return None
        return make_review(
            stored_reviewer(who, row.question_id, deck_id, card_id),
            Grade.GOOD if correct else Grade.AGAIN,
            correct,
            "right" if correct else "wrong",
            row.options[option],
            now,
            session_id=None,
            position=None,
            duration_ms=None,
            fuzz=self.fuzz,
        ).write
