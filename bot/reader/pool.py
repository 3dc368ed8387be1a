"""The bot's side of reading: one fresh process per reading, under hard limits, killed past them.

Nothing a person sends is parsed in the bot's process, on its event loop or in its threads: each
file or paste is written to a private temporary folder and read by `python -m bot.reader.child`,
a process of its own that holds none of the bot's secrets (it gets a bare environment and no open
descriptor but its input and output). It limits its own memory, CPU time and file size before
reading (see `limits`); the bot kills it (its whole process group) past its wall time or its output
size, or when the bot stops. Its answer's first line is parsed in a worker thread; the deck after it
is kept as written. The folder is removed whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.reader.limits import FILE_LIMITS, PASTE_LIMITS, Limits
from bot.reader.protocol import JOB_VARIABLE, Answer, Crashed, Job, Kind, parse_output
from bot.reader.turns import Busy, Turns

log = logging.getLogger(__name__)

# The folder holding the `bot` package, for the child's PYTHONPATH: the checkout, or site-packages
# once installed (then already on the child's path; the child runs with `-s`, so a `pip install
# --user` copy is found through this alone).
ROOT = Path(__file__).resolve().parents[2]
CHILD = (sys.executable, "-s", "-m", "bot.reader.child")
# Two readers for files and two for pastes on a machine of two cores: a person has one at most.
FILE_READERS = 2
PASTE_READERS = 2
PER_PERSON = 3  # readings a person may have going or waiting; more are refused at once
FOLDER_PREFIX = "quizmaster-read-"  # then the bot's pid
_STDERR_BYTES = 16 * 1024
_CHUNK = 64 * 1024

Why = Literal["memory", "cpu", "time", "output", "stopping", "busy"]


@dataclass(frozen=True, slots=True)
class Stopped:
    """A reading that gave no answer: a limit reached (`limits` says which values), the person
    already has readings going and waiting (`busy`), or the bot is stopping."""

    why: Why
    limits: Limits


class _TooMuch(Exception):
    """More output than the limit."""


class ReaderPool:
    """Runs readings in reader processes, taking turns (see `turns`)."""

    def __init__(
        self,
        file_readers: int = FILE_READERS,
        paste_readers: int = PASTE_READERS,
        per_person: int = PER_PERSON,
        limits: dict[Kind, Limits] | None = None,
        command: Sequence[str] = CHILD,
    ) -> None:
        self.limits: dict[Kind, Limits] = limits or {"file": FILE_LIMITS, "paste": PASTE_LIMITS}
        self.command = tuple(command)
        self.turns = Turns({"file": file_readers, "paste": paste_readers}, per_person)
        self._running: set[asyncio.subprocess.Process] = set()
        self._closing = False
        self._swept = False

    @property
    def running(self) -> int:
        """How many reader processes are alive now."""
        return len(self._running)

    async def read(
        self,
        owner: int,
        kind: Kind,
        filename: str,
        fill: Callable[[Path], Awaitable[None]],
    ) -> Answer | Stopped:
        """Read what `fill` writes to the path it is given, in `owner`'s turn.

        `fill` runs in the person's turn but before a reader is taken (a download waits for no
        reader); whatever it raises is raised here.
        """
        limits = self.limits[kind]
        if self._closing:
            return Stopped("stopping", limits)
        try:
            async with self.turns.person(owner):
                if self._closing:
                    return Stopped("stopping", limits)
                if not self._swept:
                    self._swept = True
                    await asyncio.to_thread(remove_stale_folders)
                folder = Path(
                    await asyncio.to_thread(
                        tempfile.mkdtemp, prefix=f"{FOLDER_PREFIX}{os.getpid()}-"
                    )
                )
                try:
                    await fill(folder / "input")
                    async with self.turns.slot(kind):
                        if self._closing:
                            return Stopped("stopping", limits)
                        return await self._run(Job(kind, filename, limits, os.getpid()), folder)
                finally:
                    await asyncio.to_thread(shutil.rmtree, folder, True)
        except Busy:
            return Stopped("busy", limits)

    async def close(self) -> None:
        """Kill every reader now; readings waiting or yet to come answer `stopping`."""
        self._closing = True
        for process in list(self._running):
            if process.returncode is None:
                _kill(process)
        for process in list(self._running):
            with contextlib.suppress(ProcessLookupError):
                await process.wait()

    async def _run(self, job: Job, folder: Path) -> Answer | Stopped:
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "PYTHONPATH": str(ROOT),
            "TMPDIR": str(folder),
            "LC_ALL": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            JOB_VARIABLE: job.to_env(),
        }
        with (folder / "input").open("rb") as stdin:
            process = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=stdin,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                cwd=folder,
                start_new_session=True,  # its own process group, killed as one
            )
        self._running.add(process)
        assert process.stdout is not None and process.stderr is not None
        errors = asyncio.create_task(_read(process.stderr, _STDERR_BYTES, truncate=True))
        why: Why | None = None
        output = b""
        try:
            async with asyncio.timeout(job.limits.wall_seconds):
                output = await _read(process.stdout, job.limits.output_bytes)
                await process.wait()
        except TimeoutError:
            why = "time"
        except _TooMuch:
            why = "output"
        finally:
            if process.returncode is None:
                _kill(process)
                await process.wait()
            self._running.discard(process)
            stderr = await errors
        code = process.returncode
        if self._closing:
            return Stopped("stopping", job.limits)
        if why is None and code in (-signal.SIGXCPU, -signal.SIGKILL):
            why = "cpu"  # the kernel's CPU limits: SIGXCPU at the soft one, SIGKILL at the hard
        elif why is None and code == -signal.SIGALRM:
            why = "time"
        elif why is None and code != 0:
            why = "memory" if b"MemoryError" in stderr else None
            if why is None:
                log.warning(
                    "a reader of %s ended with code %s: %s",
                    job.filename or "a paste",
                    code,
                    stderr.decode(errors="replace")[-2000:],
                )
                return Crashed("bug")
        if why is not None:
            log.info("a reader of %s was stopped: %s", job.filename or "a paste", why)
            return Stopped(why, job.limits)
        if stderr:
            log.warning(
                "a reader of %s said: %s",
                job.filename or "a paste",
                stderr.decode(errors="replace")[-2000:],
            )
        answer = await asyncio.to_thread(parse_output, output)
        if isinstance(answer, Crashed) and answer.why == "memory":
            return Stopped("memory", job.limits)
        return answer


def remove_stale_folders() -> int:
    """Remove the reading folders of bots that are gone (killed before they could); how many."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        owner = folder.name.removeprefix(FOLDER_PREFIX).split("-", 1)[0]
        if not owner.isdigit() or _alive(int(owner)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


async def _read(stream: asyncio.StreamReader, limit: int, truncate: bool = False) -> bytes:
    """Everything `stream` gives, up to `limit` bytes; more raises _TooMuch (or is dropped)."""
    found = bytearray()
    while chunk := await stream.read(_CHUNK):
        if len(found) + len(chunk) > limit:
            if not truncate:
                raise _TooMuch
            found += chunk[: limit - len(found)]
            continue
        found += chunk
    return bytes(found)


def _kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL the reader's whole process group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
