"""What Telegram shows about the bot: the command menus (also listed by /help, so help tells the
truth), the description and the short description."""

from __future__ import annotations

from bot.views.i18n import N_, _

PRIVATE_COMMANDS: list[tuple[str, str]] = [
    ("quiz", N_("Start or continue a quiz session")),
    ("streak", N_("Your daily streak")),
    ("remind", N_("Daily reminder: /remind 18:30 or /remind off")),
    ("timezone", N_("Your time zone: /timezone London or +5:30")),
    ("stats", N_("Your progress, with a chart")),
    ("import", N_("Bring your own deck: a file or pasted flashcards")),
    ("decks", N_("Your decks: switch, ask both ways, share, delete")),
    (
        "settings",
        N_("Session size, new per day, question mix, retention, deck, day start, FSRS parameters"),
    ),
    ("language", N_("The language I speak with you")),
    ("export", N_("Download your progress and review log as CSV")),
    ("forget", N_("Delete everything I store about you")),
    ("help", N_("What I can do")),
    ("start", N_("Welcome and a quick start")),
]

# What the menu offers in groups and supergroups (set with BotCommandScopeAllGroupChats).
GROUP_COMMANDS: list[tuple[str, str]] = [
    ("battle", N_("Start a revision battle: /battle [rounds] [seconds]")),
    ("stopbattle", N_("End the battle (host or admins)")),
    ("leaderboard", N_("The group's all-time battle table")),
    ("groupdeck", N_("The group's deck: add it to yours, admins choose it")),
    ("dailyq", N_("A daily quiz poll: /dailyq 19:00, off or top")),
    ("stats", N_("The battle table and the last battles")),
    ("language", N_("The language I speak in this group (admins)")),
    ("help", N_("What I can do in a group")),
]

# Set with setMyDescription at start-up: what an empty chat shows before someone presses Start.
# Telegram allows at most 512 characters (tests/unit/test_bot_profile.py checks).
DESCRIPTION = N_(
    "Quizmaster quizzes you on flashcards and schedules every question with spaced repetition "
    "(FSRS), so you review just before you would forget.\n\n"
    "• Bundled decks, or bring your own: CSV, TSV, text or Anki .apkg\n"
    "• A daily reminder and a 🔥 streak\n"
    "• Your progress in a chart, and all of it as CSV\n"
    "• Revision battles with friends in a group\n\n"
    "Press Start for your first quiz."
)
# Set with setMyShortDescription: the bot's profile page and shared links. At most 120 characters.
SHORT_DESCRIPTION = N_(
    "Flashcard quizzes with spaced repetition: your own decks, daily reminders, group battles."
)


def commands(private: bool = True) -> list[tuple[str, str]]:
    """The command menu of a private chat (or of groups), described in the current locale."""
    return [(name, _(text)) for name, text in (PRIVATE_COMMANDS if private else GROUP_COMMANDS)]


def description() -> str:
    """The bot's description in the current locale."""
    return _(DESCRIPTION)


def short_description() -> str:
    """The bot's short description in the current locale."""
    return _(SHORT_DESCRIPTION)
