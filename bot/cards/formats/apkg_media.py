"""The pictures and sounds an Anki package's notes refer to, kept within limits and checked by content.

A package names its media files in a `media` manifest (JSON `{"0": "cat.png"}`, or in current
Anki a zstd-compressed protobuf list whose n-th entry is zip member `n`, itself zstd-compressed).
A note refers to them as `<img src="cat.png">` and `[sound:cat.mp3]`. Only files a note refers
to are read, and only after the zip's declared sizes pass the limits below; each file's type comes
from its first bytes (a `.png` that is a program is skipped), never from its name.

The deck limits are all-or-nothing: a package past them keeps no media at all (its cards import
as text, with a warning saying why), so a deck is never stored with half its pictures.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

import zstandard

from bot.cards.formats import protobuf
from bot.cards.problems import Problem

# Telegram takes photos up to 10 MB and audio up to 50 MB; an .apkg upload is at most 10 MB, so a
# file past 5 MB unpacked is either most of the deck or a bomb.
MAX_MEDIA_FILE_BYTES = 5 * 1024 * 1024
# Every kept file of one deck, unpacked: the preview carries them as base64 (4/3 of their size)
# within the reader's 17 MB of output, beside the cards.
MAX_DECK_MEDIA_BYTES = 10 * 1024 * 1024
MAX_DECK_MEDIA_FILES = 500  # distinct files one deck may keep
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_CHUNK = 64 * 1024

MAX_SIDE_PICTURES = 10  # pictures one card side shows (an album holds 2-10)
OPUS_MIME = "audio/ogg; codecs=opus"

Kind = Literal["photo", "audio"]

_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_SOUND = re.compile(r"\[sound:([^\]]+)\]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MediaFile:
    """One kept file: its content hash (the key it is stored under), kind, MIME type and bytes."""

    digest: str
    kind: Kind
    mime: str
    data: bytes


@dataclass(frozen=True, slots=True)
class KeptMedia:
    """The files kept, by the name notes use, and warnings about those that were not."""

    files: dict[str, MediaFile]
    warnings: tuple[Problem, ...] = ()


def sniff(data: bytes) -> tuple[Kind, str] | None:
    """(kind, MIME type) from a file's first bytes, or None if it is no picture or sound we send."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo", "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "photo", "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "photo", "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "photo", "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head.startswith(b"OggS"):
        # Opus (Telegram's voice format) names itself in the first page's packet.
        return "audio", OPUS_MIME if b"OpusHead" in data[26:96] else "audio/ogg"
    if head[4:8] == b"ftyp" and head[8:12] in (b"M4A ", b"M4B ", b"mp42", b"isom", b"mp41"):
        return "audio", "audio/mp4"
    if head.startswith(b"ID3"):
        return "audio", "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: sync bits, layer 00
            return "audio", "audio/aac"
        if head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 3:  # MPEG audio frame, layer I-III
            return "audio", "audio/mpeg"
    return None


def references(field: str) -> list[str]:
    """The media file names a field refers to, pictures first then sounds, each once."""
    names: list[str] = []
    for match in _IMG_SRC.finditer(field):
        names.append(next(group for group in match.groups() if group is not None))
    names.extend(match.group(1) for match in _SOUND.finditer(field))
    seen: dict[str, None] = {}
    for raw in names:
        name = unquote(html.unescape(raw)).strip()
        # A remote picture (http://…) or a data: URI is not a package file.
        if name and "://" not in name and not name.startswith("data:"):
            seen.setdefault(name, None)
    return list(seen)


def shown_references(field: str) -> list[str]:
    """The files a side shows: its first pictures (at most `MAX_SIDE_PICTURES`), then its first sound."""
    pictures = references(_SOUND.sub("", field))[:MAX_SIDE_PICTURES]
    sounds = [name for name in references(_IMG_SRC.sub("", field)) if name not in pictures]
    return pictures + sounds[:1]


def first_reference(field: str) -> tuple[str, Kind] | None:
    """The first media file a field refers to (pictures first) and whether it is a picture or a sound."""
    names = references(field)
    if not names:
        return None
    pictures = references(_SOUND.sub("", field))
    return names[0], "photo" if names[0] in pictures else "audio"


def keep_media(archive: zipfile.ZipFile, wanted: Iterable[str]) -> KeptMedia:
    """The referenced files that pass the limits and are real pictures or sounds."""
    names = list(dict.fromkeys(wanted))
    if not names:
        return KeptMedia({})
    members, compressed, problem = _manifest(archive)
    if problem:
        return KeptMedia({}, (problem,))
    entries = {entry.filename: entry for entry in archive.infolist()}
    found = [(name, entries[members[name]]) for name in names if members.get(name) in entries]
    missing = len(names) - len(found)
    warnings: list[Problem] = []
    if missing:
        warnings.append(Problem("media_missing", {"count": missing}))
    if len(found) > MAX_DECK_MEDIA_FILES:
        return KeptMedia(
            {},
            (
                Problem("media_too_many", {"count": len(found), "limit": MAX_DECK_MEDIA_FILES}),
                *warnings,
            ),
        )
    # Checked on the zip's declared sizes before anything is unpacked (a compressed member's
    # declared size is its packed size; its unpacked size is capped while reading).
    declared = sum(entry.file_size for _, entry in found)
    if not compressed and declared > MAX_DECK_MEDIA_BYTES:
        return KeptMedia(
            {},
            (
                Problem(
                    "media_declared_too_much",
                    {
                        "size": round(declared / 1e6),
                        "limit": MAX_DECK_MEDIA_BYTES // (1024 * 1024),
                    },
                ),
                *warnings,
            ),
        )
    kept: dict[str, MediaFile] = {}
    total = 0
    too_big = not_media = damaged = 0
    for name, entry in found:
        if not compressed and entry.file_size > MAX_MEDIA_FILE_BYTES:
            too_big += 1
            continue
        data = _read(archive, entry, compressed)
        if data is None:
            damaged += 1
            continue
        if len(data) > MAX_MEDIA_FILE_BYTES:
            too_big += 1
            continue
        sniffed = sniff(data)
        if sniffed is None:
            not_media += 1
            continue
        total += len(data)
        if total > MAX_DECK_MEDIA_BYTES:
            return KeptMedia(
                {},
                (
                    Problem("media_too_much", {"limit": MAX_DECK_MEDIA_BYTES // (1024 * 1024)}),
                    *warnings,
                ),
            )
        kind, mime = sniffed
        kept[name] = MediaFile(hashlib.sha256(data).hexdigest(), kind, mime, data)
    if too_big:
        limit = MAX_MEDIA_FILE_BYTES // (1024 * 1024)
        warnings.append(Problem("media_files_too_large", {"count": too_big, "limit": limit}))
    if not_media:
        warnings.append(Problem("media_not_media", {"count": not_media}))
    if damaged:
        warnings.append(Problem("media_damaged", {"count": damaged}))
    return KeptMedia(kept, tuple(warnings))


def _manifest(archive: zipfile.ZipFile) -> tuple[dict[str, str], bool, Problem | None]:
    """(file name → zip member, whether members are zstd-compressed, a problem if unreadable)."""
    try:
        entry = archive.getinfo("media")
    except KeyError:
        return {}, False, None
    if entry.file_size > MAX_MANIFEST_BYTES:
        limit = MAX_MANIFEST_BYTES // (1024 * 1024)
        return {}, False, Problem("media_list_too_large", {"limit": limit})
    raw = _read_capped(archive, entry, MAX_MANIFEST_BYTES)
    if raw is None:
        return {}, False, Problem("media_list_damaged")
    if raw.startswith(_ZSTD_MAGIC):
        blob = _unzstd(raw, MAX_MANIFEST_BYTES)
        if blob is None:
            return {}, True, Problem("media_list_damaged")
        members: dict[str, str] = {}
        listed = (v for n, v in protobuf.fields(blob) if n == 1 and isinstance(v, bytes))
        for index, item in enumerate(listed):
            name = next((v for n, v in protobuf.fields(item) if n == 1), None)
            if isinstance(name, bytes) and name:
                members.setdefault(name.decode("utf-8", "replace"), str(index))
        return members, True, None
    try:
        listed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}, False, Problem("media_list_unreadable")
    if not isinstance(listed, dict):
        return {}, False, Problem("media_list_unreadable")
    return {str(v): str(k) for k, v in listed.items() if isinstance(v, str)}, False, None


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, compressed: bool) -> bytes | None:
    """A member's bytes, never more than the per-file limit (or than its header declares)."""
    raw = _read_capped(archive, entry, MAX_MEDIA_FILE_BYTES + 1)
    if raw is None or not compressed:
        return raw
    return _unzstd(raw, MAX_MEDIA_FILE_BYTES + 1)


def _read_capped(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, cap: int) -> bytes | None:
    parts: list[bytes] = []
    size = 0
    try:
        with archive.open(entry) as source:
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                if size > entry.file_size:
                    return None  # a header that lies about the size
                parts.append(chunk)
                if size > cap:
                    break  # the caller sees more than its limit and skips the file
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, RuntimeError, EOFError):
        return None
    return b"".join(parts)


def _unzstd(raw: bytes, cap: int) -> bytes | None:
    """Decompress at most `cap` bytes: a zstd bomb stops there."""
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(raw)
        data = reader.read(cap + 1)
    except zstandard.ZstdError:
        return None
    return None if len(data) > cap else data
