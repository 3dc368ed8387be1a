"""Callback data is written by the client: foreign, stale, unknown or malformed taps change nothing."""

from __future__ import annotations

import logging

import pytest

from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot
from tests.reliability.helpers import problems, quiz_with, review_count, right_option

COUNTS = (
    "SELECT (SELECT COUNT(*) FROM reviews), (SELECT COUNT(*) FROM decks), "
    "(SELECT COUNT(*) FROM quiz_sessions WHERE finished_at IS NULL)"
)


async def snapshot(bot: RunningBot) -> tuple[object, ...]:
    """What a tap could change: answers, decks, open sessions and where each session is."""
    counts = await bot.services.db.fetchone(COUNTS)
    positions = await bot.services.db.fetchall("SELECT id, position FROM quiz_sessions ORDER BY id")
    return (*(counts or ()), [tuple(r) for r in positions])


async def test_taps_naming_what_is_not_yours_or_not_there_get_a_toast_and_change_nothing(
    sandbox: SandboxServer, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    alice, mallory = sandbox.user("Alice"), sandbox.user("Mallory")
    question = await quiz_with(bot, alice, "choice")
    row = await bot.services.db.fetchone(
        "SELECT s.id, s.deck_id FROM quiz_sessions s WHERE s.user_id = ?", (alice.id,)
    )
    assert row is not None
    session, deck = row[0], row[1]
    right = await right_option(bot, alice)
    index = question.labels.index(right)
    await mallory.send("/start")
    own = await mallory.wait_for(lambda m: "Quizmaster" in m.text)
    before = await snapshot(bot)
    forged = [
        f"q:{session}:0:o{index}",  # Alice's open question, from Mallory's chat
        f"q:{session}:0:s",
        f"q:{session}:0:x",
        f"q:{session}:0:g3",
        f"q:{session}:9:o0",  # a question the session does not have
        f"q:{session + 1}:0:o0",  # a session that does not exist
        f"d:{deck}:d",  # delete a deck that is not Mallory's
        f"d:{deck}:y",
        f"i:{session}:s",  # save an import that is not Mallory's
        "b:1:j",  # a battle from a private chat
        "q:1:0:o",
        "q:-1:0:o1",
        "q::0:s",
        "m:" + "a" * 30,
        "x" * 64,
        "é" * 40,  # 80 bytes
        "\x00\x01",
    ]
    with caplog.at_level(logging.INFO):
        for data in forged:
            toast = await mallory.tap_data(own, data)
            assert toast, f"no toast for {data!r}"
        await sandbox.settle()
    assert await snapshot(bot) == before
    assert problems(caplog.records) == []
    # Alice's own tap still works, once; the same tap again is refused.
    assert await alice.tap(right, message=question) == "✅ Right!"
    assert await alice.tap_data(question, f"q:{session}:0:o{index}") == "This question is closed"
    assert await review_count(bot, alice) == 1
