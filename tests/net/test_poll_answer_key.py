"""A poll_answer has no chat: the inbox orders it by its voter, as polling does."""

from __future__ import annotations

from telegram import Bot, Update

from bot.net.wire import fast_chat_key
from bot.webhook.inbox import inbox_chat_key

POLL_ANSWER = {
    "update_id": 7,
    "poll_answer": {
        "poll_id": "5000000000000000001",
        "user": {"id": 700000001, "is_bot": False, "first_name": "Alice"},
        "option_ids": [1],
        "option_persistent_ids": ["1"],
    },
}


def test_a_poll_answer_is_keyed_by_its_voter() -> None:
    assert fast_chat_key(POLL_ANSWER) is None  # not a message or tap: PTB's Update is asked
    update = Update.de_json(POLL_ANSWER, Bot("123:abc"))
    assert update.effective_chat is None
    assert inbox_chat_key(update) == 700000001
