"""How an inline quiz looks: the results an inline query offers, the posted question with its
tally, and the toast each tapper gets."""

from __future__ import annotations

from collections.abc import Callable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.constants import ParseMode

from bot.services.inline import InlineVerdict, Posted
from bot.storage.inline import Tally
from bot.views.callbacks import InlineTap, encode
from bot.views.fmt import clip, esc
from bot.views.i18n import _, number
from bot.views.quiz import LETTERS

TITLE_CHARS = 100  # a result's title in the list above the keyboard
DESCRIPTION_CHARS = 100
PROMPT_CHARS = 1500
OPTION_CHARS = 200
DECK_CHARS = 80
NAME_CHARS = 32
TOAST_CHARS = 200  # Telegram's limit on answerCallbackQuery text

# Makes the signed tap of option `option` of question `question_id` in `language`.
Signer = Callable[[int, int, str], InlineTap]


def message_text(shown: Posted, tally: Tally | None) -> str:
    """A posted question: its deck, prompt, lettered options and how the answers stand."""
    question = shown.question
    options = "\n".join(
        f"<b>{LETTERS[i]}</b>) {esc(clip(option, OPTION_CHARS))}"
        for i, option in enumerate(shown.options)
    )
    head = f"🧠 <i>{esc(clip(question.deck_title, DECK_CHARS))}</i>"
    prompt = f"<b>{esc(clip(question.prompt, PROMPT_CHARS))}</b>"
    return f"{head}\n\n{prompt}\n\n{options}\n\n{tally_text(tally)}"


def tally_text(tally: Tally | None) -> str:
    """The lines under a posted question: the invitation (kept while the letters are there to
    tap), then the counts and first right answer once someone answered."""
    invite = _("<i>Tap a letter to answer: one try each.</i>")
    if tally is None or tally.right + tally.wrong == 0:
        return invite
    counts = f"✅ {number(tally.right)} · ❌ {number(tally.wrong)}"
    if tally.first_right_name is None:
        return f"{invite}\n{counts}"
    first = _("🥇 First right: %(name)s") % {
        "name": f"<b>{esc(clip(tally.first_right_name, NAME_CHARS))}</b>"
    }
    return f"{invite}\n{counts}\n{first}"


def keyboard(shown: Posted, language: str, sign: Signer) -> InlineKeyboardMarkup:
    """One letter button per option; anyone in the chat may tap one."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    LETTERS[i], callback_data=encode(sign(shown.question.question_id, i, language))
                )
                for i in range(len(shown.options))
            ]
        ]
    )


def result(shown: Posted, language: str, sign: Signer) -> InlineQueryResultArticle:
    """An inline query's result: the question as a list entry, posted with its buttons."""
    question = shown.question
    return InlineQueryResultArticle(
        id=str(question.question_id),
        title=clip(question.prompt, TITLE_CHARS),
        description=clip(question.deck_title, DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(
            message_text(shown, None),
            parse_mode=ParseMode.HTML,
            link_preview_options=None,
        ),
        reply_markup=keyboard(shown, language, sign),
    )


def no_results_button() -> InlineQueryResultsButton:
    """Above an empty list: opens the private chat's /decks, where decks are added."""
    return InlineQueryResultsButton(_("📚 No cards match: add a deck"), start_parameter="decks")


def verdict_toast(verdict: InlineVerdict) -> str:
    """The tapper's own verdict (their first answer's, on a second tap), within 200 characters."""
    shown = verdict.posted
    letter = LETTERS[verdict.choice] if 0 <= verdict.choice < len(LETTERS) else "?"
    answer = shown.options[shown.right]
    if verdict.new:
        if verdict.correct:
            return _("✅ Right!")
        text = _("❌ Wrong. The answer: %(answer)s")
    elif verdict.correct:
        return _("You already answered %(letter)s: right.") % {"letter": letter}
    else:
        text = _("You already answered %(letter)s: wrong. The answer: %(answer)s")
    room = TOAST_CHARS - len(text % {"letter": letter, "answer": ""})
    return text % {"letter": letter, "answer": clip(answer, max(room, 1))}
