"""/dailyq, the sweep that posts and closes each group's daily question, and the answers to it
(poll_answer updates, or taps on a question asked with buttons)."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Chat, Update
from telegram.constants import PollType
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.core.daily import DailyArgsError, parse_daily_args
from bot.handlers.battle import is_group_admin
from bot.handlers.common import send_html
from bot.outbox.media import ScreenMedia, captioned, send_with_media
from bot.runtime import App, Context
from bot.services.battles import ANONYMOUS_ADMIN_ID
from bot.services.daily import DailyService
from bot.storage.daily import DailyRow
from bot.storage.languages import language_of
from bot.views import daily as view
from bot.views.callbacks import DailyTap
from bot.views.i18n import using_locale

log = logging.getLogger(__name__)


async def daily_command(update: Update, context: Context) -> None:
    """/dailyq [HH:MM [hours] | off | top]: show, set (admins) or rank the daily question."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    if chat.type == Chat.PRIVATE:
        await send_html(context.bot, chat.id, view.IN_PRIVATE)
        return
    thread = message.message_thread_id if message.is_topic_message else None
    daily = context.bot_data.services.daily
    try:
        args = parse_daily_args(context.args or [])
    except DailyArgsError as exc:
        await send_html(context.bot, chat.id, view.args_error_text(exc), thread_id=thread)
        return
    if args.action == "top":
        text = view.top_text(await daily.this_week(chat.id))
    elif args.action == "show":
        text = view.show_text(await daily.info(chat.id))
    elif not await is_group_admin(context.bot, message, user.id):
        text = view.ADMINS_ONLY
    elif args.action == "off":
        text = view.info_text(await daily.turn_off(chat.id))
    else:
        assert args.at is not None
        # An anonymous admin posts as the group: their own time zone is unknown.
        anonymous = message.sender_chat is not None or user.id == ANONYMOUS_ADMIN_ID
        info = await daily.turn_on(
            chat.id, None if anonymous else user.id, args.at, args.hours, thread
        )
        text = view.info_text(info)
    await send_html(context.bot, chat.id, text, thread_id=thread)


async def sweep_daily(app: App) -> None:
    """Store each due group's question of the day, then post and close what is owed.

    Everything is read from the database: a question stored by a process that died is posted by
    the next sweep, and one local day never gets a second question (a unique key). A group gets
    at most four messages a day from it (table, the card's picture, question, close; a front
    with several pictures adds an album of up to ten before them): within 20 a minute.
    """
    daily = app.bot_data.services.daily
    for chat_id in await daily.due_groups():
        try:
            await daily.prepare(chat_id)
        except Exception:
            log.exception("daily question of chat %s not stored", chat_id)
    for daily_id, stage in await daily.owed():
        row = await daily.claim(daily_id, stage)
        if row is None:
            continue
        try:
            with using_locale(await language_of(daily.db, row.chat_id)):
                if stage == "post":
                    await _post(app, daily, row)
                else:
                    await _close(app, daily, row)
        except ChatMigrated as moved:
            # The group became a supergroup: its question and settings follow it, posted anew.
            await app.bot_data.services.groups.migrate(row.chat_id, moved.new_chat_id)
            await daily.release(row)
        except Forbidden as exc:
            # The bot left or was removed: nothing more goes to this group.
            log.info("daily question of chat %s stopped: %s", row.chat_id, exc.message)
            await daily.turn_off(row.chat_id)
            await daily.closed(row)
        except Exception:
            log.exception("daily question %s: %s failed", daily_id, stage)
            await daily.release(row)


async def _post(app: App, daily: DailyService, row: DailyRow) -> None:
    """Post the day's question: the card's picture or sound first when it has one (a poll cannot
    carry a file), then the poll; or the question with buttons, as the file's caption.

    The file and the poll go out in this one claimed step, and only the poll's (or the buttons')
    message is recorded: after a crash between the two, the next sweep (once the claim is stale)
    sends the file again, then the poll, so the day still gets one question."""
    bot = app.bot
    if row.weekly:
        await send_html(bot, row.chat_id, view.weekly_text(row.weekly), thread_id=row.thread_id)
        await daily.weekly_sent(row)
    front = await daily.front_media(row)
    if row.kind == "poll":
        if front is not None:
            shown = ScreenMedia(front.digest, True, front.more)
            await send_with_media(
                bot, daily.db, row.chat_id, shown, view.picture_caption(), None, row.thread_id
            )
            front = None  # shown: a fallback to buttons sends the question alone
        try:
            sent = await bot.send_poll(
                row.chat_id,
                view.poll_question(row),
                row.options,
                is_anonymous=False,
                type=PollType.QUIZ,
                correct_option_ids=[row.right_index],
                explanation=row.explanation or None,
                message_thread_id=row.thread_id,
            )
        except BadRequest as exc:
            # A poll Telegram will not take after all (a limit counted otherwise): buttons.
            log.info("daily question %s sent as buttons: %s", row.id, exc.message)
        else:
            await daily.posted(row, "poll", sent.message_id, sent.poll.id if sent.poll else None)
            return
    text, keyboard = view.question_text(row), view.question_keyboard(row)
    if front is not None:
        # The question is the file's caption with its buttons (or follows it when too long).
        message_id = await send_with_media(
            bot,
            daily.db,
            row.chat_id,
            ScreenMedia(front.digest, captioned(text), front.more),
            text,
            keyboard,
            row.thread_id,
        )
    else:
        message_id = (
            await send_html(bot, row.chat_id, text, keyboard, thread_id=row.thread_id)
        ).message_id
    await daily.posted(row, "buttons", message_id, None)


async def _close(app: App, daily: DailyService, row: DailyRow) -> None:
    bot = app.bot
    if row.message_id is not None:
        try:
            if row.kind == "poll":
                await bot.stop_poll(row.chat_id, row.message_id)
            else:
                await bot.edit_message_reply_markup(row.chat_id, row.message_id, reply_markup=None)
        except BadRequest as exc:  # closed already, or the message is gone
            log.info("daily question %s not stopped: %s", row.id, exc.message)
    report = await daily.report(row)
    await send_html(
        bot, row.chat_id, view.close_text(report), thread_id=row.thread_id, reply_to=row.message_id
    )
    await daily.closed(row)


async def on_poll_answer(update: Update, context: Context) -> None:
    """A vote in a daily question's poll (Telegram shows the result to the voter itself)."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return  # a vote on behalf of a chat counts for nobody
    await context.bot_data.services.daily.answer_poll(
        answer.poll_id, answer.user.id, answer.user.first_name, list(answer.option_ids)
    )


async def on_daily_tap(query: CallbackQuery, tap: DailyTap, context: Context) -> None:
    """An answer to a daily question asked with buttons."""
    user = query.from_user
    outcome = await context.bot_data.services.daily.answer_button(
        tap.daily_id, user.id, user.first_name, tap.option
    )
    if outcome is None:
        await query.answer(view.GONE)
    elif outcome.closed:
        await query.answer(view.CLOSED)
    elif not outcome.kept:
        await query.answer(view.ALREADY_ANSWERED)
    else:
        await query.answer(view.LOCKED_IN)
