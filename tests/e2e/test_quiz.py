"""The quiz loop end to end: real HTTP between the bot and the sandbox, real SQLite underneath."""

from __future__ import annotations

from datetime import timedelta

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.sandbox.server import SandboxServer
from bot.storage.decks import sync_deck
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import answer, latest_question, open_question


async def test_start_greets_and_offers_a_quiz(sandbox: SandboxServer, bot: RunningBot) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    welcome = await alice.wait_for(lambda m: "Quizmaster" in m.text)
    assert "Hi Alice" in welcome.text
    assert welcome.labels == ["▶️ Start quiz"]
    await alice.send("/help")
    help_message = await alice.wait_for(lambda m: "What I can do" in m.text)
    for command in ("/quiz", "/streak", "/help", "/start"):
        assert command in help_message.text
    # the menu Telegram shows lists the same commands as /help
    menu = sandbox.commands[('{"type": "all_private_chats"}', "")]
    assert {c["command"] for c in menu} >= {"quiz", "streak", "help", "start"}


async def test_a_full_session_with_right_wrong_and_self_graded_answers(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await alice.tap("Start quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/10"))
    services = bot.services
    kinds = []
    for number in range(10):
        heading = f"Question {number + 1}/10"
        question = await alice.wait_for(
            lambda m: m.text.startswith(heading) and bool(m.buttons)  # noqa: B023 - awaited at once
        )
        right = number not in (2, 9)
        kinds.append(
            await answer(alice, services, right=right, grade="Easy" if number == 4 else "Good")
        )
        shown_id = question.message_id
        reveal = await alice.wait_for(
            lambda m: m.message_id == shown_id and not m.buttons  # noqa: B023 - awaited at once
        )
        assert reveal.edited
    summary = await alice.wait_for(lambda m: "Session complete" in m.text)
    assert "8/10 right" in summary.text
    assert "Streak: 1 day" in summary.text
    assert "recall" in kinds and ("choice" in kinds or "cloze" in kinds)
    reviews = await services.db.fetchall(
        "SELECT rating, outcome FROM reviews WHERE user_id = ? ORDER BY id", (alice.id,)
    )
    assert len(reviews) == 10
    assert [r[0] for r in reviews].count(1) == 2  # the two wrong answers were graded Again
    assert 4 in [r[0] for r in reviews]  # the self-graded Easy
    states = await services.db.fetchone(
        "SELECT COUNT(*), SUM(reps) FROM review_states WHERE user_id = ?", (alice.id,)
    )
    assert states is not None and tuple(states) == (10, 10)
    assert await open_question(services, alice.id) is None


async def test_restart_mid_session_keeps_the_old_buttons_working(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/10"))
    await answer(alice, bot.services, right=True)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/10"))
    question_two = latest_question(alice)
    await bot.restart()
    on_screen = await open_question(bot.services, alice.id)
    assert on_screen is not None
    await answer(alice, bot.services, right=True)
    await alice.wait_for(lambda m: m.text.startswith("Question 3/10"))
    count = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert count is not None and count[0] == 2
    # the answered question's buttons are gone; replaying its old callback is refused politely
    answered = next(m for m in alice.messages if m.message_id == question_two.message_id)
    assert not answered.buttons
    old_data = question_two.buttons[0][0][1]  # as the button was before the answer
    assert old_data is not None
    assert await alice.tap_data(question_two, old_data) == "This question is closed"


async def test_foreign_stale_and_forged_taps_get_a_toast_and_change_nothing(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice, mallory = sandbox.user("Alice"), sandbox.user("Mallory")
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/10"))
    data = question.buttons[0][0][1]
    assert data is not None
    await mallory.send("/start")
    mallory_message = await mallory.wait_for(lambda m: "Quizmaster" in m.text)
    toast = await mallory.tap_data(mallory_message, data)
    assert "someone else" in toast
    for forged in ("q:999999:0:s", "q:1:0:g9", "garbage", "m:nope"):
        assert await mallory.tap_data(mallory_message, forged) in (
            "This question is closed",
            "This button no longer works",
        )
    count = await bot.services.db.fetchone("SELECT COUNT(*) FROM reviews")
    assert count is not None and count[0] == 0
    # Alice's question is untouched and still answerable
    await answer(alice, bot.services, right=True)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/10"))


async def test_streak_grows_day_by_day_and_resets_after_a_missed_day(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")

    async def study_one() -> None:
        before = alice.messages[-1] if alice.messages else None
        await alice.send("/quiz")
        await alice.wait_for(lambda m: m.text.startswith("Question "), since=before)
        await answer(alice, bot.services, right=True)

    async def streak_text() -> str:
        before = alice.messages[-1] if alice.messages else None
        await alice.send("/streak")
        message = await alice.wait_for(lambda m: "Current streak" in m.text, since=before)
        return message.text

    await study_one()
    assert "Current streak: 1 day" in await streak_text()
    clock.advance(timedelta(days=1))
    await study_one()
    assert "Current streak: 2 days" in await streak_text()
    clock.advance(timedelta(days=2))
    text = await streak_text()
    assert "Current streak: 0 days" in text
    assert "Best: 2 days" in text


async def test_deck_text_with_markup_characters_arrives_intact(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    fronts = ["a < b & c", "<b>not bold</b>", "*stars* _under_", "x > y"]
    deck = Deck("Symbols & <Tags>", tuple(Card(f, f"back of {f} &amp; more") for f in fronts))
    deck_id = await sync_deck(bot.services.db, deck, "symbols", None, int(clock.now().timestamp()))
    await bot.services.db.execute(
        "UPDATE users SET active_deck_id = ? WHERE id = ?", (deck_id, alice.id)
    )
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/"))
    assert "Symbols & <Tags>" in question.text
    assert "a < b & c" in question.text
    await alice.tap("Show answer")
    revealed = await alice.wait_for(
        lambda m: m.message_id == question.message_id and "back of" in m.text
    )
    assert "back of a < b & c &amp; more" in revealed.text
