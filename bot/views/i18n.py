"""The interface in the reader's language: gettext catalogues (bot/locales) and Babel formatting.

The locale of the text being rendered lives in a context variable: a handler's update sets it
from the chat's stored language (bot.handlers.language), the deliverer sets it for each chat it
renders for, so views only call `_()`, `ngettext()` and the formatters below. English is the
source language: an English catalogue is not needed, and a missing translation reads in English.

A pseudo-locale (QUIZMASTER_PSEUDO_LOCALE=1) replaces English with every message made about 40 %
longer and accented, so a run of the tests shows what breaks with a longer language.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton, format_timedelta
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

DEFAULT_LOCALE = "en"
# The interface's languages, in the order /language offers them.
LOCALES: tuple[str, ...] = ("en", "ru", "es", "de", "uk")
# Each language named in itself, for the /language buttons.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "es": "Español",
    "de": "Deutsch",
    "uk": "Українська",
}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
PSEUDO_ENV = "QUIZMASTER_PSEUDO_LOCALE"

# None: no chat's language is set (start-up, tests): English as written, never the pseudo-locale.
_locale: ContextVar[str | None] = ContextVar("locale", default=None)


def supported(code: str | None) -> str | None:
    """The interface language for a Telegram `language_code` ('pt-br', 'de'), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LOCALES else None


# The chat whose stored language the current update set (so a delivery to it reads it no more).
_locale_chat: ContextVar[int | None] = ContextVar("locale_chat", default=None)


def set_chat_locale(chat_id: int, code: str) -> None:
    """Render in `code`, the stored language of `chat_id`, for the rest of this update."""
    _locale.set(supported(code))
    _locale_chat.set(chat_id)


def held_locale(chat_id: int) -> str | None:
    """The language of `chat_id` when this update already read it, else None."""
    if _locale_chat.get() != chat_id:
        return None
    return _locale.get() or DEFAULT_LOCALE


def current_locale() -> str:
    """The locale views render in now."""
    return _locale.get() or DEFAULT_LOCALE


def set_locale(code: str | None) -> None:
    """Render in `code` (a supported language; anything else means English) from now on in this
    task; an update's task sets it once, before its handlers run."""
    _locale.set(supported(code))
    _locale_chat.set(None)


@contextmanager
def using_locale(code: str | None) -> Iterator[None]:
    """Render in `code` inside the block, then in the locale before it (None: English as
    written, even in a pseudo-locale run)."""
    token = _locale.set(supported(code))
    try:
        yield
    finally:
        _locale.reset(token)


def pseudo_enabled() -> bool:
    """True when English is replaced by the pseudo-locale (QUIZMASTER_PSEUDO_LOCALE=1)."""
    return os.environ.get(PSEUDO_ENV, "") not in {"", "0"}


@cache
def translations(code: str | None) -> NullTranslations:
    """The compiled catalogue of `code`, loaded once (English and unknown codes: none)."""
    if code is None or code == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [code], DOMAIN)


def _(message: str) -> str:
    """`message` in the current locale."""
    code = _locale.get()
    if code == DEFAULT_LOCALE and pseudo_enabled():
        return pseudo(message)
    return translations(code).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for the count `n`, in the current locale's plural rules."""
    code = _locale.get()
    if code == DEFAULT_LOCALE and pseudo_enabled():
        return pseudo(singular if n == 1 else plural)
    return translations(code).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it (module constants: translate
    them with `_()` where they are shown)."""
    return message


def count(n: int, singular: str, plural: str) -> str:
    """`singular`/`plural` with `%(n)s` filled by `n` as the locale writes numbers: '1 day'."""
    return ngettext(singular, plural, n) % {"n": number(n)}


def number(value: float, digits: int = 0) -> str:
    """`value` as the current locale writes numbers ('12,345', '12 345', '12.345')."""
    return _number_in(current_locale(), value, digits)


@lru_cache(maxsize=4096)
def _number_in(code: str, value: float, digits: int) -> str:
    # Every question's heading writes two numbers; babel parses its pattern each time (about 30 µs),
    # and the same few numbers recur.
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale_of(code))


def percent(fraction: float) -> str:
    """`fraction` (0..1) as a whole percentage in the current locale ('87%', '87 %')."""
    return format_percent(fraction, format="#,##0%", locale=_babel_locale())


def day_month(day: date, year: bool = False) -> str:
    """A date as the locale writes it short: '10 Dec', '10 дек.', '10 dic 2027'."""
    if current_locale() == DEFAULT_LOCALE:
        # The bot's English writes the day first ('10 Dec'), as it always has.
        return format_date(day, "d MMM y" if year else "d MMM", locale=_babel_locale())
    # Each other language as CLDR writes a short date: '10. Dez.', '10 дек.', '10 dic'.
    return format_skeleton("yMMMd" if year else "MMMd", day, locale=_babel_locale())


def full_date(day: date) -> str:
    """A date in the locale's medium form: 'Dec 10, 2026', '10.12.2026'."""
    return format_date(day, "medium", locale=_babel_locale())


def weekday(day: date | datetime) -> str:
    """The day's name in the current locale: 'Thursday', 'четверг'."""
    return format_date(day, "EEEE", locale=_babel_locale())


def short_weekday(day: date | datetime) -> str:
    """The day's short name in the current locale: 'Thu', 'чт'."""
    return format_date(day, "EEE", locale=_babel_locale())


def weekday_abbreviation(index: int) -> str:
    """Monday (0) to Sunday (6), abbreviated in the current locale: 'Mon', 'пн'."""
    return str(_babel_locale().days["format"]["abbreviated"][index])


def short_month(day: date | datetime) -> str:
    """The month's short name in the current locale, standing alone: 'Dec', 'дек.'."""
    return format_date(day, "LLL", locale=_babel_locale())


def in_duration(delta: timedelta) -> str:
    """A time ahead as the locale says it: 'in 10 minutes', 'через 10 минут'."""
    return format_timedelta(
        delta, granularity="minute", threshold=1.0, add_direction=True, locale=_babel_locale()
    )


def duration(delta: timedelta) -> str:
    """A length of time as the locale says it: '10 minutes', '10 минут'."""
    return format_timedelta(delta, granularity="second", threshold=1.0, locale=_babel_locale())


def _babel_locale() -> Locale:
    return _locale_of(current_locale())


@cache
def _locale_of(code: str) -> Locale:
    return Locale.parse(code)


# The pseudo-locale: letters accented (each maps back one to one), and padding of swung dashes.
_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ"
_TO_PSEUDO = str.maketrans(_PLAIN, _ACCENTED)
_FROM_PSEUDO = str.maketrans(_ACCENTED, _PLAIN)
PAD = "⁓"


def pseudo(message: str) -> str:
    """`message` accented outside placeholders, tags and entities, padded 40 % longer."""
    out: list[str] = []
    i = 0
    letters = 0
    while i < len(message):
        char = message[i]
        end = _skip(message, i)
        if end > i:
            out.append(message[i:end])
            i = end
            continue
        if char.isascii() and char.isalpha():
            letters += 1
            out.append(char.translate(_TO_PSEUDO))
        else:
            out.append(char)
        i += 1
    if not letters:
        return message
    return "".join(out) + " " + PAD * max(1, (len(message) * 2) // 5)


def _skip(message: str, i: int) -> int:
    """The end of a placeholder, HTML tag or entity starting at `i` (or `i` when none does)."""
    char = message[i]
    closer = {"<": ">", "&": ";", "{": "}"}.get(char)
    if closer is not None:
        end = message.find(closer, i)
        return end + 1 if end != -1 else i
    if char == "%" and i + 1 < len(message):
        if message[i + 1] == "(":
            close = message.find(")", i)
            return close + 2 if close != -1 else i
        return i + 2
    if char == "/" and (i == 0 or not message[i - 1].isalnum()):
        # A command stays typeable: /quiz is /quiz in every language.
        end = i + 1
        while end < len(message) and (message[end].isalnum() or message[end] == "_"):
            end += 1
        return end
    return i


def unpseudo(text: str) -> str:
    """The English a pseudo-locale text was made from (tests read it back)."""
    if PAD not in text:
        return text
    cleaned = text.replace(" " + PAD, "").replace(PAD, "")
    return cleaned.translate(_FROM_PSEUDO)
