"""The aiogram floor for bench_fullstack.py: the least an aiogram 3 quiz can do per tap.

What a speed-minded author would write instead of this bot: aiogram 3 on its default aiohttp
session, its default polling (each update handled as its own task), no storage, and a tap
handler making the same three Bot API calls as the real quiz: answer the callback query, edit
the question into its reveal, send the next question with its buttons. Needs the bench-only
extra `bench-aiogram` (aiogram is never a dependency of the bot).

    .venv/bin/python bench/floor_aiogram.py --api http://127.0.0.1:PORT --token TOKEN
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

OPTIONS = ("Option A", "Option B", "Option C", "Option D")


def keyboard(number: int) -> InlineKeyboardMarkup:
    """Four answer buttons, one per row, as the real quiz shows them."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=f"a:{number}:{i}")]
            for i, label in enumerate(OPTIONS)
        ]
    )


async def start(message: Message) -> None:
    """/quiz (or /start): the first question."""
    await message.answer("Question 1: which option?", reply_markup=keyboard(1))


async def tap(query: CallbackQuery, bot: Bot) -> None:
    """A tap: answer it, turn the question into its reveal, ask the next one."""
    if query.message is None or query.data is None:
        return
    number = int(query.data.split(":")[1])
    chat_id, message_id = query.message.chat.id, query.message.message_id
    await query.answer("✅ Right!")
    await bot.edit_message_text(
        text=f"Question {number}: which option?\nAnswer: Option A",
        chat_id=chat_id,
        message_id=message_id,
    )
    await bot.send_message(
        chat_id, f"Question {number + 1}: which option?", reply_markup=keyboard(number + 1)
    )


async def main() -> None:
    """Poll the given Bot API until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True, help="Bot API base URL, e.g. http://127.0.0.1:8081")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # A run ends with calls still in flight when the bench stops its Bot API: not a result.
    logging.getLogger("aiogram.event").setLevel(logging.CRITICAL)
    session = AiohttpSession(api=TelegramAPIServer.from_base(args.api))
    bot = Bot(args.token, session=session)
    dispatcher = Dispatcher()
    dispatcher.message.register(start, Command("quiz", "start"))
    dispatcher.callback_query.register(tap)
    await dispatcher.start_polling(bot, allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    asyncio.run(main())
