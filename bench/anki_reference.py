"""Anki's own FSRS over the shared Vietnamese package: the reference states the bot is held to.

    python3.11 -m venv /tmp/ankivenv && /tmp/ankivenv/bin/pip install 'anki>=25.2,<27' zstandard
    /tmp/ankivenv/bin/python bench/anki_reference.py

(`pip install '.[anki-reference]'` into that venv installs the same, plus the bot's own
dependencies.) It reads `../shared/fixtures/anki/vietnamese-anki21b-with-reviews.apkg` (relative to
the repository; `--package` for another), unzips a copy of its collection to a temporary
directory and opens that copy with the official `anki` library, so the collection keeps its own
creation time, creation UTC offset and day rollover hour: Anki's day numbers are the package's.
The process runs in that UTC offset (TZ is set before `anki` is imported), as the deck's owner did.

It then turns FSRS on for every deck preset in use, with FSRS's default parameters (empty
`fsrsParams6`: the fsrs-rs defaults, written out below) and desired retention 0.9, and with
"reschedule cards on change", exactly as the deck options screen does (`update_deck_configs`).
Anki recomputes every reviewed card's memory state from the review log and reschedules it from its
last review with its own fuzz. The load balancer is turned off first, so that a card's due day
depends on that card alone (it would pick a day within the same fuzz range).

Written to `tests/fixtures/anki_reference.json`, one line per reviewed card (sorted by card id):
card id, note id, template ordinal (0 forward, 1 reverse), the front field's first 40 characters
(HTML stripped), stability (days), difficulty (1–10), the last review (unix seconds), the number
of rated reviews, and for review cards the due day Anki chose (days since the collection's
creation day), the fuzz range it drew it from (around last review + stability, which is Anki's
unfuzzed interval at 0.9 retention) and the due day as a local date; plus the collection's
creation time, UTC offset and rollover hour, and the FSRS parameters. The summary (median, p10,
p90 of stability and difficulty) goes to stdout.
`--via-import` also imports the package into a fresh collection with Anki's package importer and
checks that it gives every card the same memory state.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO.parent / "shared" / "fixtures" / "anki" / "vietnamese-anki21b-with-reviews.apkg"
OUTPUT = REPO / "tests" / "fixtures" / "anki_reference.json"
DESIRED_RETENTION = 0.9
FRONT_CHARS = 40
# fsrs-rs 6.x DEFAULT_PARAMETERS (src/inference.rs), which Anki uses when a preset's FSRS
# parameters are empty; the same values as the Python `fsrs` package's defaults.
FSRS_DEFAULTS = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)  # fmt: skip
# Anki's review fuzz (rslib/src/scheduler/states/fuzz.rs): (start, end, factor) in days.
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


def unpack_collection(package: Path, into: Path) -> Path:
    """The package's newest collection as a plain SQLite file in `into`."""
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        target = into / "collection.anki2"
        if "collection.anki21b" in names:
            import zstandard

            with archive.open("collection.anki21b") as packed, target.open("wb") as out:
                zstandard.ZstdDecompressor().copy_stream(packed, out)
        else:
            member = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
            target.write_bytes(archive.read(member))
    return target


def collection_timing(path: Path) -> tuple[int, int, int]:
    """The collection's creation time (unix s), creation UTC offset (minutes west), rollover hour."""
    db = sqlite3.connect(path)
    try:
        (crt,) = db.execute("SELECT crt FROM col").fetchone()
        config = {key: json.loads(val) for key, val in db.execute("SELECT key, val FROM config")}
    finally:
        db.close()
    offset = config.get("creationOffset")
    if not isinstance(offset, int):
        sys.exit("the collection has no creationOffset: it predates Anki's current day handling")
    rollover = config.get("rollover", 4)
    return int(crt), offset, int(rollover)


def posix_tz(minutes_west: int) -> str:
    """A POSIX TZ value for a fixed offset given in minutes west of UTC (as Anki stores it)."""
    sign = "-" if minutes_west < 0 else "+"
    hours, minutes = divmod(abs(minutes_west), 60)
    return f"ANKI{sign}{hours:02d}:{minutes:02d}"


def creation_day(crt: int, minutes_west: int, rollover: int) -> date:
    """The local date of Anki's day 0: the creation time in its offset, less the rollover hours."""
    local = datetime.fromtimestamp(crt, UTC) - timedelta(minutes=minutes_west, hours=rollover)
    return local.date()


def fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """Anki's `constrained_fuzz_bounds`: the days a fuzzed interval is drawn from."""
    minimum = min(minimum, maximum)
    interval = min(max(interval, minimum), maximum)
    delta = 0.0
    if interval >= 2.5:
        delta = 1.0 + sum(
            f * max(min(interval, end) - start, 0.0) for start, end, f in _FUZZ_RANGES
        )
    lower = min(max(round_half_away(interval - delta), minimum), maximum)
    upper = min(max(round_half_away(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def round_half_away(value: float) -> int:
    """Rust's f32::round (halves away from zero), not Python's banker's rounding."""
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """Median, 10th and 90th percentile."""
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return statistics.median(values), deciles[0], deciles[-1]


def enable_fsrs(col: Any) -> int:
    """FSRS on with default parameters, 0.9 retention, rescheduling; returns the maximum interval."""
    from anki.config import Config  # type: ignore[import-not-found]
    from anki.decks import UpdateDeckConfigs  # type: ignore[import-not-found]

    col.set_config_bool(Config.Bool.LOAD_BALANCER_ENABLED, False)
    # Off first, so that turning it on recomputes every card even if the package had it on.
    col.set_config("fsrs", False)  # the "fsrs" key has no Config.Bool name
    maximum = 36500
    deck_ids = [did for (did,) in col.db.all("SELECT DISTINCT did FROM cards")]
    for deck_id in deck_ids:
        current = col.decks.get_deck_configs_for_update(deck_id)
        config_id = current.current_deck.config_id
        config = next(c.config for c in current.all_config if c.config.id == config_id)
        inner = config.config
        del inner.fsrs_params_6[:]
        del inner.fsrs_params_5[:]
        del inner.fsrs_params_4[:]
        inner.desired_retention = DESIRED_RETENTION
        maximum = inner.maximum_review_interval
        col.decks.update_deck_configs(
            UpdateDeckConfigs(
                target_deck_id=deck_id,
                configs=[config],
                mode=0,  # UpdateDeckConfigsMode.NORMAL
                limits=current.current_deck.limits,
                new_cards_ignore_review_limit=current.new_cards_ignore_review_limit,
                apply_all_parent_limits=current.apply_all_parent_limits,
                card_state_customizer=current.card_state_customizer,
                fsrs=True,
                fsrs_reschedule=True,
                fsrs_health_check=False,
            )
        )
    return int(maximum)


def memory_states(col: Any) -> dict[int, tuple[float, float]]:
    """Every card's (stability, difficulty) as Anki keeps it, for cards that have one."""
    states = {}
    for (card_id,) in col.db.all("SELECT id FROM cards"):
        card = col.get_card(card_id)
        if card.memory_state is not None:
            states[card_id] = (card.memory_state.stability, card.memory_state.difficulty)
    return states


def reference(package: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="anki-reference-") as tmp:
        path = unpack_collection(package, Path(tmp))
        crt, minutes_west, rollover = collection_timing(path)
        os.environ["TZ"] = posix_tz(minutes_west)
        time.tzset()
        try:
            from anki.collection import Collection  # type: ignore[import-not-found]
        except ImportError:
            sys.exit(
                "the official `anki` package is needed: "
                "pip install 'anki>=25.2,<27' zstandard (see this script's docstring)"
            )
        col = Collection(str(path))
        try:
            maximum = enable_fsrs(col)
            day_zero = creation_day(crt, minutes_west, rollover)
            now_local = datetime.now(UTC) - timedelta(minutes=minutes_west, hours=rollover)
            if col.sched.today != (now_local.date() - day_zero).days:
                sys.exit(f"Anki's today ({col.sched.today}) is not the day this script counts")
            if col.get_config("localOffset", None) != minutes_west:
                sys.exit("Anki did not run in the collection's UTC offset (TZ was not taken)")
            cards = collect_cards(col, maximum, day_zero)
        finally:
            col.close()
    return {
        "package": package.name,
        "anki_version": anki_version(),
        "collection": {
            "created": crt,
            "utc_offset_minutes_west": minutes_west,
            "rollover_hour": rollover,
            "day_zero": day_zero.isoformat(),
        },
        "fsrs": {
            "params": list(FSRS_DEFAULTS),
            "desired_retention": DESIRED_RETENTION,
            "maximum_interval": maximum,
            "fuzz": True,
            "load_balancer": False,
        },
        "cards": cards,
    }


def collect_cards(col: Any, maximum: int, day_zero: date) -> list[dict[str, Any]]:
    """Each reviewed card's memory state and schedule, as the fixture keeps them."""
    rows = col.db.all(
        "SELECT id, nid, ord, type, due, odue, ivl FROM cards ORDER BY id",
    )
    reviews: dict[int, tuple[int, int]] = {
        cid: (count, last_ms)
        for cid, count, last_ms in col.db.all(
            """SELECT cid, COUNT(*), MAX(id) FROM revlog
                WHERE ease BETWEEN 1 AND 4 AND type IN (0, 1, 2, 3) GROUP BY cid"""
        )
    }
    # The interval each card had before its last review (Anki's minimum for the fuzz).
    previous: dict[int, int] = dict(
        col.db.all(
            """SELECT cid, lastIvl FROM revlog r WHERE ease BETWEEN 1 AND 4
                 AND id = (SELECT MAX(id) FROM revlog WHERE cid = r.cid AND ease BETWEEN 1 AND 4)"""
        )
    )
    cards = []
    for card_id, note_id, ordinal, kind, due, odue, interval in rows:
        card = col.get_card(card_id)
        if card.memory_state is None or card_id not in reviews:
            continue
        count, last_ms = reviews[card_id]
        stability = float(card.memory_state.stability)
        entry: dict[str, Any] = {
            "cid": card_id,
            "nid": note_id,
            "ord": ordinal,
            "front": front(col, note_id),
            "s": round(stability, 4),
            "d": round(float(card.memory_state.difficulty), 4),
            "last_review": last_ms // 1000,
            "reviews": count,
        }
        if kind == 2:  # a review card: Anki rescheduled it from its last review
            day = odue or due
            last_day = day - interval
            minimum = max(
                1, min_fuzz_interval(stability, max(previous.get(card_id, 0), 0), maximum)
            )
            low, high = fuzz_bounds(stability, minimum, maximum)
            entry |= {
                "due": day,
                "due_lo": last_day + low,
                "due_hi": last_day + high,
                "due_date": (day_zero + timedelta(days=day)).isoformat(),
            }
        cards.append(entry)
    return cards


def front(col: Any, note_id: int) -> str:
    """The note's first field as text (Anki's own HTML stripping), its first 40 characters."""
    text = col._backend.strip_html(text=col.get_note(note_id).fields[0], mode=0)  # NORMAL
    return " ".join(str(text).split())[:FRONT_CHARS]


def min_fuzz_interval(interval: float, previous: int, maximum: int) -> int:
    """Anki's `minimum_review_fuzz_interval`: fuzz never shortens a growing interval."""
    _, upper = fuzz_bounds(interval, 1, maximum)
    if round_half_away(interval) > previous:
        return previous + 1
    return previous if previous <= upper else 0


def anki_version() -> str:
    from anki.buildinfo import version  # type: ignore[import-not-found]

    return str(version)


def write(data: dict[str, Any], output: Path) -> None:
    """Readable JSON: the header indented, one compact line per card."""
    cards = data["cards"]
    header = {k: v for k, v in data.items() if k != "cards"}
    params = json.dumps(header["fsrs"]["params"])
    header["fsrs"] = {**header["fsrs"], "params": "PARAMS"}
    head = json.dumps(header, indent=1).replace('"PARAMS"', params)
    lines = ",\n".join("  " + json.dumps(card, ensure_ascii=False) for card in cards)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(head[:-2] + ',\n "cards": [\n' + lines + "\n ]\n}\n", encoding="utf-8")


def summary(data: dict[str, Any]) -> str:
    cards = data["cards"]
    s = percentiles([c["s"] for c in cards])
    d = percentiles([c["d"] for c in cards])
    directions = Counter(c["ord"] for c in cards)
    due = [c for c in cards if "due" in c]
    inside = sum(c["due_lo"] <= c["due"] <= c["due_hi"] for c in due)
    return "\n".join(
        [
            f"Anki {data['anki_version']}: FSRS, default parameters, retention "
            f"{data['fsrs']['desired_retention']}, over {data['package']}",
            f"cards with a memory state: {len(cards)} "
            f"({', '.join(f'ord {k}: {v}' for k, v in sorted(directions.items()))}), "
            f"{len({c['nid'] for c in cards})} notes, {sum(c['reviews'] for c in cards)} reviews",
            f"stability (days)  median {s[0]:.2f}  p10 {s[1]:.2f}  p90 {s[2]:.2f}",
            f"difficulty        median {d[0]:.2f}  p10 {d[1]:.2f}  p90 {d[2]:.2f}",
            f"review cards rescheduled: {len(due)}, due within the fuzz range: {inside}",
        ]
    )


def check_import(package: Path, expected: dict[int, tuple[float, float]]) -> str:
    """Import the package into a fresh collection, recompute there, compare memory states."""
    from anki.collection import (
        Collection,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    with tempfile.TemporaryDirectory(prefix="anki-import-") as tmp:
        col = Collection(str(Path(tmp) / "fresh.anki2"))
        try:
            col.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=str(package),
                    options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True),
                )
            )
            enable_fsrs(col)
            got = memory_states(col)
        finally:
            col.close()
    differ = [
        cid
        for cid, (s, d) in expected.items()
        if cid not in got or abs(got[cid][0] - s) > 1e-3 * s or abs(got[cid][1] - d) > 1e-3
    ]
    return (
        f"via Anki's package importer into a fresh collection: {len(got)} memory states, "
        f"{len(differ)} differ from the direct reading"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=PACKAGE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--via-import", action="store_true", help="cross-check via the importer")
    args = parser.parse_args()
    if not args.package.exists():
        sys.exit(f"no package at {args.package}")
    data = reference(args.package)
    write(data, args.output)
    print(summary(data))
    print(f"written to {args.output}")
    if args.via_import:
        states = {c["cid"]: (c["s"], c["d"]) for c in data["cards"]}
        print(check_import(args.package, states))


if __name__ == "__main__":
    main()
