"""The quiz in a private chat: /quiz, answer buttons, typed answers.

Each handler calls one service action, which writes its change and what it owes the chat in one
transaction; the handler answers the tap, then has the outbox deliver (bot.outbox.deliverer).
"""

from __future__ import annotations

from telegram import Bot, CallbackQuery, Chat, Update

from bot.core.scheduling import Grade
from bot.handlers.common import send_html, send_to_private
from bot.runtime import Context
from bot.services.container import Services
from bot.services.views import AnswerResult, Moved, NothingDue, QuestionView, Refusal
from bot.views import quiz as view
from bot.views import taps, texts
from bot.views.callbacks import MenuTap, QuizTap


async def begin(
    bot: Bot,
    services: Services,
    chat: Chat,
    user_id: int,
    first_name: str,
    update_id: int | None,
) -> None:
    """Start (or resume) a session for the user in their private chat, as update `update_id`
    asked."""
    if chat.type != Chat.PRIVATE:
        await send_to_private(bot, chat.id, texts.QUIZ_IN_PRIVATE, "quiz")
        return
    user = await services.users.touch(user_id, first_name)
    outcome = await services.quiz.start(user, chat.id, update_id)
    if isinstance(outcome, NothingDue):
        await send_html(bot, chat.id, view.nothing_due_text(outcome))
        return
    await services.delivery().deliver(chat.id)


async def quiz_command(update: Update, context: Context) -> None:
    """/quiz: start a session of due and new questions, or continue the open one."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    services = context.bot_data.services
    await begin(context.bot, services, chat, user.id, user.first_name, update.update_id)


async def on_quiz_menu_tap(query: CallbackQuery, tap: MenuTap, context: Context) -> None:
    """A "Start quiz" or "Next round" button: /quiz, as the tap's update asked; one that names a
    deck (under a share link to a deck you have) makes it the active deck first."""
    message = query.message
    if message is None:  # refused before it gets here: a button under no message of the bot's
        await query.answer(taps.OUT_OF_PLACE)
        return
    user = query.from_user
    if tap.arg is not None and tap.arg.isdigit():
        used = await context.bot_data.services.decks.use(user.id, int(tap.arg))
        if isinstance(used, Refusal):
            await query.answer(used.toast)
            return
    await query.answer()
    await begin(
        context.bot,
        context.bot_data.services,
        message.chat,
        user.id,
        user.first_name,
        context.update_id,
    )


async def on_quiz_tap(query: CallbackQuery, tap: QuizTap, context: Context) -> None:
    """A tap on a question's button: acted on, or its message shown as the question stands now."""
    services = context.bot_data.services
    quiz = services.quiz
    user_id = query.from_user.id
    on = query.message.message_id if query.message is not None else None
    s, p = tap.session_id, tap.position
    result: AnswerResult | QuestionView | Refusal | Moved
    if tap.action == "show":
        result = await quiz.reveal(user_id, s, p, on)
    elif tap.action == "grade":
        result = await quiz.grade(user_id, s, p, Grade(tap.value), on)
    elif tap.action == "option":
        result = await quiz.choose(user_id, s, p, tap.value, on)
    elif tap.action == "giveup":
        result = await quiz.give_up(user_id, s, p, on)
    else:
        result = await quiz.override(user_id, s, p, on)
    if isinstance(result, Refusal):
        await query.answer(result.toast)
        return
    # Callback queries must be answered, and quickly: before the slower edits and sends.
    await query.answer(
        view.answer_toast(result.outcome) if isinstance(result, AnswerResult) else ""
    )
    await services.delivery().deliver(user_id)


async def typed_answer(update: Update, context: Context) -> bool:
    """A text message in a private chat answers the open typed question; False if none is open."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return False
    services = context.bot_data.services
    result = await services.quiz.type_answer(user.id, message.text, message.message_id)
    if result is None:
        return False
    if isinstance(result, Refusal) and result.toast:
        await message.reply_text(result.toast)
    await services.delivery().deliver(message.chat_id)
    return True
