"""Bot API methods that send, edit and delete messages, answer taps and serve files."""

from __future__ import annotations

import html
import struct
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import ApiError, bad_request, forbidden, too_many_requests
from bot.sandbox.params import Args, Upload
from bot.sandbox.validate import (
    FormattedText,
    check_answer_text,
    check_caption,
    check_message_text,
    check_web_app_buttons,
    format_text,
    parse_reply_markup,
)
from bot.sandbox.world import MEMBER_STATUSES, ChatRecord, FileRecord, StoredMessage
from bot.views.i18n import pseudo_enabled, unpseudo

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

MAX_DOWNLOAD = 20 * 1024 * 1024
# What a bot may upload: photos up to 10 MB, audio and documents up to 50 MB.
MAX_UPLOAD = {
    "photo": 10 * 1024 * 1024,
    "audio": 50 * 1024 * 1024,
    "voice": 50 * 1024 * 1024,
    "document": 50 * 1024 * 1024,
}
# A voice message over 1 MB shows as a file rather than the voice player (Bot API, sending files).
MAX_VOICE_SHOWN = 1024 * 1024
ALBUM_SIZES = range(2, 11)  # sendMediaGroup: 2-10 items
DELETE_WINDOW = timedelta(hours=48)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def find_chat(srv: SandboxServer, args: Args) -> ChatRecord:
    """The chat named by `chat_id`, or Telegram's errors for a missing or moved one."""
    raw = args.raw("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    chat = srv.world.find_chat(raw)
    if chat is None:
        raise bad_request("chat not found")
    if chat.migrated_to is not None:
        raise ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": chat.migrated_to},
        )
    return chat


def ensure_writable(srv: SandboxServer, chat: ChatRecord) -> None:
    """Refuse like Telegram when the bot may not post into `chat`."""
    if chat.type == "private":
        user = srv.world.users[chat.id]
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return
    status = chat.members.get(srv.world.bot.id)
    kind = "group chat" if chat.type == "group" else "supergroup chat"
    if status == "kicked":
        raise forbidden(f"bot was kicked from the {kind}")
    if status not in MEMBER_STATUSES:
        raise forbidden(f"bot is not a member of the {kind}")


def writable_chat(srv: SandboxServer, args: Args) -> ChatRecord:
    """`find_chat` plus the right to post there."""
    chat = find_chat(srv, args)
    ensure_writable(srv, chat)
    return chat


def _thread(chat: ChatRecord, args: Args) -> int | None:
    thread = args.integer("message_thread_id")
    if not thread or not chat.is_forum:
        return None
    if thread not in chat.topics:
        raise bad_request("message thread not found")
    return thread


def _reply_to(chat: ChatRecord, args: Args) -> int | None:
    params = args.json("reply_parameters", "can't parse reply parameters JSON object")
    if isinstance(params, dict):
        target, allow = params.get("message_id"), bool(params.get("allow_sending_without_reply"))
    else:
        target, allow = (
            args.integer("reply_to_message_id"),
            args.flag("allow_sending_without_reply"),
        )
    if not target:
        return None
    message = chat.messages.get(int(target))
    if message is None or message.deleted:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return message.message_id


def _markup(args: Args, chat: ChatRecord) -> dict[str, Any] | None:
    markup = parse_reply_markup(args.raw("reply_markup"))
    check_web_app_buttons(markup, chat.type)
    if markup is not None and pseudo_enabled():
        for key in ("inline_keyboard", "keyboard"):
            for row in markup.get(key, []):
                for button in row:
                    if isinstance(button, dict) and isinstance(button.get("text"), str):
                        button["text"] = unpseudo(button["text"])
    return markup


def _text(args: Args, name: str, entities: str) -> tuple[FormattedText, str]:
    """Parse a text argument; returns it formatted and its HTML as sent."""
    raw = args.string(name) or ""
    mode = args.string("parse_mode")
    if pseudo_enabled() and raw != unpseudo(raw):
        # The pseudo-locale's longer text must parse and fit as sent; people (tests) then read
        # the English it was made from.
        longer = format_text(raw, mode, args.json(entities, "can't parse entities JSON object"))
        (check_caption if name == "caption" else check_message_text)(longer)
        raw = unpseudo(raw)
    formatted = format_text(raw, mode, args.json(entities, "can't parse entities JSON object"))
    as_html = raw if (mode or "").lower() == "html" else html.escape(formatted.text, quote=False)
    return formatted, as_html


def _check_rate(srv: SandboxServer, chat: ChatRecord) -> None:
    if not srv.enforce_limits:
        return
    wait = srv.rates.retry_after(srv.world.clock.now(), chat.id, chat.type)
    if wait is not None:
        raise too_many_requests(wait)


def _deliver(srv: SandboxServer, chat: ChatRecord, method: str, **fields: Any) -> dict[str, Any]:
    message = srv.world.new_message(chat, srv.world.bot.id, **fields)
    srv.rates.record(srv.world.clock.now(), chat.id, chat.type, method, "message")
    srv.publish("sent", chat.id, message)
    return srv.world.message_json(message)


async def send_message(srv: SandboxServer, args: Args) -> Any:
    """sendMessage."""
    chat = writable_chat(srv, args)
    if args.string("text") is None:
        raise bad_request("message text is empty")
    text, raw = _text(args, "text", "entities")
    check_message_text(text)
    markup, thread, reply = _markup(args, chat), _thread(chat, args), _reply_to(chat, args)
    _check_rate(srv, chat)
    return _deliver(
        srv,
        chat,
        "sendMessage",
        text=text,
        raw_text=raw,
        reply_markup=markup,
        thread_id=thread,
        reply_to=reply,
        disable_notification=args.flag("disable_notification"),
    )


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, BMP, WebP or JPEG image; None if it is none of them."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:4] in (b"GIF8",) and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 1, 1
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _existing_file(srv: SandboxServer, file_id: str, kind: str) -> FileRecord:
    if file_id.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    record = srv.world.files.get(file_id)
    if record is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if record.kind != kind:
        raise bad_request("type of file mismatch")
    return record


async def _send_media(srv: SandboxServer, args: Args, kind: str, method: str) -> Any:
    chat = writable_chat(srv, args)
    source = args.upload(kind)
    if source is None:
        raise bad_request(f"there is no {kind} in the request")
    existing = _existing_file(srv, source, kind) if isinstance(source, str) else None
    limit = MAX_UPLOAD.get(kind)
    if isinstance(source, Upload) and limit is not None and len(source.data) > limit:
        # Telegram's limits on uploads by a bot: photos 10 MB, other files 50 MB.
        raise bad_request("file is too big" if kind == "photo" else "Request Entity Too Large")
    size = (0, 0)
    if isinstance(source, Upload) and kind == "photo":
        found = image_size(source.data)
        if found is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        size = found
    caption, raw = _text(args, "caption", "caption_entities")
    check_caption(caption)
    markup, thread, reply = _markup(args, chat), _thread(chat, args), _reply_to(chat, args)
    _check_rate(srv, chat)
    record = existing
    if isinstance(source, Upload):
        if kind == "voice" and len(source.data) > MAX_VOICE_SHOWN:
            kind = "document"  # Telegram sends a large voice message as a file
        record = srv.world.add_file(
            source.data, kind, source.filename or "file", source.content_type, size
        )
    return _deliver(
        srv,
        chat,
        method,
        caption=caption if caption.text else None,
        raw_caption=raw if caption.text else None,
        reply_markup=markup,
        thread_id=thread,
        reply_to=reply,
        disable_notification=args.flag("disable_notification"),
        **{kind: record},
    )


async def send_document(srv: SandboxServer, args: Args) -> Any:
    """sendDocument: multipart upload or an existing file_id."""
    return await _send_media(srv, args, "document", "sendDocument")


async def send_photo(srv: SandboxServer, args: Args) -> Any:
    """sendPhoto: multipart upload (a real image) or an existing file_id."""
    return await _send_media(srv, args, "photo", "sendPhoto")


async def send_audio(srv: SandboxServer, args: Args) -> Any:
    """sendAudio: multipart upload (up to 50 MB) or an existing file_id."""
    return await _send_media(srv, args, "audio", "sendAudio")


async def send_voice(srv: SandboxServer, args: Args) -> Any:
    """sendVoice: a voice message up to 1 MB plays inline; a larger upload arrives as a file."""
    return await _send_media(srv, args, "voice", "sendVoice")


async def send_media_group(srv: SandboxServer, args: Args) -> Any:
    """sendMediaGroup of photos: 2-10 items (each a file_id or an attach:// upload), no buttons;
    one message each, sharing a media_group_id, all or none."""
    chat = writable_chat(srv, args)
    items = args.json("media", "can't parse media JSON object")
    if not isinstance(items, list) or len(items) not in ALBUM_SIZES:
        raise bad_request("wrong number of messages to send: must be between 2 and 10")
    files: list[tuple[FileRecord | Upload, tuple[int, int]]] = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") != "photo":
            raise bad_request("unsupported media type in the album")
        given = Args({"media": item.get("media")}, args.uploads).upload("media")
        if given is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(given, str):
            files.append((_existing_file(srv, given, "photo"), (0, 0)))
            continue
        if len(given.data) > MAX_UPLOAD["photo"]:
            raise bad_request("file is too big")
        found = image_size(given.data)
        if found is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        files.append((given, found))
    if args.raw("reply_markup") is not None:
        raise bad_request("reply markup is not allowed in a media group")
    thread, reply = _thread(chat, args), _reply_to(chat, args)
    _check_rate(srv, chat)
    group = f"{srv.world.now()}{chat.next_message_id:06d}"
    sent = []
    for source, size in files:
        record = (
            srv.world.add_file(source.data, "photo", source.filename, source.content_type, size)
            if isinstance(source, Upload)
            else source
        )
        sent.append(
            _deliver(
                srv,
                chat,
                "sendMediaGroup",
                photo=record,
                media_group_id=group,
                thread_id=thread,
                reply_to=reply,
                disable_notification=args.flag("disable_notification"),
            )
        )
    return sent


def _editable(srv: SandboxServer, args: Args) -> tuple[ChatRecord, StoredMessage]:
    if args.string("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = writable_chat(srv, args)
    message_id = args.integer("message_id")
    if not message_id:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if message.sender_id != srv.world.bot.id or message.service:
        raise bad_request("message can't be edited")
    return chat, message


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


def _apply_edit(
    srv: SandboxServer, chat: ChatRecord, message: StoredMessage, method: str, **changes: Any
) -> dict[str, Any]:
    if all(getattr(message, key) == value for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    message.history.append(message.snapshot())
    for key, value in changes.items():
        setattr(message, key, value)
    message.edit_date = srv.world.now()
    srv.rates.record(srv.world.clock.now(), chat.id, chat.type, method, "edit")
    srv.publish("edited", chat.id, message)
    return srv.world.message_json(message)


async def edit_message_text(srv: SandboxServer, args: Args) -> Any:
    """editMessageText; leaving out reply_markup removes the keyboard, as on Telegram."""
    chat, message = _editable(srv, args)
    if args.string("text") is None:
        raise bad_request("message text is empty")
    text, raw = _text(args, "text", "entities")
    check_message_text(text)
    markup = _inline_only(_markup(args, chat))
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    changes = {"text": text, "reply_markup": markup}
    result = _apply_edit(srv, chat, message, "editMessageText", **changes)
    message.raw_text = raw
    return result


async def edit_message_caption(srv: SandboxServer, args: Args) -> Any:
    """editMessageCaption."""
    chat, message = _editable(srv, args)
    caption, raw = _text(args, "caption", "caption_entities")
    check_caption(caption)
    markup = _inline_only(_markup(args, chat))
    if all(f is None for f in (message.document, message.photo, message.audio, message.voice)):
        raise bad_request("there is no caption in the message to edit")
    new_caption = caption if caption.text else None
    result = _apply_edit(
        srv, chat, message, "editMessageCaption", caption=new_caption, reply_markup=markup
    )
    message.raw_caption = raw if caption.text else None
    return result


async def edit_message_reply_markup(srv: SandboxServer, args: Args) -> Any:
    """editMessageReplyMarkup."""
    chat, message = _editable(srv, args)
    markup = _inline_only(_markup(args, chat))
    return _apply_edit(srv, chat, message, "editMessageReplyMarkup", reply_markup=markup)


async def delete_message(srv: SandboxServer, args: Args) -> Any:
    """deleteMessage: own messages, incoming ones in private chats, any as a group admin."""
    chat = find_chat(srv, args)
    message_id = args.integer("message_id")
    message = chat.messages.get(message_id or 0)
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    bot_id = srv.world.bot.id
    own = message.sender_id == bot_id
    if not own and chat.type != "private" and chat.members.get(bot_id) != "administrator":
        raise bad_request("message can't be deleted")
    age = srv.world.now() - message.date
    if age > DELETE_WINDOW.total_seconds():
        raise bad_request("message can't be deleted for everyone")
    message.deleted = True
    srv.publish("deleted", chat.id, message)
    return True


async def answer_callback_query(srv: SandboxServer, args: Args) -> Any:
    """answerCallbackQuery: each query may be answered once."""
    query = srv.world.callbacks.get(args.string("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = args.string("text")
    check_answer_text(text)
    if text and pseudo_enabled():
        text = unpseudo(text)  # checked at the pseudo-locale's length; read as English
    query.answered = True
    query.text = text or None
    query.show_alert = args.flag("show_alert")
    query.url = args.string("url") or None
    srv.publish("answered", query.chat_id, None, toast=text or "", show_alert=query.show_alert)
    return True


async def send_chat_action(srv: SandboxServer, args: Args) -> Any:
    """sendChatAction: recorded in `server.chat_actions`."""
    chat = writable_chat(srv, args)
    action = args.string("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    srv.chat_actions.append((chat.id, action))
    return True


async def get_file(srv: SandboxServer, args: Args) -> Any:
    """getFile: a download path, for files up to 20 MB."""
    record = srv.world.files.get(args.string("file_id") or "")
    if record is None:
        raise bad_request("invalid file_id")
    if record.size > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    found: dict[str, Any] = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
    if record.shown_size is not None:
        found["file_size"] = record.shown_size
    return {**found, "file_path": record.file_path}
