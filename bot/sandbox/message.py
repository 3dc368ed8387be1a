"""Read-only views of messages and events handed to tests and the terminal chat."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.sandbox.validate import Entity
from bot.sandbox.world import MessageVersion, StoredMessage

Button = tuple[str, str | None]


@dataclass(frozen=True)
class SentFile:
    """A file attached to a message: name, bytes and Telegram ids."""

    filename: str | None
    data: bytes
    mime_type: str | None
    file_id: str
    file_unique_id: str

    def __iter__(self) -> Iterator[str | bytes | None]:
        """Unpack as `(filename, data)`."""
        return iter((self.filename, self.data))


@dataclass(frozen=True)
class SandboxMessage:
    """A message as it stands now (after edits), as a person in the chat would see it."""

    message_id: int
    chat_id: int
    sender_id: int
    from_bot: bool
    date: datetime
    text: str
    html: str
    entities: tuple[Entity, ...]
    buttons: list[list[Button]]
    edits: tuple[MessageVersion, ...]
    thread_id: int | None
    reply_to: int | None
    document: SentFile | None = None
    photo: bytes | None = None
    audio: bytes | None = None
    voice: bytes | None = None  # a voice message (played inline)
    media_group_id: str | None = None  # set on each message of an album
    file_id: str | None = None  # the photo's, audio's, voice's or document's, as Telegram gave it
    has_sticker: bool = False
    location: tuple[float, float] | None = None
    service: dict[str, object] | None = field(default=None)
    deleted: bool = False
    urls: dict[str, str] = field(default_factory=dict)  # URL buttons: label -> url
    web_apps: dict[str, str] = field(default_factory=dict)  # Mini App buttons: label -> url
    # A reply keyboard's buttons (under the input field), with what each asks to share, if any.
    keyboard: list[list[tuple[str, str | None]]] = field(default_factory=list)

    @property
    def edited(self) -> bool:
        """True once the message was edited at least once."""
        return bool(self.edits)

    @property
    def labels(self) -> list[str]:
        """Every button label, row by row, left to right."""
        return [label for row in self.buttons for label, _ in row]

    def data_for(self, label: str) -> str | None:
        """The callback data of the button labelled exactly `label`."""
        for row in self.buttons:
            for text, data in row:
                if text == label:
                    return data
        raise KeyError(f"no button {label!r}; buttons: {self.labels}")

    def url_for(self, label: str) -> str:
        """The link of the URL button labelled exactly `label`."""
        if label not in self.urls:
            raise KeyError(f"no URL button {label!r}; buttons: {self.labels}")
        return self.urls[label]


def _file(stored: StoredMessage) -> SentFile | None:
    record = stored.document
    if record is None:
        return None
    return SentFile(
        record.filename, record.data, record.mime_type, record.file_id, record.file_unique_id
    )


def view(stored: StoredMessage, bot_id: int) -> SandboxMessage:
    """Freeze a stored message into what tests read."""
    shown = stored.text if stored.text is not None else stored.caption
    raw = stored.raw_text if stored.text is not None else stored.raw_caption
    markup = stored.reply_markup or {}
    rows = markup.get("inline_keyboard", [])
    buttons = [[(b["text"], b.get("callback_data")) for b in row] for row in rows]
    return SandboxMessage(
        message_id=stored.message_id,
        chat_id=stored.chat_id,
        sender_id=stored.sender_id,
        from_bot=stored.sender_id == bot_id,
        date=datetime.fromtimestamp(stored.date, UTC),
        text=shown.text if shown else "",
        html=raw if raw is not None else html.escape(shown.text if shown else ""),
        entities=shown.entities if shown else (),
        buttons=buttons,
        edits=tuple(stored.history),
        thread_id=stored.thread_id,
        reply_to=stored.reply_to,
        document=_file(stored),
        photo=stored.photo.data if stored.photo else None,
        audio=stored.audio.data if stored.audio else None,
        voice=stored.voice.data if stored.voice else None,
        media_group_id=stored.media_group_id,
        file_id=next(
            (f.file_id for f in (stored.photo, stored.audio, stored.voice, stored.document) if f),
            None,
        ),
        has_sticker=stored.sticker is not None,
        location=stored.location,
        service=stored.service,
        deleted=stored.deleted,
        urls={b["text"]: b["url"] for row in rows for b in row if "url" in b},
        web_apps={b["text"]: b["web_app"]["url"] for row in rows for b in row if "web_app" in b},
        keyboard=_reply_keyboard(markup),
    )


def _reply_keyboard(markup: dict[str, Any]) -> list[list[tuple[str, str | None]]]:
    """A reply keyboard's labels, each with the thing it asks to share (`location`, …) if any."""
    rows = markup.get("keyboard", [])
    shared = ("request_location", "request_contact", "request_poll", "request_users")
    return [
        [
            (b, None)
            if isinstance(b, str)
            else (b["text"], next((k[8:] for k in shared if b.get(k)), None))
            for b in row
        ]
        for row in rows
    ]


@dataclass(frozen=True)
class SandboxEvent:
    """Something the bot did: `sent`, `edited` or `deleted` a message, or `answered` a tap."""

    kind: str
    chat_id: int
    message: SandboxMessage | None = None
    toast: str | None = None
    show_alert: bool = False
