"""The Mini App: web pages the bot serves itself to browse and edit decks and see progress."""
