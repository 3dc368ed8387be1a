"""The hard limits a reader process runs under, and how it puts them on itself.

A reader parses a file or a paste somebody sent: an Anki collection is an SQLite file its sender
wrote, a text may be built to make a parser slow. Whatever it asks for, the process cannot take
more than its address space (RLIMIT_AS: allocations past it fail, so Python raises MemoryError),
its CPU time (RLIMIT_CPU: the kernel sends SIGXCPU, which ends it), or write a file past
RLIMIT_FSIZE; the bot kills it past its wall time or its output size. It also dies with the bot
(PR_SET_PDEATHSIG) and, should the bot be gone, by its own alarm.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
from dataclasses import asdict, dataclass
from typing import Any

MB = 1024 * 1024
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class Limits:
    """What one reader process may use."""

    memory_mb: int  # address space, the interpreter's own (about 40 MB) included
    cpu_seconds: int
    wall_seconds: float
    output_bytes: int  # what it may write back: the parsed deck as JSON
    file_mb: int  # the largest file it may write (the unpacked collection)
    nice: int = 10  # its CPU priority below the bot's (0): the bot and quick readers come first

    def as_json(self) -> dict[str, Any]:
        """The limits as a JSON object, to hand to the process."""
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Limits:
        """The limits back from `as_json`."""
        return cls(
            memory_mb=int(raw["memory_mb"]),
            cpu_seconds=int(raw["cpu_seconds"]),
            wall_seconds=float(raw["wall_seconds"]),
            output_bytes=int(raw["output_bytes"]),
            file_mb=int(raw["file_mb"]),
            nice=int(raw["nice"]),
        )


# A file: 10 MB sent, a collection unpacked up to 100 MB, a deck of up to 16 MB as JSON. The real
# Anki package with 13,552 reviews is read in about 0.25 s of CPU and 80 MB of address space.
FILE_LIMITS = Limits(
    memory_mb=384, cpu_seconds=15, wall_seconds=20.0, output_bytes=17 * MB, file_mb=110
)
# A paste: at most 64 KB of text, read in a few hundredths of a second.
PASTE_LIMITS = Limits(
    memory_mb=256, cpu_seconds=3, wall_seconds=5.0, output_bytes=2 * MB, file_mb=1, nice=5
)


def limit_self(limits: Limits, parent: int) -> None:
    """Put `limits` on this process (before it reads anything), and tie its life to `parent`."""
    hard_cpu = limits.cpu_seconds + 1  # the soft limit sends SIGXCPU; the hard one SIGKILL
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_mb * MB),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_mb * MB),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, 64),
    ):
        hard = hard_cpu if which == resource.RLIMIT_CPU else value
        resource.setrlimit(which, (value, hard))
    os.nice(limits.nice)
    # The bot kills a reader at its wall time; this alarm ends one whose bot is gone.
    signal.alarm(int(limits.wall_seconds) + 2)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """Ask Linux for SIGKILL when the bot ends, and end now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
