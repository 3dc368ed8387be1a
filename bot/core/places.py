"""Place names to time zones, from the trimmed GeoNames index shipped beside this module.

`places.tsv.gz` is built by `scripts/build_places.py` from GeoNames' cities of 15,000 people or
more (their names in Latin and Cyrillic script and in their country's own script), every country's
name in English, Russian, Spanish, German, Ukrainian and its own languages (Unicode CLDR), and the
US states. Each line is one of:

    Z <zone> <zone> …                          the zones, numbered from 0 in this order
    P <zone number> <population> <key>|<key>…  a city
    C <zone number>:<population>,… <key>|…     a country, its zones biggest first
    A <zone number>:<population>,… <key>|…     a region (a US state), likewise

Fields are separated by tabs. A city's population is GeoNames'; an area's per zone is the sum of
its cities' on that zone (0 for a zone tzdata lists for the country but no city of it is on).

Keys are names as `normalize` leaves them, so a lookup is a dictionary hit; the builder and this
module share `normalize`, and a test checks that the shipped keys are still in its form.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

DATA_FILE = "places.tsv.gz"
MAX_ZONES = 5
# A city this many times bigger than every other match in another zone is the one meant: London
# rather than London, Ontario; Saint Petersburg rather than St. Petersburg, Florida.
DOMINANT_RATIO = 3
# Typos are looked for among the bigger places only: a near miss of a town of 20,000 people is
# far more often a typo of something else.
FUZZY_MIN_POPULATION = 100_000
FUZZY_MIN_SCORE = 85
PREFIX_MIN_CHARS = 3
FUZZY_MIN_CHARS = 4
# Enough prefix hits to rank the biggest places; "san" alone names thousands.
MAX_PREFIX_KEYS = 20_000
# Zones standing for less than this share of the biggest one's people are left off the buttons.
MIN_SHARE = 0.01
# Cities named like a country or region that matter beside it: this share of its biggest zone.
AREA_CITY_SHARE = 0.1
# Words spelled several ways in place names, written one way in keys.
_SAME_WORDS = {"saint": "st", "sainte": "ste", "sankt": "st", "mount": "mt", "fort": "ft"}


def normalize(text: str) -> str:
    """Casefolded words without accents or punctuation: `St. John's` and `st johns` are one key."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Apostrophes and dots join what they sit in ("st. john's"); other punctuation separates.
    bare = re.sub(r"['’ʼ`.]", "", bare)
    words = re.sub(r"[\W_]+", " ", bare).split()
    return " ".join(_SAME_WORDS.get(word, word) for word in words)


@dataclass(frozen=True, slots=True)
class Entry:
    """A city (one zone) or an area (a country or region: its zones, biggest first)."""

    zones: tuple[tuple[str, int], ...]  # (zone, population living on it)
    is_area: bool


@dataclass(frozen=True, slots=True)
class PlaceIndex:
    """Every key and what it names, with sorted keys for prefixes and the big ones for typos."""

    by_key: dict[str, tuple[Entry, ...]]
    sorted_keys: tuple[str, ...]
    fuzzy_keys: tuple[str, ...]
    country_keys: dict[str, frozenset[str]]  # country key → the zones of that country


def parse_index(text: str) -> PlaceIndex:
    """Read the index's text (see the module docstring)."""
    zones: list[str] = []
    by_key: dict[str, list[Entry]] = {}
    fuzzy: set[str] = set()
    countries: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, *fields = line.split("\t")
        if kind == "Z":
            zones = fields
            continue
        if kind == "P":
            zone, population, keys = fields
            entry = Entry(((zones[int(zone)], int(population)),), is_area=False)
        elif kind in {"A", "C"}:
            weights, keys = fields
            pairs = (pair.split(":") for pair in weights.split(","))
            entry = Entry(tuple((zones[int(z)], int(p)) for z, p in pairs), is_area=True)
        else:
            raise ValueError(f"unknown line kind {kind!r} in {DATA_FILE}")
        names = keys.split("|")
        for key in names:
            by_key.setdefault(key, []).append(entry)
        if entry.is_area or entry.zones[0][1] >= FUZZY_MIN_POPULATION:
            fuzzy.update(names)
        if kind == "C":
            for key in names:
                countries[key] = frozenset(zone for zone, _ in entry.zones)
    # Most keys name one place: its keys share one tuple (a few MB less for the whole index).
    alone: dict[int, tuple[Entry, ...]] = {}

    def frozen(entries: list[Entry]) -> tuple[Entry, ...]:
        if len(entries) > 1:
            return tuple(entries)
        return alone.setdefault(id(entries[0]), (entries[0],))

    return PlaceIndex(
        {key: frozen(entries) for key, entries in by_key.items()},
        tuple(sorted(by_key)),
        tuple(sorted(fuzzy)),
        countries,
    )


@cache
def shipped_index() -> PlaceIndex:
    """The index shipped with the package, read once."""
    data = resources.files("bot.core").joinpath(DATA_FILE).read_bytes()
    return parse_index(gzip.decompress(data).decode("utf-8"))


def find_zones(text: str, index: PlaceIndex | None = None) -> tuple[str, ...]:
    """Zones for a place name, biggest first: one when the place is clear, none when unknown."""
    index = index or shipped_index()
    query = normalize(text)
    if not query:
        return ()
    # Each way of matching only when the stricter ones found nothing.
    for search, decisive in (
        (_exact, True),
        (_qualified, True),
        # The start of a name is no name: "san" offers its biggest places, never picks one.
        (_by_prefix, False),
        (_by_typo, True),
    ):
        entries = search(index, query)
        if entries:
            return _rank(entries, decisive)
    return ()


def _exact(index: PlaceIndex, query: str) -> list[Entry]:
    found = index.by_key.get(query, ())
    areas = [entry for entry in found if entry.is_area]
    if not areas:
        return list(found)
    # "Florida" is the state, not also the towns of that name in Uruguay and Cuba; a city as big
    # as a good part of the area ("Washington", the capital) still counts.
    floor = AREA_CITY_SHARE * max(population for area in areas for _, population in area.zones)
    return areas + [e for e in found if not e.is_area and e.zones[0][1] >= floor]


def _qualified(index: PlaceIndex, query: str) -> list[Entry]:
    """`Perth Australia`, `london uk`: a place followed by its country (or by words it needs not)."""
    words = query.split()
    for cut in range(len(words) - 1, 0, -1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        found = index.by_key.get(head, ())
        if not found:
            continue
        country = index.country_keys.get(tail)
        if country is None:
            # "new york city": a known place followed by words that are not a country.
            return list(found) if len(head) >= FUZZY_MIN_CHARS else []
        inside = [e for e in found if any(zone in country for zone, _ in e.zones)]
        return [Entry(tuple(z for z in e.zones if z[0] in country), e.is_area) for e in inside]
    return []


def _by_prefix(index: PlaceIndex, query: str) -> list[Entry]:
    if len(query) < PREFIX_MIN_CHARS:
        return []
    keys = index.sorted_keys
    found: list[Entry] = []
    start = bisect_left(keys, query)
    for key in keys[start : start + MAX_PREFIX_KEYS]:
        if not key.startswith(query):
            break
        found.extend(index.by_key[key])
    return found


def _by_typo(index: PlaceIndex, query: str) -> list[Entry]:
    if len(query) < FUZZY_MIN_CHARS:
        return []
    near = process.extract(
        query, index.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE, limit=20
    )
    if not near:
        return []
    best = max(score for _, score, _ in near)
    # Only the closest spellings: "londn" is London, not also Londrina.
    return [e for key, score, _ in near if score == best for e in index.by_key[key]]


def _rank(entries: list[Entry], decisive: bool) -> tuple[str, ...]:
    """Zones by the biggest population each stands for; one when a city clearly dominates."""
    best: dict[str, int] = {}
    for entry in entries:
        for zone, population in entry.zones:
            best[zone] = max(best.get(zone, -1), population)
    ranked = sorted(best, key=lambda zone: (-best[zone], zone))
    # Germany is Europe/Berlin, not also Büsingen's few hundred people on Europe/Busingen.
    ranked = [zone for zone in ranked if best[zone] >= MIN_SHARE * best[ranked[0]]]
    # A country's or region's zones, never one picked for the user: "usa" offers five.
    if decisive and len(ranked) > 1 and not any(entry.is_area for entry in entries):
        top, runner_up = best[ranked[0]], best[ranked[1]]
        if top >= DOMINANT_RATIO * max(runner_up, 1):
            return (ranked[0],)
    return tuple(ranked[:MAX_ZONES])
