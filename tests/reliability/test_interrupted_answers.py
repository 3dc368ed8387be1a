"""An answer written by a process that stopped before delivering what it owes (the reveal, the next
question, the summary) is delivered by the next delivery to the chat — the tap or message sent
again, or the sweep — on whichever process: the quiz never stalls."""

from __future__ import annotations

from bot.sandbox.server import SandboxServer
from bot.services.views import Moved
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import shown_question
from tests.reliability.helpers import (
    open_answer,
    questions,
    quiz_with,
    review_count,
    right_option,
)


async def _open_item(bot: RunningBot, user_id: int) -> tuple[int, int, int]:
    """(session id, position, right option index) of the user's open question."""
    row = await bot.services.db.fetchone(
        """SELECT s.id, s.position, i.right_index FROM quiz_sessions s
             JOIN session_items i ON i.session_id = s.id AND i.position = s.position
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (user_id,),
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2] if row[2] is not None else -1)


async def test_a_tap_whose_answer_was_written_but_not_delivered_asks_the_next_question(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    session_id, position, right = await _open_item(bot, alice.id)
    label = await right_option(bot, alice)
    # The answer reached the database, then the process handling the tap stopped.
    written = await bot.services.quiz.choose(alice.id, session_id, position, right)
    assert not hasattr(written, "toast")
    assert questions(alice, 2) == []
    # The same tap again (Telegram redelivers it, or the user taps once more).
    await alice.tap(label, message=question)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    reveal = await alice.wait_for(lambda m: m.message_id == question.message_id and not m.buttons)
    assert reveal.edited
    await sandbox.settle()
    assert len(questions(alice, 2)) == 1
    assert await review_count(bot, alice) == 1


async def test_a_typed_answer_to_a_question_never_shown_shows_it_instead_of_grading(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await quiz_with(bot, alice, "typed")
    first = await open_answer(bot, alice)
    # Question 1's answer was written; the process stopped before asking question 2.
    await bot.services.quiz.type_answer(alice.id, first)
    assert questions(alice, 2) == []
    await alice.send(first)  # the same words again: they must not answer question 2
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    await sandbox.settle()
    assert await review_count(bot, alice) == 1
    await alice.send(await open_answer(bot, alice))
    await alice.wait_for(lambda m: m.text.startswith("Question 3/"))
    assert await review_count(bot, alice) == 2


async def test_a_question_whose_message_was_not_recorded_still_turns_into_its_reveal(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "choice")
    session_id, position, _ = await _open_item(bot, alice.id)
    label = await right_option(bot, alice)
    # The question was sent, but the process stopped before writing down its message.
    await bot.services.db.execute(
        "UPDATE session_items SET message_id = NULL WHERE session_id = ? AND position = ?",
        (session_id, position),
    )
    await alice.tap(label, message=question)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    reveal = await alice.wait_for(lambda m: m.message_id == question.message_id and not m.buttons)
    assert reveal.edited
    assert await review_count(bot, alice) == 1


async def test_a_last_answer_written_but_not_summed_up_gets_its_summary_once(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'choice', session_size = 2 WHERE id = ?", (alice.id,)
    )
    await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/2") and bool(m.buttons))
    await alice.tap(await right_option(bot, alice))
    last = await alice.wait_for(lambda m: m.text.startswith("Question 2/2") and bool(m.buttons))
    await shown_question(bot.services, alice.id)
    session_id, position, right = await _open_item(bot, alice.id)
    label = await right_option(bot, alice)
    # The last answer reached the database; the process stopped before summing up.
    await bot.services.quiz.choose(alice.id, session_id, position, right)
    await alice.tap(label, message=last)
    summary = await alice.wait_for(lambda m: "Session complete" in m.text)
    assert "2/2 right" in summary.text
    reveal = await alice.wait_for(lambda m: m.message_id == last.message_id and not m.buttons)
    assert reveal.edited
    await sandbox.settle()
    assert len([m for m in alice.messages if "Session complete" in m.text]) == 1
    assert await review_count(bot, alice) == 2
    # Once summed up, the same answer again writes nothing and sends no second summary.
    again = await bot.services.quiz.choose(alice.id, session_id, position, right)
    assert isinstance(again, Moved)
    await bot.services.delivery().deliver(alice.id)
    await sandbox.settle()
    assert len([m for m in alice.messages if "Session complete" in m.text]) == 1
    assert await review_count(bot, alice) == 2


async def test_a_show_answer_stored_but_never_shown_is_shown_by_the_next_tap(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    question = await quiz_with(bot, alice, "selfgraded")
    session_id, position, _ = await _open_item(bot, alice.id)
    # The reveal reached the database; the process stopped before editing the message.
    await bot.services.quiz.reveal(alice.id, session_id, position)
    on_screen = next(m for m in alice.messages if m.message_id == question.message_id)
    assert not any(x.startswith("Good") for x in on_screen.labels)
    # The person taps Show answer again: no "already shown" toast, the answer and its grades.
    assert await alice.tap("Show answer", message=question) == ""
    shown = await alice.wait_for(
        lambda m: (
            m.message_id == question.message_id and any(x.startswith("Good") for x in m.labels)
        )
    )
    assert shown.edited
    await alice.tap("Good", message=shown)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    assert await review_count(bot, alice) == 1
