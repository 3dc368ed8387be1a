"""Keeping the pictures and files the bot sends in offline play: saved to a folder, photos shown.

The folder sits beside the database (`sandbox-files/`), so a chart or an export outlives the
session. Photos also open in the system's image viewer, chosen by SANDBOX_VIEWER: unset means
`xdg-open` (`open` on macOS) when there is a display to show it on, `off` means never, and
anything else is the command to run with the file's path.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from bot.sandbox.message import SandboxMessage
from bot.storage.db import is_postgres_url, sqlite_path

FOLDER_NAME = "sandbox-files"
VIEWER_VARIABLE = "SANDBOX_VIEWER"
_OFF = {"", "0", "off", "no", "none", "false"}
_IMAGE_KINDS = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8", ".jpg"),
    (b"GIF8", ".gif"),
    (b"BM", ".bmp"),
)


def files_folder(database_url: str, cwd: Path) -> Path:
    """Where offline play keeps files: beside a SQLite database, else in the working directory."""
    if is_postgres_url(database_url):
        return cwd / FOLDER_NAME
    return (cwd / sqlite_path(database_url)).parent / FOLDER_NAME


def viewer_command(environ: Mapping[str, str]) -> list[str] | None:
    """The command that shows a photo, or None to show none (see the module's docstring)."""
    chosen = environ.get(VIEWER_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in _OFF else shlex.split(chosen)
    if sys.platform == "darwin":
        return ["open"] if shutil.which("open") else None
    has_display = bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return ["xdg-open"] if has_display and shutil.which("xdg-open") else None


def image_suffix(data: bytes) -> str:
    """The file suffix an image's first bytes call for (Telegram's photos are JPEG otherwise)."""
    for magic, suffix in _IMAGE_KINDS:
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ".jpg"


def _safe_name(name: str | None, fallback: str) -> str:
    """A document's own name, reduced to a plain file name that cannot leave the folder."""
    plain = Path((name or "").replace("\\", "/")).name.strip().lstrip(".")
    return plain or fallback


class FileShelf:
    """Saves what the bot sends into `folder` and shows photos with `viewer` (None: not shown)."""

    def __init__(self, folder: Path, viewer: list[str] | None = None) -> None:
        self.folder = folder
        self.viewer = viewer
        self._saved: dict[tuple[int, int, str], tuple[str, Path]] = {}
        self._viewers: list[subprocess.Popen[bytes]] = []

    def keep(self, message: SandboxMessage) -> list[str]:
        """Save the message's photo and document (once per content); the notes to print."""
        notes: list[str] = []
        if message.photo is not None:
            fallback = f"photo-{message.message_id}{image_suffix(message.photo)}"
            path, new = self._store(message, "photo", message.photo, fallback)
            notes.append(f"[photo {self.shown(path)}]")
            if new:
                notes.extend(self.show(path))
        if message.document is not None:
            name = _safe_name(message.document.filename, f"document-{message.message_id}")
            path, _ = self._store(message, "document", message.document.data, name)
            notes.append(f"[document {self.shown(path)}]")
        return notes

    def _store(
        self, message: SandboxMessage, kind: str, data: bytes, name: str
    ) -> tuple[Path, bool]:
        """The file holding `data`, and whether it was written just now."""
        key = (message.chat_id, message.message_id, kind)
        digest = hashlib.sha256(data).hexdigest()
        known = self._saved.get(key)
        if known is not None and known[0] == digest:
            return known[1], False  # an edit of the caption or buttons: the same file
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._free_path(name, data)
        if not path.exists():
            path.write_bytes(data)
        self._saved[key] = (digest, path)
        return path, True

    def _free_path(self, name: str, data: bytes) -> Path:
        """`name` in the folder, numbered (`-2`, `-3`…) past files with other contents."""
        stem, suffix = Path(name).stem, Path(name).suffix
        path, number = self.folder / name, 1
        while path.exists() and path.read_bytes() != data:
            number += 1
            path = self.folder / f"{stem}-{number}{suffix}"
        return path

    def shown(self, path: Path) -> str:
        """The path as printed: relative to the working directory when inside it."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path.resolve())

    def show(self, path: Path) -> list[str]:
        """Open a photo in the viewer, if there is one; a note when it could not start."""
        self._viewers = [p for p in self._viewers if p.poll() is None]  # reap finished ones
        if self.viewer is None:
            return []
        try:
            self._viewers.append(
                subprocess.Popen(
                    [*self.viewer, str(path)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # a Ctrl-C in the chat leaves the picture open
                )
            )
        except OSError as exc:
            return [f"(could not open {self.viewer[0]}: {exc.strerror or exc})"]
        return []
