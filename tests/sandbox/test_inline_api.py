"""Inline mode in the sandbox, as Telegram does it: queries arrive with no chat, answers are
checked (at most 50 results, ids of up to 64 bytes, each once), a chosen result is posted "via"
the bot, and its buttons' taps and edits go by `inline_message_id`."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.error import BadRequest

from bot.sandbox.api_inline import InlineQueryRecord, choose, inline_query, tap_inline
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer


def article(result_id: str, title: str = "Q") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        result_id,
        title,
        InputTextMessageContent(f"<b>{title}</b>", parse_mode="HTML"),
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="x:a")]]),
    )


async def _asked(
    server: SandboxServer, bot: Bot, user: SandboxUser, text: str
) -> tuple[asyncio.Task[InlineQueryRecord], str]:
    """`user` types an inline query; the bot fetches it. The task ends once it is answered."""
    task = asyncio.create_task(inline_query(user, text, timeout=5))
    (update,) = await bot.get_updates(timeout=2, allowed_updates=["inline_query", "callback_query"])
    assert update.inline_query is not None and update.effective_chat is None
    assert update.inline_query.query == text and update.inline_query.chat_type == "sender"
    await bot.get_updates(offset=update.update_id + 1, timeout=0)
    return task, update.inline_query.id


async def test_an_answer_is_checked_as_telegram_checks_it(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    task, query_id = await _asked(server, bot, alice, "capitals")
    for results, error in [
        ([article(str(i)) for i in range(51)], "RESULTS_TOO_MUCH"),
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        ([article("same"), article("same")], "RESULT_ID_DUPLICATE"),
    ]:
        with pytest.raises(BadRequest, match=f"(?i){error}"):
            await bot.answer_inline_query(query_id, results)
    with pytest.raises(BadRequest, match=r"(?i)NEXT_OFFSET_INVALID"):
        await bot.answer_inline_query(query_id, [article("1")], next_offset="9" * 65)
    await bot.answer_inline_query(
        query_id, [article("1", "First"), article("2", "Second")], cache_time=5, is_personal=True
    )
    answer = await task
    assert answer.titles == ["First", "Second"] and answer.is_personal and answer.cache_time == 5
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query(query_id, [article("1")])  # answered once


async def test_a_chosen_result_is_posted_via_the_bot_and_edited_by_its_inline_id(
    server: SandboxServer, bot: Bot, alice: SandboxUser, bob: SandboxUser
) -> None:
    group = server.group("Club", members=[alice, bob])
    task, query_id = await _asked(server, bot, alice, "")
    await bot.answer_inline_query(query_id, [article("1", "Question")])
    posted = await choose(alice, await task, "1", group)
    assert posted.sender_id == alice.id and posted.text == "Question" and posted.labels == ["A"]
    stored = server.world.chats[group.id].messages[posted.message_id]
    assert server.world.message_json(stored)["via_bot"]["username"] == "quizmaster_bot"

    tapping = asyncio.create_task(tap_inline(bob, posted, "A"))
    (update,) = await bot.get_updates(timeout=2)
    query = update.callback_query
    assert query is not None and query.message is None and query.data == "x:a"
    assert query.inline_message_id and update.effective_chat is None
    await query.answer("noted")
    assert await tapping == "noted"

    edited = await bot.edit_message_text(
        "<b>Answered</b>", inline_message_id=query.inline_message_id, parse_mode="HTML"
    )
    assert edited is True  # Telegram answers True for an inline message
    now = next(m for m in group.history if m.message_id == posted.message_id)
    assert now.text == "Answered" and now.labels == [] and now.edited
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text(
            "<b>Answered</b>", inline_message_id=query.inline_message_id, parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_ID_INVALID"):
        await bot.edit_message_text("x", inline_message_id="forged")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="x:b")]])
    assert await bot.edit_message_reply_markup(
        inline_message_id=query.inline_message_id, reply_markup=markup
    )
    now = next(m for m in group.history if m.message_id == posted.message_id)
    assert now.labels == ["B"]
