"""Where a tap belongs: its chat kind and the messages whose keyboards carry its place."""

from __future__ import annotations

import pytest

from bot.views.callbacks import BattleTap, DeckTap, ImportTap, MenuTap, QuizTap, Tap, encode
from bot.views.taps import carried, closed_preview, home


def keyboard(*taps: Tap) -> list[str]:
    return [encode(t) for t in taps]


QUESTION = keyboard(*(QuizTap(7, 2, "option", i) for i in range(4)))
REVEAL = keyboard(QuizTap(7, 2, "override"))
LOBBY = keyboard(BattleTap(3, "join"), BattleTap(3, "start"))
ROUND = keyboard(*(BattleTap(3, "answer", 2, i) for i in range(4)))
SETTINGS = keyboard(MenuTap("settings", "open.size"), MenuTap("settings", "open.deck"))
OFFER = keyboard(MenuTap("remind", "1830"), MenuTap("remind_no"))
DECKS = keyboard(DeckTap(1, "use"), DeckTap(4, "use"), DeckTap(4, "delete"))
PREVIEW = keyboard(ImportTap(9, "page", 1), ImportTap(9, "save"), ImportTap(9, "cancel"))
START = keyboard(MenuTap("quiz"))


@pytest.mark.parametrize(
    ("tap", "buttons", "expected"),
    [
        (QuizTap(7, 2, "option", 9), QUESTION, True),  # same question: the service judges 9
        (QuizTap(7, 2, "override"), QUESTION, True),
        (QuizTap(7, 2, "option", 1), REVEAL, True),
        (QuizTap(7, 3, "option", 1), QUESTION, False),  # the next question's button
        (QuizTap(8, 2, "option", 1), QUESTION, False),  # another session's
        (BattleTap(3, "start"), LOBBY, True),
        (BattleTap(3, "join"), ROUND, False),
        (BattleTap(3, "answer", 2, 9), ROUND, True),
        (BattleTap(3, "answer", 1, 0), ROUND, False),  # round 1's answer on round 2's message
        (BattleTap(4, "answer", 2, 0), ROUND, False),  # another battle's
        (BattleTap(3, "answer", 1, 0), LOBBY, False),
        (MenuTap("settings", "set.size.20"), SETTINGS, True),
        (MenuTap("settings", "menu"), ROUND, False),
        (MenuTap("remind", "0830"), LOBBY, False),
        (MenuTap("remind_no"), OFFER, True),
        (MenuTap("tz", "Europe/Paris"), OFFER, False),
        (MenuTap("quiz"), ROUND, False),
        (MenuTap("quiz"), START, True),
        (MenuTap("forget", "yes"), SETTINGS, False),
        (DeckTap(99, "confirm"), DECKS, True),
        (DeckTap(1, "use"), SETTINGS, False),
        (ImportTap(9, "history"), PREVIEW, True),
        (ImportTap(10, "save"), PREVIEW, False),
        (ImportTap(9, "save"), [], False),
    ],
)
def test_a_keyboard_carries_the_taps_of_its_own_place_only(
    tap: Tap, buttons: list[str], expected: bool
) -> None:
    assert carried(tap, encode(tap), buttons) is expected


def test_battles_belong_in_groups_and_everything_else_in_private() -> None:
    assert home(BattleTap(1, "join")) == "group"
    for tap in (QuizTap(1, 0, "show"), MenuTap("quiz"), DeckTap(1, "use"), ImportTap(1, "save")):
        assert home(tap) == "private"


def test_only_an_import_tap_may_come_from_what_a_closed_preview_shows() -> None:
    assert closed_preview(ImportTap(9, "page", 2), [])
    assert closed_preview(ImportTap(9, "page", 2), START)
    assert not closed_preview(ImportTap(9, "page", 2), SETTINGS)
    assert not closed_preview(ImportTap(9, "page", 2), PREVIEW)  # an open preview is carried
    assert not closed_preview(MenuTap("settings", "menu"), [])
    assert not closed_preview(QuizTap(7, 2, "show"), [])
