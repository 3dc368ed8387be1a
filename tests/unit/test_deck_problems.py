"""What is wrong with a deck reads in the learner's language: every problem code the readers can
report has a template, fills it in all five languages, stays within Telegram's limits, and no
reader words a problem in English again."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cards.formats import read_deck_bytes
from bot.cards.model import DeckError
from bot.cards.problems import CODES, KEYS, WORDS, Problem, note_from_json, note_json, problem
from bot.cards.upload import Digest
from bot.sandbox.validate import parse_html
from bot.views import deck_problems
from bot.views.deck_problems import TEMPLATES, render
from bot.views.fmt import esc, utf16_len
from bot.views.i18n import LOCALES, using_locale
from bot.views.imports import couldnt_read
from tests.deck_notes import latin_words

ROOT = Path(__file__).resolve().parents[2]
CORE = [ROOT / "bot" / "cards", ROOT / "bot" / "reader"]
TEXT_LIMIT = 4096
# A problem read aloud within a refusal: `bot.views.imports` clips it there anyway.
PROBLEM_CHARS = 600


def samples(code: str) -> Iterator[Problem]:
    """The problem of `code` with each word its values may be, and sample figures and names."""
    keys = CODES[code]
    words = [key for key in keys if KEYS[key] == "word"]
    choices = max((len(WORDS[key]) for key in words), default=1)
    for index in range(choices):
        values: dict[str, int | float | str] = {"file": "deck.csv"}
        for key in keys:
            kind = KEYS[key]
            if kind == "word":
                values[key] = WORDS[key][index % len(WORDS[key])]
            elif kind == "int":
                values[key] = 21 + index
            elif kind == "float":
                values[key] = 12.5
            else:
                values[key] = "Vocab <b> & co"
        yield Problem(code, values)


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_reads_in_every_language_within_telegram_s_limits(code: str) -> None:
    assert code in TEMPLATES, f"bot/views/deck_problems.py has no template for {code!r}"
    for found in samples(code):
        for locale in LOCALES:
            with using_locale(locale):
                text = render(found)
                reply = couldnt_read(found)
            assert "%(" not in text and "%s" not in text, (locale, code, text)
            assert utf16_len(text) <= PROBLEM_CHARS, (locale, code, text)
            assert utf16_len(reply) <= TEXT_LIMIT
            parse_html(reply)  # the file's name and quoted text arrive escaped
            parse_html(esc(text))
            if locale == "en":
                assert text.startswith("deck.csv: ")
                english = text
            elif locale in ("ru", "uk"):
                # Nothing left in English: only the quoted values and names are in Latin letters.
                assert not latin_words(text, allowed=_ALLOWED), (locale, code, text)
            elif re.search(r"[a-z]{3}", re.sub(r"%\(\w+\)s", "", TEMPLATES[code](found.values))):
                assert text != english, (locale, code, text)


# Words a translation keeps as they are: names of formats, programs, files and the values above.
_ALLOWED = {
    *("deck", "csv", "Vocab", "co", "Anki", "Excel", "OpenDocument", "xlsx", "ods", "xls", "apkg"),
    *("UTF", "TOML", "title", "cards", "front", "back", "zip", "zstd", "SQLite", "XML", "PDF"),
    *("PNG", "JPEG", "GIF", "WebP", "MP3", "OGG", "M4A", "AAC", "WAV", "LaTeX", "NUL", "FSRS"),
    *("collection", "anki21b", "anki21", "anki2", "RAR", "gzip", "Zip", "Image", "Occlusion"),
    *("Deck", "Package", "UTF-8", "Office", "7-Zip", "MP3-", "zip-"),
}


def test_templates_hold_no_code_the_readers_cannot_report() -> None:
    assert set(TEMPLATES) == set(CODES)
    for key in KEYS:
        if KEYS[key] == "word":
            table = deck_problems.WORDS.get(key) or deck_problems.PLACES
            assert set(WORDS[key]) <= set(table), key


def test_a_problem_is_a_json_value_that_crosses_the_reader_s_pipe_and_the_database() -> None:
    found = problem("side_too_long", "deck.csv", place="line", at=12, side="back", length=2100,
                    limit=2000)  # fmt: skip
    raw = json.loads(json.dumps(note_json(found)))
    assert note_from_json(raw) == found
    assert hash(note_from_json(raw)) == hash(found)
    with pytest.raises(TypeError):
        found.values["at"] = 3  # type: ignore[index]
    with pytest.raises(ValueError, match="takes"):
        Problem("side_empty", {"place": "line"})


def test_an_english_warning_stored_before_problems_still_shows() -> None:
    old = {
        "title": "Verbs",
        "cards": 2,
        "reviews": 0,
        "warnings": ["the file is not UTF-8; I read it as Windows-1252 text"],
        "page": 0,
        "page_cards": [["a", "b"], ["c", "d"]],
    }
    digest = Digest.from_json(old)
    with using_locale("ru"):
        assert render(digest.warnings[0]) == "the file is not UTF-8; I read it as Windows-1252 text"


def test_a_deck_error_still_reads_as_english_in_logs_and_the_command_line() -> None:
    with pytest.raises(DeckError) as caught:
        read_deck_bytes(b"front,back\nDog,Hund\nCat,\n", "animals.csv")
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "animals.csv: line 3, field 2: the back is empty"
    with using_locale("ru"):
        assert render(caught.value.problem) == (
            "animals.csv: строка 3, поле 2: оборотная сторона пуста"
        )
        assert str(caught.value) == "animals.csv: line 3, field 2: the back is empty"


def _sources() -> Iterator[Path]:
    for folder in CORE:
        yield from sorted(folder.rglob("*.py"))


# An f-string or string of words raised as a DeckError or kept as a warning: the old way.
_ENGLISH_RAISE = re.compile(r"DeckError\(\s*(?:[rbf]*[\"'])", re.MULTILINE)
_ENGLISH_WARNING = re.compile(
    r"(?:warnings|notes)\s*(?:\.append\(|\+=\s*\[|=\s*\[)\s*[rbf]*[\"']", re.MULTILINE
)


def test_no_reader_words_a_problem_in_english_again() -> None:
    offenders = []
    for path in _sources():
        source = path.read_text()
        for pattern in (_ENGLISH_RAISE, _ENGLISH_WARNING):
            for match in pattern.finditer(source):
                line = source.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            # A warning tuple of strings (KeptMedia(..., ("...",))) is the old way too.
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "KeptMedia":
                for arg in node.args[1:]:
                    if isinstance(arg, ast.Tuple) and any(
                        isinstance(e, ast.Constant | ast.JoinedStr) for e in arg.elts
                    ):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: KeptMedia")
    assert not offenders, "word problems in bot/views/deck_problems.py:\n" + "\n".join(offenders)


def test_the_core_never_imports_the_views() -> None:
    for path in _sources():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n.startswith("bot.views") for n in names), path
