"""The floor for bench_fullstack.py: the least a python-telegram-bot quiz can do per tap.

A stock Application — default httpx transport, default one-update-at-a-time processing, no
storage — whose tap handler makes the same three Bot API calls as the real quiz: answer the
callback query, edit the question into its reveal, send the next question with its buttons.

    .venv/bin/python bench/floor_bot.py --api http://127.0.0.1:PORT --token TOKEN
"""

from __future__ import annotations

import argparse
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

OPTIONS = ("Option A", "Option B", "Option C", "Option D")


def keyboard(number: int) -> InlineKeyboardMarkup:
    """Four answer buttons, one per row, as the real quiz shows them."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"a:{number}:{i}")]
            for i, label in enumerate(OPTIONS)
        ]
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/quiz (or any command): the first question."""
    if update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id, "Question 1: which option?", reply_markup=keyboard(1)
        )


async def tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap: answer it, turn the question into its reveal, ask the next one."""
    query = update.callback_query
    if query is None or query.message is None or query.data is None:
        return
    number = int(query.data.split(":")[1])
    await query.answer("✅ Right!")
    await query.edit_message_text(f"Question {number}: which option?\nAnswer: Option A")
    await context.bot.send_message(
        query.message.chat.id,
        f"Question {number + 1}: which option?",
        reply_markup=keyboard(number + 1),
    )


def main() -> None:
    """Poll the given Bot API until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True, help="Bot API base URL, e.g. http://127.0.0.1:8081")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app = (
        Application.builder()
        .token(args.token)
        .base_url(f"{args.api}/bot")
        .base_file_url(f"{args.api}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler(["quiz", "start"], start))
    app.add_handler(CallbackQueryHandler(tap))
    app.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY])


if __name__ == "__main__":
    main()
