"""Deep links into the private chat: `t.me/<bot>?start=<payload>`, and which payloads /start obeys.

A payload arrives as the argument of /start when someone opens such a link. Anyone can make a link
with any payload, so it is untrusted input: only the exact names below are obeyed, anything else is
a plain /start.
"""

from __future__ import annotations

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
