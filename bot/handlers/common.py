"""Small helpers every handler uses: send and edit that tolerate Telegram's harmless refusals."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.views.texts import private_chat_keyboard

log = logging.getLogger(__name__)

HARMLESS_EDIT_ERRORS = (
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
)


async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> Message:
    """Send an HTML message (link previews off), optionally as a reply that survives its target."""
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    return await bot.send_message(
        chat_id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        message_thread_id=thread_id,
        reply_parameters=reply,
        disable_web_page_preview=True,
    )


async def send_to_private(bot: Bot, chat_id: int, text: str, payload: str | None) -> Message:
    """Tell someone in a group that this lives in the private chat, with a button that opens it
    (and, for a known payload, sends `/start payload` there, which opens the command)."""
    return await send_html(bot, chat_id, text, private_chat_keyboard(bot.username, payload))


async def edit_html(
    bot: Bot, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> bool:
    """Edit a message in place; False (logged, not raised) when Telegram says it cannot or need not."""
    try:
        await bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            disable_web_page_preview=True,
        )
    except BadRequest as exc:
        if edit_skipped(exc, chat_id, message_id):
            return False
        raise
    return True


def edit_skipped(refusal: BadRequest, chat_id: int, message_id: int) -> bool:
    """Whether Telegram refused an edit harmlessly (unchanged, gone, too old): logged, not raised."""
    if any(reason in refusal.message.lower() for reason in HARMLESS_EDIT_ERRORS):
        log.debug("edit of %s/%s skipped: %s", chat_id, message_id, refusal.message)
        return True
    return False
