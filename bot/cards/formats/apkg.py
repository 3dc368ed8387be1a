"""Anki packages (.apkg): notes become cards, and the review history comes along for replaying.

Basic notes give one card from their first two fields, meant both ways (`Card.reverse`) when the
note has a reverse card (Anki's "Card 2"); cloze notes give one card per cloze number. A front
that is only a picture or a sound keeps it as the question, with a neutral label as its text
(`bot.cards.model.media_front`). Cards whose front repeats an earlier one, sides left empty once
media is removed (an image-only back, a front whose picture cannot be kept) and image-occlusion
notes are skipped and counted, not fatal: real decks have them. Review history (`revlog`) is mapped onto the imported cards per Anki card: a note's
front-to-back and back-to-front answers are two histories (`ImportedReview.reverse`); replaying
them through the scheduler is the caller's business.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.cards.formats.apkg_cloze import answers, cloze_numbers, parse_cloze, render_front, reveal
from bot.cards.formats.apkg_html import field_to_html, field_to_text
from bot.cards.formats.apkg_media import MediaFile, first_reference, keep_media, shown_references
from bot.cards.formats.apkg_package import Collection, collection_copy, open_zip, read_sqlite
from bot.cards.formats.apkg_states import AnkiScheduling, read_scheduling
from bot.cards.formats.checks import title_from_filename
from bot.cards.formats.protobuf import varint_field
from bot.cards.model import (
    MAX_CARDS,
    MAX_TITLE_CHARS,
    Card,
    Deck,
    DeckError,
    is_media_front,
    media_front,
    normalize_front,
)
from bot.cards.problems import Problem
from bot.cards.validate import Place, build_deck, check_sides, nul_warning

MAX_APKG_BYTES = 10 * 1024 * 1024
# Rows read at most: a note makes one card or more (a cloze note one per number), and some notes
# are skipped (repeats, image-only sides); a card's history is rarely more than 40 reviews.
MAX_NOTES = 20_000
MAX_CARD_ROWS = 50_000
MAX_REVIEWS = 200_000
MAX_SMALL_ROWS = 10_000
FIELD_SEPARATOR = "\x1f"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
# revlog.type: 0 learn, 1 review, 2 relearn, 3 filtered (cram), 4 manual, 5 rescheduled.
_RESCHEDULE_TYPES = frozenset({4, 5})
_LEARNING_TYPES = frozenset({0, 2})
_MANUAL = 4  # a manual entry with interval 0 is a "Forget": the card's history starts over
# The v1 scheduler offered three buttons while learning: 1 Again, 2 Good, 3 Easy.
_V1_LEARNING_RATING = {1: 1, 2: 3, 3: 4, 4: 4}
_STUB_TEXT = "please update to the latest anki version"
REVERSE_ORD = 1  # a basic note's second template: "Card 2", back to front
# The tables an import reads, each with the most rows it reads (counted first) and their name.
ROW_LIMITS = {
    "notes": (MAX_NOTES, "notes"),
    "cards": (MAX_CARD_ROWS, "cards"),
    "revlog": (MAX_REVIEWS, "reviews"),
    "decks": (MAX_SMALL_ROWS, "decks"),
    "notetypes": (MAX_SMALL_ROWS, "note types"),
    "config": (MAX_SMALL_ROWS, "settings"),
    "deck_config": (MAX_SMALL_ROWS, "deck presets"),
}
READ_TABLES = frozenset({*ROW_LIMITS, "col"})


@dataclass(frozen=True, slots=True)
class ImportedReview:
    """One past review of an imported card: when, how it was rated (1 Again … 4 Easy), how long it took."""

    card_index: int
    reviewed_at: datetime
    rating: int
    duration_ms: int
    reverse: bool = False  # an answer to the card's back-to-front direction (Anki's "Card 2")


@dataclass(frozen=True, slots=True)
class ImportedMemory:
    """Anki's own FSRS memory of one direction of an imported card (bot.cards.formats.apkg_states),
    with the time of its last answer."""

    card_index: int
    reverse: bool
    stability: float
    difficulty: float
    due_day: date  # the collection's learning day it falls due
    last_review: datetime
    reps: int
    lapses: int


@dataclass(frozen=True, slots=True)
class ApkgImport:
    """An imported package: the deck, its review history in time order, and what was skipped."""

    deck: Deck
    reviews: list[ImportedReview]
    collection: str  # the member read: collection.anki21b, collection.anki21 or collection.anki2
    notes: int
    media_skipped: int = 0  # media references in the imported fields
    media_files: int = 0  # media files in the package (none of them is imported)
    duplicates_skipped: int = 0
    empty_skipped: int = 0
    occlusion_skipped: int = 0
    reschedules_skipped: int = 0
    reviews_unmatched: int = 0
    memories: list[ImportedMemory] = field(default_factory=list)  # Anki's own FSRS states
    parameters: tuple[float, ...] = ()  # the FSRS parameters those states were computed with
    media: tuple[MediaFile, ...] = ()  # the pictures and sounds the cards' fronts show
    # While reading: a card's front text → the media files its front (back) field shows.
    front_media: dict[str, list[str]] = field(default_factory=dict)
    back_media: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Collection:
    """What an import needs besides the notes, read out of SQLite before them."""

    cloze_types: dict[int, bool] = field(default_factory=dict)  # notetype id → is cloze
    cards: list[tuple[int, int, int, int]] = field(default_factory=list)  # id, note, ord, deck
    deck_names: dict[int, str] = field(default_factory=dict)
    revlog: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)
    sched_ver: int = 1
    scheduling: AnkiScheduling = field(default_factory=AnkiScheduling)


def read_apkg(data: bytes, filename: str) -> ApkgImport:
    """Read an Anki package's newest collection: its cards as a deck, and its review history."""
    if len(data) > MAX_APKG_BYTES:
        raise DeckError.of("larger_than_limit", filename, limit=MAX_APKG_BYTES // 1024 // 1024)
    with collection_copy(data, filename) as (member, path, media_files):
        found = read_sqlite(
            path, filename, lambda db: _read_collection(db, member, filename, media_files)
        )
    return _with_media(found, open_zip(data, filename))


def _with_media(found: ApkgImport, archive: zipfile.ZipFile) -> ApkgImport:
    """The import with the pictures and sounds each card's sides show kept (apkg_media): the
    front's first as its question's, its other pictures, and the back's; the deck's limits count
    them all together."""
    wanted = [*found.front_media.values(), *found.back_media.values()]
    kept = keep_media(archive, (name for names in wanted for name in names))
    if not kept.files and not kept.warnings:
        return _without_lost_media(replace(found, front_media={}, back_media={}))
    cards = list(found.deck.cards)
    files = 0
    for index, card in enumerate(cards):
        front = [kept.files[n] for n in found.front_media.get(card.front, []) if n in kept.files]
        back = [kept.files[n] for n in found.back_media.get(card.front, []) if n in kept.files]
        # A front shows one sound at most, with no picture: a picture is the question's file.
        first = next((m for m in front if m.kind == "photo"), front[0] if front else None)
        more = [m for m in front if m.kind == "photo" and m is not first] if first else []
        if first is None and not back:
            continue
        files += (first is not None) + len(more) + len(back)
        cards[index] = replace(
            card,
            front_media=first.digest if first else None,
            front_more=tuple(dict.fromkeys(m.digest for m in more)),
            back_media=tuple(dict.fromkeys(m.digest for m in back)),
        )
    shown = sum(1 for card in cards if card.front_media)
    notes = [Problem("media_shown", {"count": shown})] if shown else []
    if alone := sum(1 for card in cards if card.front_media and is_media_front(card.front)):
        notes.append(Problem("media_alone", {"count": alone}))
    earlier = list(found.deck.warnings)
    if files:
        # The count of skipped references made before media was kept is no longer true.
        earlier = [w for w in earlier if getattr(w, "code", None) != "apkg_media_skipped"]
        if (others := found.media_skipped - files) > 0:
            notes.append(Problem("media_others", {"count": others}))
    used = {d for c in cards for d in (c.front_media, *c.front_more, *c.back_media) if d}
    by_digest = {m.digest: m for m in kept.files.values() if m.digest in used}
    deck = replace(found.deck, cards=tuple(cards), warnings=(*earlier, *notes, *kept.warnings))
    return _without_lost_media(
        replace(found, deck=deck, media=tuple(by_digest.values()), front_media={}, back_media={})
    )


def _without_lost_media(found: ApkgImport) -> ApkgImport:
    """The import without cards whose front was only a picture or sound that was not kept (a
    file missing, too big or no real picture): nothing would be left to ask. Their review history
    goes with them; the other cards' history follows their new places."""
    cards = found.deck.cards
    lost = {
        i for i, card in enumerate(cards) if is_media_front(card.front) and not card.front_media
    }
    if not lost:
        return found
    where = {old: new for new, old in enumerate(i for i in range(len(cards)) if i not in lost)}
    if not where:
        raise DeckError.of("apkg_media_fronts_lost", found.deck.title)
    reviews = [
        replace(r, card_index=where[r.card_index]) for r in found.reviews if r.card_index in where
    ]
    memories = [
        replace(m, card_index=where[m.card_index]) for m in found.memories if m.card_index in where
    ]
    warning = Problem("apkg_media_cards_skipped", {"count": len(lost)})
    deck = replace(
        found.deck,
        cards=tuple(card for i, card in enumerate(cards) if i in where),
        warnings=(*found.deck.warnings, warning),
    )
    return replace(
        found,
        deck=deck,
        reviews=reviews,
        memories=memories,
        empty_skipped=found.empty_skipped + len(lost),
        reviews_unmatched=found.reviews_unmatched + len(found.reviews) - len(reviews),
    )


def _read_collection(db: Collection, member: str, where: str, media_files: int) -> ApkgImport:
    """Check the tables, count their rows, then read them; the notes stream into the builder."""
    tables = _plain_tables(db, where)
    if "notes" not in tables:
        raise sqlite3.DatabaseError("it has no notes table")
    counts = {name: _count(db, name, where) for name in ROW_LIMITS if name in tables}
    found = _Collection()
    col = (
        db.query("SELECT models, decks, conf FROM col LIMIT 1").fetchone()
        if "col" in tables
        else None
    )
    models, decks, conf = (_json(col[0]), _json(col[1]), _json(col[2])) if col else ({}, {}, {})
    for model_id, model in models.items():
        if isinstance(model, dict):
            found.cloze_types[_int(model_id)] = model.get("type") == 1
    if not found.cloze_types and "notetypes" in tables:
        # Current collections keep notetypes in their own table, the kind inside a protobuf blob.
        for type_id, config in db.query("SELECT id, config FROM notetypes"):
            found.cloze_types[_int(type_id)] = varint_field(config, 1) == 1
    for deck_id, deck in decks.items():
        if isinstance(deck, dict) and isinstance(deck.get("name"), str):
            found.deck_names[_int(deck_id)] = deck["name"]
    if not found.deck_names and "decks" in tables:
        found.deck_names = {_int(i): _text(n) for i, n in db.query("SELECT id, name FROM decks")}
    if "cards" in tables:
        found.cards = [
            (_int(a), _int(b), _int(c), _int(d))
            for a, b, c, d in db.query("SELECT id, nid, ord, did FROM cards")
        ]
    if "revlog" in tables:
        found.revlog = [
            (_int(a), _int(b), _int(c), _int(d), _int(e), _int(f))
            for a, b, c, d, e, f in db.query(
                "SELECT id, cid, ease, time, type, ivl FROM revlog ORDER BY id"
            )
        ]
    found.sched_ver = _sched_ver(db, tables, conf)
    found.scheduling = read_scheduling(db, tables, conf)
    notes = db.query("SELECT id, mid, flds FROM notes ORDER BY id")
    return _build(found, notes, counts["notes"], member, where, media_files)


def _plain_tables(db: Collection, where: str) -> set[str]:
    """The tables an import reads, each checked to be a plain table whose columns are stored.

    A view, a virtual table or a generated column would compute what is read (a 300 MB string,
    a recursive query that never ends); an Anki collection has none of them, so they refuse it.
    """
    found: set[str] = set()
    for name, kind, sql in db.query("SELECT name, type, sql FROM sqlite_master"):
        table = _text(name).casefold()
        if table not in READ_TABLES or kind not in ("table", "view"):
            continue
        if kind != "table" or not _text(sql).lstrip().upper().startswith("CREATE TABLE"):
            shape = "view" if kind == "view" else "table"
            raise DeckError.of("apkg_computed_table", where, table=table, object=shape)
        for row in db.query(f'PRAGMA table_xinfo("{table}")'):
            if row[6]:  # hidden: 2 and 3 are generated columns, 1 a virtual table's
                raise DeckError.of(
                    "apkg_generated_column", where, name=_text(row[1])[:80], table=table
                )
        found.add(table)
    return found


def _count(db: Collection, table: str, where: str) -> int:
    """The table's rows, refused beyond its limit before any of them is read."""
    limit = ROW_LIMITS[table][0]
    (count,) = db.query(f"SELECT COUNT(*) FROM {table}").fetchone()
    if count > limit:
        if table == "revlog":
            raise DeckError.of("apkg_too_many_reviews", where, count=count, limit=limit)
        raise DeckError.of(
            "apkg_too_many_rows", where, count=count, items=table, limit=limit, cards=MAX_CARDS
        )
    return int(count)


def _sched_ver(db: Collection, tables: set[str], conf: dict[str, Any]) -> int:
    """The scheduler version; collections that never say are v1, as Anki itself assumes."""
    value: object = conf.get("schedVer")
    if value is None and "config" in tables:
        row = db.query("SELECT val FROM config WHERE key = 'schedVer'").fetchone()
        value = _loads(row[0]) if row else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


@dataclass(slots=True)
class _Builder:
    """Collects cards from notes, skipping repeats and empty sides, remembering where each came from."""

    where: str
    notes: int  # in the collection
    cards: list[Card] = field(default_factory=list)
    index: dict[tuple[int, int | None], int] = field(default_factory=dict)  # (note, ord) → card
    fronts: set[str] = field(default_factory=set)
    front_media: dict[str, list[str]] = field(default_factory=dict)  # front → media it shows
    back_media: dict[str, list[str]] = field(default_factory=dict)  # front → its back's media
    media: int = 0
    duplicates: int = 0
    empty: int = 0
    occlusion: int = 0
    nul: int = 0  # NUL characters removed from fields

    def add(self, card: Card, key: tuple[int, int | None], place: Place) -> None:
        """Keep the card unless a side is empty or its front repeats an earlier card."""
        if not card.front or not card.back:
            self.empty += 1
            return
        check_sides(card, self.where, place)
        front_key = normalize_front(card.front)
        if front_key in self.fronts:
            self.duplicates += 1
            return
        if len(self.cards) >= MAX_CARDS:
            raise DeckError.of(
                "apkg_too_many_cards",
                self.where,
                limit=MAX_CARDS,
                place=place[0],
                at=place[1],
                notes=self.notes,
            )
        self.fronts.add(front_key)
        self.index[key] = len(self.cards)
        self.cards.append(card)

    def add_note(self, note_id: int, fields: list[str], is_cloze: bool, place: Place) -> None:
        """One note: a front/back card, or one card per cloze number."""
        if is_cloze:
            self._add_cloze(note_id, fields, place)
            return
        front_field, back_field = fields[0], fields[1] if len(fields) > 1 else ""
        front, back = field_to_text(front_field), field_to_text(back_field)
        self.media += front.media + back.media
        front_text, front_html = front.text, field_to_html(front_field, front.text)
        if not front_text and back.text and (first := first_reference(front_field)):
            # The picture or sound is the question: a label stands for it as text.
            front_text, front_html = media_front(first[1], first[0]), None
        card = Card(
            front_text,
            back.text,
            front_html=front_html,
            back_html=field_to_html(back_field, back.text),
        )
        self.add(card, (note_id, None), place)
        kept = (note_id, None) in self.index
        if kept and front.media and (named := shown_references(front_field)):
            self.front_media.setdefault(card.front, named)
        if kept and back.media and (named := shown_references(back_field)):
            self.back_media.setdefault(card.front, named)

    def _add_cloze(self, note_id: int, fields: list[str], place: Place) -> None:
        parsed = [parse_cloze(f) for f in fields]
        nodes = next((p for p in parsed if cloze_numbers(p)), parsed[0])
        numbers = cloze_numbers(nodes)
        if any(
            a.lstrip().startswith("image-occlusion:") for n in numbers for a in answers(nodes, n)
        ):
            self.occlusion += 1
            return
        self.media += field_to_text(reveal(nodes)).media
        if not numbers:
            self.empty += 1
        for number in numbers:
            shown = render_front(nodes, number)
            front = field_to_text(shown).text
            back = "\n".join(
                text for a in answers(nodes, number) if (text := field_to_text(a).text)
            )
            card = Card(front, back, front_html=field_to_html(shown, front))
            self.add(card, (note_id, number - 1), place)
            # A picture outside the deletions shows with every card of the note.
            kept = (note_id, number - 1) in self.index
            if kept and (named := shown_references(shown)):
                self.front_media.setdefault(card.front, named)
            # One inside a deletion is the answer: shown with the back.
            if kept and (named := shown_references("".join(answers(nodes, number)))):
                self.back_media.setdefault(card.front, named)


def _build(
    collection: _Collection,
    notes: Iterable[tuple[object, object, object]],
    note_count: int,
    member: str,
    where: str,
    media_files: int,
) -> ApkgImport:
    builder = _Builder(where, note_count)
    for number, (raw_id, raw_type, raw_fields) in enumerate(notes, start=1):
        note_id, type_id, flds = _int(raw_id), _int(raw_type), _text(raw_fields)
        if (
            member == "collection.anki2"
            and note_count == 1
            and flds.casefold().startswith(_STUB_TEXT)
        ):
            raise DeckError.of("apkg_placeholder", where)
        # PostgreSQL cannot store a NUL character; a field never needs one.
        builder.nul += flds.count("\0")
        fields = flds.replace("\0", "").split(FIELD_SEPARATOR)
        is_cloze = collection.cloze_types.get(type_id)
        if is_cloze is None:
            # Unknown notetype: judge by the content.
            is_cloze = bool(cloze_numbers(parse_cloze(fields[0])))
        builder.add_note(note_id, fields, is_cloze, ("note", number))
    _mark_reversed(builder, collection)
    card_of = _anki_cards(collection, builder.index)
    reviews, reschedules, unmatched, forgotten = _reviews(collection, card_of)
    memories = _memories(collection.scheduling, card_of, reviews)
    warnings = _warnings(builder, media_files, len(reviews), reschedules, unmatched, forgotten)
    if memories:
        warnings.append(Problem("apkg_fsrs_kept", {"count": len(memories)}))
    title = _title(collection, builder.index, where)
    deck = build_deck(title, builder.cards, warnings, where=where)
    return ApkgImport(
        deck=deck,
        reviews=reviews,
        collection=member,
        notes=note_count,
        media_skipped=builder.media,
        front_media=builder.front_media,
        back_media=builder.back_media,
        media_files=media_files,
        duplicates_skipped=builder.duplicates,
        empty_skipped=builder.empty,
        occlusion_skipped=builder.occlusion,
        reschedules_skipped=reschedules,
        reviews_unmatched=unmatched,
        memories=memories,
        parameters=collection.scheduling.parameters if memories else (),
    )


def _mark_reversed(builder: _Builder, collection: _Collection) -> None:
    """Mark the cards of basic notes that have a reverse card as meant both ways."""
    for _, note_id, ord_, _ in collection.cards:
        found = builder.index.get((note_id, None)) if ord_ == REVERSE_ORD else None
        if found is not None:
            builder.cards[found] = replace(builder.cards[found], reverse=True)


def _anki_cards(
    collection: _Collection, index: dict[tuple[int, int | None], int]
) -> dict[int, tuple[int, bool]]:
    """Each Anki card id → the imported card and direction it is (a basic note's third template
    and beyond has no question here)."""
    card_of: dict[int, tuple[int, bool]] = {}
    for card_id, note_id, ord_, _ in collection.cards:
        basic = index.get((note_id, None))
        if basic is not None:
            if ord_ in (0, REVERSE_ORD):
                card_of[card_id] = (basic, ord_ == REVERSE_ORD)
        elif (cloze := index.get((note_id, ord_))) is not None:
            card_of[card_id] = (cloze, False)
    return card_of


def _memories(
    scheduling: AnkiScheduling,
    card_of: dict[int, tuple[int, bool]],
    reviews: list[ImportedReview],
) -> list[ImportedMemory]:
    """Anki's own memory of each imported card direction that has one and answers to date it."""
    last: dict[tuple[int, bool], datetime] = {}
    for review in reviews:  # in time order: the last one stays
        last[(review.card_index, review.reverse)] = review.reviewed_at
    memories = []
    for anki_card, memory in scheduling.memories.items():
        found = card_of.get(anki_card)
        if found is None or found not in last:
            continue
        memories.append(
            ImportedMemory(
                found[0],
                found[1],
                memory.stability,
                memory.difficulty,
                memory.due_day,
                last[found],
                memory.reps,
                memory.lapses,
            )
        )
    return sorted(memories, key=lambda m: (m.card_index, m.reverse))


def _reviews(
    collection: _Collection, card_of: dict[int, tuple[int, bool]]
) -> tuple[list[ImportedReview], int, int, int]:
    """Reviews mapped to card indexes and directions in time order, the reschedules skipped, the
    rows unmatched, and the reviews left out because a later "Forget" started their Anki card
    over (as Anki's FSRS leaves them out)."""
    by_card: dict[tuple[int, bool], list[ImportedReview]] = {}
    reschedules = unmatched = forgotten = 0
    for review_id, card_id, ease, time_ms, kind, interval in collection.revlog:
        if kind in _RESCHEDULE_TYPES or ease == 0:
            reschedules += 1
            if kind == _MANUAL and interval == 0 and (forgot := card_of.get(card_id)):
                forgotten += len(by_card.pop(forgot, []))
            continue
        found = card_of.get(card_id)
        if found is None or not 1 <= ease <= 4 or not 0 < review_id <= _LAST_MS:
            unmatched += 1
            continue
        card_index, reverse = found
        rating = ease
        if collection.sched_ver == 1 and kind in _LEARNING_TYPES:
            rating = _V1_LEARNING_RATING[ease]
        reviewed_at = _EPOCH + timedelta(milliseconds=review_id)
        by_card.setdefault(found, []).append(
            ImportedReview(card_index, reviewed_at, rating, max(0, time_ms), reverse)
        )
    reviews = sorted(
        (review for answers in by_card.values() for review in answers),
        key=lambda review: review.reviewed_at,
    )
    return reviews, reschedules, unmatched, forgotten


def _warnings(
    builder: _Builder,
    media_files: int,
    reviews: int,
    reschedules: int,
    unmatched: int,
    forgotten: int,
) -> list[Problem]:
    warnings: list[Problem] = []
    if builder.media:
        warnings.append(Problem("apkg_media_skipped", {"count": builder.media}))
    elif media_files:
        warnings.append(Problem("apkg_media_not_imported", {"count": media_files}))
    if builder.duplicates:
        warnings.append(Problem("apkg_duplicates", {"count": builder.duplicates}))
    if builder.empty:
        warnings.append(Problem("apkg_empty_sides", {"count": builder.empty}))
    if builder.occlusion:
        warnings.append(Problem("apkg_occlusion", {"count": builder.occlusion}))
    if reversed_cards := sum(card.reverse for card in builder.cards):
        warnings.append(Problem("apkg_reverse", {"count": reversed_cards}))
    if builder.nul:
        warnings.append(nul_warning(builder.nul))
    if reviews or reschedules or unmatched:
        counts = {"unmatched": unmatched, "forgotten": forgotten}
        history = {"reviews": reviews, "reschedules": reschedules, **counts}
        warnings.append(Problem("apkg_history", history))
    return warnings


def _title(collection: _Collection, index: dict[tuple[int, int | None], int], where: str) -> str:
    """The name of the Anki deck most imported cards belong to, else the file name."""
    imported_notes = {note for note, _ in index}
    decks = Counter(deck for _, note, _, deck in collection.cards if note in imported_notes)
    for deck_id, _ in decks.most_common(1):
        path = collection.deck_names.get(deck_id, "").replace("\0", "").replace("::", "\x1f")
        parts = [" ".join(part.split()) for part in path.split("\x1f")]
        parts = [part for part in parts if part]
        if parts and " / ".join(parts).casefold() != "default":
            return fit_title(parts)
    return title_from_filename(where, fallback="Anki deck")


def fit_title(parts: list[str]) -> str:
    """A deck path as a title within the limit: its innermost decks, the outer ones cut to "…"."""
    for first in range(len(parts)):
        shown = ["…", *parts[first:]] if first else parts
        title = " / ".join(shown)
        if len(title) <= MAX_TITLE_CHARS:
            return title
    return parts[-1][: MAX_TITLE_CHARS - 1] + "…"


def _int(value: object) -> int:
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return -1


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _loads(value: object) -> object:
    try:
        return json.loads(_text(value)) if value else None
    except (ValueError, RecursionError):
        return None


def _json(value: object) -> dict[str, Any]:
    loaded = _loads(value)
    return loaded if isinstance(loaded, dict) else {}
