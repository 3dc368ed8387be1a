"""Downloading a file somebody sent, to disk, never past a size limit, whatever anyone announces.

The size a document announces is only what the sender's client said, and a file server may send
no length or the wrong one: the bytes are counted as they arrive, and the download stops at the
first one past the limit. Nothing is held in memory but one chunk. The URL holds the bot's token,
so no error text that could quote it is ever logged or raised.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=60, sock_connect=10, sock_read=15)


class TooLarge(Exception):
    """The file is larger than the limit: `size` when it was told, None when the download was
    stopped at the limit (the size is not known then)."""

    def __init__(self, size: int | None) -> None:
        super().__init__("larger than the limit")
        self.size = size


class DownloadFailed(Exception):
    """The file could not be downloaded (the reason is logged, never the URL)."""


async def download(url: str, target: Path, limit: int) -> int:
    """Stream `url` into `target`; the bytes written, or TooLarge at the first byte past `limit`."""
    written = 0
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.get(url, allow_redirects=False) as response,
        ):
            if response.status != 200:
                log.warning("file download answered HTTP %d", response.status)
                raise DownloadFailed
            if response.content_length is not None and response.content_length > limit:
                raise TooLarge(response.content_length)
            with target.open("wb") as out:
                async for chunk in response.content.iter_chunked(CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise TooLarge(None)
                    out.write(chunk)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        log.warning("file download failed: %s", type(exc).__name__)
        raise DownloadFailed from None
    return written
