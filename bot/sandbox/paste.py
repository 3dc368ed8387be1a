"""Turning the terminal's lines into what a person sends: one line, or a whole paste at once.

A terminal in bracketed paste mode wraps pasted text in ESC[200~ … ESC[201~, so its lines can
be told from typed ones and sent as one message, as a Telegram client does. Where the terminal
cannot do that (a pipe, an old terminal), `:paste` … `:end` gathers lines by hand.
"""

from __future__ import annotations

import contextlib
import termios
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
ENABLE_PASTE_MODE = "\x1b[?2004h"
DISABLE_PASTE_MODE = "\x1b[?2004l"
BLOCK_START = ":paste"
BLOCK_END = ":end"
# Telegram's limit for one text message; a client splits anything longer into several.
MESSAGE_CHARS = 4096


@dataclass(frozen=True)
class Entry:
    """One thing the person entered: a typed line, or pasted text (sent as is, never a command)."""

    text: str
    pasted: bool = False


class LineAssembler:
    """Feeds on the terminal's lines and hands back whole entries as they complete."""

    def __init__(self) -> None:
        self._pending: str | None = None  # a bracketed paste still arriving
        self._block: list[str] | None = None  # lines of a `:paste` block

    @property
    def gathering(self) -> bool:
        """True while a paste or a `:paste` block is open."""
        return self._pending is not None or self._block is not None

    def feed(self, line: str) -> Entry | None:
        """Take one line (without its newline); an entry when one is complete."""
        if self._pending is not None or PASTE_START in line:
            self._pending = (self._pending or "") + line
            if PASTE_END not in self._pending:
                self._pending += "\n"  # the paste goes on: its newlines are part of the text
                return None
            return self._pasted(self._pending)
        if self._block is not None:
            if line.strip() == BLOCK_END:
                return self._pasted("\n".join(self._take_block()))
            self._block.append(line)
            return None
        if line.strip() == BLOCK_START:
            self._block = []
            return None
        return Entry(line)

    def flush(self) -> Entry | None:
        """What is left open when the input ends, as one pasted entry."""
        if self._pending is not None:
            return self._pasted(self._pending)
        if self._block is not None:
            return self._pasted("\n".join(self._take_block()))
        return None

    def _take_block(self) -> list[str]:
        lines, self._block = self._block or [], None
        return lines

    def _pasted(self, raw: str) -> Entry | None:
        self._pending = None
        # Telegram trims the blank lines and spaces around a message before sending it.
        text = raw.replace(PASTE_START, "").replace(PASTE_END, "").strip()
        return Entry(text, pasted=True) if text else None


def split_message(text: str, limit: int = MESSAGE_CHARS) -> list[str]:
    """`text` cut into messages of at most `limit` characters, at a line break where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n ")
    if text:
        parts.append(text)
    return parts


@contextlib.contextmanager
def paste_mode(stdin: TextIO, stdout: TextIO) -> Iterator[bool]:
    """Ask a terminal to bracket pastes while inside; yields whether it is a terminal at all.

    The markers it then sends are echoed back by the terminal driver; with ECHOCTL off they are
    not drawn as `^[[200~` in front of the paste.
    """
    if not (_isatty(stdin) and _isatty(stdout)):
        yield False
        return
    restore = _quiet_control_echo(stdin)
    stdout.write(ENABLE_PASTE_MODE)
    stdout.flush()
    try:
        yield True
    finally:
        stdout.write(DISABLE_PASTE_MODE)
        stdout.flush()
        restore()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or fake stream
        return False


def _quiet_control_echo(stdin: TextIO) -> _Restore:
    try:
        fd = stdin.fileno()
        saved = termios.tcgetattr(fd)
        quiet = list(saved)
        quiet[3] &= ~termios.ECHOCTL
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
    except (termios.error, OSError, ValueError, AttributeError):
        return _Restore(None)
    return _Restore((fd, saved))


class _Restore:
    """Puts the terminal's saved settings back."""

    def __init__(self, saved: tuple[int, list[Any]] | None) -> None:
        self.saved = saved

    def __call__(self) -> None:
        """Restore, if anything was changed."""
        if self.saved is None:
            return
        fd, attributes = self.saved
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, termios.TCSANOW, attributes)
