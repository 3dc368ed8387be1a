"""Deep links into the private chat: `t.me/<bot>?start=<payload>`, and which payloads /start obeys.

A payload arrives as the argument of /start when someone opens such a link. Anyone can make a link
with any payload, so it is untrusted input: only the exact names below are obeyed, anything else is
a plain /start.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

# Each payload names the private command it opens. /forget is left out on purpose: a link shared
# in a group should never lead straight to the question that deletes someone's data.
START_PAYLOADS: tuple[str, ...] = (
    "quiz",
    "decks",
    "settings",
    "stats",
    "import",
    "export",
    "remind",
    "timezone",
    "catalogue",  # the starter decks, for a link to hand a newcomer
)


def start_payload(args: Sequence[str] | None) -> str | None:
    """The command a `/start <payload>` asks for, or None for a plain /start (unknown payloads too)."""
    if not args or len(args) != 1:
        return None
    payload = args[0]
    return payload if payload in START_PAYLOADS else None


def start_link(username: str, payload: str | None = None) -> str:
    """The link that opens the private chat with the bot, with `/start payload` when it is known."""
    if payload is not None and payload not in START_PAYLOADS:
        raise ValueError(f"unknown start payload {payload!r}")
    base = f"https://t.me/{username}"
    return base if payload is None else f"{base}?start={payload}"


# A shared deck's link: `d_` then the link's token (bot.storage.sharing). The token is 32 characters
# of secrets.token_urlsafe(24) (192 random bits), within the start parameter's 64 characters and
# its alphabet; a payload of any other shape is not a link to a deck.
DECK_LINK_PREFIX = "d_"
TOKEN_BYTES = 24
TOKEN_CHARS = 32
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_CHARS}}}")


def new_deck_token() -> str:
    """A fresh, unguessable token for a deck's share link."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assert _TOKEN.fullmatch(token)
    return token


def is_deck_token(text: str) -> bool:
    """Whether `text` has the shape of a share link's token (looked up by exact match only)."""
    return bool(_TOKEN.fullmatch(text))


def deck_link_token(args: Sequence[str] | None) -> str | None:
    """The token of a `/start d_<token>` (a shared deck's link), or None for any other /start."""
    if not args or len(args) != 1 or not args[0].startswith(DECK_LINK_PREFIX):
        return None
    token = args[0][len(DECK_LINK_PREFIX) :]
    return token if is_deck_token(token) else None


def deck_link(username: str, token: str) -> str:
    """The link that opens a shared deck's preview in the private chat with the bot."""
    if not is_deck_token(token):
        raise ValueError("not a deck link token")
    return f"https://t.me/{username}?start={DECK_LINK_PREFIX}{token}"
