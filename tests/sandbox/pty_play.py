"""`python -m bot` offline in a pseudo-terminal: keystrokes go in as a person types or pastes
them, and the screen's text comes out for tests to wait on."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[2]
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z~]")
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
# The child makes the pseudo-terminal its controlling terminal, as a login shell's is, so that
# Ctrl-C typed there interrupts it; then it becomes `python -m bot`.
_AS_A_TERMINAL_SESSION = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, '-m', 'bot'])"
)


class PtyPlay:
    """The offline bot in a pseudo-terminal in `folder`; use as a context manager."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL", "TERM")
        }
        self.env.update(PYTHONPATH=str(REPO), TERM="xterm", SANDBOX_VIEWER="off")
        self.env.update(env or {})
        self.raw = b""
        self.cursor = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.master = -1

    def __enter__(self) -> PtyPlay:
        self.master, slave = os.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _AS_A_TERMINAL_SESSION],
            cwd=self.folder,
            env=self.env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.expect("Chatting with", timeout=60)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.process is not None
        try:
            if self.process.poll() is None:
                self.type(":quit\n")
                self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        finally:
            os.close(self.master)

    @property
    def screen(self) -> str:
        """Everything shown so far, without colours and carriage returns."""
        text = self.raw.decode("utf-8", errors="replace").replace("\r", "")
        return _ANSI.sub("", text)

    def _read(self, until: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(0.0, until - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.raw += chunk
        return bool(chunk)

    def expect(self, pattern: str, timeout: float = 20.0, raw: bool = False) -> re.Match[str]:
        """Wait for `pattern` (a regex) after what was matched before; move past it. With `raw`,
        the screen is searched with its control sequences (and the cursor left alone)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            if raw:
                shown = regex.search(self.raw.decode("utf-8", errors="replace"))
                if shown:
                    return shown
            found = None if raw else regex.search(self.screen, self.cursor)
            if found:
                self.cursor = found.end()
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"{pattern!r} not shown within {timeout}s; the screen after the last match:\n"
                    f"{self.screen[self.cursor :][-3000:]}"
                )
            if not self._read(deadline):
                time.sleep(0.05)  # the child may have closed the terminal: wait out the deadline

    def type(self, keys: str) -> None:
        """Type `keys` as a person does (a line ends with a newline)."""
        os.write(self.master, keys.encode())

    def paste(self, text: str) -> None:
        """Paste `text` as a terminal in bracketed paste mode delivers it, then press Enter."""
        self.type(PASTE_START + text + PASTE_END + "\n")
