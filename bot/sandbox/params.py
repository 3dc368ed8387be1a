"""Request arguments as Telegram reads them: query string, JSON, urlencoded or multipart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    data: bytes
    content_type: str | None


class Args:
    """The arguments of one Bot API call; object values may arrive as JSON text."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    @classmethod
    async def read(cls, request: web.Request) -> Args:
        """Collect arguments from the query string and whatever body the client sent."""
        values: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    body = None
                if isinstance(body, dict):
                    values.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        uploads[key] = Upload(value.filename, value.file.read(), value.content_type)
                    else:
                        values[key] = value
        return cls(values, uploads)

    def raw(self, name: str) -> Any:
        """The value as received, or None when absent."""
        return self.values.get(name)

    def string(self, name: str) -> str | None:
        """A string argument (numbers are accepted and converted, like Telegram does)."""
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str) -> int | None:
        """An integer argument; None when absent or not a number."""
        value = self.values.get(name)
        if value is None or isinstance(value, bool):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def number(self, name: str) -> float | None:
        """A float argument; None when absent or not a number."""
        value = self.values.get(name)
        try:
            return None if value is None else float(value)
        except (TypeError, ValueError):
            return None

    def flag(self, name: str) -> bool:
        """A boolean argument (`true`, `1`, JSON true)."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def json(self, name: str, error: str) -> Any:
        """An object or array argument, given natively or as JSON text."""
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value

    def upload(self, name: str) -> Upload | str | None:
        """A file argument: an uploaded part (directly or via `attach://`), or a file_id text."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.string(name)
        if value and value.startswith("attach://"):
            return self.uploads.get(value[len("attach://") :])
        return value or None
