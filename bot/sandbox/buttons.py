"""Numbering the buttons a terminal shows: `[3.1] Good` is the first button of message 3.

Every bot message with buttons gets a number of its own the first time it is shown, so any
button still on screen can be reached (`3.1`). A bare number (`1`) is a shortcut for the newest
message's buttons, taken only while that message waits for a tap; otherwise the number is sent
as text, so a typed answer that happens to be a number is never mistaken for a button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.sandbox.message import SandboxMessage

# `3.1` (message 3, button 1) or `1` (button 1 of the newest message).
_REF = re.compile(r"(?:(\d{1,6})\.)?(\d{1,3})")
# A last line that asks the person to type ("✍️ Type your answer.", "Tap the answer or type it.").
_INVITES_TYPING = re.compile(r"\btype\b", re.IGNORECASE)


@dataclass(frozen=True)
class ButtonRef:
    """A typed reference to a button: the message's number (None for the newest) and the button's."""

    message: int | None
    button: int


def parse_ref(text: str) -> ButtonRef | None:
    """`3.1` or `1` as a button reference; None for anything else."""
    match = _REF.fullmatch(text.strip())
    if match is None:
        return None
    message, button = match.groups()
    return ButtonRef(int(message) if message else None, int(button))


def tappable(message: SandboxMessage) -> bool:
    """True when the message has at least one button that sends a tap (not only links)."""
    return any(data is not None for row in message.buttons for _, data in row)


def invites_typing(message: SandboxMessage) -> bool:
    """True when the message's closing line asks for a typed reply, whatever its buttons."""
    lines = [line for line in message.text.splitlines() if line.strip()]
    return bool(lines) and _INVITES_TYPING.search(lines[-1]) is not None


def waits_for_tap(newest: SandboxMessage | None) -> bool:
    """True when the chat's newest bot message has buttons to tap and asks for no typed reply:
    only then does a bare number tap one of its buttons."""
    return newest is not None and tappable(newest) and not invites_typing(newest)


class ButtonBoard:
    """The numbers given to messages with buttons, in the order they were first shown."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[int, int], int] = {}
        self._messages: dict[int, tuple[int, int]] = {}

    def number(self, message: SandboxMessage) -> int:
        """The message's number, given on first sight and kept through edits."""
        key = (message.chat_id, message.message_id)
        if key not in self._numbers:
            shown = len(self._numbers) + 1
            self._numbers[key] = shown
            self._messages[shown] = key
        return self._numbers[key]

    def message_key(self, number: int) -> tuple[int, int] | None:
        """`(chat_id, message_id)` of the message shown as `number`."""
        return self._messages.get(number)

    def labels(self, message: SandboxMessage) -> list[str]:
        """The button rows as printed: `[3.1] Good  [3.2] Easy`, one string per row."""
        number = self.number(message)
        rows: list[str] = []
        index = 0
        for row in message.buttons:
            cells = []
            for label, _ in row:
                index += 1
                cells.append(f"[{number}.{index}] {label}")
            rows.append("  ".join(cells))
        return rows
