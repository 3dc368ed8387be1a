"""Button numbers in the terminal: per message, kept through edits, bare only when waited for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sandbox.buttons import (
    ButtonBoard,
    ButtonRef,
    invites_typing,
    parse_ref,
    waits_for_tap,
)
from bot.sandbox.message import Button, SandboxMessage


def _message(message_id: int, text: str, buttons: list[list[Button]]) -> SandboxMessage:
    return SandboxMessage(
        message_id=message_id, chat_id=1, sender_id=2, from_bot=True,
        date=datetime(2025, 3, 1, tzinfo=UTC), text=text, html=text, entities=(),
        buttons=buttons, edits=(), thread_id=None, reply_to=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("1", ButtonRef(None, 1)),
        (" 3.2 ", ButtonRef(3, 2)),
        ("12.10", ButtonRef(12, 10)),
        ("3.", None),
        (".1", None),
        ("1492", None),  # no message has a thousand buttons: a year is text
        ("3.1.1", None),
        ("-1", None),
        ("one", None),
    ],
)
def test_references(text: str, ref: ButtonRef | None) -> None:
    assert parse_ref(text) == ref


QUESTION = _message(5, "Q: 6 × 7?", [[("42", "a"), ("41", "b")]])
TYPED = _message(6, "Q: 6 × 7?\n\n✍️ Type your answer.\n", [[("I don't know", "g")]])
CLOZE = _message(7, "In ___ …\n\nTap the answer or type it.", [[("1961", "a")]])
LINKS = _message(8, "Open a private chat", [[("Open", None)]])
PLAIN = _message(9, "Done", [])


def test_only_a_message_with_taps_and_no_typing_waits_for_a_tap() -> None:
    assert waits_for_tap(QUESTION)
    assert [invites_typing(m) for m in (TYPED, CLOZE)] == [True, True]
    assert not any(waits_for_tap(m) for m in (TYPED, CLOZE, LINKS, PLAIN, None))


def test_numbers_are_given_in_order_and_kept_through_edits() -> None:
    board = ButtonBoard()
    assert board.labels(QUESTION) == ["[1.1] 42  [1.2] 41"]
    assert board.labels(TYPED) == ["[2.1] I don't know"]
    assert board.number(QUESTION) == 1
    assert board.message_key(2) == (1, 6)
    assert board.message_key(3) is None
