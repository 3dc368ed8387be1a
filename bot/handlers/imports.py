"""Decks users bring: /import, documents, pasted flashcards, and the preview's buttons."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.cards.upload import PasteRefusal, safe_filename
from bot.handlers.common import edit_html, send_html, send_to_private
from bot.runtime import App, Context
from bot.services.downloads import DownloadFailed, TooLarge, download
from bot.services.imports import (
    ClosedPreview,
    DownloadFailure,
    FileOutcome,
    ImportFailure,
    ImportPreview,
    SaveStarted,
    Stopped,
)
from bot.services.views import Refusal
from bot.views import imports as view
from bot.views import refusals
from bot.views.callbacks import ImportTap

log = logging.getLogger(__name__)
STOP_POLL_SECONDS = 0.2


async def import_command(update: Update, context: Context) -> None:
    """/import: how to bring a deck."""
    chat = update.effective_chat
    if chat is None:
        return
    if chat.type != Chat.PRIVATE:
        await send_to_private(context.bot, chat.id, view.IMPORT_IN_PRIVATE, "import")
        return
    await send_html(context.bot, chat.id, view.HOW_TO_IMPORT)


async def on_document(update: Update, context: Context) -> None:
    """A file in a private chat: checked by name and size, downloaded, read, previewed."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.document is None:
        return
    services = context.bot_data.services
    bot, chat_id, document = context.bot, message.chat.id, message.document
    filename = safe_filename(document.file_name)
    # Refuse on what the update says before downloading anything.
    refusal = services.imports.refuse_before_download(filename, document.file_size)
    if refusal is not None:
        await send_html(bot, chat_id, view.couldnt_read(refusal))
        return
    progress = await send_html(bot, chat_id, view.READING)

    async def fetch(target: Path, limit: int) -> None:
        try:
            telegram_file = await bot.get_file(document.file_id)
        except TelegramError as exc:
            log.warning("getFile for %s failed: %s", filename, exc)
            raise DownloadFailed from None
        if telegram_file.file_size is not None and telegram_file.file_size > limit:
            raise TooLarge(telegram_file.file_size)
        # Streamed to disk and counted as it comes: the announced size may be missing or wrong.
        await download(str(telegram_file.file_path), target, limit)

    outcome = await services.imports.read_document(user.id, user.first_name, filename, fetch)
    text, keyboard = _file_reply(outcome, filename)
    await edit_html(bot, chat_id, progress.message_id, text, keyboard)


def _file_reply(outcome: FileOutcome, filename: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message a file's progress message becomes."""
    if isinstance(outcome, ImportPreview):
        return view.preview_text(outcome), view.preview_keyboard(outcome)
    if isinstance(outcome, ImportFailure):
        return view.couldnt_read(outcome.reason), None
    if isinstance(outcome, DownloadFailure):
        return view.DOWNLOAD_FAILED, None
    return view.reading_stopped(outcome, filename), None


async def paste_preview(update: Update, context: Context) -> bool:
    """Text that reads as flashcards gets a preview, text meant as them a reason; False if neither."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return False
    read = await context.bot_data.services.imports.read_paste(
        user.id, user.first_name, message.text
    )
    if read is None:
        return False
    if isinstance(read, PasteRefusal):
        await send_html(context.bot, message.chat.id, view.paste_refused(read))
    elif isinstance(read, Stopped):
        await send_html(context.bot, message.chat.id, view.reading_stopped(read, None))
    else:
        await send_html(
            context.bot, message.chat.id, view.preview_text(read), view.preview_keyboard(read)
        )
    return True


async def end_imports_on_stop(app: App) -> None:
    """Once the bot begins to stop, stop every reading in flight (its reader is killed and the
    person told to send it again), so a stop never waits for a file to be read."""
    # Started from post_init, before the application runs; stopping sets `running` back.
    while not app.running:  # noqa: ASYNC110 - PTB has no event for a stop beginning
        await asyncio.sleep(STOP_POLL_SECONDS)
    while app.running:  # noqa: ASYNC110
        await asyncio.sleep(STOP_POLL_SECONDS)
    await app.bot_data.services.imports.close()


async def on_import_tap(query: CallbackQuery, tap: ImportTap, context: Context) -> None:
    """A page, Save (with or without history) or Cancel on a preview; foreign taps get a toast."""
    imports = context.bot_data.services.imports
    user_id = query.from_user.id
    if tap.action == "page":
        shown = await imports.show_page(user_id, tap.import_id, tap.page)
        await query.answer(refusals.PREVIEW_GONE if shown is None else None)
        if shown is not None:
            await _show(query, context, shown)
        return
    if tap.action == "cancel":
        if not await imports.cancel(user_id, tap.import_id):
            await query.answer(refusals.PREVIEW_GONE)
            await _show_if_closed(query, context, tap.import_id)
            return
        await query.answer(view.CANCELLED_TOAST)
        if query.message is not None:
            await edit_html(
                context.bot, query.message.chat.id, query.message.message_id, view.CANCELLED
            )
        return
    answered = False

    async def started(saving: SaveStarted) -> None:
        # Replaying a long history takes seconds, and a tap must be answered within about 15:
        # answer now and show the work in the message.
        nonlocal answered
        answered = True
        await query.answer(view.saving_toast(saving))
        if query.message is not None:
            await edit_html(
                context.bot,
                query.message.chat.id,
                query.message.message_id,
                view.saving_text(saving),
            )

    with_history = tap.action == "history"
    saved = await imports.save(
        user_id, tap.import_id, with_history, started=started if with_history else None
    )
    if isinstance(saved, Refusal):
        await query.answer(saved.toast)
        await _show_if_closed(query, context, tap.import_id)
        return
    if not answered:
        await query.answer(view.saved_toast(saved))
    if query.message is not None:
        await edit_html(
            context.bot,
            query.message.chat.id,
            query.message.message_id,
            view.saved_text(saved),
            view.saved_keyboard(),
        )


async def _show(
    query: CallbackQuery, context: Context, shown: ImportPreview | ClosedPreview
) -> None:
    """Edit the tapped preview into `shown`: a page of it, or what became of it."""
    if query.message is None:
        return
    keyboard: InlineKeyboardMarkup | None
    if isinstance(shown, ImportPreview):
        text, keyboard = view.preview_text(shown), view.preview_keyboard(shown)
    else:
        text, keyboard = view.closed_text(shown), view.closed_keyboard(shown)
    await edit_html(context.bot, query.message.chat.id, query.message.message_id, text, keyboard)


async def _show_if_closed(query: CallbackQuery, context: Context, import_id: int) -> None:
    """After a refused Save or Cancel: if the preview is closed, its message says what became of it."""
    shown = await context.bot_data.services.imports.show_page(query.from_user.id, import_id, 0)
    if isinstance(shown, ClosedPreview):
        await _show(query, context, shown)


async def sweep_imports(app: App) -> None:
    """Drop previews nobody saved within a day."""
    dropped = await app.bot_data.services.imports.expire()
    if dropped:
        log.info("dropped %d expired import preview(s)", dropped)
