"""The decks screens' sentences: every key decks.js shows is one the server sends, in every
language, with the placeholders the page fills; and the page builds its DOM without markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.views import webapp_decks
from bot.views.i18n import DEFAULT_LOCALE, LOCALE_DIR, LOCALES, using_locale

DECKS_JS = Path(webapp_decks.__file__).resolve().parent.parent / "webapp" / "static" / "decks.js"
# A sentence's key ("decks.title"), not the stylesheet's file name.
KEY = re.compile(r"""["'](decks\.(?!css["'])[a-z_.]+)["']""")
# t("decks.key", { name: value, other }) — the names the page fills in.
FILLED = re.compile(r"""\bt\(\s*"(decks\.[a-z_.]+)"\s*,\s*\{([^{}]*)\}""")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TRANSLATED = [code for code in LOCALES if code != DEFAULT_LOCALE]


def script() -> str:
    """decks.js as served."""
    return DECKS_JS.read_text(encoding="utf-8")


def test_every_key_the_page_shows_is_sent_and_every_sentence_is_shown() -> None:
    used = set(KEY.findall(script()))
    sent = set(webapp_decks.strings())
    assert used - sent == set(), "decks.js shows keys the server never sends"
    assert sent - used == set(), "sentences no screen shows"


def test_the_page_fills_exactly_the_placeholders_of_each_sentence() -> None:
    calls = FILLED.findall(script())
    assert calls, "decks.js fills no placeholder: the pattern no longer matches its calls"
    for key, names in calls:
        filled = {part.split(":", 1)[0].strip() for part in names.split(",") if part.strip()}
        wanted = set(PLACEHOLDER.findall(webapp_decks.strings()[key]))
        assert filled == wanted, (key, filled, wanted)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_sentence_is_translated(code: str) -> None:
    with (LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalogue = read_po(file, locale=code)
    english = webapp_decks.strings()
    with using_locale(code):
        shown = webapp_decks.strings()
    for key, sentence in english.items():
        message = catalogue.get(sentence)
        assert message is not None and message.string, (code, key)
        assert shown[key] == message.string, (code, key)
        assert set(PLACEHOLDER.findall(shown[key])) == set(PLACEHOLDER.findall(sentence))


def test_the_page_never_writes_markup() -> None:
    text = script()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in text, sink
