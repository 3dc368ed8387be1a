"""Request bodies for the Bot API: form-urlencoded fields, multipart uploads, timed writes."""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import IO, Any
from urllib.parse import urlencode

from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import Payload
from telegram._utils.types import UploadFileDict

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# httpx streams uploads in chunks of this size; a write timeout applies to each chunk.
CHUNK_SIZE = 64 * 1024

# The HTML5 form-encoding httpx applies to names and filenames, so a server sees the same
# Content-Disposition header from either transport.
_FORM_PARAM_REPLACEMENTS = {'"': "%22", "\\": "\\\\"}
_FORM_PARAM_REPLACEMENTS.update({chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B})
_FORM_PARAM_RE = re.compile("|".join(re.escape(c) for c in _FORM_PARAM_REPLACEMENTS))


def form_body(fields: dict[str, str]) -> bytes:
    """Encode JSON-encoded parameter values as an application/x-www-form-urlencoded body."""
    return urlencode(fields).encode("ascii")


def _form_param(name: str, value: str) -> bytes:
    """Render one `name="value"` pair of a Content-Disposition header."""
    escaped = _FORM_PARAM_RE.sub(lambda m: _FORM_PARAM_REPLACEMENTS[m.group(0)], value)
    return f'{name}="{escaped}"'.encode()


def _file_bytes(content: bytes | IO[bytes]) -> bytes:
    """Read an upload's content; PTB hands over bytes, or a file handle it chose not to read."""
    if isinstance(content, bytes):
        return content
    if content.seekable():
        content.seek(0)
    return content.read()


def multipart_body(fields: dict[str, str], files: UploadFileDict) -> tuple[bytes, str]:
    """Encode fields then files as multipart/form-data; return the body and its content type."""
    boundary = secrets.token_hex(16).encode("ascii")
    parts: list[bytes] = []
    for name, value in fields.items():
        parts += [
            b"--",
            boundary,
            b"\r\nContent-Disposition: form-data; ",
            _form_param("name", name),
            b"\r\n\r\n",
            value.encode(),
            b"\r\n",
        ]
    for name, (filename, content, mimetype) in files.items():
        parts += [
            b"--",
            boundary,
            b"\r\nContent-Disposition: form-data; ",
            _form_param("name", name),
        ]
        if filename:
            parts += [b"; ", _form_param("filename", filename)]
        parts += [
            b"\r\nContent-Type: ",
            mimetype.encode(),
            b"\r\n\r\n",
            _file_bytes(content),
            b"\r\n",
        ]
    parts += [b"--", boundary, b"--\r\n"]
    return b"".join(parts), f"multipart/form-data; boundary={boundary.decode('ascii')}"


class TimedBytesPayload(Payload):
    """A bytes body written in 64 KiB chunks, each of which must be accepted within a timeout.

    aiohttp has no write timeout of its own; this gives uploads the same per-write deadline
    httpx applies, so a peer that stops reading makes the request fail with a timeout.
    """

    _value: bytes

    def __init__(self, value: bytes, write_timeout: float | None, **kwargs: Any) -> None:
        """Wrap `value`; `write_timeout` of None waits forever, like httpx."""
        super().__init__(value, **kwargs)
        self._size = len(value)
        self._write_timeout = write_timeout

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Return the body as text."""
        return self._value.decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Return the body unchanged."""
        return self._value

    async def write(self, writer: AbstractStreamWriter) -> None:
        """Write the whole body."""
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        """Write at most `content_length` bytes, chunk by chunk, each under the write timeout."""
        view = memoryview(self._value)
        if content_length is not None:
            view = view[:content_length]
        for start in range(0, len(view), CHUNK_SIZE):
            # asyncio.TimeoutError from here is what aiohttp reports as a timeout of the request.
            async with asyncio.timeout(self._write_timeout):
                await writer.write(view[start : start + CHUNK_SIZE])
