"""Time zones: turn what a user types (zone name, city, country or UTC offset) into a zone.

Every zone comes from the IANA database shipped in `tzdata`, read through `zoneinfo`; no offsets
are written by hand; place names are looked up in the GeoNames index of `bot.core.places`. Zone
names are what the rest of the bot stores: an IANA key such as `Europe/London`, `UTC`, or for
offsets that are not whole hours a name like `UTC+05:30` that `zone_for` understands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from tzfpy import get_tz

from bot.core.places import MAX_ZONES, find_zones

DEFAULT_ZONE = "UTC"
MAX_INPUT_CHARS = 64
MAX_CANDIDATES = MAX_ZONES

# Real-world offsets span UTC−12:00 (Baker Island) to UTC+14:00 (Kiribati); non-whole offsets
# in use are all half or three-quarter hours.
MIN_OFFSET_MINUTES = -12 * 60
MAX_OFFSET_MINUTES = 14 * 60
ALLOWED_OFFSET_MINUTES = frozenset({0, 30, 45})

# Names whose meaning depends on the host or that are placeholders, never a user's zone.
_EXCLUDED = frozenset({"localtime", "Factory"})
# Every spelling of plain UTC is stored as "UTC" so that equal settings compare equal.
_UTC_ALIASES = frozenset(
    {
        "UTC",
        "UCT",
        "GMT",
        "GMT0",
        "GMT+0",
        "GMT-0",
        "Greenwich",
        "Universal",
        "Zulu",
        "Etc/UTC",
        "Etc/UCT",
        "Etc/GMT",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "Etc/Greenwich",
        "Etc/Universal",
        "Etc/Zulu",
    }
)
_OFFSET_RE = re.compile(
    r"^(?:(?:utc|gmt)\s*)?(?P<sign>[+-])\s*"
    r"(?:(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?|(?P<hhmm>\d{3,4}))$"
)
_OFFSET_NAME_RE = re.compile(r"^UTC(?P<sign>[+-])(?P<h>\d{2}):(?P<m>\d{2})$")


class ZoneProblem(StrEnum):
    """Why a text names no zone (bot.views.reminders words each for the user)."""

    TOO_LONG = "too_long"
    EMPTY = "empty"
    BAD_OFFSET = "bad_offset"  # an offset no zone on Earth has
    NOT_FOUND = "not_found"


class MatchKind(StrEnum):
    """How the text was understood."""

    NAME = "name"  # an IANA zone name, in any case
    OFFSET = "offset"  # a UTC offset such as +5:30
    PLACE = "place"  # a city, region or country looked up in bot.core.places
    NONE = "none"  # nothing usable; `problem` says why


@dataclass(frozen=True, slots=True)
class TimezoneMatch:
    """The outcome of `resolve_timezone`: ranked zone names, or why there are none."""

    kind: MatchKind
    candidates: tuple[str, ...] = ()
    problem: ZoneProblem | None = None

    @property
    def zone(self) -> str | None:
        """The zone to use without asking, or None when the user must pick (or nothing matched)."""
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def found(self) -> bool:
        """Whether at least one candidate was found."""
        return bool(self.candidates)


def resolve_timezone(text: str) -> TimezoneMatch:
    """Understand a zone name, UTC offset or place name; places give up to five ranked choices."""
    if len(text) > MAX_INPUT_CHARS:
        return TimezoneMatch(MatchKind.NONE, problem=ZoneProblem.TOO_LONG)
    cleaned = " ".join(text.replace("\u2212", "-").split())
    if not cleaned:
        return TimezoneMatch(MatchKind.NONE, problem=ZoneProblem.EMPTY)

    by_name = _names_by_casefold().get(cleaned.casefold().replace(" ", "_"))
    if by_name is not None:
        return TimezoneMatch(MatchKind.NAME, (by_name,))

    offset = _parse_offset(cleaned)
    if offset is not None:
        if offset == "":
            return TimezoneMatch(MatchKind.NONE, problem=ZoneProblem.BAD_OFFSET)
        return TimezoneMatch(MatchKind.OFFSET, (offset,))

    places = find_zones(cleaned)
    if not places:
        return TimezoneMatch(MatchKind.NONE, problem=ZoneProblem.NOT_FOUND)
    return TimezoneMatch(MatchKind.PLACE, places)


def zone_for(name: str) -> tzinfo:
    """The tzinfo for a stored zone name; raises ValueError for a name it does not know."""
    if name in _UTC_ALIASES:
        # datetime.UTC rather than ZoneInfo("UTC"): fsrs accepts only the former.
        return UTC
    match = _OFFSET_NAME_RE.match(name)
    if match is not None:
        minutes = _offset_minutes(match["sign"], int(match["h"]), int(match["m"]))
        if minutes is None:
            raise ValueError(f"unknown time zone: {name!r}")
        if minutes == 0:
            return UTC
        return timezone(timedelta(minutes=minutes), name)
    if name in _EXCLUDED or name not in _all_zone_names():
        raise ValueError(f"unknown time zone: {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {name!r}") from exc


def zone_at(latitude: float, longitude: float) -> str | None:
    """The zone in force at a point on Earth (offline, tzfpy's boundaries); None off the map."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    # Open sea has nautical zones (Etc/GMT+2), which are real zones too.
    name = canonical_zone(get_tz(longitude, latitude))
    try:
        zone_for(name)
    except ValueError:
        return None
    return name


def local_date(now_utc: datetime, zone_name: str) -> date:
    """The calendar date on the user's wall clock at the instant `now_utc`."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be tz-aware")
    return now_utc.astimezone(zone_for(zone_name)).date()


def offset_name(minutes: int) -> str:
    """The stored zone name for a fixed UTC offset in minutes (`Etc/GMT-5` for +5:00)."""
    if _offset_minutes("+" if minutes >= 0 else "-", abs(minutes) // 60, abs(minutes) % 60) is None:
        raise ValueError(f"not a real UTC offset: {minutes} minutes")
    if minutes == 0:
        return DEFAULT_ZONE
    if minutes % 60 == 0:
        # POSIX-style names invert the sign: Etc/GMT-5 is five hours AHEAD of UTC.
        return f"Etc/GMT{-minutes // 60:+d}"
    sign = "+" if minutes > 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def describe_zone(name: str, now_utc: datetime) -> str:
    """A button label such as `Europe/London (UTC+01:00)`, with the offset in force at `now_utc`."""
    delta = now_utc.astimezone(zone_for(name)).utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    offset = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    if name == DEFAULT_ZONE or _OFFSET_NAME_RE.match(name) or name.startswith("Etc/"):
        return offset
    return f"{name} ({offset})"


# --- offsets ---------------------------------------------------------------------------------


def _offset_minutes(sign: str, hours: int, minutes: int) -> int | None:
    """Signed minutes for a real-world offset, or None when no place on Earth uses it."""
    if minutes not in ALLOWED_OFFSET_MINUTES:
        return None
    total = hours * 60 + minutes
    signed = -total if sign == "-" else total
    if not MIN_OFFSET_MINUTES <= signed <= MAX_OFFSET_MINUTES:
        return None
    return signed


def _parse_offset(text: str) -> str | None:
    """A zone name for an offset; "" for an offset-shaped text that is not real; None otherwise."""
    lowered = text.casefold()
    if lowered in {"utc", "gmt", "z"}:
        return DEFAULT_ZONE
    match = _OFFSET_RE.match(lowered)
    if match is None:
        return None
    if match["hhmm"] is not None:
        digits = match["hhmm"]
        hours, mins = int(digits[:-2]), int(digits[-2:])
    else:
        hours, mins = int(match["h"]), int(match["m"] or 0)
    minutes = _offset_minutes(match["sign"], hours, mins)
    return "" if minutes is None else offset_name(minutes)


# --- zone database ---------------------------------------------------------------------------


def _tab_rows(filename: str) -> list[list[str]]:
    """The non-comment rows of one of tzdata's tab-separated tables."""
    text = resources.files("tzdata.zoneinfo").joinpath(filename).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _all_zone_names() -> frozenset[str]:
    """Every key zoneinfo can load, minus host-dependent placeholders."""
    return frozenset(available_timezones() - _EXCLUDED)


@cache
def _preferred_names() -> frozenset[str]:
    """Names the database lists for some country today; other names are legacy aliases."""
    listed = {row[2] for row in _tab_rows("zone.tab")}
    listed |= {row[2] for row in _tab_rows("zone1970.tab")}
    return frozenset(listed & _all_zone_names())


@cache
def _links() -> dict[str, str]:
    """Alias → target for every link line (`L target alias`) in the compiled database."""
    text = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text(encoding="utf-8")
    links: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    return links


def canonical_zone(name: str) -> str:
    """The name to store: UTC for its aliases, the current name for renamed or merged zones."""
    if name in _UTC_ALIASES:
        return DEFAULT_ZONE
    if name in _preferred_names() or name.startswith("Etc/"):
        return name
    links = _links()
    seen = {name}
    current = name
    while current in links and current not in _preferred_names():
        current = links[current]
        if current in seen:  # a cycle would be a database bug; stop rather than spin
            break
        seen.add(current)
    return current if current in _all_zone_names() else name


@cache
def _names_by_casefold() -> dict[str, str]:
    """Casefolded zone name → the canonical zone name to store."""
    return {name.casefold(): canonical_zone(name) for name in _all_zone_names()}
