"""The poller's chat key read straight from an update's JSON agrees with PTB's `Update`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import Bot, Update

from bot.net.wire import fast_chat_key
from bot.polling import _row
from bot.webhook.inbox import inbox_chat_key

ALICE = {"id": 42, "is_bot": False, "first_name": "Alice"}
PRIVATE = {"id": 42, "type": "private", "first_name": "Alice"}
GROUP = {"id": -100123, "type": "supergroup", "title": "Class"}


def message(chat: dict[str, Any], message_id: int = 7) -> dict[str, Any]:
    """A text message from Alice in `chat`."""
    return {"message_id": message_id, "date": 1, "chat": chat, "from": ALICE, "text": "hi"}


UPDATES: dict[str, dict[str, Any]] = {
    "private message": {"update_id": 1, "message": message(PRIVATE)},
    "group message": {"update_id": 2, "message": message(GROUP)},
    "tap in a group": {
        "update_id": 3,
        "callback_query": {
            "id": "q1",
            "from": ALICE,
            "chat_instance": "c",
            "data": "x",
            "message": message(GROUP),
        },
    },
    "tap on an inline message": {
        "update_id": 4,
        "callback_query": {"id": "q2", "from": ALICE, "chat_instance": "c", "data": "x"},
    },
    "edited message": {"update_id": 5, "edited_message": {**message(GROUP), "edit_date": 2}},
    "poll answer": {
        "update_id": 6,
        "poll_answer": {
            "poll_id": "p",
            "user": ALICE,
            "option_ids": [0],
            "option_persistent_ids": ["a"],
        },
    },
    "bot added to a group": {
        "update_id": 8,
        "my_chat_member": {
            "chat": GROUP,
            "from": ALICE,
            "date": 1,
            "old_chat_member": {"status": "left", "user": {**ALICE, "id": 9, "is_bot": True}},
            "new_chat_member": {"status": "member", "user": {**ALICE, "id": 9, "is_bot": True}},
        },
    },
}


@pytest.fixture
def bot() -> Bot:
    """A Bot that never goes online (de_json only needs it to hang objects on)."""
    return Bot("123456:TEST-token-for-de-json-only-000000000")


@pytest.mark.parametrize("name", UPDATES)
def test_the_stored_row_has_ptbs_chat_key_and_telegrams_json(name: str, bot: Bot) -> None:
    raw = UPDATES[name]
    expected = inbox_chat_key(Update.de_json(raw, bot))
    update_id, key, payload = _row(raw, bot)
    assert (update_id, key) == (raw["update_id"], expected)
    fast = fast_chat_key(raw)
    assert fast is None or fast == expected
    assert json.loads(payload) == raw


def test_messages_and_taps_need_no_update_object() -> None:
    assert fast_chat_key(UPDATES["private message"]) == 42
    assert fast_chat_key(UPDATES["tap in a group"]) == -100123
    assert fast_chat_key(UPDATES["tap on an inline message"]) is None
    assert fast_chat_key(UPDATES["edited message"]) is None


def test_an_update_ptb_cannot_read_is_stored_under_no_chat(bot: Bot) -> None:
    update_id, key, _ = _row({"update_id": 9, "callback_query": {"id": 1}}, bot)
    assert (update_id, key) == (9, 0)
