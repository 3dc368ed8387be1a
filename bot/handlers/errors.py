"""The last line of defence: log the error (without secrets) and tell the user something went wrong."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.runtime import Context
from bot.storage.db import DatabaseTimeout
from bot.views import texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the exception; for an update from a user, apologise once (if we still can)."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("user unreachable: %s", error)
        return
    if isinstance(error, DatabaseTimeout) or _sqlite_busy(error):
        # The database server stopped answering (or, on SQLite, another process held the write
        # lock past the busy timeout): say so instead of leaving people waiting.
        log.warning("%s while handling an update", error)
        await _tell(update, context, texts.DATABASE_SLOW, texts.DATABASE_SLOW_TOAST)
        return
    if isinstance(error, BadRequest) and "query is too old" in error.message.lower():
        # A tap answered already (an update delivered again) or answered too late: Telegram
        # refuses a second answer, and there is nothing left to tell the user.
        log.info("a button tap could not be answered: %s", error.message)
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("network trouble while handling an update: %s", error)
        # A send that timed out is not repeated (it may have arrived); the database already holds
        # whatever the update changed, so point the user to where they can pick up again.
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None and chat.type == chat.PRIVATE:
            try:
                await context.bot.send_message(chat.id, texts.CONNECTION_TROUBLE)
            except TelegramError:
                log.debug("could not send the connection notice")
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update):
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(texts.SORRY)
            except Exception:
                log.debug("could not answer the failed callback query")
        elif update.effective_chat is not None and update.effective_chat.type == "private":
            try:
                await context.bot.send_message(update.effective_chat.id, texts.SORRY)
            except Exception:
                log.debug("could not send the apology")


def _sqlite_busy(error: object) -> bool:
    """SQLite's "database is locked" after its busy timeout: the file is busy, not broken."""
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower()


async def _tell(update: object, context: Context, text: str, toast: str) -> None:
    """Tell the person behind an update: a toast for a tap, a message in a private chat."""
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(toast)
        elif update.effective_chat is not None and update.effective_chat.type == "private":
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        log.debug("could not tell the user about the failure")
