"""Questions that show a card's picture or sound: sent as a photo or audio with the question as
caption, by `file_id` once this bot has uploaded the file, and edited as captions afterwards.

A caption holds 1,024 characters; a longer question is sent as the picture or sound alone, then
the question as a text message with the buttons (the message the quiz goes on editing). Whether a
question's message is a caption is worked out again from the question each time (`captioned`),
so no state beyond the card's media hash is needed.

A screen may also send pictures ahead of its file (`ScreenMedia.before`): one as a photo, 2-10 as
an album (`sendMediaGroup`, which takes no buttons, so the buttons stay on the file after it).
An OGG/Opus sound of at most 1 MB goes as a voice message (`sendVoice`: Telegram plays it inline
and shows a larger one as a plain file); MP3, M4A, WAV and OGG/Vorbis go as audio.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, InputMediaPhoto
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.cards.formats.apkg_media import OPUS_MIME
from bot.handlers.common import edit_skipped
from bot.net.wire import edit_html_quietly, send_html_id
from bot.storage import media as store
from bot.storage.db import Database
from bot.views.fmt import visible_length, visible_text

log = logging.getLogger(__name__)

MAX_CAPTION = 1024  # Telegram's limit, counted after the HTML is parsed
_METHOD = {"photo": "sendPhoto", "audio": "sendAudio", "voice": "sendVoice"}
MAX_VOICE_BYTES = 1024 * 1024  # a larger voice message shows as a file, not the voice player
MAX_ALBUM = 10  # sendMediaGroup takes 2-10 items
_NAME = {"image/png": "card.png", "image/jpeg": "card.jpg", "image/gif": "card.gif"}


@dataclass(frozen=True, slots=True)
class ScreenMedia:
    """The card's file shown with a screen, and whether the question message is its caption."""

    digest: str  # "" for none: the pictures before it are all there is
    captioned: bool
    before: tuple[str, ...] = ()  # pictures sent ahead of it, uncaptioned (an album of 2-10)


def captioned(question_html: str) -> bool:
    """Whether a question fits a caption (else it goes in a text message after the media)."""
    return visible_length(question_html) <= MAX_CAPTION


def fit_caption(text_html: str) -> str:
    """A caption within the limit: the text as is if it fits, else its words, shortened, plain."""
    if visible_length(text_html) <= MAX_CAPTION:
        return text_html
    return html.escape(visible_text(text_html)[: MAX_CAPTION - 20].rstrip() + "…", quote=False)


def bot_id(bot: Bot) -> int:
    """The bot's id: the part of its token before the colon (known without a getMe)."""
    return int(bot.token.split(":", 1)[0])


async def send_with_media(
    bot: Bot,
    db: Database,
    chat_id: int,
    media: ScreenMedia,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    thread_id: int | None,
) -> int:
    """Send the card's file with the question (after the pictures sent before it); the id of the
    message that carries the buttons (the file's own when `text` is empty)."""
    album = await send_album(bot, db, chat_id, media.before, thread_id)
    if not media.digest and not text:
        return album or 0  # the album was all there was to show
    info = await store.media_info(db, media.digest, bot_id(bot))
    if info is None:  # the card names a file no longer stored: the question alone
        if not text:
            return album or 0  # nothing more to show (the back's files, say, all gone)
        return await _send_text(bot, chat_id, text, keyboard, thread_id)
    kind = file_kind(info)
    data: dict[str, Any] = {"chat_id": chat_id}
    if thread_id is not None:
        data["message_thread_id"] = thread_id
    if media.captioned and text:
        data.update(caption=text, parse_mode=ParseMode.HTML)
        if keyboard is not None:
            data["reply_markup"] = keyboard
    if info.file_id is not None:
        data[kind] = info.file_id
    else:
        content = await store.media_bytes(db, media.digest)
        if content is None:
            return await _send_text(bot, chat_id, text, keyboard, thread_id)
        data[kind] = _upload(content, info)
    try:
        sent = await bot._post(_METHOD[kind], data)
    except BadRequest as exc:
        # A file Telegram will not take (it checks more than the first bytes) must not cost the
        # question: it goes alone, as text (a chat that is gone fails there, as it would anyway).
        log.warning("%s of %s refused (%s); the question goes without it", kind, media.digest, exc)
        return await _send_text(bot, chat_id, text, keyboard, thread_id)
    file_id = _file_id(sent, kind)
    if info.file_id is None and file_id is not None:
        # Uploaded once per bot: every later question sends it by this id.
        await store.remember_file_id(db, media.digest, bot_id(bot), file_id)
    if media.captioned or not text:
        return int(sent["message_id"])
    return await _send_text(bot, chat_id, text, keyboard, thread_id)


def file_kind(info: store.StoredMedia) -> str:
    """How a stored file is sent: photo, voice (a small OGG/Opus) or audio."""
    if info.kind != "audio":
        return "photo"
    if info.mime == OPUS_MIME and info.size <= MAX_VOICE_BYTES:
        return "voice"
    return "audio"


def _upload(content: bytes, info: store.StoredMedia) -> InputFile:
    """A stored file's first upload, under a neutral name (its own may spell the answer)."""
    name = _NAME.get(info.mime, "card.webp" if info.kind == "photo" else "card-sound")
    if info.mime == OPUS_MIME:
        name = "card.ogg"
    return InputFile(content, filename=name, attach=True)


async def send_album(
    bot: Bot, db: Database, chat_id: int, digests: tuple[str, ...], thread_id: int | None
) -> int | None:
    """Send pictures without a caption: one as a photo, 2-10 as an album; the last message's id
    (None when none was sent). A picture Telegram refuses costs the album, not the question."""
    found = [await store.media_info(db, digest, bot_id(bot)) for digest in digests[:MAX_ALBUM]]
    pictures = [info for info in found if info is not None and info.kind == "photo"]
    if not pictures:
        return None
    if len(pictures) == 1:
        return await send_with_media(
            bot, db, chat_id, ScreenMedia(pictures[0].digest, True), "", None, thread_id
        )
    items: list[InputMediaPhoto] = []
    for info in pictures:
        if info.file_id is not None:
            items.append(InputMediaPhoto(info.file_id))
            continue
        content = await store.media_bytes(db, info.digest)
        if content is None:
            continue
        items.append(InputMediaPhoto(_upload(content, info)))
    data: dict[str, Any] = {"chat_id": chat_id, "media": items}
    if thread_id is not None:
        data["message_thread_id"] = thread_id
    try:
        sent = await bot._post("sendMediaGroup", data)
    except BadRequest as exc:
        log.warning("an album of %d pictures refused (%s); sent without it", len(items), exc)
        return None
    for info, message in zip(pictures, sent, strict=False):
        file_id = _file_id(message, "photo")
        if info.file_id is None and file_id is not None:
            await store.remember_file_id(db, info.digest, bot_id(bot), file_id)
    return int(sent[-1]["message_id"]) if sent else None


async def edit_caption_quietly(
    bot: Bot, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
) -> bool:
    """Edit a question sent as a caption; False (not raised) when Telegram says it need not."""
    data: dict[str, Any] = {
        "chat_id": chat_id,
        "message_id": message_id,
        "caption": fit_caption(text),
        "parse_mode": ParseMode.HTML,
    }
    if keyboard is not None:
        data["reply_markup"] = keyboard
    try:
        await bot._post("editMessageCaption", data)
    except BadRequest as exc:
        if edit_skipped(exc, chat_id, message_id):
            return False
        if "no caption in the message" in exc.message.lower():
            # The file was refused when the question was sent, so it went as text.
            return await edit_html_quietly(bot, chat_id, message_id, text, keyboard)
        raise
    return True


async def edit_media_quietly(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    media: ScreenMedia,
) -> bool:
    """Edit the message of a question shown with a file: its caption, or its text when the
    question went after the file (or the message turns out to be the other kind)."""
    if media.captioned:
        return await edit_caption_quietly(bot, chat_id, message_id, text, keyboard)
    try:
        return await edit_html_quietly(bot, chat_id, message_id, text, keyboard)
    except BadRequest as exc:
        if "no text in the message" not in exc.message.lower():
            raise
        return await edit_caption_quietly(bot, chat_id, message_id, text, keyboard)


async def _send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    thread_id: int | None,
) -> int:
    return await send_html_id(bot, chat_id, text, keyboard, thread_id)


def _file_id(sent: Any, kind: str) -> str | None:
    """The file_id Telegram gave the sent file (a photo's largest size)."""
    try:
        found = sent[kind][-1] if kind == "photo" else sent[kind]
        return str(found["file_id"])
    except (KeyError, IndexError, TypeError):
        return None
