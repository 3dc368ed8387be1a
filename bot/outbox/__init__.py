"""What the bot owes Telegram: intents written with the change that owes them, one deliverer."""
