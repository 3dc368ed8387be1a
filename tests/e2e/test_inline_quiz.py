"""Inline quizzes end to end: `@bot query` in a group offers the person's own cards, one is
posted "via @bot", three people answer it, each with their own toast, and its tally is edited in
place."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from bot.cards.model import Card, Deck
from bot.clock import ManualClock
from bot.handlers.inline import sweep_inline_quizzes
from bot.sandbox.api_inline import choose, inline_query, tap_inline, tap_inline_data
from bot.sandbox.driver import SandboxChat
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.sandbox.terminal import run_terminal
from bot.storage.decks import sync_deck
from bot.views.callbacks import InlineTap, decode, encode
from tests.e2e.conftest import RunningBot

CAPITALS = Deck(
    "Capitals",
    tuple(
        Card(f"Capital of {country}", city)
        for country, city in [
            ("France", "Paris"),
            ("Spain", "Madrid"),
            ("Italy", "Rome"),
            ("Germany", "Berlin"),
            ("Portugal", "Lisbon"),
            ("Austria", "Vienna"),
            ("Türkiye", "Ankara"),
        ]
    ),
)


def now_of(group: SandboxChat, message_id: int) -> SandboxMessage:
    """The message as the group sees it now."""
    return next(m for m in group.history if m.message_id == message_id)


def letter_of(message: SandboxMessage, option: str) -> str:
    """The letter the message lists `option` under."""
    found = re.search(rf"^([A-D])\) {re.escape(option)}$", message.text, re.MULTILINE)
    assert found is not None, message.text
    return found[1]


async def test_three_people_answer_a_question_posted_through_inline_mode(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, bob, carol = sandbox.user("Alice"), sandbox.user("Bob"), sandbox.user("Carol")
    group = sandbox.group("Geography club", members=[alice, bob, carol])
    await alice.send("/start")
    await alice.wait_for(lambda m: bool(m.text))
    await sync_deck(bot.services.db, CAPITALS, "capitals", alice.id, int(clock.now().timestamp()))

    # Accents and case do not matter: "turkiye" finds Türkiye's card in Alice's own deck.
    answer = await inline_query(alice, "TURKIYE", chat=group)
    assert answer.titles == ["Capital of Türkiye"]
    assert answer.is_personal and answer.cache_time is not None and answer.cache_time <= 60
    assert answer.next_offset == ""
    every = await inline_query(alice, "capital", chat=group)
    assert len(every.titles) == 7 and every.titles[0] == "Capital of France"

    posted = await choose(alice, answer, answer.results[0]["id"], group)
    assert "Capital of Türkiye" in posted.text and posted.labels == ["A", "B", "C", "D"]
    assert "one try each" in posted.text
    right = letter_of(posted, "Ankara")
    wrong = next(label for label in posted.labels if label != right)

    # Three people answer: two right, one wrong, each told their own verdict.
    assert await tap_inline(bob, posted, right) == "✅ Right!"
    assert await sandbox.wait_until(
        lambda: "✅ 1 · ❌ 0" in now_of(group, posted.message_id).text, 5
    )
    assert await tap_inline(carol, posted, wrong) == "❌ Wrong. The answer: Ankara"
    assert await tap_inline(alice, posted, right) == "✅ Right!"
    # A second tap changes nothing and says what was answered.
    assert await tap_inline(bob, posted, wrong) == f"You already answered {right}: right."
    assert await tap_inline(carol, posted, right) == (
        f"You already answered {wrong}: wrong. The answer: Ankara"
    )
    await sandbox.settle()
    # The tally is edited at most once every few seconds: the taps since wait for the sweep.
    assert "✅ 1 · ❌ 0" in now_of(group, posted.message_id).text
    # Every edit keeps the whole question, the invitation to tap included, under its letters.
    assert "Tap a letter to answer: one try each." in now_of(group, posted.message_id).text
    clock.advance(timedelta(seconds=3))
    await sweep_inline_quizzes(bot.app)
    await sandbox.settle()
    shown = now_of(group, posted.message_id)
    assert "✅ 2 · ❌ 1" in shown.text
    assert "First right: Bob" in shown.text
    assert shown.labels == ["A", "B", "C", "D"]  # still open to anyone else in the chat
    assert "Tap a letter to answer: one try each." in shown.text
    assert "Capital of Türkiye" in shown.text
    edits = len(shown.edits)
    await sweep_inline_quizzes(bot.app)
    await sandbox.settle()
    assert len(now_of(group, posted.message_id).edits) == edits  # nothing owed: no edit

    rows = await bot.services.db.fetchall(
        "SELECT user_id, correct FROM inline_answers ORDER BY user_id"
    )
    assert [(r[0], r[1]) for r in rows] == [(alice.id, 1), (bob.id, 1), (carol.id, 0)]

    # Forged data (another question, a changed signature) is refused and counts nothing.
    dave = sandbox.user("Dave")
    group.add_member(dave)
    genuine = decode(posted.data_for(right))
    assert isinstance(genuine, InlineTap)
    forged = InlineTap(genuine.question_id + 1, 0, genuine.language, genuine.signature)
    assert await tap_inline_data(dave, posted, encode(forged)) == "This button no longer works"
    assert await tap_inline_data(dave, posted, "n:1:0:en:AAAAAAAAAAAA") == (
        "This button no longer works"
    )
    count = await bot.services.db.fetchone("SELECT COUNT(*) FROM inline_answers")
    assert count is not None and count[0] == 3


async def test_an_empty_query_offers_a_few_and_a_stranger_sees_only_bundled_cards(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice, eve = sandbox.user("Alice"), sandbox.user("Eve")
    await alice.send("/start")
    await alice.wait_for(lambda m: bool(m.text))
    await sync_deck(bot.services.db, CAPITALS, "capitals", alice.id, int(clock.now().timestamp()))
    few = await inline_query(alice, "")
    assert 0 < len(few.results) <= 10 and few.next_offset == ""
    # Eve's results come from the bundled decks only: Alice's cards are hers.
    nothing = await inline_query(eve, "Capital of")
    assert nothing.titles == []
    # An empty list is not left blank: a button above it opens the private chat's /decks.
    assert nothing.button == {
        "text": "📚 No cards match: add a deck",
        "start_parameter": "decks",
    }
    assert (await inline_query(alice, "capital")).button is None
    assert len((await inline_query(eve, "")).results) > 0


async def test_the_offline_terminal_lists_inline_results_posts_one_and_taps_it(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: bool(m.text))
    await sandbox.settle()
    await sync_deck(bot.services.db, CAPITALS, "capitals", alice.id, int(clock.now().timestamp()))
    out = io.StringIO()
    script = ":group Club players=1\n:inline turkiye\n:pick 1\n:tap 1.2\n:inline zzzz\n:pick 9\n"
    await run_terminal(sandbox, alice, stdin=io.StringIO(script), stdout=out)
    lines = out.getvalue().splitlines()
    assert "  [1] Capital of Türkiye" in lines
    assert "[Club] you via bot: 🧠 Capitals" in lines
    # The posted question's buttons tap by inline_message_id, as on Telegram: a verdict comes.
    assert any(
        line in ("(toast) ✅ Right!", "(toast) ❌ Wrong. The answer: Ankara") for line in lines
    )
    assert any(line.startswith("[Club] you via bot (edited): 🧠 Capitals") for line in lines)
    assert "  (button above the list: 📚 No cards match: add a deck)" in lines
    assert "(:pick takes the number of a result :inline QUERY listed)" in lines
