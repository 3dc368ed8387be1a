"""Reminder times: parsing, the next firing instant across DST and extreme offsets, decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.reminders import (
    Action,
    UnreadableTime,
    next_after_decision,
    next_reminder_utc,
    occurrence_utc,
    parse_remind_time,
    reminder_decision,
)
from bot.core.timezones import local_date, zone_for
from bot.views.reminders import remind_bad_time_text


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> datetime:
    """A UTC datetime."""
    return datetime(year, month, day, hour, minute, sec, tzinfo=UTC)


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", time(18, 30)),
        ("  18:30 ", time(18, 30)),
        ("6:30", time(6, 30)),
        ("06:30", time(6, 30)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("6:30pm", time(18, 30)),
        ("6:30 PM", time(18, 30)),
        ("6:30am", time(6, 30)),
        ("6pm", time(18, 0)),
        ("6 p.m.", time(18, 0)),
        ("12am", time(0, 0)),
        ("12:15am", time(0, 15)),
        ("12pm", time(12, 0)),
        ("18h30", time(18, 30)),
        ("18h", time(18, 0)),
        ("18.30", time(18, 30)),
        ("0730", time(7, 30)),
        ("730", time(7, 30)),
        ("1830", time(18, 30)),
        ("18", time(18, 0)),
        ("7", time(7, 0)),
    ],
)
def test_parse_remind_time_accepts(text: str, expected: time) -> None:
    assert parse_remind_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        *["25:99", "24:00", "24", "18:60", "13pm", "0am", "13:00pm", "2400", "12345", "1:2"],
        *["18:30m", "", "   ", "tomorrow", "6:30 pmx", "18:30:00", "-1:00", "١٨:٣٠", "9" * 40],
    ],
)
def test_parse_remind_time_rejects_with_a_helpful_message(text: str) -> None:
    with pytest.raises(UnreadableTime):
        parse_remind_time(text)
    assert "Try 18:30, 6:30pm, 18h30 or 0730" in remind_bad_time_text()


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_valid_time_parses_in_every_24h_shape(hour: int, minute: int) -> None:
    for shape in ("{h}:{m:02d}", "{h:02d}:{m:02d}", "{h}h{m:02d}", "{h:02d}{m:02d}"):
        assert parse_remind_time(shape.format(h=hour, m=minute)) == time(hour, minute)


@given(st.integers(1, 12), st.integers(0, 59), st.sampled_from(["am", "pm", " AM", " p.m."]))
def test_every_valid_12h_time_parses(hour: int, minute: int, suffix: str) -> None:
    expected = time(hour % 12 + (12 if "p" in suffix.lower() else 0), minute)
    assert parse_remind_time(f"{hour}:{minute:02d}{suffix}") == expected


@given(st.text(max_size=30))
def test_any_text_gives_a_time_or_the_help_message(text: str) -> None:
    try:
        parsed = parse_remind_time(text)
    except UnreadableTime:
        pass
    else:
        assert parsed.tzinfo is None


# --- next reminder instant ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "local", "zone", "expected"),
    [
        # Plain days: later today, or tomorrow once today's has passed (strictly after).
        (utc(2026, 5, 4, 12, 0), time(18, 30), "UTC", utc(2026, 5, 4, 18, 30)),
        (utc(2026, 5, 4, 18, 30), time(18, 30), "UTC", utc(2026, 5, 5, 18, 30)),
        (utc(2026, 5, 4, 18, 29, 59), time(18, 30), "UTC", utc(2026, 5, 4, 18, 30)),
        (utc(2026, 5, 4, 12, 0), time(18, 30), "Europe/London", utc(2026, 5, 4, 17, 30)),
        (utc(2026, 1, 4, 12, 0), time(18, 30), "Europe/London", utc(2026, 1, 4, 18, 30)),
        # London springs forward 29 Mar 2026, 01:00 GMT -> 02:00 BST: 01:30 fires at 02:30 BST.
        (utc(2026, 3, 28, 12, 0), time(1, 30), "Europe/London", utc(2026, 3, 29, 1, 30)),
        (utc(2026, 3, 29, 1, 30), time(1, 30), "Europe/London", utc(2026, 3, 30, 0, 30)),
        # The day before and the day after the jump keep their usual wall time.
        (utc(2026, 3, 27, 12, 0), time(1, 30), "Europe/London", utc(2026, 3, 28, 1, 30)),
        # London falls back 25 Oct 2026, 02:00 BST -> 01:00 GMT: 01:30 fires once, the first time.
        (utc(2026, 10, 24, 12, 0), time(1, 30), "Europe/London", utc(2026, 10, 25, 0, 30)),
        (utc(2026, 10, 25, 0, 30), time(1, 30), "Europe/London", utc(2026, 10, 26, 1, 30)),
        (utc(2026, 10, 25, 1, 0), time(1, 30), "Europe/London", utc(2026, 10, 26, 1, 30)),
        # New York springs forward 8 Mar 2026, 02:00 -> 03:00: 02:30 fires at 03:30 EDT.
        (utc(2026, 3, 7, 12, 0), time(2, 30), "America/New_York", utc(2026, 3, 8, 7, 30)),
        (utc(2026, 3, 8, 7, 30), time(2, 30), "America/New_York", utc(2026, 3, 9, 6, 30)),
        # New York falls back 1 Nov 2026, 02:00 EDT -> 01:00 EST: 01:30 EDT only.
        (utc(2026, 10, 31, 12, 0), time(1, 30), "America/New_York", utc(2026, 11, 1, 5, 30)),
        (utc(2026, 11, 1, 5, 30), time(1, 30), "America/New_York", utc(2026, 11, 2, 6, 30)),
        # Kiritimati is UTC+14: its New Year's morning is still 31 December in UTC.
        (utc(2026, 12, 31, 16, 0), time(7, 0), "Pacific/Kiritimati", utc(2026, 12, 31, 17, 0)),
        (utc(2026, 12, 31, 17, 0), time(7, 0), "Pacific/Kiritimati", utc(2027, 1, 1, 17, 0)),
        # Etc/GMT+12 is UTC-12: its New Year's Eve evening is already 1 January in UTC.
        (utc(2026, 12, 31, 12, 0), time(20, 0), "Etc/GMT+12", utc(2027, 1, 1, 8, 0)),
        (utc(2027, 1, 1, 8, 0), time(20, 0), "Etc/GMT+12", utc(2027, 1, 2, 8, 0)),
        # Offsets that are not whole hours.
        (utc(2026, 12, 31, 20, 0), time(0, 15), "UTC+05:30", utc(2027, 1, 1, 18, 45)),
        (utc(2026, 6, 1, 0, 0), time(9, 0), "Asia/Kathmandu", utc(2026, 6, 1, 3, 15)),
        # Samoa skipped 30 Dec 2011 entirely: the next reminder is on 31 Dec, local time.
        (utc(2011, 12, 29, 20, 1), time(10, 0), "Pacific/Apia", utc(2011, 12, 30, 20, 0)),
    ],
)
def test_next_reminder_utc(after: datetime, local: time, zone: str, expected: datetime) -> None:
    assert next_reminder_utc(after, local, zone) == expected


def test_next_reminder_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        next_reminder_utc(datetime(2026, 1, 1), time(9), "UTC")


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Kiritimati",
        "Etc/GMT+12",
    ],
)
@pytest.mark.parametrize("local", [time(0, 0), time(1, 30), time(2, 30), time(23, 59)])
def test_a_year_of_reminders_fires_once_on_every_local_day(zone: str, local: time) -> None:
    when = utc(2026, 1, 1)
    days: list[date] = []
    for _ in range(366):
        nxt = next_reminder_utc(when, local, zone)
        assert nxt > when
        days.append(local_date(nxt, zone))
        when = nxt
    assert days == [days[0] + timedelta(days=i) for i in range(366)]


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
    st.times(),
    st.sampled_from(["Europe/London", "America/New_York", "Asia/Tehran", "UTC+05:45"]),
)
def test_next_reminder_is_the_first_matching_instant(
    after_naive: datetime, local: time, zone: str
) -> None:
    after = after_naive.replace(tzinfo=UTC)
    nxt = next_reminder_utc(after, local, zone)
    assert after < nxt <= after + timedelta(hours=26)
    wall = nxt.astimezone(zone_for(zone))
    if wall.time() != local:
        # Only a spring-forward gap moves the wall time, and only forward by the gap.
        naive = datetime.combine(wall.date(), local)
        assert timedelta(0) < wall.replace(tzinfo=None) - naive <= timedelta(hours=1)
    # It is the first: the previous local day's reminder was not after `after`.
    assert occurrence_utc(wall.date() - timedelta(days=1), local, zone) <= after


# --- decisions --------------------------------------------------------------------------------

SCHEDULED = utc(2026, 5, 4, 17, 30)  # 18:30 in London
TODAY = date(2026, 5, 4)
YESTERDAY = date(2026, 5, 3)


@pytest.mark.parametrize(
    ("minutes_late", "studied", "due", "at_risk", "last_sent", "expected"),
    [
        (0, False, 5, False, None, Action.SEND),
        (0, False, 5, False, YESTERDAY, Action.SEND),
        (0, False, 0, True, None, Action.SEND),  # nothing due but the streak is at stake
        (0, False, 0, False, None, Action.SKIP_NOT_NEEDED),
        (0, True, 5, True, None, Action.SKIP_NOT_NEEDED),  # already studied today
        (180, False, 5, False, None, Action.SEND),  # exactly 3 hours late still goes
        (181, False, 5, False, None, Action.SKIP_TOO_LATE),
        (60 * 26, False, 5, False, None, Action.SKIP_TOO_LATE),
        (0, False, 5, False, TODAY, Action.SKIP_ALREADY_SENT),
        (0, True, 0, False, TODAY, Action.SKIP_ALREADY_SENT),
        (-1, False, 5, True, None, Action.NOT_YET),
    ],
)
def test_reminder_decision(
    minutes_late: int,
    studied: bool,
    due: int,
    at_risk: bool,
    last_sent: date | None,
    expected: Action,
) -> None:
    decision = reminder_decision(
        now_utc=SCHEDULED + timedelta(minutes=minutes_late),
        scheduled_utc=SCHEDULED,
        studied_today=studied,
        due_count=due,
        streak_at_risk=at_risk,
        last_sent_local_day=last_sent,
        local_today=TODAY,
    )
    assert decision.action is expected
    assert decision.send == (expected is Action.SEND)
    assert decision.reschedule == (expected is not Action.NOT_YET)


def test_a_late_reminder_whose_local_day_ended_is_skipped() -> None:
    # 23:00 reminder in London, bot back at 01:00: under 3 hours late, but that day is over,
    # and sending now would use up the new day's reminder.
    scheduled = utc(2026, 5, 4, 22, 0)
    now = utc(2026, 5, 5, 0, 0)
    args: dict[str, Any] = {
        "studied_today": False,
        "due_count": 3,
        "streak_at_risk": True,
        "last_sent_local_day": None,
        "local_today": local_date(now, "Europe/London"),
    }
    assert reminder_decision(now, scheduled, **args).action is Action.SEND
    decision = reminder_decision(
        now, scheduled, **args, scheduled_local_day=local_date(scheduled, "Europe/London")
    )
    assert decision.action is Action.SKIP_TOO_LATE


@pytest.mark.parametrize(
    ("now", "scheduled", "local", "zone", "expected"),
    [
        # On time: tomorrow's occurrence.
        (
            utc(2026, 5, 4, 17, 30),
            utc(2026, 5, 4, 17, 30),
            time(18, 30),
            "Europe/London",
            utc(2026, 5, 5, 17, 30),
        ),
        # Sent two hours late: still tomorrow, not today again.
        (
            utc(2026, 5, 4, 19, 30),
            utc(2026, 5, 4, 17, 30),
            time(18, 30),
            "Europe/London",
            utc(2026, 5, 5, 17, 30),
        ),
        # Down for three days, back in the morning: this evening's reminder is still ahead.
        (
            utc(2026, 5, 7, 9, 0),
            utc(2026, 5, 4, 17, 30),
            time(18, 30),
            "Europe/London",
            utc(2026, 5, 7, 17, 30),
        ),
        # Decided during the repeated hour: the second 01:30 of 25 Oct is not used.
        (
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 25, 0, 30),
            time(1, 30),
            "Europe/London",
            utc(2026, 10, 26, 1, 30),
        ),
        (
            utc(2026, 10, 25, 1, 15),
            utc(2026, 10, 25, 0, 30),
            time(1, 30),
            "Europe/London",
            utc(2026, 10, 26, 1, 30),
        ),
        # Across the year end at UTC-12.
        (
            utc(2027, 1, 1, 8, 0),
            utc(2027, 1, 1, 8, 0),
            time(20, 0),
            "Etc/GMT+12",
            utc(2027, 1, 2, 8, 0),
        ),
    ],
)
def test_next_after_decision_moves_to_a_later_local_day(
    now: datetime, scheduled: datetime, local: time, zone: str, expected: datetime
) -> None:
    nxt = next_after_decision(now, scheduled, local, zone)
    assert nxt == expected
    assert local_date(nxt, zone) > local_date(scheduled, zone)


def test_a_sweep_that_reruns_after_a_crash_sends_once_per_day() -> None:
    # Simulates the sweep's bookkeeping: decide, send, store the day and the next time.
    zone, local = "America/New_York", time(1, 30)
    scheduled = next_reminder_utc(utc(2026, 10, 30), local, zone)
    last_sent: date | None = None
    sent_days: list[date] = []
    now = scheduled
    while now < utc(2026, 11, 4):
        if now >= scheduled:
            today = local_date(now, zone)
            facts: dict[str, Any] = {
                "studied_today": False,
                "due_count": 1,
                "streak_at_risk": False,
            }
            decision = reminder_decision(
                now, scheduled, **facts, last_sent_local_day=last_sent, local_today=today
            )
            if decision.send:
                sent_days.append(today)
                last_sent = today
            # A crash before storing the next time means the same row is decided again.
            again = reminder_decision(
                now, scheduled, **facts, last_sent_local_day=last_sent, local_today=today
            )
            assert not again.send
            scheduled = next_after_decision(now, scheduled, local, zone)
        now += timedelta(minutes=15)
    assert sent_days == [
        date(2026, 10, 30),
        date(2026, 10, 31),
        date(2026, 11, 1),
        date(2026, 11, 2),
        date(2026, 11, 3),
    ]
