"""Time zones and daily reminders: settings, the one-time offer, and planning the sweep's sends.

The sweep decides due reminders in batches. Each decision moves the user's reminder to a later
local day with a compare-and-swap claim, and each decision to send also owes the reminder in the
outbox (bot.storage.outbox, kind 'reminder', paced) in the same transaction: whichever process
wins a claim, the reminder is then sent by whichever process holds its outbox row's lease, and a
sender that dies leaves its rows to be taken over once their lease has passed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, time

from bot.clock import Clock
from bot.core.learning_days import LearningDays
from bot.core.reminders import (
    MAX_LATENESS,
    next_after_decision,
    next_reminder_utc,
    parse_remind_time,
    reminder_decision,
)
from bot.core.streaks import Streak, view_streak
from bot.core.timezones import (
    DEFAULT_ZONE,
    TimezoneMatch,
    local_date,
    resolve_timezone,
    zone_at,
    zone_for,
)
from bot.outbox import intents
from bot.outbox.intents import Kind
from bot.services.unixtime import from_unix, unix
from bot.storage import leases, outbox
from bot.storage import reminders as store
from bot.storage.db import Database
from bot.storage.outbox import Holder, Owed, OwedRow
from bot.storage.reminders import Claim, DueReminder

SWEEP_BATCH = 500
OFFER_ROUND_MINUTES = 5
# A reminder taken this many times without an outcome (its senders kept dying) is given up.
MAX_SEND_ATTEMPTS = 3
# Reminders are written free for any sender to take (the paced sender leases them as it goes).
UNHELD = Holder("", 0)
# The job lease of the process that plans and sends reminders: one at a time, since Telegram's
# 30 messages a second are the bot's, whatever number of processes send them.
SENDER_JOB = "reminder-sender"


@dataclass(frozen=True, slots=True)
class PendingSend:
    """One reminder taken for sending, with what its message says."""

    user_id: int
    local_day: str
    due_count: int
    streak: int
    studied_today: bool
    decided_at: int  # unix seconds (the bot's clock) of the decision
    attempts: int  # times taken for sending, this one included
    row: OwedRow

    @classmethod
    def of(cls, row: OwedRow) -> PendingSend:
        """The reminder an outbox row owes."""
        p = row.payload
        return cls(
            row.chat_id,
            str(p["local_day"]),
            int(p["due_count"]),
            int(p["streak"]),
            bool(p["studied_today"]),
            int(p["decided_at"]),
            row.attempts,
            row,
        )


@dataclass(frozen=True, slots=True)
class ReminderView:
    """A user's reminder as shown: local time (None = off) and zone, next firing in UTC."""

    remind_time: str | None
    timezone: str
    next_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReminderOffer:
    """The one-time "remind me at this time?" offer after a first finished quiz."""

    remind_time: str
    timezone: str
    zone_is_default: bool


@dataclass(frozen=True, slots=True)
class TimezoneChange:
    """The outcome of /timezone: the zone set, or zones to pick from, or why neither."""

    match: TimezoneMatch
    reminder: ReminderView | None  # the reminder after a zone was set


@dataclass(frozen=True, slots=True)
class ReminderSend:
    """One reminder the sweep has claimed and must now send."""

    user_id: int
    due_count: int
    streak: int
    studied_today: bool
    local_day: str = ""  # the user's local date it is for (one reminder each)


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """What one batch decided: the reminders to send, and how many were skipped or lost a race."""

    sends: list[ReminderSend]
    decided: int
    skipped: int
    lost_claims: int


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _time(text: str) -> time:
    return time.fromisoformat(text)


@dataclass
class ReminderService:
    """Reminder and time-zone settings, and the sweep's decisions, over the database."""

    db: Database
    clock: Clock
    default_deck_id: int

    def _view(self, remind_time: str | None, zone: str, next_at: int | None) -> ReminderView:
        return ReminderView(remind_time, zone, from_unix(next_at) if next_at is not None else None)

    def _next(self, remind_time: str, zone: str) -> int:
        return unix(next_reminder_utc(self.clock.now(), _time(remind_time), zone))

    async def current(self, user_id: int) -> ReminderView:
        """The user's reminder setting as it stands."""
        setting = await store.get_setting(self.db, user_id)
        if setting is None:
            return ReminderView(None, DEFAULT_ZONE, None)
        return self._view(setting.remind_time, setting.timezone, setting.next_remind_at)

    async def set_time(self, user_id: int, text: str) -> ReminderView:
        """Set the daily reminder from typed text; UnreadableTime when it is not a time of day."""
        value = _hhmm(parse_remind_time(text))
        setting = await store.get_setting(self.db, user_id)
        zone = setting.timezone if setting is not None else DEFAULT_ZONE
        next_at = self._next(value, zone)
        await store.set_reminder(self.db, user_id, value, next_at)
        return self._view(value, zone, next_at)

    async def turn_off(self, user_id: int) -> ReminderView:
        """Stop the daily reminder."""
        await store.set_reminder(self.db, user_id, None, None)
        return await self.current(user_id)

    async def set_timezone(self, user_id: int, text: str) -> TimezoneChange:
        """Resolve typed text; a single match is stored at once and the reminder follows it."""
        # In a thread: the first place lookup reads the place index (half a second), and a typo
        # search takes milliseconds that other chats need not wait for.
        match = await asyncio.to_thread(resolve_timezone, text)
        if match.zone is None:
            return TimezoneChange(match, None)
        return TimezoneChange(match, await self.choose_timezone(user_id, match.zone))

    async def set_timezone_at(
        self, user_id: int, latitude: float, longitude: float
    ) -> ReminderView | None:
        """Store the zone of a shared location; None for a point no zone covers."""
        zone = await asyncio.to_thread(zone_at, latitude, longitude)
        if zone is None:
            return None
        return await self.choose_timezone(user_id, zone)

    async def choose_timezone(self, user_id: int, zone: str) -> ReminderView:
        """Store a zone (checked by the caller or by `resolve_timezone`), moving the reminder."""
        setting = await store.get_setting(self.db, user_id)
        remind_time = setting.remind_time if setting is not None else None
        next_at = self._next(remind_time, zone) if remind_time is not None else None
        await store.set_timezone(self.db, user_id, zone, next_at)
        return self._view(remind_time, zone, next_at)

    async def offer_for(self, user_id: int) -> ReminderOffer | None:
        """The reminder offer, while the user was never offered one and has no reminder set."""
        zone = await store.offer_zone(self.db, user_id)
        if zone is None:
            return None
        local = self.clock.now().astimezone(zone_for(zone))
        minute = local.minute - local.minute % OFFER_ROUND_MINUTES
        return ReminderOffer(f"{local.hour:02d}:{minute:02d}", zone, zone == DEFAULT_ZONE)

    async def offered(self, user_id: int) -> None:
        """The offer reached the user: it is never made again."""
        await store.mark_offered(self.db, user_id)

    async def blocked(self, user_ids: list[int]) -> None:
        """Users who blocked the bot: their reminders stop and they count as inactive."""
        if user_ids:
            await store.deactivate(self.db, user_ids)

    async def plan_batch(self, limit: int = SWEEP_BATCH) -> SweepPlan:
        """Decide the next batch of due reminders, claim them, and queue the ones to send.

        Every decided reminder moves to a later local day in the same UPDATE that marks it sent,
        and the reminders to send are written to the outbox in the same transaction: once this
        returns, each is sent by `take_sends`' caller, here or in another process, exactly once
        unless a sender dies between Telegram's acceptance and its `finish_send`.
        """
        now = self.clock.now()
        due = await store.due_reminders(self.db, unix(now), self.default_deck_id, limit)
        claims: list[Claim] = []
        sends: dict[int, ReminderSend] = {}
        for row in due:
            claim, send = _decide(row, now)
            claims.append(claim)
            if send is not None:
                sends[row.user_id] = send
        async with self.db.transaction():
            won = await store.claim(self.db, claims)
            chosen = [send for user_id, send in sends.items() if user_id in won]
            owed = [
                intents.reminder(
                    s.user_id, s.local_day, s.due_count, s.streak, s.studied_today, unix(now)
                )
                for s in chosen
            ]
            await Owed(owed, UNHELD).write(self.db)
        return SweepPlan(
            sends=chosen,
            decided=len(due),
            skipped=len(won) - len(chosen),
            lost_claims=len(due) - len(won),
        )

    async def hold_sender(self, owner: str, now_ms: int, lease_ms: int) -> bool:
        """Take or extend the reminder sender's lease; False while another process holds it."""
        return await leases.take(self.db, leases.JOB_LEASES, SENDER_JOB, owner, now_ms, lease_ms)

    async def release_sender(self, owner: str) -> None:
        """Give the reminder sender's lease back (the next sweep of any process takes it)."""
        await leases.release(self.db, leases.JOB_LEASES, SENDER_JOB, owner)

    async def free_dead_senders(self) -> int:
        """Give back the sender lease and the reminders held by processes of this host that
        are gone (a crash, then a restart): they go out now rather than when the leases pass."""
        freed = 0
        for owner in await leases.owners(self.db, leases.JOB_LEASES):
            if leases.gone_from_this_host(owner):
                freed += await leases.release_all(self.db, leases.JOB_LEASES, owner)
        for owner in await outbox.holders(self.db):
            if leases.gone_from_this_host(owner):
                freed += await outbox.release_owner(self.db, owner)
        return freed

    async def take_sends(
        self, owner: str, limit: int, now_ms: int, lease_ms: int
    ) -> list[PendingSend]:
        """Lease up to `limit` queued reminders for sending, oldest first.

        Reminders more than three hours old (no sender was alive to send them in time) and those
        taken too often without an outcome are closed here instead of being handed out.
        """
        now = self.clock.now()
        holder = Holder(owner, lease_ms)
        while True:
            rows = await outbox.take_paced(self.db, Kind.REMINDER, holder, limit, now_ms)
            taken = [PendingSend.of(row) for row in rows]
            usable: list[PendingSend] = []
            for send in taken:
                if now - from_unix(send.decided_at) > MAX_LATENESS:
                    await self.finish_send(owner, send, outbox.EXPIRED)
                elif send.attempts > MAX_SEND_ATTEMPTS:
                    await self.finish_send(owner, send, outbox.FAILED)
                else:
                    usable.append(send)
            # Empty only when nothing is queued: closed ones make room for the next ones.
            if usable or not taken:
                return usable

    async def finish_send(
        self, owner: str, send: PendingSend, outcome: str, now_ms: int | None = None
    ) -> bool:
        """Record what became of a taken reminder; False if `owner`'s lease on it was lost."""
        done = outbox.wall_ms() if now_ms is None else now_ms
        return await outbox.finish(self.db, send.row, owner, outcome, None, done)


def _decide(row: DueReminder, now: datetime) -> tuple[Claim, ReminderSend | None]:
    """The claim for one due reminder, and the send if the decision is to send."""
    scheduled = from_unix(row.next_remind_at)
    remind_time = _time(row.remind_time)
    today = local_date(now, row.timezone)  # one reminder per calendar day
    streak = Streak(row.streak_current, row.streak_best, row.streak_last_day, row.streak_freezes)
    # Streaks count learning days: a reminder before the day's start hour is still yesterday's.
    shown = view_streak(streak, LearningDays.of(row.timezone, row.day_start_hour).day_of(now))
    decision = reminder_decision(
        now,
        scheduled,
        studied_today=shown.studied_today,
        due_count=row.due_count,
        streak_at_risk=shown.at_risk,
        last_sent_local_day=row.last_remind_day,
        local_today=today,
        scheduled_local_day=local_date(scheduled, row.timezone),
    )
    # The due query returns only reminders at or before now, so the decision always reschedules.
    next_at = next_after_decision(now, scheduled, remind_time, row.timezone)
    sent_day = today.isoformat() if decision.send else None
    claim = Claim(row.user_id, row.next_remind_at, unix(next_at), sent_day)
    if not decision.send:
        return claim, None
    return claim, ReminderSend(
        row.user_id, row.due_count, shown.current, shown.studied_today, today.isoformat()
    )
