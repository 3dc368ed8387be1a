"""Anki's own FSRS memory states and parameters, as a package carries them.

With FSRS on, Anki keeps each card's memory state in `cards.data` (JSON: `s` stability, `d`
difficulty) and the FSRS parameters in the card's deck preset (`deck_config.config`, protobuf:
`fsrs_params_6` = 6, else `fsrs_params_5` = 5, else `fsrs_params_4` = 3, as Anki prefers them). A
review card's state is taken only when its preset carries parameters: a state without them may
have been computed by anything. Learning and relearning cards are left out (their steps replay
exactly from the answers). Its due day is Anki's day number counted from the collection's
creation day, in the collection's UTC offset (`creationOffset`, minutes west) and day rollover
hour (`rollover`, 4 am unless set). Older collections that keep presets as JSON carry no
parameters here, so their cards are replayed.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.cards.formats.apkg_package import Collection
from bot.cards.formats.protobuf import float_field, message_field, varint_field

REVIEW_TYPE = 2  # cards.type of a card in the review state
PARAMETER_FIELDS = (6, 5, 3)  # fsrs_params_6, _5, _4 in DeckConfig.Config, newest first
DECK_NORMAL, PRESET_ID = 1, 1  # DeckKindContainer.normal, its config_id
DEFAULT_ROLLOVER = 4
MAX_DATA_CHARS = 300  # a card's data is a few fields; more is not Anki's
MAX_STABILITY = 36_500 * 10.0
MAX_DUE_DAY = 200_000  # day numbers beyond this are not dates Anki writes


@dataclass(frozen=True, slots=True)
class AnkiMemory:
    """A review card's FSRS memory as Anki left it, and the day it falls due there."""

    stability: float
    difficulty: float
    due_day: date  # the collection's learning day
    reps: int
    lapses: int


@dataclass(frozen=True, slots=True)
class AnkiScheduling:
    """The memory states a package carries with their preset's parameters, by Anki card id."""

    memories: dict[int, AnkiMemory] = field(default_factory=dict)
    parameters: tuple[float, ...] = ()  # the preset's of most of those cards


def read_scheduling(db: Collection, tables: set[str], conf: dict[str, object]) -> AnkiScheduling:
    """What of Anki's own scheduling a (current) collection carries; nothing for older ones."""
    if not {"deck_config", "decks", "cards", "col"} <= tables or not _has_data_column(db):
        return AnkiScheduling()
    presets = {
        preset_id: params
        for preset_id, config in db.query("SELECT id, config FROM deck_config")
        if isinstance(preset_id, int) and (params := _parameters(config))
    }
    if not presets:
        return AnkiScheduling()
    preset_of = {
        deck_id: varint_field(message_field(kind, DECK_NORMAL), PRESET_ID)
        for deck_id, kind in db.query("SELECT id, kind FROM decks")
        if isinstance(deck_id, int)
    }
    row = db.query("SELECT crt FROM col LIMIT 1").fetchone()
    day_zero = _day_zero(row[0] if row else None, _setting(db, tables, conf))
    if day_zero is None:
        return AnkiScheduling()
    memories: dict[int, AnkiMemory] = {}
    used: Counter[int] = Counter()
    rows = db.query(
        """SELECT id, did, due, reps, lapses,
                  CASE WHEN length(data) <= ? THEN data END
             FROM cards WHERE type = ?""",
        (MAX_DATA_CHARS, REVIEW_TYPE),
    )
    for card_id, deck_id, due, reps, lapses, data in rows:
        preset = preset_of.get(deck_id) if isinstance(deck_id, int) else None
        memory = _memory(data, due, reps, lapses, day_zero)
        if preset in presets and memory is not None and isinstance(card_id, int):
            memories[card_id] = memory
            used[preset] += 1
    if not memories:
        return AnkiScheduling()
    ((preset, _),) = used.most_common(1)
    return AnkiScheduling(memories, presets[preset])


def _has_data_column(db: Collection) -> bool:
    return any(row[1] == "data" for row in db.query('PRAGMA table_info("cards")'))


def _parameters(config: object) -> tuple[float, ...]:
    """A preset's FSRS parameters, the newest version it has; none when it has none."""
    for number in PARAMETER_FIELDS:
        params = float_field(config, number)
        if params:
            return params
    return ()


def _setting(db: Collection, tables: set[str], conf: dict[str, object]) -> dict[str, object]:
    """The collection settings a day number needs: its UTC offset and day rollover hour."""
    found: dict[str, object] = {
        key: conf[key] for key in ("creationOffset", "rollover") if key in conf
    }
    if "config" in tables:
        for key, value in db.query(
            "SELECT key, val FROM config WHERE key IN ('creationOffset', 'rollover')"
        ):
            try:
                found[str(key)] = json.loads(value)
            except (ValueError, TypeError):
                continue
    return found


def _small_int(value: object, low: int, high: int) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return None


def _day_zero(created: object, settings: dict[str, object]) -> date | None:
    """The collection's learning day 0: its creation time in its UTC offset, less the rollover."""
    crt = _small_int(created, 0, 253_402_300_799)
    if crt is None:
        return None
    offset = _small_int(settings.get("creationOffset"), -14 * 60, 12 * 60) or 0
    rollover = _small_int(settings.get("rollover"), 0, 23)
    hours = DEFAULT_ROLLOVER if rollover is None else rollover
    local = datetime.fromtimestamp(crt, UTC) - timedelta(minutes=offset, hours=hours)
    return local.date()


def _memory(
    data: object, due: object, reps: object, lapses: object, day_zero: date
) -> AnkiMemory | None:
    """A card's memory from its row, or None when any part is missing or out of range."""
    try:
        loaded = json.loads(data) if isinstance(data, str) else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(loaded, dict):
        return None
    stability, difficulty = loaded.get("s"), loaded.get("d")
    day = _small_int(due, 0, MAX_DUE_DAY)
    reps_, lapses_ = _small_int(reps, 1, 1_000_000), _small_int(lapses, 0, 1_000_000)
    if (
        not isinstance(stability, int | float)
        or not isinstance(difficulty, int | float)
        or not math.isfinite(stability)
        or not 0 < stability <= MAX_STABILITY
        or not 1 <= difficulty <= 10
        or day is None
        or reps_ is None
        or lapses_ is None
    ):
        return None
    return AnkiMemory(
        float(stability), float(difficulty), day_zero + timedelta(days=day), reps_, lapses_
    )
