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
    # a newcomer is offered the starter decks, then the deck everyone has
    assert welcome.labels[0].endswith("Capitals of Africa · 52")
    assert welcome.labels[-1] == "▶️ Start quiz"
    await alice.send("/help")
    help_message = await alice.wait_for(lambda m: "What I can do" in m.text)
    for command in ("/quiz", "/streak", "/help", "/start"):
        assert command in help_message.text
    # the menu Telegram shows lists the same commands as /help
    menu = sandbox.commands[('{"type": "all_private_chats"}', "")]
    assert {c["command"] for c in menu} >= {"quiz", "streak", "help", "start"}


async def test_a_first_session_recognises_every_card_and_asks_the_missed_ones_again(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await alice.tap("Start quiz")
    services = bot.services
    kinds, fronts = [], []
    for number in range(9):
        heading = f"Question {number + 1}/"
        question = await alice.wait_for(
            lambda m: m.text.startswith(heading) and bool(m.buttons)  # noqa: B023 - awaited at once
        )
        on_screen = await open_question(services, alice.id)
        assert on_screen is not None
        kinds.append(await answer(alice, services, right=number not in (2, 5)))
        shown_id = question.message_id
        reveal = await alice.wait_for(
            lambda m: m.message_id == shown_id and not m.buttons  # noqa: B023 - awaited at once
        )
        assert reveal.edited
        fronts.append(reveal.html.split("\n\n<b>", 1)[-1].split("</b>", 1)[0])
    # A newcomer recognises each card first: no self-graded recall, one question per card.
    assert set(kinds) <= {"choice", "identify", "cloze"} and len(set(fronts)) == 9
    # The two missed questions come back once, before the session ends.
    for number in (10, 11):
        again = await alice.wait_for(lambda m: m.text.startswith(f"Question {number}/11"))  # noqa: B023
        assert "Once more" in again.text
        await answer(alice, services, right=True)
    summary = await alice.wait_for(lambda m: "Session complete" in m.text)
    assert "7/9 right" in summary.text
    assert "2 missed questions came back: 2 right the second time" in summary.text
    assert "Streak: 1 day" in summary.text
    reviews = await services.db.fetchall(
        "SELECT rating FROM reviews WHERE user_id = ? ORDER BY id", (alice.id,)
    )
    assert [r[0] for r in reviews] == [3, 3, 1, 3, 3, 1, 3, 3, 3, 3, 3]
    assert await open_question(services, alice.id) is None


async def test_typed_only_shows_no_answer_buttons_and_grades_as_a_teacher(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    deck = Deck(
        "Words",
        (
            Card("hola", "hello, hi"),
            Card("beber", "to drink"),
            Card("Who succeeded Stalin?", "Nikita Khrushchev in 1953"),
        ),
    )
    deck_id = await sync_deck(bot.services.db, deck, "words", None, int(clock.now().timestamp()))
    await bot.services.db.execute(
        "UPDATE users SET active_deck_id = ?, question_mix = 'typed' WHERE id = ?",
        (deck_id, alice.id),
    )
    await alice.send("/quiz")
    typed = {"hola": "Hello!", "beber": "drink", "Who succeeded Stalin?": "khrushchev"}
    for number in range(1, 4):
        question = await alice.wait_for(lambda m: m.text.startswith(f"Question {number}/3"))  # noqa: B023
        assert question.labels == ["🤷 I don't know"] and "Type your answer" in question.text
        front = next(f for f in typed if f"<b>{f}</b>" in question.html)
        await alice.send(typed[front])
        reveal = await alice.wait_for(
            lambda m: m.message_id == question.message_id and "Right!" in m.text  # noqa: B023
        )
        assert not reveal.buttons
    summary = await alice.wait_for(lambda m: "Session complete" in m.text)
    assert "3/3 right" in summary.text


async def test_i_was_right_counts_a_typed_answer_and_mends_the_summary(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    deck = Deck("Words", (Card("beber", "to drink"),))
    deck_id = await sync_deck(bot.services.db, deck, "one", None, int(clock.now().timestamp()))
    await bot.services.db.execute(
        "UPDATE users SET active_deck_id = ?, question_mix = 'typed' WHERE id = ?",
        (deck_id, alice.id),
    )
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/1"))
    await alice.send("drinc")  # a slip: close, counted wrong, with where it differs
    close = await alice.wait_for(
        lambda m: m.message_id == question.message_id and "Close" in m.text
    )
    assert "drin<u>k</u>" in close.html and close.labels == ["✋ I was right"]
    retry = await alice.wait_for(lambda m: m.text.startswith("Question 2/2"))
    await alice.send("to sip")
    wrong = await alice.wait_for(
        lambda m: m.message_id == retry.message_id and "Not quite" in m.text
    )
    summary = await alice.wait_for(lambda m: "Session complete" in m.text)
    assert "0/1 right" in summary.text
    # The first answer was built on by the second try: its button now says so, in place.
    await alice.tap("I was right", message=close)
    stale = await alice.wait_for(
        lambda m: m.message_id == close.message_id and "answered this question again" in m.text
    )
    assert not stale.buttons
    # The second try can still be counted as right: its reveal and the summary change.
    assert await alice.tap("I was right", message=wrong) == ""
    counted = await alice.wait_for(
        lambda m: m.message_id == wrong.message_id and "Counted as right" in m.text
    )
    assert not counted.buttons
    mended = await alice.wait_for(
        lambda m: m.message_id == summary.message_id and "1 right the second time" in m.text
    )
    assert "0/1 right" in mended.text
    row = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM reviews WHERE user_id = ? AND overridden_at IS NOT NULL", (alice.id,)
    )
    assert row is not None and row[0] == 1


async def test_restart_mid_session_keeps_the_old_buttons_working(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/9"))
    await answer(alice, bot.services, right=True)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/9"))
    question_two = latest_question(alice)
    await bot.restart()
    on_screen = await open_question(bot.services, alice.id)
    assert on_screen is not None
    await answer(alice, bot.services, right=True)
    await alice.wait_for(lambda m: m.text.startswith("Question 3/9"))
    count = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM reviews WHERE user_id = ?", (alice.id,)
    )
    assert count is not None and count[0] == 2
    # the answered question's buttons are gone; replaying its old callback changes nothing
    # and shows the question as it stands: its reveal, no toast about a state out of sight
    answered = next(m for m in alice.messages if m.message_id == question_two.message_id)
    assert not answered.buttons
    old_data = question_two.buttons[0][0][1]  # as the button was before the answer
    assert old_data is not None
    assert await alice.tap_data(question_two, old_data) == ""
    await sandbox.settle()
    shown = next(m for m in alice.messages if m.message_id == question_two.message_id)
    assert shown.text == answered.text and not shown.buttons


async def test_foreign_stale_and_forged_taps_get_a_toast_and_change_nothing(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice, mallory = sandbox.user("Alice"), sandbox.user("Mallory")
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/9"))
    data = question.buttons[0][0][1]
    assert data is not None
    await mallory.send("/start")
    mallory_message = await mallory.wait_for(lambda m: "Quizmaster" in m.text)
    # Alice's button, tapped from a message of Mallory's that never carried it.
    assert await mallory.tap_data(mallory_message, data) == "This button no longer works"
    for forged in ("q:999999:0:s", "q:1:0:g9", "garbage", "m:nope"):
        assert await mallory.tap_data(mallory_message, forged) in (
            "This question is closed",
            "This button no longer works",
        )
    count = await bot.services.db.fetchone("SELECT COUNT(*) FROM reviews")
    assert count is not None and count[0] == 0
    # Alice's question is untouched and still answerable
    await answer(alice, bot.services, right=True)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/9"))


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
        "UPDATE users SET active_deck_id = ?, question_mix = 'selfgraded' WHERE id = ?",
        (deck_id, alice.id),
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


async def test_grade_buttons_say_what_each_grade_will_do_and_it_does(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: "Quizmaster" in m.text)
    await bot.services.db.execute(
        "UPDATE users SET question_mix = 'selfgraded' WHERE id = ?", (alice.id,)
    )
    await alice.send("/quiz")
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/"))
    await alice.tap("Show answer")
    revealed = await alice.wait_for(
        lambda m: m.message_id == question.message_id and len(m.labels) == 4
    )
    # A card seen for the first time: Anki's learning steps, and Easy straight to days.
    assert revealed.labels == ["Again 1m", "Hard 6m", "Good 10m", "Easy 8d"]
    await alice.tap("Easy 8d", message=revealed)
    await alice.wait_for(lambda m: m.text.startswith("Question 2/"))
    row = await bot.services.db.fetchone("SELECT due FROM reviews WHERE user_id = ?", (alice.id,))
    assert row is not None
    # Eight learning days on, from the start of that day (04:00 in Alice's zone, UTC).
    today_start = clock.now().replace(hour=4, minute=0, second=0, microsecond=0)
    assert row[0] == int((today_start + timedelta(days=8)).timestamp())
