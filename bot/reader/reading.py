"""What a reader process does with the bytes it was given: a deck, a reason, or a paste's verdict."""

from __future__ import annotations

import errno
import sys

from bot.cards.model import Deck, DeckError
from bot.cards.problems import problem
from bot.cards.upload import Upload, digest, encode_upload, read_paste, read_upload
from bot.reader.limits import MB
from bot.reader.protocol import (
    Job,
    crashed_line,
    deck_line,
    paste_line,
    refused_line,
)


def answer(job: Job, data: bytes) -> bytes:
    """The whole output for `data`: the first line, then the deck's JSON if one was read."""
    try:
        if job.kind == "paste":
            read = read_paste(data.decode("utf-8", errors="replace"))
            if not isinstance(read, Deck):
                return paste_line(read)
            upload = Upload(read)
        else:
            upload = read_upload(data, job.filename)
    except DeckError as exc:
        return refused_line(exc.problem)
    except Exception as exc:
        if _out_of_memory(exc):
            return crashed_line("memory")
        # A reader bug: told as such, its traceback for the bot's log.
        import logging

        logging.basicConfig(stream=sys.stderr)
        logging.getLogger(__name__).exception("reading %s failed", job.filename or "a paste")
        return crashed_line("bug")
    payload = encode_upload(upload).encode()
    room = job.limits.output_bytes - len(payload)
    header = deck_line(digest(upload))
    if len(header) > room:
        return refused_line(
            problem(
                "stored_too_large",
                job.filename or None,
                size=round(len(payload) / MB, 1),
                limit=job.limits.output_bytes // MB,
            )
        )
    return header + payload


def _out_of_memory(exc: BaseException | None) -> bool:
    """Whether the address-space limit is behind `exc`: a MemoryError, or an ENOMEM, on the way.

    Running out shows in many places: an allocation (MemoryError), a system call (OSError
    ENOMEM, often while cleaning up after the first), SQLite's own allocator.
    """
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
