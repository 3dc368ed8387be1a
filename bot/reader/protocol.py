"""What the bot and a reader process say to each other.

The bot starts `python -m bot.reader.child` with the job (kind, file name, limits) in one
environment variable and the bytes sent on standard input. The reader writes one line of JSON
saying what it found (a deck's digest, a reason it was refused, a paste's verdict), then, for a
deck, the deck itself as the JSON the preview is kept as. Only the first line is ever parsed by
the bot; the deck is stored as written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from bot.cards.model import Card
from bot.cards.problems import Note, note_from_json, note_json
from bot.cards.upload import Digest, PasteRefusal
from bot.reader.job import JOB_VARIABLE, Job, Kind

__all__ = ["JOB_VARIABLE", "Job", "Kind"]

# The first line holds a page of cards (8 × 2 sides of at most 2,000 characters) and warnings.
MAX_HEADER_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class Read:
    """A deck was read: what its preview shows, and the deck as JSON (`encode_upload`)."""

    digest: Digest
    payload: str


@dataclass(frozen=True, slots=True)
class Refused:
    """The file is not a deck the bot can take; `reason` says why, naming the file (a line of
    English from a reader of an earlier version)."""

    reason: Note


@dataclass(frozen=True, slots=True)
class Crashed:
    """The reader ended without an answer: out of memory (`memory`) or a bug (`bug`)."""

    why: Literal["memory", "bug"]


Answer = Read | Refused | PasteRefusal | Crashed | None  # None: the paste is ordinary chat


def header_line(found: dict[str, Any]) -> bytes:
    """The first line of a reader's output."""
    return json.dumps(found, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def deck_line(digest: Digest) -> bytes:
    """The first line for a deck read (the deck follows it)."""
    return header_line({"found": "deck", "digest": digest.as_json()})


def refused_line(reason: Note) -> bytes:
    """The first line for a file that is no deck."""
    return header_line({"found": "refused", "reason": note_json(reason)})


def paste_line(verdict: PasteRefusal | None) -> bytes:
    """The first line for a paste that is chat (None) or was refused."""
    if verdict is None:
        return header_line({"found": "chat"})
    card = [verdict.card.front, verdict.card.back] if verdict.card is not None else None
    return header_line(
        {
            "found": "paste",
            "reason": verdict.reason,
            "problem": note_json(verdict.problem),
            "card": card,
        }
    )


def crashed_line(why: Literal["memory", "bug"]) -> bytes:
    """The first line for a reading that failed on the reader's side."""
    return header_line({"found": why})


def parse_output(output: bytes) -> Answer:
    """What a reader's output says; a reader that said nothing understandable crashed."""
    header, _, rest = output.partition(b"\n")
    if len(header) > MAX_HEADER_BYTES:
        return Crashed("bug")
    try:
        raw = json.loads(header)
        found = raw["found"]
        if found == "deck":
            return Read(Digest.from_json(raw["digest"]), rest.decode())
        if found == "refused":
            return Refused(note_from_json(raw["reason"]))
        if found == "chat":
            return None
        if found == "paste":
            card = raw["card"]
            return PasteRefusal(
                raw["reason"],
                note_from_json(raw["problem"]),
                Card(str(card[0]), str(card[1])) if card is not None else None,
            )
        if found == "memory":
            return Crashed("memory")
    except (ValueError, KeyError, TypeError, IndexError):
        pass
    return Crashed("bug")
