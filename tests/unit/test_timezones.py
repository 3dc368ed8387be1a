"""Time zone input: names, places and offsets the way users type them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.timezones import (
    MAX_CANDIDATES,
    MatchKind,
    describe_zone,
    local_date,
    offset_name,
    resolve_timezone,
    zone_for,
)
from bot.views.reminders import zone_problem_text


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("  Asia/Tokyo  ", "Asia/Tokyo"),
        ("utc", "UTC"),
        ("Etc/UTC", "UTC"),
        ("Etc/GMT+5", "Etc/GMT+5"),  # the IANA name keeps its own (inverted) meaning
        ("asia/calcutta", "Asia/Kolkata"),  # renamed zones are stored under today's name
        ("Europe/Kiev", "Europe/Kyiv"),
        ("US/Eastern", "America/New_York"),
    ],
)
def test_zone_names_in_any_case(text: str, zone: str) -> None:
    match = resolve_timezone(text)
    assert match.kind is MatchKind.NAME
    assert match.candidates == (zone,)
    assert match.zone == zone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("london", "Europe/London"),
        ("London", "Europe/London"),
        ("new york", "America/New_York"),
        ("New York City", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("ho chi minh", "Asia/Ho_Chi_Minh"),
        ("saigon", "Asia/Ho_Chi_Minh"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("port-au-prince", "America/Port-au-Prince"),
        ("londn", "Europe/London"),  # a typo still finds the city
        ("india", "Asia/Kolkata"),  # a country with one zone
        ("france", "Europe/Paris"),
        ("uk", "Europe/London"),
    ],
)
def test_places_with_one_obvious_zone(text: str, zone: str) -> None:
    match = resolve_timezone(text)
    assert match.kind is MatchKind.PLACE
    assert match.candidates == (zone,)
    assert match.zone == zone


def test_ambiguous_place_gives_ranked_buttons_and_no_automatic_choice() -> None:
    match = resolve_timezone("sant")  # the start of Santiago, Santo Domingo, Santa Cruz…
    assert match.kind is MatchKind.PLACE
    assert len(match.candidates) == MAX_CANDIDATES
    assert match.zone is None


def test_country_with_two_zones_lists_both_biggest_first() -> None:
    assert resolve_timezone("korea").candidates == ("Asia/Seoul", "Asia/Pyongyang")


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("united states", "America/New_York"),
        ("USA", "America/New_York"),
        ("russia", "Europe/Moscow"),
        ("australia", "Australia/Sydney"),
    ],
)
def test_country_with_many_zones_offers_them_biggest_first(text: str, first: str) -> None:
    match = resolve_timezone(text)
    assert match.kind is MatchKind.PLACE
    assert match.zone is None
    assert match.candidates[0] == first
    assert len(match.candidates) == MAX_CANDIDATES


@pytest.mark.parametrize(
    ("text", "zone", "minutes"),
    [
        ("+5:30", "UTC+05:30", 330),
        ("+0530", "UTC+05:30", 330),
        ("UTC+5:30", "UTC+05:30", 330),
        ("+545", "UTC+05:45", 345),
        ("-9:30", "UTC-09:30", -570),
        ("−3:30", "UTC-03:30", -210),  # a typographic minus sign
        ("UTC-3", "Etc/GMT+3", -180),  # whole hours use Etc/GMT with the inverted sign
        ("utc -3", "Etc/GMT+3", -180),
        ("GMT+1", "Etc/GMT-1", 60),
        ("-12", "Etc/GMT+12", -720),
        ("+14", "Etc/GMT-14", 840),
        ("+12:45", "UTC+12:45", 765),
        ("+0", "UTC", 0),
        ("GMT", "UTC", 0),
    ],
)
def test_offsets(text: str, zone: str, minutes: int) -> None:
    match = resolve_timezone(text)
    assert match.kind in {MatchKind.OFFSET, MatchKind.NAME}
    assert match.candidates == (zone,)
    offset = datetime(2026, 7, 1, tzinfo=UTC).astimezone(zone_for(zone)).utcoffset()
    assert offset == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["+5:15", "-12:30", "+14:30", "+15", "-13", "UTC+99", "+5:60"])
def test_offsets_that_do_not_exist_are_refused(text: str) -> None:
    match = resolve_timezone(text)
    assert match.kind is MatchKind.NONE
    assert "−12:00 to +14:00" in zone_problem_text(match.problem)


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("Mars/Olympus", "could not find"),
        ("Qwxzyv", "could not find"),
        ("", "Send a city"),
        ("   ", "Send a city"),
        ("x" * 300, "too long"),
        ("a" * 65, "too long"),
        ("?!", "could not find"),
        ("zz", "could not find"),
    ],
)
def test_garbage_gets_a_friendly_reason(text: str, reason_part: str) -> None:
    match = resolve_timezone(text)
    assert match.kind is MatchKind.NONE
    assert not match.found
    assert match.zone is None
    assert reason_part in zone_problem_text(match.problem)


@given(st.text(max_size=80))
def test_any_text_resolves_to_loadable_zones_or_a_reason(text: str) -> None:
    match = resolve_timezone(text)
    assert len(match.candidates) <= MAX_CANDIDATES
    assert bool(match.candidates) != (match.problem is not None)
    for zone in match.candidates:
        zone_for(zone)


@given(
    st.sampled_from(["", "UTC", "GMT", "utc "]),
    st.sampled_from(["+", "-"]),
    st.integers(0, 14),
    st.sampled_from([0, 30, 45]),
    st.sampled_from(["{h}:{m:02d}", "{h:02d}{m:02d}", "{h:02d}:{m:02d}"]),
)
def test_every_real_offset_round_trips(
    prefix: str, sign: str, hours: int, minutes: int, shape: str
) -> None:
    signed = (hours * 60 + minutes) * (-1 if sign == "-" else 1)
    match = resolve_timezone(prefix + sign + shape.format(h=hours, m=minutes))
    if -720 <= signed <= 840:
        assert match.kind is MatchKind.OFFSET
        assert match.zone == offset_name(signed)
        assert match.zone is not None
        offset = datetime(2026, 1, 1, tzinfo=UTC).astimezone(zone_for(match.zone)).utcoffset()
        assert offset == timedelta(minutes=signed)
    else:
        assert match.kind is MatchKind.NONE


def test_zone_for_utc_is_the_stdlib_utc() -> None:
    # fsrs rejects ZoneInfo("UTC"); the core hands out datetime.UTC for plain UTC.
    assert zone_for("UTC") is UTC


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "europe/london", "localtime", "UTC+05:15", "UTC+15:00", "../x"]
)
def test_zone_for_unknown_raises_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        zone_for(name)


@pytest.mark.parametrize(
    ("now_utc", "zone", "expected"),
    [
        (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), "UTC", date(2026, 3, 1)),
        (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 2)),
        (datetime(2026, 3, 2, 4, 59, tzinfo=UTC), "America/New_York", date(2026, 3, 1)),
        (datetime(2026, 3, 2, 5, 0, tzinfo=UTC), "America/New_York", date(2026, 3, 2)),
        (datetime(2026, 12, 31, 10, 0, tzinfo=UTC), "Pacific/Kiritimati", date(2027, 1, 1)),
        (datetime(2027, 1, 1, 11, 59, tzinfo=UTC), "Etc/GMT+12", date(2026, 12, 31)),
        (datetime(2026, 6, 30, 18, 30, tzinfo=UTC), "UTC+05:30", date(2026, 7, 1)),
        (datetime(2026, 6, 30, 18, 29, tzinfo=UTC), "UTC+05:30", date(2026, 6, 30)),
    ],
)
def test_local_date_follows_local_midnight(now_utc: datetime, zone: str, expected: date) -> None:
    assert local_date(now_utc, zone) == expected


def test_local_date_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        local_date(datetime(2026, 1, 1), "UTC")


@pytest.mark.parametrize(
    ("zone", "when", "label"),
    [
        ("Europe/London", datetime(2026, 7, 1, tzinfo=UTC), "Europe/London (UTC+01:00)"),
        ("Europe/London", datetime(2026, 1, 1, tzinfo=UTC), "Europe/London (UTC+00:00)"),
        ("America/St_Johns", datetime(2026, 1, 1, tzinfo=UTC), "America/St_Johns (UTC-03:30)"),
        ("Etc/GMT+3", datetime(2026, 1, 1, tzinfo=UTC), "UTC-03:00"),
        ("UTC+05:45", datetime(2026, 1, 1, tzinfo=UTC), "UTC+05:45"),
        ("UTC", datetime(2026, 1, 1, tzinfo=UTC), "UTC+00:00"),
    ],
)
def test_describe_zone_shows_the_offset_in_force(zone: str, when: datetime, label: str) -> None:
    assert describe_zone(zone, when) == label
