"""The deliverer's two Bot API calls, with Telegram's answer kept as JSON.

PTB turns every answer to sendMessage and editMessageText into a `Message` (its entities, its
keyboard, the chat and the sender, each object checked and frozen): about a tenth of the bot's
CPU per quiz tap (bench/bench_fullstack.py under py-spy), for a message of which the deliverer
reads one number. These calls go through `Bot._post`, the one door every PTB method uses: the same
request object, defaults, rate limiter, retries and error classes (`BadRequest`, `Forbidden`,
`RetryAfter`, `ChatMigrated`, `NetworkError`); only the answer is not turned into objects.
`_post` is PTB's internal method, stable across v20–v22: the pin in pyproject.toml (<23) and the
end-to-end tests, which deliver every message through here, hold it to that.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.handlers.common import edit_skipped

# As send_html and edit_html say it: link previews off.
_NO_PREVIEW = {"is_disabled": True}


def _message(
    chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None, **more: int | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": _NO_PREVIEW,
    }
    if keyboard is not None:
        data["reply_markup"] = keyboard
    data.update((key, value) for key, value in more.items() if value is not None)
    return data


async def send_html_id(
    bot: Bot,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    thread_id: int | None = None,
) -> int:
    """Send an HTML message (link previews off); the new message's id."""
    data = _message(chat_id, text, keyboard, message_thread_id=thread_id)
    sent = await bot._post("sendMessage", data)
    return int(sent["message_id"])


async def edit_html_quietly(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> bool:
    """Edit a message in place; False (logged, not raised) when Telegram says it cannot or need not."""
    data = _message(chat_id, text, keyboard, message_id=message_id)
    try:
        await bot._post("editMessageText", data)
    except BadRequest as exc:
        if edit_skipped(exc, chat_id, message_id):
            return False
        raise
    return True


async def get_updates_json(
    bot: Bot,
    *,
    offset: int,
    poll_seconds: int,
    allowed_updates: list[str],
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """getUpdates, each update as Telegram sent it (the inbox stores them so, and builds the
    `Update` once, when it handles one); read time-out as PTB's get_updates sets it."""
    data = {
        "offset": offset,
        "timeout": poll_seconds,
        "allowed_updates": allowed_updates,
        "limit": limit,
    }
    # The long poll is answered after up to `poll_seconds`: on top of the usual read time-out.
    read_timeout = (bot._request[0].read_timeout or 0) + poll_seconds
    updates = await bot._post("getUpdates", data, read_timeout=read_timeout)
    return list(updates)


def fast_chat_key(update: dict[str, Any]) -> int | None:
    """The inbox chat key of a message or button tap read straight from its JSON; None for any
    other kind of update (the caller then asks PTB's `Update`, which knows them all)."""
    message = update.get("message")
    if message is None:
        query = update.get("callback_query")
        message = query.get("message") if isinstance(query, dict) else None
    if not isinstance(message, dict) or len(update) != 2:  # update_id and the one payload
        return None
    chat = message.get("chat")
    key = chat.get("id") if isinstance(chat, dict) else None
    return key if isinstance(key, int) and not isinstance(key, bool) else None
