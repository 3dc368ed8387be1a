"""General texts: welcome, help, and short replies."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.deeplinks import start_link
from bot.views.commands import GROUP_COMMANDS, commands
from bot.views.fmt import clip, esc
from bot.views.i18n import N_, _
from bot.views.webapp import manage_decks_button, menu_button_text


def welcome(first_name: str) -> str:
    """The /start greeting: who the bot is and what it does, in two lines."""
    name = esc(clip(first_name, 64)) or _("there")
    return _(
        "👋 Hi %(name)s! I'm <b>Quizmaster</b>.\n"
        "I quiz you on flashcards and schedule every question with spaced repetition (FSRS), "
        "so you review just before you would forget.\n"
        "Study a little every day to keep your 🔥 streak. Tap <b>Start quiz</b> to begin."
    ) % {"name": name}


def help_text(private: bool = True, inline_bot: str | None = None, mini_app: bool = False) -> str:
    """Every command of the chat with one line each (groups get the battle commands); with the
    bot's username when inline mode is on, how to post a question in any chat; with `mini_app`
    (the bot has a Mini App address), where its decks and progress pages open."""
    if not private:
        return group_help_text()
    lines = [_("<b>What I can do</b>")]
    lines += [f"/{name} — {esc(description)}" for name, description in commands(private=True)]
    lines.append(
        "\n"
        + _(
            "In a quiz, tap the buttons to answer; for a typed question just send your answer as "
            "a message. To bring your own deck, send me a .csv, .tsv or .txt file, an Excel or "
            "LibreOffice sheet (.xlsx, .ods) or an Anki .apkg, or paste flashcards."
        )
    )
    if mini_app:
        lines.append(
            _(
                "To browse and edit your decks and see your progress on one page, tap "
                "%(button)s under /decks or the bot's menu button (%(menu)s)."
            )
            % {"button": esc(manage_decks_button()), "menu": esc(menu_button_text())}
        )
    battle_commands = ", ".join(
        f"/{name}" for name, _text in GROUP_COMMANDS if name not in {"help", "language"}
    )
    lines.append(
        _("Add me to a group for revision battles and a daily quiz: %(commands)s.")
        % {"commands": battle_commands}
    )
    if inline_bot:
        lines.append(
            _(
                "In any chat, type @%(bot)s and a few words to post a question from your decks "
                "that everyone there can answer."
            )
            % {"bot": esc(inline_bot)}
        )
    return "\n".join(lines)


def group_help_text() -> str:
    """What the bot does in a group: battles, their table, and where personal study lives."""
    lines = [_("<b>What I can do in a group</b>")]
    lines += [f"/{name} — {esc(description)}" for name, description in commands(private=False)]
    lines.append(
        "\n"
        + _(
            "In a battle, tap Join, then the right answer of each round — faster answers earn "
            "more points. Quizzes, reminders and your own progress live in a private chat with me."
        )
    )
    return "\n".join(lines)


def private_chat_keyboard(bot_username: str, payload: str | None = None) -> InlineKeyboardMarkup:
    """One button that opens the private chat with the bot and, for a known payload, the command."""
    url = start_link(bot_username, payload)
    return InlineKeyboardMarkup([[InlineKeyboardButton(_(_TEXTS["OPEN_PRIVATE_CHAT"]), url=url)]])


# Short replies, translated when read (`texts.SORRY`): see __getattr__ below.
_TEXTS = {
    "OPEN_PRIVATE_CHAT": N_("Open a private chat"),
    "QUIZ_IN_PRIVATE": N_("Quizzes run in a private chat with me — open it and send /quiz."),
    "UNKNOWN_TEXT": N_("I didn't get that. Send /quiz to study, or /help to see what I can do."),
    "UNSUPPORTED_MESSAGE": N_(
        "I can only read text messages and deck files (.txt, .csv, .tsv, .xlsx, .ods, .apkg). "
        "Send /quiz to study or /help to see what I can do."
    ),
    "UNKNOWN_COMMAND": N_("I don't know that command. Send /help to see what I can do."),
    "SLOW_DOWN": N_(
        "Easy there — that's more messages than I can read. I'll skip the next few; "
        "wait a few seconds, then carry on."
    ),
    "CONNECTION_TROUBLE": N_(
        "⚠️ I had trouble reaching Telegram just now, so a reply may be missing. Nothing you did "
        "is lost — send /quiz to continue where you left off."
    ),
    "DATABASE_SLOW": N_(
        "⏳ My database is not answering right now, so that did not go through. Nothing is lost — "
        "please try again in a minute."
    ),
    "DATABASE_SLOW_TOAST": N_("⏳ My database is not answering — please try again in a minute"),
    "SORRY": N_("Sorry, something went wrong on my side. Please try again."),
}


def __getattr__(name: str) -> str:
    """A short reply of this module in the current locale (`texts.SORRY`), looked up when used."""
    try:
        return _(_TEXTS[name])
    except KeyError:
        raise AttributeError(name) from None
