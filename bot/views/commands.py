"""The commands the bot offers: one list for Telegram's menu and for /help, so help tells the truth."""

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
