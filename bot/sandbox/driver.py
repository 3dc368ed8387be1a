"""Acting as people in the sandbox: send messages and files, tap buttons, wait for the bot."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from bot.sandbox.message import SandboxMessage, view
from bot.sandbox.validate import Entity, FormattedText, utf16_len
from bot.sandbox.world import (
    MEMBER_STATUSES,
    TRUE_SIZE,
    CallbackRecord,
    ChatRecord,
    StoredMessage,
    UserRecord,
)

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")
# What Telegram accepts as a deep link's start parameter.
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")

MessageRef = SandboxMessage | int


class SandboxChat:
    """A handle on a chat; it follows a group to its new id after a migration."""

    def __init__(self, server: SandboxServer, chat_id: int) -> None:
        self.server = server
        self.chat_id = chat_id

    @property
    def id(self) -> int:
        """The chat id now (a migrated group answers with its supergroup id)."""
        return self.chat_id

    @property
    def record(self) -> ChatRecord:
        """The raw chat state."""
        return self.server.world.chats[self.chat_id]

    @property
    def title(self) -> str | None:
        """The group title (None for private chats)."""
        return self.record.title

    @property
    def messages(self) -> list[SandboxMessage]:
        """The bot's messages here as they stand now, oldest first (deleted ones left out)."""
        bot_id = self.server.world.bot.id
        return [
            view(m, bot_id)
            for m in self.record.messages.values()
            if m.sender_id == bot_id and not m.deleted and not m.service
        ]

    @property
    def history(self) -> list[SandboxMessage]:
        """Every message here from anyone, deleted ones included, oldest first."""
        bot_id = self.server.world.bot.id
        return [view(m, bot_id) for m in self.record.messages.values()]

    @property
    def last(self) -> SandboxMessage | None:
        """The bot's newest message here."""
        shown = self.messages
        return shown[-1] if shown else None

    def status_of(self, user: SandboxUser) -> str:
        """The member status of `user` here (`creator`, `administrator`, `member`, `left`...)."""
        return self.record.members.get(user.id, "left")

    def add_member(self, user: SandboxUser, status: str = "member") -> None:
        """Put `user` into this chat with `status`."""
        self.record.members[user.id] = status

    def create_topic(self, name: str, by: SandboxUser | None = None) -> int:
        """Open a forum topic; returns its message_thread_id."""
        chat = self.record
        if not chat.is_forum:
            raise ValueError("topics exist only in forum supergroups")
        actor = by.id if by else next(iter(chat.members))
        message = self.server.world.new_message(
            chat, actor, service={"forum_topic_created": {"name": name, "icon_color": 7322096}}
        )
        message.thread_id = message.message_id
        chat.topics[message.message_id] = name
        self.server.world.enqueue("message", self.server.world.message_json(message))
        self.server.pulse.fire()
        return message.message_id

    async def wait_for(
        self,
        predicate: Callable[[SandboxMessage], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the driver API
        since: MessageRef | None = None,
    ) -> SandboxMessage:
        """The bot's newest message here matching `predicate`, waiting for it if needed."""
        after = since.message_id if isinstance(since, SandboxMessage) else (since or 0)
        found: list[SandboxMessage] = []

        def check() -> bool:
            for message in reversed(self.messages):
                if message.message_id > after and predicate(message):
                    found.append(message)
                    return True
            return False

        if await self.server.wait_until(check, timeout):
            return found[0]
        shown = "\n".join(f"  #{m.message_id}: {m.text[:120]!r}" for m in self.messages[-5:])
        raise AssertionError(
            f"no bot message matched within {timeout}s in chat {self.chat_id}; newest:\n"
            f"{shown or '  (none)'}"
        )

    def __repr__(self) -> str:
        return f"SandboxChat({self.chat_id}, {self.record.type}, {self.title!r})"


class SandboxUser:
    """A person chatting with the bot: each action becomes an update the bot fetches."""

    def __init__(self, server: SandboxServer, record: UserRecord) -> None:
        self.server = server
        self.record = record

    @property
    def id(self) -> int:
        """The Telegram user id (also the private chat id)."""
        return self.record.id

    @property
    def name(self) -> str:
        """The display name."""
        return self.record.full_name

    @property
    def username(self) -> str | None:
        """The @username without the @."""
        return self.record.username

    @property
    def chat(self) -> SandboxChat:
        """The private chat with the bot."""
        return SandboxChat(self.server, self.id)

    @property
    def messages(self) -> list[SandboxMessage]:
        """The bot's messages in the private chat, as they stand now."""
        return self.chat.messages

    def block_bot(self) -> None:
        """Block the bot: sends then fail with 403 and the bot gets a my_chat_member update."""
        self._set_blocked(True)

    def unblock_bot(self) -> None:
        """Unblock the bot again."""
        self._set_blocked(False)

    def _set_blocked(self, blocked: bool) -> None:
        if self.record.blocked == blocked:
            return
        self.record.blocked = blocked
        world = self.server.world
        bot = world.bot.to_json()
        old, new = ("member", "kicked") if blocked else ("kicked", "member")

        def member(status: str) -> dict[str, Any]:
            body: dict[str, Any] = {"status": status, "user": bot}
            if status == "kicked":
                body["until_date"] = 0
            return body

        payload = {
            "chat": world.chat_json(world.chats[self.id]),
            "from": self.record.to_json(),
            "date": world.now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        world.enqueue("my_chat_member", payload)
        self.server.pulse.fire()

    # ---- sending ------------------------------------------------------------
    def _target(self, chat: SandboxChat | None) -> ChatRecord:
        record = (chat or self.chat).record
        if record.type == "private":
            if record.id != self.id:
                raise AssertionError(f"{self.name} cannot write in another person's private chat")
            if self.record.blocked:
                raise AssertionError(f"{self.name} blocked the bot; call unblock_bot() first")
        elif record.members.get(self.id) not in MEMBER_STATUSES:
            raise AssertionError(f"{self.name} is not a member of {record.title!r}")
        if record.migrated_to is not None:
            raise AssertionError(f"{record.title!r} became supergroup {record.migrated_to}")
        return record

    def _reaches_bot(self, chat: ChatRecord, message: StoredMessage) -> bool:
        """Privacy mode: in groups the bot sees commands, replies to it and mentions only."""
        world = self.server.world
        if chat.type == "private" or not self.server.privacy_mode:
            return True
        if chat.members.get(world.bot.id) == "administrator" or message.service:
            return True
        text = (message.text or message.caption or FormattedText("")).text
        command = _COMMAND.match(text)
        if command:
            addressee = command.group(1)  # "/quiz@other_bot" is for another bot
            return addressee is None or addressee[1:].lower() == (world.bot.username or "").lower()
        if world.bot.username and f"@{world.bot.username}".lower() in text.lower():
            return True
        replied = chat.messages.get(message.reply_to or 0)
        return replied is not None and replied.sender_id == world.bot.id

    async def _post(
        self, chat: SandboxChat | None, sender_id: int | None = None, **fields: Any
    ) -> SandboxMessage:
        record = self._target(chat)
        world = self.server.world
        message = world.new_message(record, sender_id or self.id, **fields)
        if record.type == "private":
            self.record.started = True
        if self._reaches_bot(record, message):
            world.enqueue("message", world.message_json(message))
        self.server.pulse.fire()
        await asyncio.sleep(0)
        return view(message, world.bot.id)

    def _common(
        self, chat: SandboxChat | None, thread_id: int | None, reply_to: MessageRef | None
    ) -> dict[str, Any]:
        reply = reply_to.message_id if isinstance(reply_to, SandboxMessage) else reply_to
        return {"thread_id": thread_id, "reply_to": reply}

    async def send(
        self,
        text: str,
        chat: SandboxChat | None = None,
        thread_id: int | None = None,
        reply_to: MessageRef | None = None,
    ) -> SandboxMessage:
        """Type and send a text message (a leading `/command` gets its bot_command entity)."""
        entities: tuple[Entity, ...] = ()
        command = _COMMAND.match(text)
        if command:
            entities = (Entity("bot_command", 0, utf16_len(command.group(0))),)
        formatted = FormattedText(text, entities)
        return await self._post(
            chat, text=formatted, raw_text=text, **self._common(chat, thread_id, reply_to)
        )

    async def send_as_chat(
        self, text: str, chat: SandboxChat, thread_id: int | None = None
    ) -> SandboxMessage:
        """Send as the group itself, as an anonymous administrator does.

        Telegram shows such a message from GroupAnonymousBot with `sender_chat` the group; only
        the group's administrators can post that way.
        """
        record = self._target(chat)
        if record.type == "private" or record.members.get(self.id) not in (
            "creator",
            "administrator",
        ):
            raise AssertionError(f"{self.name} is no administrator of {record.title!r}")
        entities: tuple[Entity, ...] = ()
        command = _COMMAND.match(text)
        if command:
            entities = (Entity("bot_command", 0, utf16_len(command.group(0))),)
        anonymous = self.server.world.group_anonymous_bot()
        return await self._post(
            chat,
            sender_id=anonymous.id,
            sender_chat_id=record.id,
            text=FormattedText(text, entities),
            raw_text=text,
            thread_id=thread_id,
        )

    async def send_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        chat: SandboxChat | None = None,
        mime_type: str | None = None,
        announced_size: int | None = TRUE_SIZE,
    ) -> SandboxMessage:
        """Send a file as a document (`announced_size`: the size it claims, None for none)."""
        record = self.server.world.add_file(
            data, "document", filename, mime_type, announced_size=announced_size
        )
        shown = FormattedText(caption) if caption else None
        return await self._post(
            chat, document=record, caption=shown, raw_caption=caption, thread_id=None
        )

    async def send_photo(
        self, data: bytes, caption: str | None = None, chat: SandboxChat | None = None
    ) -> SandboxMessage:
        """Send a photo."""
        from bot.sandbox.api_messages import image_size

        size = image_size(data) or (1, 1)
        record = self.server.world.add_file(data, "photo", size=size)
        shown = FormattedText(caption) if caption else None
        return await self._post(chat, photo=record, caption=shown, raw_caption=caption)

    async def send_sticker(self, chat: SandboxChat | None = None) -> SandboxMessage:
        """Send a sticker."""
        record = self.server.world.add_file(b"RIFF\0\0\0\0WEBPVP8 ", "sticker")
        return await self._post(chat, sticker=record)

    async def open_link(self, url: str) -> SandboxMessage | None:
        """Open a `t.me/<bot>[?start=payload]` link as a Telegram client does: with a payload it
        sends `/start payload` in the private chat; without one it sends `/start` only if this
        person never started the bot (and None otherwise: the chat just opens)."""
        parts = urlsplit(url)
        username = self.server.world.bot.username or ""
        if parts.netloc.lower() not in ("t.me", "telegram.me") or (
            parts.path.strip("/").lower() != username.lower()
        ):
            raise AssertionError(f"{url!r} is not a link to @{username}")
        start = parse_qs(parts.query).get("start", [])
        if start:
            if not _START_PARAMETER.fullmatch(start[0]):
                raise AssertionError(f"Telegram ignores the start parameter in {url!r}")
            return await self.send(f"/start {start[0]}")
        return None if self.record.started else await self.send("/start")

    async def send_location(
        self, latitude: float, longitude: float, chat: SandboxChat | None = None
    ) -> SandboxMessage:
        """Share a location."""
        return await self._post(chat, location=(latitude, longitude))

    async def edit(self, message: MessageRef, text: str) -> SandboxMessage:
        """Edit one of this person's text messages (the bot gets `edited_message`)."""
        message_id = message.message_id if isinstance(message, SandboxMessage) else message
        chat_id = message.chat_id if isinstance(message, SandboxMessage) else self.id
        world = self.server.world
        stored = world.chats[chat_id].messages.get(message_id)
        if stored is None or stored.sender_id != self.id or stored.text is None:
            raise AssertionError(f"{self.name} has no text message {message_id} to edit")
        stored.history.append(stored.snapshot())
        stored.text = FormattedText(text)
        stored.raw_text = text
        stored.edit_date = world.now()
        chat = world.chats[chat_id]
        if self._reaches_bot(chat, stored):
            world.enqueue("edited_message", world.message_json(stored))
        self.server.pulse.fire()
        await asyncio.sleep(0)
        return view(stored, world.bot.id)

    # ---- buttons ------------------------------------------------------------
    def _on_screen(self, chat: ChatRecord) -> str:
        lines = []
        for message in reversed(SandboxChat(self.server, chat.id).messages):
            if message.buttons:
                labels = " ".join(f"[{label}]" for label in message.labels)
                lines.append(f"  #{message.message_id}: {labels}")
            if len(lines) == 5:
                break
        return "\n".join(lines) or "  (no buttons)"

    def _find_button(
        self, chat: ChatRecord, label: str, message: MessageRef | None
    ) -> tuple[StoredMessage, str]:
        bot_id = self.server.world.bot.id
        if message is not None:
            wanted = message.message_id if isinstance(message, SandboxMessage) else message
            candidates = [m for m in chat.messages.values() if m.message_id == wanted]
        else:
            candidates = [m for m in chat.messages.values() if m.sender_id == bot_id]
        candidates = [m for m in reversed(candidates) if not m.deleted and m.reply_markup]
        matchers: list[Callable[[str], bool]] = [lambda t: t == label, lambda t: label in t]
        for matches in matchers:
            for stored in candidates:
                for row in (stored.reply_markup or {}).get("inline_keyboard", []):
                    for button in row:
                        if matches(button["text"]):
                            if "callback_data" not in button:
                                raise AssertionError(f"button {button['text']!r} is not tappable")
                            return stored, button["callback_data"]
        raise AssertionError(
            f"{self.name} sees no button {label!r} in chat {chat.id}; buttons on screen:\n"
            f"{self._on_screen(chat)}"
        )

    async def tap(
        self,
        label: str,
        chat: SandboxChat | None = None,
        message: MessageRef | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the driver API
    ) -> str:
        """Tap the newest button labelled `label` (exactly, else containing it); returns the toast."""
        record = (chat or self.chat).record
        stored, data = self._find_button(record, label, message)
        return await self._press(record, stored, data, timeout)

    async def tap_data(
        self,
        message: MessageRef,
        data: str,
        chat: SandboxChat | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the driver API
    ) -> str:
        """Send a callback query with arbitrary (forged or stale) data from `message`."""
        if isinstance(message, SandboxMessage):
            record = self.server.world.chats[message.chat_id]
            message_id = message.message_id
        else:
            record = (chat or self.chat).record
            message_id = message
        stored = record.messages.get(message_id)
        if stored is None:
            raise AssertionError(f"no message {message_id} in chat {record.id}")
        return await self._press(record, stored, data, timeout)

    def press(self, message: SandboxMessage, data: str) -> CallbackRecord:
        """Send a tap on `message` with `data` as Telegram delivers it, without waiting for the
        answer (load generators); `query.answered` and `query.text` tell the outcome later."""
        record = self.server.world.chats[message.chat_id]
        return self._send_press(record, record.messages[message.message_id], data)

    def _send_press(self, chat: ChatRecord, stored: StoredMessage, data: str) -> CallbackRecord:
        world = self.server.world
        query = CallbackRecord(world.new_callback_id(), self.id, chat.id, stored.message_id, data)
        world.callbacks[query.id] = query
        if chat.type == "private":
            self.record.started = True
        payload = {
            "id": query.id,
            "from": self.record.to_json(),
            "message": world.message_json(stored),
            "chat_instance": str(abs(chat.id * 7919 + world.bot.id) % 10**19),
            "data": data,
        }
        world.enqueue("callback_query", payload)
        self.server.pulse.fire()
        return query

    async def _press(
        self,
        chat: ChatRecord,
        stored: StoredMessage,
        data: str,
        timeout: float,  # noqa: ASYNC109 - part of the driver API
    ) -> str:
        query = self._send_press(chat, stored, data)
        if not await self.server.wait_until(lambda: query.answered, timeout):
            raise AssertionError(
                f"the bot did not answer the callback query {data!r} within {timeout}s"
            )
        return query.text or ""

    async def wait_for(
        self,
        predicate: Callable[[SandboxMessage], bool],
        chat: SandboxChat | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the driver API
        since: MessageRef | None = None,
    ) -> SandboxMessage:
        """The bot's newest message (private chat by default) matching `predicate`."""
        return await (chat or self.chat).wait_for(predicate, timeout, since)

    def __repr__(self) -> str:
        return f"SandboxUser({self.id}, {self.name!r})"
