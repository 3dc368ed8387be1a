"""Hostile files against the bot as a real process: its memory, other people's pastes, and a stop.

One package asking for memory and six asking for CPU are sent at once by seven people to
`python -m bot run` (started as tests/reliability/process.py starts it, against the sandbox Bot
API). Measured on the bot's process: its peak resident memory (`VmHWM` in /proc/<pid>/status,
the kernel's high-water mark over the process's whole life), how long another person's paste
waits for its preview meanwhile, and how long SIGTERM takes with readers at work.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from tests.e2e.test_import import is_preview
from tests.hostile import Bomb, cpu_bombs, memory_bomb, tag_burn, varint_burn
from tests.reliability.process import BotProcess, spawn

PEAK_RSS_MB = 400
PASTE_WITHIN = 5.0
STOP_WITHIN = 10.0
PASTE = "Capitals\nFrance :: Paris\nSpain :: Madrid\nItaly :: Rome"


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """Bot processes a test starts; any left running are killed at the end."""
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.reap()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size so far, in MB (the kernel's VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` now."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (and is not a zombie)."""
    try:
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:4]
    except OSError:
        return False


async def eventually(condition: Callable[[], bool], within: float) -> bool:
    """Whether `condition` holds within `within` seconds (checked every 50 ms)."""
    deadline = time.monotonic() + within
    # Processes come and go without an event to wait for: /proc is looked at again and again.
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def reading_folders(pid: int) -> list[Path]:
    """The temporary folders of the readers of bot process `pid` present now."""
    return list(Path(tempfile.gettempdir()).glob(f"quizmaster-read-{pid}-*"))


def answered(message: SandboxMessage) -> bool:
    """The bot's answer to a file: its progress message edited into something else."""
    return message.edited and not message.text.startswith("📥")


async def test_seven_hostile_packages_at_once_leave_the_bot_small_and_others_served(
    sandbox: SandboxServer, tmp_path: Path, processes: list[BotProcess]
) -> None:
    bombs: list[Bomb] = await asyncio.to_thread(lambda: [memory_bomb(), *cpu_bombs()])
    assert all(len(b.data) < 5_000_000 for b in bombs)
    bot = await spawn(sandbox, tmp_path / "bot.sqlite3", tmp_path / "bot.log")
    processes.append(bot)
    senders = [sandbox.user(f"Sender {n}") for n in range(len(bombs))]
    carol = sandbox.user("Carol")

    sent = await asyncio.gather(
        *(user.send_document(b.name, b.data) for user, b in zip(senders, bombs, strict=True))
    )
    await asyncio.sleep(0.5)  # the readers are at work
    start = time.monotonic()
    await carol.send(PASTE)
    await carol.wait_for(is_preview, timeout=PASTE_WITHIN)
    paste_seconds = time.monotonic() - start

    started = time.monotonic()
    reasons = {}
    for user, bomb, message in zip(senders, bombs, sent, strict=True):
        reply = await user.wait_for(answered, since=message, timeout=60)
        reasons[bomb.name] = reply.text
        if bomb.name == "varint-burn.apkg" and reply.text.startswith("📦"):
            # The most protobuf the 100 MB unpack limit lets in is walked in about the 15 s CPU
            # limit: on a fast machine it is read in time, which is no harm to anyone.
            continue
        assert reply.text.startswith("⚠️ I couldn't read"), reply.text
        assert bomb.reason in reply.text, reply.text
    all_answered = time.monotonic() - started
    peak = peak_rss_mb(bot.proc.pid)
    print(
        f"\npaste preview after {paste_seconds:.2f} s; seven reasons within "
        f"{all_answered + 0.5:.1f} s; bot peak RSS {peak:.0f} MB"
    )
    for name, text in reasons.items():
        print(f"  {name}: {text}")
    assert paste_seconds < PASTE_WITHIN
    assert peak < PEAK_RSS_MB

    # A refused file leaves nothing behind: the sender's next one is read as usual.
    again = await senders[0].send_document("capitals.csv", b"France,Paris\nSpain,Madrid\n")
    assert is_preview(await senders[0].wait_for(answered, since=again, timeout=10))
    assert "Traceback" not in bot.log

    # SIGTERM while two readers burn CPU: the bot kills them, tells their senders, and stops.
    burning = [tag_burn(), varint_burn()]
    late = await asyncio.gather(
        *(user.send_document(b.name, b.data) for user, b in zip(senders, burning, strict=False))
    )
    assert await eventually(lambda: len(children(bot.proc.pid)) == 2, within=10)
    readers = children(bot.proc.pid)
    await asyncio.sleep(1.0)  # well into their work
    stopping = time.monotonic()
    bot.terminate()
    assert await bot.exit_code(within=STOP_WITHIN + 5) == 0
    stop_seconds = time.monotonic() - stopping
    print(f"SIGTERM with two readers at work: stopped in {stop_seconds:.2f} s")
    assert stop_seconds < STOP_WITHIN
    assert not [pid for pid in readers if alive(pid)]
    for user, message in zip(senders, late, strict=False):
        told = await user.wait_for(answered, since=message, timeout=1)
        assert told.text == "I'm restarting right now — please send that again in a minute."
    assert "Traceback" not in bot.log
    assert await asyncio.to_thread(reading_folders, bot.proc.pid) == []


async def test_a_killed_bot_takes_its_readers_with_it(
    sandbox: SandboxServer, tmp_path: Path, processes: list[BotProcess]
) -> None:
    bomb = await asyncio.to_thread(tag_burn)
    bot = await spawn(sandbox, tmp_path / "bot.sqlite3", tmp_path / "bot.log")
    processes.append(bot)
    await sandbox.user("Mallory").send_document(bomb.name, bomb.data)
    assert await eventually(lambda: bool(children(bot.proc.pid)), within=10)
    readers = children(bot.proc.pid)
    bot.kill9()
    await bot.proc.wait()
    # PR_SET_PDEATHSIG: the kernel kills each reader as the bot dies.
    assert await eventually(lambda: not any(alive(pid) for pid in readers), within=2)
