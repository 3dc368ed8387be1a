"""The reminder service over a real SQLite file: settings, the offer, and the sweep's decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.core.reminders import UnreadableTime
from bot.services.reminders import ReminderService
from bot.storage.db import Database
from bot.storage.users import upsert_user
from bot.views.reminders import zone_problem_text

ALICE = 1001


@pytest.fixture
async def reminders(db: Database, clock: ManualClock) -> ReminderService:
    await upsert_user(db, ALICE, "Alice", int(clock.now().timestamp()))
    return ReminderService(db, clock, default_deck_id=1)


async def streak(db: Database, current: int, last_day: str | None) -> None:
    await db.execute(
        "UPDATE users SET streak_current = ?, streak_best = ?, streak_last_day = ? WHERE id = ?",
        (current, current, last_day, ALICE),
    )


async def test_a_time_is_stored_as_the_next_local_instant(reminders: ReminderService) -> None:
    await reminders.choose_timezone(ALICE, "Europe/Berlin")  # UTC+1 in March
    shown = await reminders.set_time(ALICE, "6:30pm")
    assert shown.remind_time == "18:30"
    assert shown.next_at == datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
    moved = await reminders.choose_timezone(ALICE, "Asia/Kolkata")
    assert moved.next_at == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 18:30 IST, +5:30


@pytest.mark.parametrize("text", ["25:00", "soon", "18:61", "13pm", "x" * 40])
async def test_unreadable_times_raise_the_friendly_help(
    reminders: ReminderService, text: str
) -> None:
    with pytest.raises(UnreadableTime):
        await reminders.set_time(ALICE, text)
    assert (await reminders.current(ALICE)).remind_time is None


async def test_a_due_reminder_is_planned_once_and_moved_to_tomorrow(
    reminders: ReminderService, clock: ManualClock, db: Database
) -> None:
    await reminders.set_time(ALICE, "18:30")
    await streak(db, 4, "2026-03-01")
    clock.set(datetime(2026, 3, 2, 18, 30, 5, tzinfo=UTC))
    plan = await reminders.plan_batch()
    assert [(s.user_id, s.streak, s.due_count) for s in plan.sends] == [(ALICE, 4, 0)]
    assert (plan.decided, plan.skipped, plan.lost_claims) == (1, 0, 0)
    again = await reminders.plan_batch()
    assert again.decided == 0 and again.sends == []
    assert (await reminders.current(ALICE)).next_at == datetime(2026, 3, 3, 18, 30, tzinfo=UTC)


async def test_a_user_who_studied_today_is_skipped_but_rescheduled(
    reminders: ReminderService, clock: ManualClock, db: Database
) -> None:
    await reminders.set_time(ALICE, "18:30")
    await streak(db, 4, "2026-03-02")
    clock.set(datetime(2026, 3, 2, 18, 31, tzinfo=UTC))
    plan = await reminders.plan_batch()
    assert plan.sends == [] and plan.skipped == 1
    assert (await reminders.current(ALICE)).next_at == datetime(2026, 3, 3, 18, 30, tzinfo=UTC)


async def test_nothing_due_and_no_streak_sends_nothing(
    reminders: ReminderService, clock: ManualClock
) -> None:
    await reminders.set_time(ALICE, "18:30")
    clock.set(datetime(2026, 3, 2, 18, 31, tzinfo=UTC))
    assert (await reminders.plan_batch()).sends == []


@pytest.mark.parametrize(
    ("late", "sent"),
    [(timedelta(hours=2, minutes=59), True), (timedelta(hours=3, minutes=1), False)],
)
async def test_a_missed_reminder_goes_out_only_when_less_than_three_hours_late(
    reminders: ReminderService, clock: ManualClock, db: Database, late: timedelta, sent: bool
) -> None:
    await reminders.set_time(ALICE, "18:30")
    await streak(db, 2, "2026-03-01")
    clock.set(datetime(2026, 3, 2, 18, 30, tzinfo=UTC) + late)
    plan = await reminders.plan_batch()
    assert len(plan.sends) == (1 if sent else 0)
    assert (await reminders.current(ALICE)).next_at == datetime(2026, 3, 3, 18, 30, tzinfo=UTC)


async def test_a_new_time_later_the_same_day_does_not_send_a_second_reminder(
    reminders: ReminderService, clock: ManualClock, db: Database
) -> None:
    await reminders.set_time(ALICE, "09:30")
    await streak(db, 2, "2026-03-01")
    clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    assert len((await reminders.plan_batch()).sends) == 1
    await reminders.set_time(ALICE, "20:00")
    clock.set(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    plan = await reminders.plan_batch()
    assert plan.sends == [] and plan.skipped == 1
    await streak(db, 3, "2026-03-02")  # studied on the 2nd; the 3rd's reminder is due again
    clock.set(datetime(2026, 3, 3, 20, 0, tzinfo=UTC))
    assert len((await reminders.plan_batch()).sends) == 1


async def test_the_offer_comes_once_at_the_local_time_rounded_down(
    reminders: ReminderService, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 2, 18, 34, tzinfo=UTC))
    offer = await reminders.offer_for(ALICE)
    assert offer is not None
    assert (offer.remind_time, offer.timezone, offer.zone_is_default) == ("18:30", "UTC", True)
    assert await reminders.offer_for(ALICE) == offer  # not made yet: still owed
    await reminders.offered(ALICE)
    assert await reminders.offer_for(ALICE) is None


async def test_no_offer_for_someone_who_already_set_a_reminder(
    reminders: ReminderService,
) -> None:
    await reminders.set_time(ALICE, "07:00")
    assert await reminders.offer_for(ALICE) is None


async def test_timezone_text_resolves_or_explains(reminders: ReminderService) -> None:
    set_one = await reminders.set_timezone(ALICE, "+5:30")
    assert set_one.reminder is not None and set_one.reminder.timezone == "UTC+05:30"
    several = await reminders.set_timezone(ALICE, "sant")  # Santiago, Santo Domingo, …
    assert several.reminder is None and len(several.match.candidates) == 5
    bad = await reminders.set_timezone(ALICE, "+15")
    assert (
        bad.reminder is None
        and not bad.match.found
        and "offset" in zone_problem_text(bad.match.problem)
    )
    assert (await reminders.current(ALICE)).timezone == "UTC+05:30"


async def test_a_shared_location_sets_the_zone_there(reminders: ReminderService) -> None:
    shown = await reminders.set_timezone_at(ALICE, -33.87, 151.21)  # Sydney
    assert shown is not None and shown.timezone == "Australia/Sydney"
    assert await reminders.set_timezone_at(ALICE, 91.0, 0.0) is None  # off the globe
    assert (await reminders.current(ALICE)).timezone == "Australia/Sydney"
