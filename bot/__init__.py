"""Quizmaster: a Telegram quiz-master bot that turns flashcard decks into a daily habit."""
