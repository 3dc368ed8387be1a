"""What Telegram shows about the bot: the command menus (also listed by /help, so help tells the
truth), the description and the short description."""

from __future__ import annotations

PRIVATE_COMMANDS: list[tuple[str, str]] = [
    ("quiz", "Start or continue a quiz session"),
    ("streak", "Your daily streak"),
    ("remind", "Daily reminder: /remind 18:30 or /remind off"),
    ("timezone", "Your time zone: /timezone London or +5:30"),
    ("stats", "Your progress, with a chart"),
    ("import", "Bring your own deck: a file or pasted flashcards"),
    ("decks", "Your decks: switch, ask both ways, delete"),
    (
        "settings",
        "Session size, new per day, question mix, retention, deck, day start, FSRS parameters",
    ),
    ("export", "Download your progress and review log as CSV"),
    ("forget", "Delete everything I store about you"),
    ("help", "What I can do"),
    ("start", "Welcome and a quick start"),
]

# What the menu offers in groups and supergroups (set with BotCommandScopeAllGroupChats).
GROUP_COMMANDS: list[tuple[str, str]] = [
    ("battle", "Start a revision battle: /battle [rounds] [seconds]"),
    ("stopbattle", "End the battle (host or admins)"),
    ("leaderboard", "The group's all-time battle table"),
    ("stats", "The battle table and the last battles"),
    ("help", "What I can do in a group"),
]

# Set with setMyDescription at start-up: what an empty chat shows before someone presses Start.
# Telegram allows at most 512 characters (tests/unit/test_bot_profile.py checks).
DESCRIPTION = (
    "Quizmaster quizzes you on flashcards and schedules every question with spaced repetition "
    "(FSRS), so you review just before you would forget.\n\n"
    "• Bundled decks, or bring your own: CSV, TSV, text or Anki .apkg\n"
    "• A daily reminder and a 🔥 streak\n"
    "• Your progress in a chart, and all of it as CSV\n"
    "• Revision battles with friends in a group\n\n"
    "Press Start for your first quiz."
)
# Set with setMyShortDescription: the bot's profile page and shared links. At most 120 characters.
SHORT_DESCRIPTION = (
    "Flashcard quizzes with spaced repetition: your own decks, daily reminders, group battles."
)
