"""Pictures and sounds cards show, stored by content hash, and the `file_id` each bot got for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.cards.formats.apkg_media import MediaFile
from bot.storage.db import Database


@dataclass(frozen=True, slots=True)
class StoredMedia:
    """A stored file, with the `file_id` this bot may send it by (None: upload it)."""

    digest: str
    kind: str  # photo / audio
    mime: str
    file_id: str | None
    size: int = 0


def join_digests(digests: tuple[str, ...]) -> str | None:
    """Files a card side shows, as stored in one column (`cards.front_more`, `back_media`)."""
    return " ".join(digests) or None


def split_digests(stored: str | None) -> tuple[str, ...]:
    """The files a `join_digests` column names, in order (none for cards stored before m023)."""
    return tuple(stored.split()) if stored else ()


async def store_media(db: Database, files: Iterable[MediaFile], now: int) -> None:
    """Keep each file once (by hash); call inside the transaction that stores its cards."""
    await db.executemany(
        """INSERT INTO media (digest, kind, mime, size, data, created_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING""",
        [(m.digest, m.kind, m.mime, len(m.data), m.data, now) for m in files],
    )


async def media_info(db: Database, digest: str, bot_id: int) -> StoredMedia | None:
    """A stored file's kind and type, and the `file_id` this bot got for it, if any."""
    row = await db.fetchone(
        """SELECT m.kind, m.mime, f.file_id, m.size FROM media m
           LEFT JOIN media_file_ids f ON f.digest = m.digest AND f.bot_id = ?
          WHERE m.digest = ?""",
        (bot_id, digest),
    )
    return None if row is None else StoredMedia(digest, row[0], row[1], row[2], int(row[3]))


async def media_kind(db: Database, digest: str) -> str | None:
    """Whether a stored file is a photo or audio (None: not stored)."""
    row = await db.fetchone("SELECT kind FROM media WHERE digest = ?", (digest,))
    return None if row is None else str(row[0])


async def media_bytes(db: Database, digest: str) -> bytes | None:
    """A stored file's bytes (for its first upload by a bot)."""
    row = await db.fetchone("SELECT data FROM media WHERE digest = ?", (digest,))
    return None if row is None else bytes(row[0])


async def remember_file_id(db: Database, digest: str, bot_id: int, file_id: str) -> None:
    """Remember the `file_id` Telegram gave this bot for a file, so it is not uploaded again."""
    await db.execute(
        """INSERT INTO media_file_ids (digest, bot_id, file_id) VALUES (?, ?, ?)
           ON CONFLICT (digest, bot_id) DO UPDATE SET file_id = excluded.file_id""",
        (digest, bot_id, file_id),
    )
