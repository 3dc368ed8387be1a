"""The callback-data codec: every button's data is made and read here, defensively.

Callback data comes back from the client untouched by Telegram, so it is untrusted input: anything
that does not parse exactly is None, and the handler answers it with a polite toast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_BYTES = 64
MAX_ID = 2**62

QuizAction = Literal["show", "grade", "option", "giveup", "override"]
_ACTION_CODES: dict[str, QuizAction] = {
    "s": "show",
    "g": "grade",
    "o": "option",
    "x": "giveup",
    "r": "override",  # "I was right" after a typed answer was graded wrong
}
_CODES_BY_ACTION = {v: k for k, v in _ACTION_CODES.items()}
_QUIZ = re.compile(r"q:(\d{1,19}):(\d{1,4}):([sgoxr])(\d?)")
_MENU = re.compile(r"m:([a-z_]{1,24})(?::([A-Za-z0-9_+\-/.]{1,40}))?")
_BATTLE = re.compile(r"b:([0-9]{1,19}):(?:(j)|(s)|a([0-9]{1,2}):([0-9]))")
BattleAction = Literal["join", "start", "answer"]
ImportAction = Literal["save", "history", "cancel", "page"]
_IMPORT = re.compile(r"i:(\d{1,19}):(?:([shc])|p(0|[1-9]\d{0,3}))")
DeckAction = Literal["use", "delete", "confirm", "list", "both", "share", "revoke", "follow"]
_DECK = re.compile(r"d:(\d{1,19}):([udylbsrf])")
# Add on a shared deck's preview: the link's token (bot.core.deeplinks.TOKEN_CHARS characters).
_LINK = re.compile(r"l:([A-Za-z0-9_-]{32})")
_IMPORT_ACTIONS: dict[str, ImportAction] = {"s": "save", "h": "history", "c": "cancel"}
_DECK_ACTIONS: dict[str, DeckAction] = {
    "u": "use",
    "d": "delete",
    "y": "confirm",
    "l": "list",
    "b": "both",
    "s": "share",  # the Share screen (a new link when the deck has none)
    "r": "revoke",
    "f": "follow",  # the link gives a following deck or a copy
}
_DECK_CODES = {v: k for k, v in _DECK_ACTIONS.items()}
GroupAction = Literal["pick", "copy"]
_GROUP = re.compile(r"g:(\d{1,19}):([pc])")
_DAILY = re.compile(r"y:(\d{1,19}):([0-9])")
# An inline quiz's option: the question, the option, the message's language and a signature of
# question and language (its taps come from any chat with no message to check them against:
# bot.services.inline signs them).
_INLINE = re.compile(r"n:(\d{1,19}):([0-9]):([a-z]{2}):([A-Za-z0-9_-]{12})")


@dataclass(frozen=True, slots=True)
class QuizTap:
    """A tap on a quiz question's button: which session, which question, what was tapped."""

    session_id: int
    position: int
    action: QuizAction
    value: int = 0


@dataclass(frozen=True, slots=True)
class MenuTap:
    """A tap on a menu button (start a quiz, open a setting …), with an optional argument."""

    name: str
    arg: str | None = None


@dataclass(frozen=True, slots=True)
class BattleTap:
    """A tap in a group battle: Join, Start, or option `option` of round `round_no` (1-based)."""

    battle_id: int
    action: BattleAction
    round_no: int = 0
    option: int = 0


@dataclass(frozen=True, slots=True)
class ImportTap:
    """A tap on an import preview: save (optionally with the review history), cancel, or a page."""

    import_id: int
    action: ImportAction
    page: int = 0  # which page of cards to show, for "page"


@dataclass(frozen=True, slots=True)
class DeckTap:
    """A tap in /decks: use a deck, ask to delete it, confirm the delete, back to the list, ask
    an own deck's cards both ways (or not), or share it: its link, revoke it, follow or copy."""

    deck_id: int
    action: DeckAction


@dataclass(frozen=True, slots=True)
class LinkTap:
    """Add on the preview a shared deck's link opened: the link's token."""

    token: str


@dataclass(frozen=True, slots=True)
class GroupTap:
    """A tap under /groupdeck: an admin picks deck `deck_id`, or a member copies it."""

    deck_id: int
    action: GroupAction


@dataclass(frozen=True, slots=True)
class DailyTap:
    """An answer to a daily group question shown with buttons (one a poll cannot hold)."""

    daily_id: int
    option: int


@dataclass(frozen=True, slots=True)
class InlineTap:
    """A tap on an option of a question posted through inline mode, in any chat."""

    question_id: int
    option: int
    language: str  # the language the message is written in (its tally is edited in it)
    signature: str


Tap = (
    GroupTap | DailyTap | QuizTap | MenuTap | BattleTap | ImportTap | DeckTap | InlineTap | LinkTap
)


def encode(tap: Tap) -> str:
    """The callback data for a button; raises ValueError if it would not fit Telegram's 64 bytes."""
    if isinstance(tap, QuizTap):
        value = str(tap.value) if tap.action in ("grade", "option") else ""
        data = f"q:{tap.session_id}:{tap.position}:{_CODES_BY_ACTION[tap.action]}{value}"
    elif isinstance(tap, BattleTap):
        data = f"b:{tap.battle_id}:" + (
            f"a{tap.round_no}:{tap.option}" if tap.action == "answer" else tap.action[0]
        )
    elif isinstance(tap, ImportTap):
        data = f"i:{tap.import_id}:" + (f"p{tap.page}" if tap.action == "page" else tap.action[0])
    elif isinstance(tap, DeckTap):
        data = f"d:{tap.deck_id}:{_DECK_CODES[tap.action]}"
    elif isinstance(tap, LinkTap):
        data = f"l:{tap.token}"
    elif isinstance(tap, GroupTap):
        data = f"g:{tap.deck_id}:{tap.action[0]}"
    elif isinstance(tap, DailyTap):
        data = f"y:{tap.daily_id}:{tap.option}"
    elif isinstance(tap, InlineTap):
        data = f"n:{tap.question_id}:{tap.option}:{tap.language}:{tap.signature}"
    else:
        data = f"m:{tap.name}" + (f":{tap.arg}" if tap.arg is not None else "")
    if len(data.encode()) > MAX_BYTES or decode(data) != tap:
        raise ValueError(f"cannot encode {tap!r} as callback data")
    return data


def decode(data: object) -> Tap | None:
    """The tap a callback's data describes, or None for anything malformed, oversized or unknown."""
    if not isinstance(data, str) or not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    if match := _QUIZ.fullmatch(data):
        session_id, position = int(match[1]), int(match[2])
        action = _ACTION_CODES[match[3]]
        digit = match[4]
        if not 0 < session_id < MAX_ID:
            return None
        if action == "grade":
            if digit not in ("1", "2", "3", "4"):
                return None
            return QuizTap(session_id, position, action, int(digit))
        if action == "option":
            if digit == "":
                return None
            return QuizTap(session_id, position, action, int(digit))
        if digit:
            return None
        return QuizTap(session_id, position, action)
    if match := _MENU.fullmatch(data):
        return MenuTap(match[1], match[2])
    if match := _BATTLE.fullmatch(data):
        return _battle_tap(match)
    if match := _IMPORT.fullmatch(data):
        return _import_tap(match)
    if match := _DECK.fullmatch(data):
        return _deck_tap(match)
    if match := _LINK.fullmatch(data):
        return LinkTap(match[1])
    if match := _GROUP.fullmatch(data):
        deck_id = int(match[1])
        if not 0 < deck_id < MAX_ID:
            return None
        return GroupTap(deck_id, "pick" if match[2] == "p" else "copy")
    if match := _DAILY.fullmatch(data):
        daily_id = int(match[1])
        return DailyTap(daily_id, int(match[2])) if 0 < daily_id < MAX_ID else None
    if match := _INLINE.fullmatch(data):
        question_id = int(match[1])
        if not 0 < question_id < MAX_ID:
            return None
        return InlineTap(question_id, int(match[2]), match[3], match[4])
    return None


def _battle_tap(match: re.Match[str]) -> BattleTap | None:
    battle_id = int(match[1])
    if not 0 < battle_id < MAX_ID:
        return None
    if match[2]:
        return BattleTap(battle_id, "join")
    if match[3]:
        return BattleTap(battle_id, "start")
    round_no = int(match[4])
    if round_no < 1:
        return None
    return BattleTap(battle_id, "answer", round_no, int(match[5]))


def _import_tap(match: re.Match[str]) -> ImportTap | None:
    import_id = int(match[1])
    if not 0 < import_id < MAX_ID:
        return None
    if match[3] is not None:
        return ImportTap(import_id, "page", int(match[3]))
    return ImportTap(import_id, _IMPORT_ACTIONS[match[2]])


def _deck_tap(match: re.Match[str]) -> DeckTap | None:
    deck_id = int(match[1])
    return DeckTap(deck_id, _DECK_ACTIONS[match[2]]) if 0 < deck_id < MAX_ID else None
