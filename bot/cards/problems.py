"""What can be wrong with a deck, as values: a stable code and the figures and names it quotes.

A reader never words a problem: it raises `DeckError(Problem(...))` or keeps a warning
`Problem(...)` on the deck, and `bot.views.deck_problems` says it in the learner's language. A
problem is plain JSON (`as_json`): it crosses the reader process's pipe and is kept with a preview.

Every value has a declared kind (`KEYS`): a count or limit (`int`), a size in MB (`float`), a word
the view translates (`word`, one of `WORDS`), or text quoted as it is (`text`: a file name, a
front, a library's own message). A place is two values: `place` (line, card, row, note) and `at`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Value = int | float | str  # JSON scalars
Kind = Literal["int", "float", "text", "word"]

# Each value's kind, by its key (the same key means the same thing in every problem).
KEYS: dict[str, Kind] = {
    "file": "text",  # the file (or "pasted text") the problem is in; a prefix, never in a template
    "place": "word",
    "at": "int",
    "first_place": "word",
    "first_at": "int",
    "side": "word",
    "length": "int",
    "limit": "int",
    "front": "text",
    "text": "text",
    "suffix": "text",
    "suffixes": "text",
    "size": "float",  # MB: to a tenth, or whole (an int) where a tenth says nothing
    "byte": "int",
    "detail": "text",
    "encoding": "text",
    "kind": "word",
    "expected": "int",
    "found": "int",
    "delimiter": "word",
    "field": "int",
    "shape": "text",
    "cards": "int",
    "got": "int",
    "card": "int",
    "line": "int",
    "doubt_line": "int",
    "doubt_text": "text",
    "name": "text",
    "row": "int",
    "column": "text",
    "first": "text",
    "second": "text",
    "start": "text",
    "end": "text",
    "part": "word",
    "count": "int",
    "entry": "text",
    "ratio": "int",
    "table": "text",
    "items": "word",
    "notes": "int",
    "reviews": "int",
    "object": "word",
    "script": "word",
    "reschedules": "int",
    "unmatched": "int",
    "forgotten": "int",
}

# The words a `word` value may be, by key.
WORDS: dict[str, tuple[str, ...]] = {
    "place": ("line", "card", "row", "note"),
    "first_place": ("line", "card", "row", "note"),
    "side": ("front", "back"),
    "kind": (
        "pdf",
        "png",
        "jpeg",
        "gif",
        "riff",
        "mp3",
        "sqlite",
        "gzip",
        "rar",
        "7z",
    ),
    "delimiter": ("tab", "semicolon", "comma", "pipe"),
    "part": ("first_sheet", "spreadsheet"),
    "object": ("table", "view"),
    "script": (
        *("western", "cyrillic", "central", "greek", "turkish", "baltic", "hebrew", "arabic"),
        *("vietnamese", "thai", "japanese", "chinese", "traditional_chinese", "korean"),
    ),
    "items": ("notes", "cards", "decks", "notetypes", "config", "deck_config"),
}

# Every problem the core can report, with the values it quotes (besides `file`, which a problem
# raised as a DeckError carries to name its file).
CODES: dict[str, tuple[str, ...]] = {
    # bot.cards.validate: every deck
    "side_empty": ("place", "at", "side"),
    "side_too_long": ("place", "at", "side", "length", "limit"),
    "front_repeats": ("place", "at", "front", "first_place", "first_at"),
    "no_title": (),
    "title_too_long": ("limit",),
    "too_many_cards": ("limit", "place", "at"),
    "no_cards": (),
    "nul_removed": ("count",),
    # bot.cards.upload and bot.cards.formats: the file as a whole
    "unsupported_type": ("suffix", "suffixes"),
    "no_file_type": ("suffixes",),
    "file_too_large": ("size", "limit"),
    "apkg_too_large": ("size", "limit"),
    "larger_than_limit": ("limit",),
    "download_too_large": ("limit",),
    "not_utf8": ("byte",),
    "cannot_open": ("detail",),
    "stored_too_large": ("size", "limit"),
    # bot.cards.formats.encoding
    "not_text": (),
    "bad_encoding": ("encoding", "byte"),
    "bad_encoding_line": ("place", "at", "encoding", "byte"),
    "guessed_encoding": ("encoding",),
    "guessed_script": ("encoding", "script"),
    # bot.cards.formats.by_content
    "anki_renamed": (),
    "zip_not_sheet": (),
    "old_office": (),
    "other_file": ("kind",),
    # bot.cards.formats.csv_deck
    "no_rows": (),
    "wrong_fields": ("place", "at", "expected", "delimiter", "found"),
    "field_empty": ("place", "at", "field", "side"),
    "no_separator": ("place", "at"),
    "csv_error": ("place", "at", "detail"),
    # bot.cards.formats.text
    "text_empty": (),
    "title_without_cards": ("place", "at"),
    "q_without_a": ("place", "at"),
    "a_without_q": ("place", "at"),
    "wrong_line_fields": ("place", "at", "shape", "found"),
    "too_many_lines": ("place", "at", "limit", "cards"),
    "paste_cut_short": ("expected", "got"),
    "paste_count_differs": ("expected", "got"),
    "last_line_no_back": ("place", "at", "text"),
    "guessed_new_card": ("card", "line", "text"),
    "guessed_back_line": ("card", "line", "text", "doubt_line", "doubt_text"),
    # bot.cards.formats.toml_deck
    "toml_invalid": ("detail",),
    "toml_no_title": (),
    "toml_no_cards": (),
    "toml_card_not_table": ("place", "at"),
    "toml_unknown_field": ("place", "at", "name"),
    "toml_side_not_text": ("place", "at", "name"),
    # bot.cards.formats.spreadsheet, sheet_box, sheet_zip
    "not_spreadsheet": (),
    "sheet_empty": (),
    "sheet_unreadable": ("detail",),
    "cell_empty": ("row", "column", "side"),
    "extra_columns": ("first", "second"),
    "sheet_too_many_rows": ("limit", "start", "end"),
    "sheet_too_many_cells": ("limit", "start", "end"),
    "no_sheet": (),
    "sheet_missing": (),
    "xml_invalid": ("part", "detail"),
    "xml_encoding": ("part",),
    "zip_damaged": (),
    "zip_too_many_parts": ("count", "limit"),
    "zip_declares_too_much": ("size", "limit"),
    "zip_encrypted": (),
    "zip_too_much": ("limit",),
    "zip_part_unreadable": ("entry",),
    # bot.cards.formats.apkg_package, apkg
    "apkg_not_zip": (),
    "apkg_unpacks_too_much": ("size", "limit"),
    "apkg_zip_bomb": ("entry", "ratio"),
    "apkg_no_collection": (),
    "apkg_entry_larger": ("entry",),
    "apkg_entry_damaged": ("entry", "detail"),
    "apkg_collection_too_much": ("limit",),
    "apkg_bad_zstd": ("detail",),
    "apkg_cannot_open": ("detail",),
    "apkg_too_many_steps": ("limit",),
    "apkg_value_too_long": ("limit",),
    "apkg_not_database": ("detail",),
    "apkg_damaged_schema": (),
    "apkg_computed_table": ("table", "object"),
    "apkg_generated_column": ("name", "table"),
    "apkg_too_many_rows": ("count", "items", "limit", "cards"),
    "apkg_too_many_reviews": ("count", "limit"),
    "apkg_too_many_cards": ("limit", "place", "at", "notes"),
    "apkg_placeholder": (),
    "apkg_media_fronts_lost": (),
    "apkg_fsrs_kept": ("count",),
    "apkg_media_skipped": ("count",),
    "apkg_media_not_imported": ("count",),
    "apkg_duplicates": ("count",),
    "apkg_empty_sides": ("count",),
    "apkg_occlusion": ("count",),
    "apkg_reverse": ("count",),
    "apkg_history": ("reviews", "reschedules", "unmatched", "forgotten"),
    "apkg_media_cards_skipped": ("count",),
    "media_shown": ("count",),
    "media_alone": ("count",),
    "media_others": ("count",),
    # bot.cards.formats.apkg_media
    "media_list_too_large": ("limit",),
    "media_list_damaged": (),
    "media_list_unreadable": (),
    "media_missing": ("count",),
    "media_too_many": ("count", "limit"),
    "media_declared_too_much": ("size", "limit"),
    "media_too_much": ("limit",),
    "media_files_too_large": ("count", "limit"),
    "media_not_media": ("count",),
    "media_damaged": ("count",),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong (or worth a warning) in a deck: a code of `CODES` and the values it quotes."""

    code: str
    values: Mapping[str, Value] = field(default_factory=dict)

    def __post_init__(self) -> None:
        declared = CODES.get(self.code)
        if declared is None:
            raise ValueError(f"unknown problem code {self.code!r}")
        given = set(self.values) - {"file"}
        if given != set(declared):
            raise ValueError(f"problem {self.code!r} takes {declared}, was given {sorted(given)}")
        # A copy the caller cannot change, in the declared order.
        frozen = {key: self.values[key] for key in ("file", *declared) if key in self.values}
        object.__setattr__(self, "values", _Frozen(frozen))

    def __hash__(self) -> int:
        return hash((self.code, tuple(self.values.items())))

    @property
    def file(self) -> str | None:
        """The file (or source) the problem is in, when it names one."""
        found = self.values.get("file")
        return str(found) if found is not None else None

    def as_json(self) -> dict[str, Any]:
        """The problem as a JSON object: `{"code": ..., "values": {...}}`."""
        return {"code": self.code, "values": dict(self.values)}

    def __str__(self) -> str:
        return english(self)


class _Frozen(dict[str, Value]):
    """A dict nobody can change (a problem is immutable and hashable)."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("a problem's values cannot change")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def problem(code: str, file: str | None = None, **values: Value) -> Problem:
    """A problem of `code` with its values; `file` names the file it is in."""
    if file is not None:
        values = {"file": file, **values}
    return Problem(code, values)


# A note kept on a deck: a problem, or the English line a preview stored before problems existed.
Note = Problem | str


def note_from_json(raw: object) -> Note:
    """A warning back from JSON: a problem, or an old stored line of English as it was."""
    if isinstance(raw, dict):
        code, values = raw.get("code"), raw.get("values")
        if isinstance(code, str) and isinstance(values, dict):
            try:
                return Problem(code, values)
            except ValueError:
                return code  # a code this version no longer knows: shown as its name
    return str(raw)


def note_json(note: Note) -> object:
    """A warning as JSON (see `note_from_json`)."""
    return note.as_json() if isinstance(note, Problem) else note


# How a problem reads in English, for logs, exceptions and the command line: set by
# bot.views.deck_problems when it is imported (the core never imports the views).
_english: list[Callable[[Problem], str]] = []


def set_english(render: Callable[[Problem], str]) -> None:
    """Use `render` to say problems in English (`str(problem)`, `str(DeckError)`)."""
    _english[:] = [render]


def english(found: Problem) -> str:
    """The problem in English; its code and values until the views have said how to word it."""
    if _english:
        return _english[0](found)
    values = ", ".join(f"{key}={value!r}" for key, value in found.values.items())
    return f"{found.code}({values})"
