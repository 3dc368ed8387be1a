"""The interface's catalogues (bot/locales): complete, placeholders intact, compiled, and every
translation within Telegram's limits and valid Telegram HTML."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.sandbox.validate import parse_html
from bot.views.fmt import utf16_len
from bot.views.i18n import DEFAULT_LOCALE, LOCALE_DIR, LOCALES, pseudo, unpseudo, using_locale

TRANSLATED = [code for code in LOCALES if code != DEFAULT_LOCALE]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")
TAG = re.compile(r"</?([a-z\-]+)")
TOAST_LIMIT = 200
TOAST_SIZED = 140  # English this short may be shown as a toast
TEXT_LIMIT = 4096


def catalogue(code: str):  # type: ignore[no-untyped-def]
    """The .po catalogue of `code`."""
    with (LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def template_ids() -> set[str]:
    """Every msgid the views mark (the .pot `make i18n` extracts)."""
    with (LOCALE_DIR / "messages.pot").open("rb") as source:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}


def pairs(code: str) -> list[tuple[str, str]]:
    """(English, translation) of every translated message and plural form of `code`."""
    found = []
    for message in catalogue(code):
        if not message.id:
            continue
        if isinstance(message.id, str):
            if message.string:
                found.append((message.id, message.string))
        else:
            singular, plural = message.id
            for index, form in enumerate(message.string):
                if form:
                    found.append((singular if index == 0 else plural, form))
    return found


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted (translations may reorder them)."""
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_holds_every_message_of_the_views(code: str) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(code) if m.id}
    missing = template_ids() - ids
    assert not missing, f"run `make i18n`: {code} lacks {sorted(missing)[:5]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders_and_the_tags(code: str) -> None:
    for english, translated in pairs(code):
        if placeholders(english) != placeholders(translated):
            # A plural form may leave the number out ("one day" for 1), never add one.
            assert set(placeholders(translated)) <= set(placeholders(english)), (
                english,
                translated,
            )
            assert "%(n)s" in english, (english, translated)
        assert sorted(TAG.findall(english)) == sorted(TAG.findall(translated)), (
            english,
            translated,
        )


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_are_valid_telegram_html_within_the_limits(code: str) -> None:
    for english, translated in pairs(code):
        sample = PLACEHOLDER.sub("9", translated)
        parse_html(sample)  # raises on a tag Telegram refuses or an unbalanced one
        assert utf16_len(sample) <= TEXT_LIMIT
        if utf16_len(english) <= TOAST_SIZED and "\n" not in english:
            # A line short enough to be a toast (as every toast is) stays one in every language.
            assert utf16_len(sample) <= TOAST_LIMIT, (english, translated)


def _translated(messages: object) -> dict[object, object]:
    """{msgid: msgstr} of the translated messages (plural ones as tuples), for comparison."""
    found: dict[object, object] = {}
    for message in messages:  # type: ignore[attr-defined]
        if not message.id or getattr(message, "fuzzy", False):
            continue
        key = tuple(message.id) if isinstance(message.id, list | tuple) else message.id
        value = (
            tuple(message.string) if isinstance(message.string, list | tuple) else message.string
        )
        # pybabel compile fills an untranslated plural with the English forms: not a translation.
        english = set(key) if isinstance(key, tuple) else {key}
        if isinstance(value, tuple) and set(value) <= english:
            continue
        if value and (not isinstance(value, tuple) or all(value)):
            found[key] = value
    return found


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogues_are_not_stale(code: str) -> None:
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as compiled:
        shipped = _translated(read_mo(compiled))
    assert shipped == _translated(catalogue(code)), (
        f"run `make i18n` (or pybabel compile -d {LOCALE_DIR})"
    )


def test_how_much_is_translated() -> None:
    """Reports how much of each catalogue is translated (an untranslated message reads in
    English); fails only when a language has nothing at all."""
    total = len(template_ids())
    for code in TRANSLATED:
        done = sum(
            1
            for m in catalogue(code)
            if m.id and (m.string if isinstance(m.string, str) else all(m.string))
        )
        print(f"{code}: {done}/{total} translated")
        assert done > 0


def test_the_description_and_the_menus_fit_telegram_in_every_language() -> None:
    from bot.views.commands import commands, description, short_description

    for code in LOCALES:
        with using_locale(code):
            assert 0 < utf16_len(description()) <= 512, code
            assert 0 < utf16_len(short_description()) <= 120, code
            for private in (True, False):
                for name, text in commands(private):
                    assert 3 <= len(text) <= 256, (code, name)


def test_the_locale_changes_the_words_numbers_and_plurals() -> None:
    from bot.views.i18n import count, in_duration, number
    from bot.views.texts import help_text

    with using_locale("ru"):
        assert "Что я умею" in help_text()
        assert number(12345) == "12\xa0345"
        assert in_duration(timedelta(minutes=10)) == "через 10 минут"
    with using_locale("de"):
        assert "Was ich kann" in help_text()
        assert number(12345) == "12.345"
    with using_locale("en"):
        assert count(1, "%(n)s day", "%(n)s days") == "1 day"
        assert count(2, "%(n)s day", "%(n)s days") == "2 days"


def test_the_pseudo_locale_is_longer_accented_and_reads_back() -> None:
    english = "🔥 <b>Current streak:</b> %(days)s — send /quiz &amp; {x}"
    text = pseudo(english)
    assert len(text) >= len(english) * 1.4
    assert "<b>" in text and "%(days)s" in text and "/quiz" in text and "&amp;" in text
    assert "Current" not in text
    assert unpseudo(text) == english


def test_the_package_data_holds_the_catalogues() -> None:
    assert (Path(LOCALE_DIR) / "messages.pot").exists()


# Views whose words are not the learner's: the operator's error summary, and no words at all.
UNTRANSLATED_VIEWS = {"alerts.py", "callbacks.py", "i18n.py", "__init__.py"}
MARKERS = {"_", "N_", "ngettext", "count"}
WORDS = re.compile(r"[A-Za-z]{2,}[,.!?'’]? +[A-Za-z]+|^[A-Z][a-z]{2,}$")


def _unmarked_words(source: str) -> list[tuple[int, str]]:
    """String literals (docstrings aside) that read as words and reach no translation call."""
    tree = ast.parse(source)
    inside: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in MARKERS
        ):
            inside.update(id(sub) for sub in ast.walk(node))
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            inside.add(id(body[0].value))  # a docstring
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in inside
        and WORDS.search(node.value)
    ]


def test_every_sentence_in_the_views_is_marked_for_translation() -> None:
    views = Path(__file__).resolve().parents[2] / "bot" / "views"
    found = [
        f"{path.name}:{line}: {text[:60]!r}"
        for path in sorted(views.glob("*.py"))
        if path.name not in UNTRANSLATED_VIEWS
        for line, text in _unmarked_words(path.read_text(encoding="utf-8"))
    ]
    assert not found, "wrap these in _() or N_():\n" + "\n".join(found)
    # The check itself sees what it must.
    assert _unmarked_words('x = "Tap a card"\ny = _("Tap a card")\nz = "Back"') == [
        (1, "Tap a card"),
        (3, "Back"),
    ]


def test_the_template_holds_every_message_the_views_mark() -> None:
    """A sentence marked in bot/views but not extracted (`make i18n` not run) fails here."""
    from babel.messages.extract import extract_from_dir

    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "count": (2, 3)}
    marked = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(LOCALE_DIR.parent / "views"),
            method_map=[("**.py", "python")],
            keywords=keywords,
        )
    }
    assert marked == template_ids(), "run `make i18n`"
