"""The starter catalogue's screens in every language: valid Telegram HTML within its limits, even
with every deck added and a long name; a name's HTML is escaped."""

from __future__ import annotations

from bot.cards.catalogue import catalogue_decks
from bot.services.catalogue import AddedDeck, CatalogueItem, CatalogueScreen
from bot.views import catalogue as view
from bot.views.callbacks import MenuTap, decode
from tests.unit.test_screens_in_every_language import fits, keyboard_fits, small_toast, speaking

__all__ = ["speaking"]  # the fixture, rendering each test in every language

LONG = "<b>" + "Ж" * 300


def screen(added: bool) -> CatalogueScreen:
    """The catalogue with every deck added, or none."""
    return CatalogueScreen(
        tuple(CatalogueItem(d, 1 if added else None) for d in catalogue_decks()), newcomer=not added
    )


def test_the_catalogue_screens_fit(speaking: str) -> None:
    fits(view.newcomer_welcome(LONG))
    for added in (False, True):
        fits(view.catalogue_text(screen(added)))
        keyboard_fits(view.catalogue_keyboard(screen(added), start_quiz=True))
    for already in (False, True):
        fits(view.added_text(AddedDeck(LONG, 1, 5000, already)))
    keyboard_fits(view.added_keyboard())
    keyboard_fits(view.returning_keyboard())
    small_toast(view.adding_toast(LONG))
    small_toast(view.found_toast())


def test_a_name_is_escaped_and_each_button_adds_its_own_deck() -> None:
    assert "&lt;b&gt;" in view.newcomer_welcome("<b>Eve")
    keyboard = view.catalogue_keyboard(screen(False))
    *decks, last = keyboard.inline_keyboard
    taps = [decode(row[0].callback_data) for row in decks]
    assert taps == [MenuTap(view.ADD_TAP, d.slug) for d in catalogue_decks()]
    # then no dead end: Start quiz, or back to My decks
    assert [decode(b.callback_data) for b in last] == [MenuTap("quiz"), MenuTap(view.MY_DECKS_TAP)]
    labels = [row[0].text for row in keyboard.inline_keyboard]
    assert "🔢 Times tables 2 to 12 · 121" in labels
    ticked = view.catalogue_keyboard(screen(True)).inline_keyboard[0][0].text
    assert ticked.startswith("✅ ")
