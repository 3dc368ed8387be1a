"""Reading the person's lines without a thread, so Ctrl-C ends the chat at once.

A thread blocked in `readline()` cannot be interrupted, and asyncio waits for it before the
process may exit: Ctrl-C would then hang until Enter. A terminal or a pipe is read from the event
loop instead; streams without a pollable descriptor (a file, a test's StringIO) fall back to a
thread, where the end of input always comes.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
from typing import TextIO


class LineReader:
    """Lines from `stream` as they complete, each with its newline; "" at the end of input."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._fd: int | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._eof = False
        self._ready = asyncio.Event()

    def __enter__(self) -> LineReader:
        loop = asyncio.get_running_loop()
        try:
            fd = self.stream.fileno()
            loop.add_reader(fd, self._on_readable)
        except (AttributeError, OSError, ValueError, NotImplementedError):
            return self  # no pollable descriptor: read in a thread
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                asyncio.get_running_loop().remove_reader(self._fd)
            self._fd = None

    def _on_readable(self) -> None:
        assert self._fd is not None
        try:
            chunk = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError:  # the terminal went away: as good as the end of input
            chunk = b""
        if chunk:
            self._buffer += self._decoder.decode(chunk)
        else:
            self._buffer += self._decoder.decode(b"", final=True)
            self._eof = True
            asyncio.get_running_loop().remove_reader(self._fd)
        self._ready.set()

    async def readline(self) -> str:
        """The next line with its newline, the last unterminated one, or "" at the end."""
        if self._fd is None and not self._eof:
            return await asyncio.to_thread(self.stream.readline)
        while True:
            end = self._buffer.find("\n")
            if end >= 0:
                line, self._buffer = self._buffer[: end + 1], self._buffer[end + 1 :]
                return line
            if self._eof:
                line, self._buffer = self._buffer, ""
                return line
            self._ready.clear()
            await self._ready.wait()
