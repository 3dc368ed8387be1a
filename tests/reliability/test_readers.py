"""Reader processes: their hard limits, their turns, their environment, and how they end."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cards.model import MAX_CARDS
from bot.cards.upload import PasteRefusal
from bot.reader.limits import FILE_LIMITS, PASTE_LIMITS, Limits
from bot.reader.pool import ReaderPool, Stopped
from bot.reader.protocol import Kind, Read, Refused
from bot.views.deck_problems import render
from tests.hostile import tag_burn

CSV = b"front,back\nhola,hello\nadios,goodbye\n"
# An unmarked text of 30,000 lines: a legal file that takes the splitter seconds of CPU.
SLOW_TEXT = "\n".join(f"What is number {n}?\nIt is {n}." for n in range(15_000)).encode()
SLEEPER = (sys.executable, "-c", "import time; time.sleep(60)")


def data(content: bytes) -> Callable[[Path], Awaitable[None]]:
    """A `fill` writing `content` as the reading's input."""

    async def fill(path: Path) -> None:
        await asyncio.to_thread(path.write_bytes, content)

    return fill


def limited(**changes: object) -> dict[Kind, Limits]:
    """The default limits with some values changed, for files and pastes alike."""
    return {
        "file": replace(FILE_LIMITS, **changes),  # type: ignore[arg-type]
        "paste": replace(PASTE_LIMITS, **changes),  # type: ignore[arg-type]
    }


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def folders() -> set[str]:
    """This process's reading folders in the temporary directory now."""
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"quizmaster-read-{os.getpid()}-*")}


async def test_a_file_and_a_paste_are_read_in_a_process_of_their_own() -> None:
    pool = ReaderPool()
    read = await pool.read(1, "file", "spanish.csv", data(CSV))
    assert isinstance(read, Read)
    assert (read.digest.title, read.digest.cards) == ("spanish", 2)
    assert json.loads(read.payload)["cards"] == [["hola", "hello"], ["adios", "goodbye"]]
    pasted = await pool.read(1, "paste", "", data(b"Capitals\nFrance :: Paris\nSpain :: Madrid"))
    assert isinstance(pasted, Read) and pasted.digest.title == "Capitals"
    assert await pool.read(1, "paste", "", data(b"hello there\nhow are you")) is None
    refused = await pool.read(1, "paste", "", data(b"Q: one?\nA: 1\nQ: two?"))
    assert isinstance(refused, PasteRefusal) and refused.reason == "unreadable"
    assert render(refused.problem, with_file=False) == (
        "line 3: a Q: line without an A: line after it"
    )
    not_zip = await pool.read(1, "file", "x.apkg", data(b"no zip"))
    assert isinstance(not_zip, Refused)
    assert render(not_zip.reason) == "x.apkg: not an Anki package (an .apkg file is a zip archive)"
    assert pool.running == 0


async def test_past_its_memory_the_reader_stops_and_says_so() -> None:
    # The largest CSV a deck may be, read with room for the interpreter and little else.
    rows = "\n".join(f"q{n},{'a' * 1500} {n}" for n in range(MAX_CARDS)).encode()
    pool = ReaderPool(limits=limited(memory_mb=70))
    stopped = await pool.read(1, "file", "big.csv", data(rows))
    assert isinstance(stopped, Stopped) and stopped.why == "memory"
    assert stopped.limits.memory_mb == 70


async def test_past_its_cpu_time_the_kernel_ends_the_reader() -> None:
    pool = ReaderPool(limits=limited(cpu_seconds=1))
    start = time.monotonic()
    stopped = await pool.read(1, "file", "slow.txt", data(SLOW_TEXT))
    assert stopped == Stopped("cpu", pool.limits["file"])
    assert time.monotonic() - start < 5


async def test_past_its_wall_time_the_bot_kills_the_reader() -> None:
    pool = ReaderPool(limits=limited(wall_seconds=0.5), command=SLEEPER)
    start = time.monotonic()
    assert await pool.read(1, "file", "d.csv", data(CSV)) == Stopped("time", pool.limits["file"])
    assert time.monotonic() - start < 2
    assert pool.running == 0


async def test_past_its_output_limit_the_bot_kills_the_reader() -> None:
    flood = (sys.executable, "-c", "import sys\nwhile True: sys.stdout.write('x' * 65536)")
    pool = ReaderPool(limits=limited(output_bytes=1_000_000), command=flood)
    assert await pool.read(1, "file", "d.csv", data(CSV)) == Stopped("output", pool.limits["file"])


async def test_a_deck_too_large_to_keep_is_refused_by_the_reader_itself() -> None:
    rows = "\n".join(f"q{n},{'a' * 100}" for n in range(100)).encode()
    pool = ReaderPool(limits=limited(output_bytes=5000))
    read = await pool.read(1, "file", "d.csv", data(rows))
    assert isinstance(read, Refused)
    assert render(read.reason).startswith("d.csv: the deck is 0.0 MB once stored; at most 0 MB")


async def test_a_package_that_burns_cpu_is_stopped_by_the_limit() -> None:
    bomb = tag_burn(notes=2)
    pool = ReaderPool(limits=limited(cpu_seconds=2))
    stopped = await pool.read(1, "file", bomb.name, data(bomb.data))
    assert isinstance(stopped, Stopped) and stopped.why == "cpu"


async def test_the_reader_holds_none_of_the_bots_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:password@h/db")
    tell = (
        "import json, os, resource, sys\n"
        "fds = sorted(int(f) for f in os.listdir('/proc/self/fd'))\n"
        "found = {'env': sorted(os.environ), 'fds': fds,\n"
        "         'as': resource.getrlimit(resource.RLIMIT_AS)}\n"
        "print(json.dumps({'found': 'refused', 'reason': json.dumps(found)}))"
    )
    pool = ReaderPool(command=(sys.executable, "-c", tell))
    told = await pool.read(1, "file", "d.csv", data(CSV))
    assert isinstance(told, Refused) and isinstance(told.reason, str)
    found = json.loads(told.reason)
    assert not {"BOT_TOKEN", "DATABASE_URL"} & set(found["env"])
    assert set(found["env"]) <= {
        "PATH", "PYTHONPATH", "TMPDIR", "LC_ALL", "PYTHONDONTWRITEBYTECODE",
        "QUIZMASTER_READER_JOB", "LC_CTYPE",
    }  # fmt: skip
    assert found["fds"][:3] == [0, 1, 2] and len(found["fds"]) <= 4  # and the one listing them


async def test_the_reader_limits_itself_before_reading() -> None:
    tell = (
        "import json, os, resource, sys\n"
        "from bot.reader.limits import limit_self\n"
        "from bot.reader.protocol import Job\n"
        "job = Job.from_env(os.environ['QUIZMASTER_READER_JOB'])\n"
        "limit_self(job.limits, job.parent)\n"
        "found = [resource.getrlimit(r) for r in (resource.RLIMIT_AS, resource.RLIMIT_CPU,\n"
        "         resource.RLIMIT_FSIZE, resource.RLIMIT_CORE)] + [os.nice(0)]\n"
        "print(json.dumps({'found': 'refused', 'reason': json.dumps(found)}))"
    )
    pool = ReaderPool(command=(sys.executable, "-c", tell))
    told = await pool.read(1, "file", "d.csv", data(CSV))
    assert isinstance(told, Refused) and isinstance(told.reason, str)
    mb = 1024 * 1024
    assert json.loads(told.reason) == [
        [384 * mb, 384 * mb],
        [15, 16],
        [110 * mb, 110 * mb],
        [0, 0],
        10,
    ]


async def test_one_person_reads_one_file_at_a_time_and_others_are_not_held_up() -> None:
    pool = ReaderPool(file_readers=2, per_person=3, command=SLEEPER)
    mallory = [asyncio.create_task(pool.read(666, "file", "x.csv", data(CSV))) for _ in range(3)]
    await asyncio.sleep(1)
    assert pool.running == 1  # one of Mallory's three; the other two wait for her turn
    # A fourth is refused at once: she has as many going and waiting as anyone may.
    assert await pool.read(666, "file", "x.csv", data(CSV)) == Stopped("busy", FILE_LIMITS)
    alice = asyncio.create_task(pool.read(1, "file", "a.csv", data(CSV)))
    await asyncio.sleep(1)
    assert pool.running == 2  # Alice got the second reader at once
    await pool.close()
    for task in (*mallory, alice):
        assert await task == Stopped("stopping", FILE_LIMITS)


async def test_a_paste_never_waits_behind_files() -> None:
    slow = ReaderPool(file_readers=1, paste_readers=1)
    slow.command = SLEEPER
    files = [asyncio.create_task(slow.read(n, "file", "x.csv", data(CSV))) for n in range(3)]
    await asyncio.sleep(0.5)
    # Same pool, the paste lane: a real reader for the paste.
    slow.command = ReaderPool().command
    start = time.monotonic()
    pasted = await slow.read(99, "paste", "", data(b"France :: Paris\nSpain :: Madrid"))
    assert isinstance(pasted, Read)
    assert time.monotonic() - start < 3
    await slow.close()
    await asyncio.gather(*files)


async def test_closing_kills_the_readers_and_their_folders_go() -> None:
    before = folders()
    pool = ReaderPool(command=SLEEPER)
    reading = asyncio.create_task(pool.read(1, "file", "x.csv", data(CSV)))
    await asyncio.sleep(0.5)
    assert pool.running == 1
    (process,) = pool._running
    start = time.monotonic()
    await pool.close()
    assert await reading == Stopped("stopping", FILE_LIMITS)
    assert time.monotonic() - start < 1
    assert process.returncode == -signal.SIGKILL
    assert folders() == before
    # Readings asked for after the close answer at once.
    assert await pool.read(2, "paste", "", data(b"a :: b")) == Stopped("stopping", PASTE_LIMITS)


async def test_a_cancelled_reading_kills_its_reader() -> None:
    pool = ReaderPool(command=SLEEPER)
    reading = asyncio.create_task(pool.read(1, "file", "x.csv", data(CSV)))
    await asyncio.sleep(0.5)
    (process,) = pool._running
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    assert process.returncode == -signal.SIGKILL
    assert pool.running == 0


def test_a_reader_whose_bot_is_gone_ends_itself() -> None:
    # The reader is told its bot is a process that has already ended.
    gone = dead_pid()
    job = json.dumps(
        {"kind": "paste", "filename": "", "limits": PASTE_LIMITS.as_json(), "parent": gone}
    )
    import subprocess

    done = subprocess.run(
        ReaderPool().command,
        input=b"a :: b",
        capture_output=True,
        env={**os.environ, "QUIZMASTER_READER_JOB": job},
        timeout=20,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == b""


async def test_the_folders_of_a_bot_that_was_killed_go_at_the_next_reading() -> None:
    gone = dead_pid()
    temp = Path(tempfile.gettempdir())
    stale = temp / f"quizmaster-read-{gone}-abc"
    mine = temp / f"quizmaster-read-{os.getpid()}-abc"
    for folder in (stale, mine):
        folder.mkdir()
        (folder / "input").write_bytes(b"left behind")
    try:
        assert isinstance(await ReaderPool().read(1, "file", "d.csv", data(CSV)), Read)
        assert not stale.exists()
        assert mine.exists()  # this process is alive: its folder may be in use
    finally:
        for folder in (stale, mine):
            shutil.rmtree(folder, ignore_errors=True)
