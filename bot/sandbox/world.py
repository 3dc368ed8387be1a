"""In-memory state of the sandbox: users, chats, messages with edit history, files, updates."""

from __future__ import annotations

import hashlib
import mimetypes
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.sandbox.validate import FormattedText

MEMBER_STATUSES = ("creator", "administrator", "member")
BASIC_GROUP_BASE = -4_000_000_000
SUPERGROUP_BASE = -1_000_000_000_000
FIRST_USER_ID = 700_000_001
# Telegram's GroupAnonymousBot: the `from` of every message an anonymous group admin sends.
GROUP_ANONYMOUS_BOT_ID = 1087968824


class ClockLike(Protocol):
    """Anything with `.now()` returning a tz-aware UTC datetime."""

    def now(self) -> datetime:
        """The current time."""
        ...


class SystemClock:
    """The real clock, used when the server is given none."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


@dataclass
class UserRecord:
    """A Telegram account: a person driven by tests, or the bot itself."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked: bool = False
    started: bool = False

    def to_json(self) -> dict[str, Any]:
        """The Bot API User object."""
        body: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body

    @property
    def full_name(self) -> str:
        """First and last name, as clients show it."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


TRUE_SIZE = -1  # a file's announced size is its real one


@dataclass
class FileRecord:
    """A stored file with its Telegram identifiers."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    # The size the Bot API announces: the real one unless a test makes it lie (or omit it, None),
    # as a client may; such a file is then served without a Content-Length.
    announced_size: int | None = TRUE_SIZE

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    @property
    def size_lies(self) -> bool:
        """Whether the announced size is not the real one."""
        return self.announced_size != TRUE_SIZE

    @property
    def shown_size(self) -> int | None:
        """The size the Bot API announces (None: left out)."""
        return self.announced_size if self.size_lies else self.size

    def document_json(self) -> dict[str, Any]:
        """The Bot API Document object."""
        body: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.shown_size is not None:
            body["file_size"] = self.shown_size
        if self.filename:
            body["file_name"] = self.filename
        if self.mime_type:
            body["mime_type"] = self.mime_type
        return body

    def photo_json(self) -> list[dict[str, Any]]:
        """The Bot API list of PhotoSize objects (one size: the original)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": self.width,
                "height": self.height,
            }
        ]

    def audio_json(self) -> dict[str, Any]:
        """The Bot API Audio object (the sandbox does not read a duration out of the file)."""
        body: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "duration": 0,
            "file_size": self.size,
        }
        if self.filename:
            body["file_name"] = self.filename
        if self.mime_type:
            body["mime_type"] = self.mime_type
        return body

    def voice_json(self) -> dict[str, Any]:
        """The Bot API Voice object."""
        body: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "duration": 0,
            "file_size": self.size,
        }
        if self.mime_type:
            body["mime_type"] = self.mime_type
        return body

    def sticker_json(self) -> dict[str, Any]:
        """The Bot API Sticker object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": self.size,
        }


@dataclass(frozen=True)
class MessageVersion:
    """One earlier state of an edited message."""

    text: str | None
    html: str | None
    reply_markup: dict[str, Any] | None
    edit_date: int | None


@dataclass
class StoredMessage:
    """A message in a chat, as it stands now, with its earlier versions."""

    message_id: int
    chat_id: int
    sender_id: int
    date: int
    thread_id: int | None = None
    text: FormattedText | None = None
    raw_text: str | None = None
    caption: FormattedText | None = None
    raw_caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: FileRecord | None = None
    photo: FileRecord | None = None
    audio: FileRecord | None = None
    voice: FileRecord | None = None
    media_group_id: str | None = None  # an album's messages share one
    sticker: FileRecord | None = None
    location: tuple[float, float] | None = None
    reply_to: int | None = None
    edit_date: int | None = None
    service: dict[str, Any] | None = None
    sender_chat_id: int | None = None  # set when posted on behalf of a chat (anonymous admin)
    via_bot_id: int | None = None  # set when a person posted it through a bot's inline mode
    poll: dict[str, Any] | None = None  # a poll the bot sent (bot.sandbox.api_polls)
    disable_notification: bool = False
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False

    def snapshot(self) -> MessageVersion:
        """The current state, kept in `history` before an edit."""
        shown = self.text or self.caption
        raw = self.raw_text if self.text is not None else self.raw_caption
        return MessageVersion(shown.text if shown else None, raw, self.reply_markup, self.edit_date)


@dataclass
class ChatRecord:
    """A private chat, group or supergroup."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    members: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    topics: dict[int, str] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        """True for groups and supergroups."""
        return self.type in ("group", "supergroup")


@dataclass
class CallbackRecord:
    """A callback query sent to the bot and its answer, once given."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None  # the link an answer opens (t.me/<bot>?start=…)


@dataclass
class Update:
    """A queued update waiting for getUpdates (or webhook delivery)."""

    update_id: int
    kind: str
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The Bot API Update object."""
        return {"update_id": self.update_id, self.kind: self.payload}


def epoch(moment: datetime) -> int:
    """Unix seconds of a tz-aware datetime, as Telegram dates are."""
    return int(moment.timestamp())


def continuing_update_id() -> int:
    """The first update id of a new sandbox run: later than any of an earlier run's, as Telegram's
    ids keep growing for a bot. The bot's database keeps the ids it handled, so a run starting
    again from 1 would find its first updates already done and answer nothing."""
    # Milliseconds of the wall clock: a run would need more updates than milliseconds passed
    # before the next run started for two runs' ids to meet.
    return int(time.time() * 1000)


class World:
    """Everything the fake Telegram knows, shared by the Bot API routes and the driver."""

    def __init__(self, bot: UserRecord, clock: ClockLike, first_update_id: int = 1) -> None:
        self.bot = bot
        self.clock = clock
        self.users: dict[int, UserRecord] = {bot.id: bot}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, FileRecord] = {}
        self.updates: list[Update] = []
        self.next_update_id = first_update_id
        self.delivered_upto = first_update_id - 1
        self.callbacks: dict[str, CallbackRecord] = {}
        self._next_user_id = FIRST_USER_ID
        self._next_group = 1
        self._next_file = 1
        self._next_callback = 1

    # ---- accounts and chats -------------------------------------------------
    def add_user(
        self,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> UserRecord:
        """Create a person with the next stable id, and the private chat with the bot."""
        user = UserRecord(self._next_user_id, first_name, last_name, username, language_code)
        self._next_user_id += 1
        self.users[user.id] = user
        self.chats[user.id] = ChatRecord(user.id, "private", members={user.id: "member"})
        return user

    def group_anonymous_bot(self) -> UserRecord:
        """The GroupAnonymousBot account (created on first use), as Telegram shows it."""
        bot = self.users.get(GROUP_ANONYMOUS_BOT_ID)
        if bot is None:
            bot = UserRecord(GROUP_ANONYMOUS_BOT_ID, "Group", username="GroupAnonymousBot")
            bot.is_bot = True
            self.users[bot.id] = bot
        return bot

    def add_group(self, title: str, supergroup: bool, forum: bool) -> ChatRecord:
        """Create a group (or supergroup) the bot is a member of."""
        number = self._next_group
        self._next_group += 1
        chat_id = (SUPERGROUP_BASE if supergroup else BASIC_GROUP_BASE) - number
        chat = ChatRecord(chat_id, "supergroup" if supergroup else "group", title=title)
        chat.is_forum = forum and supergroup
        chat.members[self.bot.id] = "member"
        self.chats[chat_id] = chat
        return chat

    def find_chat(self, raw: Any) -> ChatRecord | None:
        """Look a chat up by numeric id or public `@username`."""
        if isinstance(raw, str) and raw.startswith("@"):
            name = raw[1:].lower()
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == name and chat.is_group:
                    return chat
            return None
        try:
            return self.chats.get(int(raw))
        except (TypeError, ValueError):
            return None

    def chat_json(self, chat: ChatRecord) -> dict[str, Any]:
        """The Bot API Chat object."""
        body: dict[str, Any] = {"id": chat.id, "type": chat.type}
        if chat.type == "private":
            user = self.users[chat.id]
            body["first_name"] = user.first_name
            if user.last_name:
                body["last_name"] = user.last_name
            if user.username:
                body["username"] = user.username
            return body
        body["title"] = chat.title
        if chat.username:
            body["username"] = chat.username
        if chat.is_forum:
            body["is_forum"] = True
        return body

    # ---- messages -----------------------------------------------------------
    def now(self) -> int:
        """Current Telegram date (unix seconds) from the server clock."""
        return epoch(self.clock.now())

    def new_message(self, chat: ChatRecord, sender_id: int, **fields: Any) -> StoredMessage:
        """Store a new message in `chat` with the chat's next message id."""
        message = StoredMessage(chat.next_message_id, chat.id, sender_id, self.now(), **fields)
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    def message_json(self, message: StoredMessage, nested: bool = True) -> dict[str, Any]:
        """The Bot API Message object for a stored message."""
        chat = self.chats[message.chat_id]
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.users[message.sender_id].to_json(),
            "chat": self.chat_json(chat),
            "date": message.date,
        }
        if message.sender_chat_id is not None:
            body["sender_chat"] = self.chat_json(self.chats[message.sender_chat_id])
        if message.via_bot_id is not None:
            body["via_bot"] = self.users[message.via_bot_id].to_json()
        if message.thread_id is not None:
            body["message_thread_id"] = message.thread_id
            if chat.is_forum:
                body["is_topic_message"] = True
        if message.reply_to is not None and nested:
            replied = chat.messages.get(message.reply_to)
            if replied is not None and not replied.deleted:
                body["reply_to_message"] = self.message_json(replied, nested=False)
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        if message.text is not None:
            body["text"] = message.text.text
            if message.text.entities:
                body["entities"] = message.text.entities_json()
        if message.poll is not None:
            body["poll"] = {k: v for k, v in message.poll.items() if not k.startswith("_")}
        if message.document is not None:
            body["document"] = message.document.document_json()
        if message.photo is not None:
            body["photo"] = message.photo.photo_json()
        if message.audio is not None:
            body["audio"] = message.audio.audio_json()
        if message.voice is not None:
            body["voice"] = message.voice.voice_json()
        if message.media_group_id is not None:
            body["media_group_id"] = message.media_group_id
        if message.sticker is not None:
            body["sticker"] = message.sticker.sticker_json()
        if message.location is not None:
            body["location"] = {"latitude": message.location[0], "longitude": message.location[1]}
        if message.caption is not None and message.caption.text:
            body["caption"] = message.caption.text
            if message.caption.entities:
                body["caption_entities"] = message.caption.entities_json()
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            body["reply_markup"] = message.reply_markup
        if message.service:
            body.update(message.service)
        return body

    # ---- files --------------------------------------------------------------
    def add_file(
        self,
        data: bytes,
        kind: str,
        filename: str | None = None,
        mime_type: str | None = None,
        size: tuple[int, int] = (0, 0),
        announced_size: int | None = TRUE_SIZE,
    ) -> FileRecord:
        """Store uploaded bytes under a fresh file_id; equal bytes share a file_unique_id."""
        number = self._next_file
        self._next_file += 1
        digest = hashlib.sha256(data).hexdigest()
        prefix = {
            "document": "BQACAgI",
            "photo": "AgACAgI",
            "sticker": "CAACAgI",
            "audio": "CQACAgI",
            "voice": "AwACAgI",
        }.get(kind, "BAACAgI")
        if mime_type is None and filename:
            mime_type = mimetypes.guess_type(filename)[0]
        extension = {"photo": ".jpg", "sticker": ".webp"}.get(kind, "")
        if kind == "document":
            extension = "." + filename.rsplit(".", 1)[1] if filename and "." in filename else ""
        record = FileRecord(
            file_id=f"{prefix}AAxkBAAI{number:06d}{digest[:16]}",
            file_unique_id=f"AgAD{digest[:12]}",
            data=data,
            kind=kind,
            file_path=f"{kind}s/file_{number}{extension}",
            filename=filename,
            mime_type=mime_type,
            width=size[0],
            height=size[1],
            announced_size=announced_size,
        )
        self.files[record.file_id] = record
        return record

    # ---- updates ------------------------------------------------------------
    def enqueue(self, kind: str, payload: dict[str, Any]) -> Update:
        """Queue an update for the bot."""
        update = Update(self.next_update_id, kind, payload)
        self.next_update_id += 1
        self.updates.append(update)
        return update

    def new_callback_id(self) -> str:
        """A fresh callback query id (Telegram's are long decimal strings)."""
        number = self._next_callback
        self._next_callback += 1
        return str(4_382_000_000_000_000_000 + number)
