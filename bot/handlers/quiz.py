"""The quiz in a private chat: /quiz, answer buttons, typed answers."""

from __future__ import annotations

from dataclasses import replace

from telegram import Bot, CallbackQuery, Chat, Update
from telegram.ext import ContextTypes

from bot.core.scheduling import Grade
from bot.handlers.common import edit_html, send_html
from bot.handlers.reminders import offer_reminder_once
from bot.services.container import Services, get_services
from bot.services.views import AnswerResult, NothingDue, QuestionView, Refusal
from bot.views import quiz as view
from bot.views import texts
from bot.views.callbacks import QuizTap
from bot.views.fmt import when

TOASTS = {"right": "✅ Right!", "wrong": "❌ Not quite", "close": "🟡 Close — check the spelling"}


async def ask(bot: Bot, services: Services, chat_id: int, question: QuestionView) -> None:
    """Send a question and remember which message shows it."""
    message = await send_html(
        bot, chat_id, view.question_text(question), view.question_keyboard(question)
    )
    await services.quiz.shown(question, message.message_id)


async def begin(bot: Bot, services: Services, chat: Chat, user_id: int, first_name: str) -> None:
    """Start (or resume) a session for the user in their private chat."""
    if chat.type != Chat.PRIVATE:
        await send_html(bot, chat.id, texts.QUIZ_IN_PRIVATE)
        return
    user = await services.users.touch(user_id, first_name)
    outcome = await services.quiz.start(user, chat.id)
    if isinstance(outcome, NothingDue):
        await send_html(bot, chat.id, view.nothing_due_text(outcome))
        return
    await ask(bot, services, chat.id, outcome)


async def quiz_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/quiz: start a session of due and new questions, or continue the open one."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await begin(context.bot, get_services(context.bot_data), chat, user.id, user.first_name)


async def deliver(bot: Bot, services: Services, result: AnswerResult) -> None:
    """After an answer: turn the question into its reveal, then ask the next one or sum up."""
    reveal = result.reveal
    now = services.clock.now()
    if result.message_id is not None:
        # Counted from the answer, so a reveal made again (an update handled again) reads the same.
        text = view.reveal_text(
            reveal, when(reveal.next_due, reveal.answered_at or now, reveal.timezone)
        )
        await edit_html(bot, result.chat_id, result.message_id, text, view.reveal_keyboard(reveal))
    for line in view.streak_event_lines(result.streak):
        await send_html(bot, result.chat_id, line)
    if result.next_question is not None:
        await ask(bot, services, result.chat_id, result.next_question)
    elif result.summary is not None:
        summary = await send_html(
            bot,
            result.chat_id,
            view.summary_text(result.summary),
            view.summary_keyboard(result.summary),
        )
        await services.quiz.summed_up(result.reveal.question.session_id, summary.message_id)
        await offer_reminder_once(bot, services, result)


async def on_quiz_tap(
    query: CallbackQuery, tap: QuizTap, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """A tap on a question's button; taps on closed or foreign questions get a toast."""
    services = get_services(context.bot_data)
    quiz = services.quiz
    user_id = query.from_user.id
    if tap.action == "show":
        shown = await quiz.reveal(user_id, tap.session_id, tap.position)
        if isinstance(shown, Refusal):
            await query.answer(shown.toast)
            return
        await query.answer()
        if query.message is not None:
            await edit_html(
                context.bot,
                query.message.chat.id,
                query.message.message_id,
                view.question_text(shown),
                view.question_keyboard(shown),
            )
        return
    if tap.action == "grade":
        result = await quiz.grade(user_id, tap.session_id, tap.position, Grade(tap.value))
    elif tap.action == "option":
        result = await quiz.choose(user_id, tap.session_id, tap.position, tap.value)
    elif tap.action == "giveup":
        result = await quiz.give_up(user_id, tap.session_id, tap.position)
    else:
        await on_override(query, tap, context)
        return
    if isinstance(result, Refusal):
        await query.answer(result.toast)
        return
    # Callback queries must be answered, and quickly: before the slower edits and sends.
    await query.answer(TOASTS.get(result.reveal.outcome, ""))
    if result.message_id is None and query.message is not None:
        # The question was sent but its message never recorded (the sender stopped right
        # after): the tapped message is the one to turn into the reveal.
        result = replace(result, message_id=query.message.message_id)
    await deliver(context.bot, services, result)


async def on_override(
    query: CallbackQuery, tap: QuizTap, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """ "I was right": the reveal shows the answer counted as right (or as it stands now)."""
    services = get_services(context.bot_data)
    outcome = await services.quiz.override(query.from_user.id, tap.session_id, tap.position)
    if isinstance(outcome, Refusal):
        await query.answer(outcome.toast)
        return
    await query.answer()
    reveal = outcome.reveal
    now = services.clock.now()
    message_id = outcome.message_id
    if message_id is None and query.message is not None:
        message_id = query.message.message_id
    if message_id is not None:
        # Counted from the answer, so a reveal made again (an update handled again) reads the same.
        text = view.reveal_text(
            reveal, when(reveal.next_due, reveal.answered_at or now, reveal.timezone)
        )
        await edit_html(
            context.bot, outcome.chat_id, message_id, text, view.reveal_keyboard(reveal)
        )
    if outcome.summary is not None and outcome.summary_message_id is not None:
        await edit_html(
            context.bot,
            outcome.chat_id,
            outcome.summary_message_id,
            view.summary_text(outcome.summary),
            view.summary_keyboard(outcome.summary),
        )


async def typed_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A text message in a private chat answers the open typed question; False if none is open."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return False
    services = get_services(context.bot_data)
    result = await services.quiz.type_answer(user.id, message.text, message.message_id)
    if result is None:
        return False
    if isinstance(result, Refusal):
        if result.toast:
            await message.reply_text(result.toast)
        return True
    if isinstance(result, QuestionView):
        # The open question was never shown (see QuizService.type_answer): ask it now.
        await ask(context.bot, services, message.chat_id, result)
        return True
    await deliver(context.bot, services, result)
    return True
