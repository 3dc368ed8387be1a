"""A learner's own FSRS parameters end to end: fitted by the sweep once their log holds 400
answers, shown in /stats, scheduling their next answer, and left for the defaults in /settings."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import ManualClock
from bot.core.learning_days import LearningDays
from bot.core.scheduling import Grade, review
from bot.handlers.parameters_sweep import sweep_parameters
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot
from tests.e2e.test_settings import answer_easy
from tests.fitting import forgetful_history, words_deck, write_history

DAYS = LearningDays.of("UTC")  # Alice's zone and day start, as they come


async def stats_text(user: SandboxUser) -> str:
    sent = await user.send("/stats")
    stats = await user.wait_for(lambda m: m.photo is not None, since=sent)
    return stats.text


async def choose(user: SandboxUser, section: str, label: str) -> str:
    """Open a new settings menu, a section of it, and tap a choice; the menu's text after."""
    sent = await user.send("/settings")
    menu = await user.wait_for(lambda m: "⚙️ Settings" in m.text and bool(m.buttons), since=sent)
    await user.tap(section, message=menu)
    await user.wait_for(lambda m: m.message_id == menu.message_id and "« Back" in m.labels)
    assert (await user.tap(label, message=menu)).startswith("Saved: ")
    edited = await user.wait_for(lambda m: m.message_id == menu.message_id and "Saved" in m.text)
    return edited.text


async def last_interval(bot: RunningBot, user: SandboxUser) -> int:
    """Seconds from the user's latest answer to when it falls due."""
    row = await bot.services.db.fetchone(
        "SELECT due - reviewed_at FROM reviews WHERE user_id = ? ORDER BY id DESC LIMIT 1",
        (user.id,),
    )
    assert row is not None
    return int(row[0])


def easy_interval(now: datetime, parameters: tuple[float, ...] | None) -> int:
    after = review(None, Grade.EASY, now, 0.9, fuzz=False, days=DAYS, parameters=parameters)
    return int((after.due - now).total_seconds())


async def test_own_parameters_are_fitted_shown_used_and_can_give_way_to_the_defaults(
    sandbox: SandboxServer, bot: RunningBot, clock: ManualClock
) -> None:
    alice = sandbox.user("Alice")
    assert "fitted to your answers in 400 more reviews" in await stats_text(alice)
    db = bot.services.db
    start = clock.now() - timedelta(days=90)
    await write_history(db, alice.id, await words_deck(db), forgetful_history(50, 9, start))
    await sweep_parameters(bot.app)
    own = (await bot.services.parameters.standing(alice.id)).personal
    assert own is not None
    text = await stats_text(alice)
    assert "🧠 Your FSRS parameters: log loss " in text
    assert "with the defaults (450 reviews, fitted 2 Mar 2026)" in text

    await choose(alice, "Question mix", "Self-graded only")
    await answer_easy(bot, alice)
    assert await last_interval(bot, alice) == easy_interval(clock.now(), own)
    assert easy_interval(clock.now(), own) != easy_interval(clock.now(), None)

    text = await choose(alice, "FSRS parameters", "FSRS defaults")
    assert "FSRS parameters: FSRS defaults" in text
    clock.advance(timedelta(minutes=1))
    await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 2/") and bool(m.buttons))
    await alice.tap("Show answer")
    await alice.wait_for(lambda m: any("Easy 8d" in x for x in m.labels))
    await alice.tap("Easy")
    await alice.wait_for(lambda m: m.text.startswith("Question 3/"))
    assert await last_interval(bot, alice) == easy_interval(clock.now(), None)
    assert "not used: you chose the defaults in /settings" in await stats_text(alice)
