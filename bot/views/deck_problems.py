"""What is wrong with a deck, in the reader's language: every `bot.cards.problems` code worded.

A problem arrives as a code and its values; this module holds one template per code, fills it
with the values as the locale writes them (numbers, the words for a side or a line) and puts the
file's name in front. The text is plain: a caller escapes it for Telegram's HTML. A warning kept
with a preview before problems existed is an English line, shown as it was stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.cards import problems
from bot.cards.problems import Note, Value
from bot.cards.upload import PASTE_WHERE
from bot.views.i18n import N_, _, ngettext, number, using_locale

V = Mapping[str, Value]


def _n(values: V, key: str = "count") -> int:
    """The count a plural form is chosen by."""
    found = values[key]
    return found if isinstance(found, int) else 0


def _history(values: V) -> str:
    """The history a package carries, then in brackets what of it was left out."""
    said = ngettext(
        "the package carries %(reviews)s review of history",
        "the package carries %(reviews)s reviews of history",
        _n(values, "reviews"),
    )
    left: list[str] = []
    if _n(values, "reschedules"):
        left.append(
            ngettext(
                "%(reschedules)s manual reschedule skipped",
                "%(reschedules)s manual reschedules skipped",
                _n(values, "reschedules"),
            )
        )
    if _n(values, "unmatched"):
        left.append(
            ngettext(
                "%(unmatched)s review of skipped or deleted cards left out",
                "%(unmatched)s reviews of skipped or deleted cards left out",
                _n(values, "unmatched"),
            )
        )
    if _n(values, "forgotten"):
        left.append(
            ngettext(
                "%(forgotten)s review before a “Forget” left out",
                "%(forgotten)s reviews before a “Forget” left out",
                _n(values, "forgotten"),
            )
        )
    if not left:
        return said
    return _("%(said)s (%(left)s)") % {"said": said, "left": "; ".join(left)}


# One template per code: a sentence with named placeholders, a plural chosen by a count.
TEMPLATES: dict[str, Callable[[V], str]] = {
    "side_empty": lambda v: _("%(place)s: the %(side)s is empty"),
    "side_too_long": lambda v: _(
        "%(place)s: the %(side)s is %(length)s characters long (at most %(limit)s)"
    ),
    "front_repeats": lambda v: _("%(place)s: the front '%(front)s' repeats %(first_place)s"),
    "no_title": lambda v: _("the deck has no title"),
    "title_too_long": lambda v: _("the title is longer than %(limit)s characters"),
    "too_many_cards": lambda v: _(
        "more than %(limit)s cards (the limit): reading stopped at %(place)s; split the deck"
    ),
    "no_cards": lambda v: _("the deck has no cards"),
    "nul_removed": lambda v: ngettext(
        "%(count)s NUL character (invisible, \\0) removed: it cannot be stored",
        "%(count)s NUL characters (invisible, \\0) removed: they cannot be stored",
        _n(v),
    ),
    "unsupported_type": lambda v: _("unsupported file type '%(suffix)s' (send %(suffixes)s)"),
    "no_file_type": lambda v: _("the file's name has no type (send %(suffixes)s)"),
    "file_too_large": lambda v: _("the file is %(size)s MB; the limit is %(limit)s MB"),
    "apkg_too_large": lambda v: _(
        "the file is %(size)s MB; the limit is %(limit)s MB — export the deck again without "
        "its pictures and sounds: in Anki, File ▸ Export…, choose Anki Deck Package (.apkg) "
        "and untick “Include media”"
    ),
    "larger_than_limit": lambda v: _("the file is larger than %(limit)s MB"),
    "download_too_large": lambda v: _(
        "the file is larger than %(limit)s MB (the download stopped there); the limit is "
        "%(limit)s MB"
    ),
    "not_utf8": lambda v: _("not UTF-8 text (byte %(byte)s)"),
    "cannot_open": lambda v: _("cannot open: %(detail)s"),
    "stored_too_large": lambda v: _(
        "the deck is %(size)s MB once stored; at most %(limit)s MB can be kept"
    ),
    "not_text": lambda v: _(
        "this is not text in any encoding I know (is it a document or a picture under "
        "another name?)"
    ),
    "bad_encoding": lambda v: _("not valid %(encoding)s text (byte %(byte)s)"),
    "bad_encoding_line": lambda v: _("%(place)s: not valid %(encoding)s text (byte %(byte)s)"),
    "guessed_encoding": lambda v: _(
        "the file is not UTF-8; I read it as %(encoding)s text — check accented letters in "
        "the preview"
    ),
    "guessed_script": lambda v: _(
        "the file is not UTF-8; I read it as %(encoding)s (%(script)s) text — check accented "
        "letters in the preview"
    ),
    "anki_renamed": lambda v: _("this is an Anki package under another name; send it named .apkg"),
    "zip_not_sheet": lambda v: _(
        "a zip file, but not an Excel (.xlsx) or OpenDocument (.ods) spreadsheet"
    ),
    "old_office": lambda v: _(
        "an Excel 97–2003 (.xls) workbook or another old Office file; save it as .xlsx or "
        ".csv and send that"
    ),
    "other_file": lambda v: _("this is %(kind)s, not a deck"),
    "no_rows": lambda v: _("no rows found (the file is empty)"),
    "wrong_fields": lambda v: _(
        "%(place)s: expected %(expected)s fields separated by %(delimiter)s, found %(found)s"
    ),
    "field_empty": lambda v: _("%(place)s, field %(field)s: the %(side)s is empty"),
    "no_separator": lambda v: _(
        "%(place)s: expected a front and a back separated by a tab, comma or semicolon"
    ),
    "csv_error": lambda v: _("%(place)s: %(detail)s"),
    "text_empty": lambda v: _("no flashcards found (the text is empty)"),
    "title_without_cards": lambda v: _("%(place)s: a title but no cards below it"),
    "q_without_a": lambda v: _("%(place)s: a Q: line without an A: line after it"),
    "a_without_q": lambda v: _("%(place)s: an A: line without a Q: line before it"),
    "wrong_line_fields": lambda v: _("%(place)s: expected %(shape)s, found %(found)s fields"),
    "too_many_lines": lambda v: _(
        "%(place)s: more than %(limit)s lines without marks between the cards (the limit, for "
        "%(cards)s cards); reading stopped there. Split the deck, or mark the cards "
        "(front :: back)"
    ),
    "paste_cut_short": lambda v: _(
        "the paste announces %(expected)s cards but only %(got)s are complete (cut short?); "
        "imported %(got)s"
    ),
    "paste_count_differs": lambda v: _("the paste announces %(expected)s cards but has %(got)s"),
    "last_line_no_back": lambda v: _(
        "%(place)s: '%(text)s' has no back (the paste seems cut short); skipped"
    ),
    "guessed_new_card": lambda v: _(
        "card %(card)s (line %(line)s, '%(text)s'): I guessed this line starts a new card — "
        "check it in the preview"
    ),
    "guessed_back_line": lambda v: _(
        "card %(card)s (line %(line)s, '%(text)s'): I guessed line %(doubt_line)s, "
        "'%(doubt_text)s', belongs to its back — check it in the preview"
    ),
    "toml_invalid": lambda v: _("not valid TOML: %(detail)s"),
    "toml_no_title": lambda v: _('missing `title = "..."` at the top'),
    "toml_no_cards": lambda v: _("no [[cards]] tables"),
    "toml_card_not_table": lambda v: _("%(place)s: expected a [[cards]] table"),
    "toml_unknown_field": lambda v: _("%(place)s: unknown field '%(name)s'"),
    "toml_side_not_text": lambda v: _("%(place)s: `%(name)s` must be a string"),
    "not_spreadsheet": lambda v: _("not an Excel (.xlsx) or OpenDocument (.ods) spreadsheet"),
    "sheet_empty": lambda v: _("the first sheet is empty"),
    "sheet_unreadable": lambda v: _("the spreadsheet cannot be read (%(detail)s)"),
    "cell_empty": lambda v: _("row %(row)s, column %(column)s: the %(side)s is empty"),
    "extra_columns": lambda v: _(
        "only the first two columns (%(first)s and %(second)s) were read; the columns after "
        "them were left out"
    ),
    "sheet_too_many_rows": lambda v: _(
        "the first sheet spans more than %(limit)s rows (the limit), from %(start)s to "
        "%(end)s at least; delete the cells far from the cards, or copy the two columns to a "
        "new sheet"
    ),
    "sheet_too_many_cells": lambda v: _(
        "the first sheet spans more than %(limit)s cells (the limit), from %(start)s to "
        "%(end)s at least; delete the cells far from the cards, or copy the two columns to a "
        "new sheet"
    ),
    "no_sheet": lambda v: _("the workbook lists no sheet I can find"),
    "sheet_missing": lambda v: _("the workbook's first sheet is missing from the file"),
    "xml_invalid": lambda v: _("%(part)s is not well-formed XML (%(detail)s)"),
    "xml_encoding": lambda v: _("%(part)s is in an encoding I do not know"),
    "zip_damaged": lambda v: _("a damaged zip file (cut short?), not a readable spreadsheet"),
    "zip_too_many_parts": lambda v: _(
        "the file holds %(count)s parts; a spreadsheet I read holds at most %(limit)s"
    ),
    "zip_declares_too_much": lambda v: _(
        "the file says it unpacks to %(size)s MB; a spreadsheet I read unpacks to at most "
        "%(limit)s MB"
    ),
    "zip_encrypted": lambda v: _("the file is password-protected; save a copy without a password"),
    "zip_too_much": lambda v: _(
        "the file unpacks to more than %(limit)s MB (the limit for a spreadsheet)"
    ),
    "zip_part_unreadable": lambda v: _(
        "the part '%(entry)s' cannot be unpacked (the zip is damaged or uses a compression I "
        "do not read)"
    ),
    "apkg_not_zip": lambda v: _("not an Anki package (an .apkg file is a zip archive)"),
    "apkg_unpacks_too_much": lambda v: _(
        "the package would unpack past %(limit)s MB (%(size)s MB); refused unread"
    ),
    "apkg_zip_bomb": lambda v: _(
        "zip entry '%(entry)s' would inflate %(ratio)s× (a zip bomb?); refused unread"
    ),
    "apkg_no_collection": lambda v: _(
        "no Anki collection inside the package (expected collection.anki21b, "
        "collection.anki21 or collection.anki2)"
    ),
    "apkg_entry_larger": lambda v: _("%(entry)s is larger than its zip header says"),
    "apkg_entry_damaged": lambda v: _("%(entry)s is damaged (%(detail)s)"),
    "apkg_collection_too_much": lambda v: _(
        "the collection would unpack past %(limit)s MB; refused"
    ),
    "apkg_bad_zstd": lambda v: _("collection.anki21b is not valid zstd data (%(detail)s)"),
    "apkg_cannot_open": lambda v: _("cannot open the collection (%(detail)s)"),
    "apkg_too_many_steps": lambda v: _(
        "reading the collection passed %(limit)s SQLite steps in one query (the limit); refused"
    ),
    "apkg_value_too_long": lambda v: _(
        "a value in the collection is longer than %(limit)s MB (the limit); refused"
    ),
    "apkg_not_database": lambda v: _("the collection is not a readable Anki database (%(detail)s)"),
    "apkg_damaged_schema": lambda v: _(
        "the collection is not a readable Anki database (damaged schema)"
    ),
    "apkg_computed_table": lambda v: _(
        "its %(table)s is a %(object)s computed when read, not a stored table (Anki never "
        "writes one); refused unread"
    ),
    "apkg_generated_column": lambda v: _(
        "column '%(name)s' of its %(table)s table is computed when read (a generated column; "
        "Anki never writes one); refused unread"
    ),
    "apkg_too_many_rows": lambda v: _(
        "the collection holds %(count)s %(items)s; at most %(limit)s are read (a deck may have "
        "%(cards)s cards); refused unread"
    ),
    "apkg_too_many_reviews": lambda v: _(
        "the collection holds %(count)s reviews; at most %(limit)s are read (export the deck "
        "again without “Include scheduling information” to bring the cards alone); refused "
        "unread"
    ),
    "apkg_too_many_cards": lambda v: _(
        "more than %(limit)s cards (the limit): reading stopped at %(place)s of %(notes)s; "
        "split the deck"
    ),
    "apkg_placeholder": lambda v: _(
        "the package holds only a placeholder for newer Anki versions; export it again from "
        "Anki with “Support older Anki versions” ticked"
    ),
    "apkg_media_fronts_lost": lambda v: _(
        "every card's front is a picture or sound that could not be kept"
    ),
    "apkg_fsrs_kept": lambda v: ngettext(
        "%(count)s Anki card keeps Anki's own FSRS memory state and due day (with your "
        "preset's FSRS parameters)",
        "%(count)s Anki cards keep Anki's own FSRS memory state and due day (with your "
        "preset's FSRS parameters)",
        _n(v),
    ),
    "apkg_media_skipped": lambda v: ngettext(
        "%(count)s media reference (images, sounds) skipped: a text quiz cannot show it",
        "%(count)s media references (images, sounds) skipped: a text quiz cannot show them",
        _n(v),
    ),
    "apkg_media_not_imported": lambda v: ngettext(
        "the package's %(count)s media file (images, sounds, rendered LaTeX) is not imported; "
        "LaTeX stays as text",
        "the package's %(count)s media files (images, sounds, rendered LaTeX) are not "
        "imported; LaTeX stays as text",
        _n(v),
    ),
    "apkg_duplicates": lambda v: ngettext(
        "%(count)s card skipped: its front repeats an earlier card",
        "%(count)s cards skipped: their front repeats an earlier card",
        _n(v),
    ),
    "apkg_empty_sides": lambda v: ngettext(
        "%(count)s card skipped: an empty front or back (often an image-only side)",
        "%(count)s cards skipped: an empty front or back (often an image-only side)",
        _n(v),
    ),
    "apkg_occlusion": lambda v: ngettext(
        "%(count)s image-occlusion note skipped",
        "%(count)s image-occlusion notes skipped",
        _n(v),
    ),
    "apkg_reverse": lambda v: ngettext(
        "%(count)s card has a reverse card in Anki: each is asked back to front too, with its "
        "own schedule",
        "%(count)s cards have a reverse card in Anki: each is asked back to front too, with "
        "its own schedule",
        _n(v),
    ),
    "apkg_history": _history,
    "apkg_media_cards_skipped": lambda v: ngettext(
        "%(count)s card skipped: its front is only a picture or sound that was not kept",
        "%(count)s cards skipped: their front is only a picture or sound that was not kept",
        _n(v),
    ),
    "media_shown": lambda v: ngettext(
        "%(count)s card shows a picture or sound with its question",
        "%(count)s cards show a picture or sound with their question",
        _n(v),
    ),
    "media_alone": lambda v: ngettext(
        "%(count)s of them has no text on the front: the picture or sound is asked",
        "%(count)s of them have no text on the front: the picture or sound is asked",
        _n(v),
    ),
    "media_others": lambda v: ngettext(
        "%(count)s other media reference not shown",
        "%(count)s other media references not shown",
        _n(v),
    ),
    "media_list_too_large": lambda v: _(
        "media not kept: the package's media list is larger than %(limit)s MB"
    ),
    "media_list_damaged": lambda v: _("media not kept: the package's media list is damaged"),
    "media_list_unreadable": lambda v: _(
        "media not kept: the package's media list is not readable"
    ),
    "media_missing": lambda v: ngettext(
        "%(count)s media file the notes refer to is not in the package",
        "%(count)s media files the notes refer to are not in the package",
        _n(v),
    ),
    "media_too_many": lambda v: _(
        "media not kept: the notes refer to %(count)s media files, more than %(limit)s (the "
        "limit); the cards are imported as text"
    ),
    "media_declared_too_much": lambda v: _(
        "media not kept: the media files would unpack to %(size)s MB, more than %(limit)s MB "
        "(the limit); the cards are imported as text"
    ),
    "media_too_much": lambda v: _(
        "media not kept: the media files unpack past %(limit)s MB (the limit); the cards are "
        "imported as text"
    ),
    "media_files_too_large": lambda v: ngettext(
        "%(count)s media file larger than %(limit)s MB skipped",
        "%(count)s media files larger than %(limit)s MB skipped",
        _n(v),
    ),
    "media_not_media": lambda v: ngettext(
        "%(count)s media file skipped: not a PNG, JPEG, GIF or WebP picture nor an MP3, OGG, "
        "M4A/AAC or WAV sound (whatever its name says)",
        "%(count)s media files skipped: not a PNG, JPEG, GIF or WebP picture nor an MP3, OGG, "
        "M4A/AAC or WAV sound (whatever their names say)",
        _n(v),
    ),
    "media_damaged": lambda v: ngettext(
        "%(count)s media file skipped: damaged or larger than declared",
        "%(count)s media files skipped: damaged or larger than declared",
        _n(v),
    ),
}

# A place in what was read, by its kind: "line 12".
PLACES = {
    "line": N_("line %(n)s"),
    "card": N_("card %(n)s"),
    "row": N_("row %(n)s"),
    "note": N_("note %(n)s"),
}

# The words a `word` value stands for, by key and word.
WORDS: dict[str, dict[str, str]] = {
    "side": {"front": N_("front"), "back": N_("back")},
    "kind": {
        "pdf": N_("a PDF document"),
        "png": N_("a PNG picture"),
        "jpeg": N_("a JPEG picture"),
        "gif": N_("a GIF picture"),
        "riff": N_("a sound or video file"),
        "mp3": N_("an MP3 file"),
        "sqlite": N_("an SQLite database"),
        "gzip": N_("a gzip archive"),
        "rar": N_("a RAR archive"),
        "7z": N_("a 7-Zip archive"),
    },
    "delimiter": {
        "tab": N_("tab"),
        "semicolon": N_("semicolon"),
        "comma": N_("comma"),
        "pipe": N_("pipe"),
    },
    "part": {"first_sheet": N_("the first sheet"), "spreadsheet": N_("the spreadsheet")},
    "object": {"table": N_("table"), "view": N_("view")},
    "script": {
        "western": N_("Western European"),
        "cyrillic": N_("Cyrillic"),
        "central": N_("Central European"),
        "greek": N_("Greek"),
        "turkish": N_("Turkish"),
        "baltic": N_("Baltic"),
        "hebrew": N_("Hebrew"),
        "arabic": N_("Arabic"),
        "vietnamese": N_("Vietnamese"),
        "thai": N_("Thai"),
        "japanese": N_("Japanese"),
        "chinese": N_("Chinese"),
        "traditional_chinese": N_("Traditional Chinese"),
        "korean": N_("Korean"),
    },
    "items": {
        "notes": N_("notes"),
        "cards": N_("cards"),
        "decks": N_("decks"),
        "notetypes": N_("note types"),
        "config": N_("settings"),
        "deck_config": N_("deck presets"),
    },
}

# Limits and counts are written as the locale groups digits (5,000); places as they are.
_GROUPED_NUMBERS = frozenset({"limit", "cards", "count"})


def _filled(values: V) -> dict[str, str]:
    """Each value as the current locale writes it."""
    filled: dict[str, str] = {}
    for key, value in values.items():
        kind = problems.KEYS.get(key, "text")
        if key in ("place", "first_place"):
            at = values.get("at" if key == "place" else "first_at", "")
            filled[key] = _(PLACES.get(str(value), "%(n)s")) % {"n": at}
        elif kind == "word":
            filled[key] = _(WORDS.get(key, {}).get(str(value), str(value)))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            filled[key] = str(value)
        elif isinstance(value, float):
            filled[key] = number(value, 1)
        elif key in _GROUPED_NUMBERS:
            filled[key] = number(value)
        else:
            filled[key] = str(value)
    return filled


def render(note: Note, with_file: bool = True) -> str:
    """The problem in the current locale (plain text: escape it for HTML), after its file's name
    unless `with_file` is False; an old stored English line as it is."""
    if isinstance(note, str):
        return note
    template = TEMPLATES.get(note.code)
    if template is None:
        return note.code
    text = template(note.values) % _filled(note.values)
    where = note.file
    if not with_file or not where:
        return text
    shown = _("pasted text") if where == PASTE_WHERE else where
    return _("%(file)s: %(problem)s") % {"file": shown, "problem": text}


def english(note: Note) -> str:
    """The problem in English as written (logs, exceptions, the command line)."""
    with using_locale(None):
        return render(note)


problems.set_english(english)
