"""/stats end to end: the figures and chart in private, the board in a group, and a slow chart
that does not hold up anyone else."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.core.stats import StatsFigures
from bot.sandbox.server import SandboxServer
from bot.views import charts
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import answer

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def test_stats_after_a_few_answers(sandbox: SandboxServer, bot: RunningBot) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/quiz")
    await alice.wait_for(lambda m: m.text.startswith("Question 1/9"))
    for right in (True, True, False):
        await answer(alice, bot.services, right=right)
    await alice.wait_for(lambda m: m.text.startswith("Question 4/9"))
    sent = await alice.send("/stats")
    stats = await alice.wait_for(lambda m: m.photo is not None, since=sent)
    assert stats.photo is not None and stats.photo.startswith(PNG_MAGIC)
    assert 20_000 < len(stats.photo) < 1_000_000
    text = stats.text
    assert "Your progress — Khrushchev" in text
    assert "Today: 3 reviews, 67% right" in text
    assert "Streak: 1 day" in text
    assert "Questions: 36 new · 3 learning · 0 young · 0 mature" in text
    assert "True retention (30 days): no mature reviews yet — target 90%" in text
    # the two right answers are due in 10 minutes, the wrong one in 1: all today, none yet now
    assert "Due: 0 now · 3 today · 3 within 7 days" in text


async def test_stats_for_a_newcomer_shows_the_friendly_picture(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/stats")
    stats = await alice.wait_for(lambda m: m.photo is not None)
    assert "Today: no reviews yet" in stats.text
    assert "Send /quiz to start" in stats.text
    assert stats.photo is not None and stats.photo.startswith(PNG_MAGIC)


async def test_a_chart_being_drawn_does_not_hold_up_another_users_quiz(
    sandbox: SandboxServer, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawing, release = threading.Event(), threading.Event()
    real_draw = charts.draw

    def held_draw(figures: StatsFigures) -> bytes:
        drawing.set()
        assert release.wait(10), "the test never released the chart"
        return real_draw(figures)

    monkeypatch.setattr(charts, "draw", held_draw)
    alice, bob = sandbox.user("Alice"), sandbox.user("Bob")
    try:
        await alice.send("/stats")
        assert await asyncio.to_thread(drawing.wait, 5)
        await bob.send("/quiz")
        await bob.wait_for(lambda m: m.text.startswith("Question 1/9"))
        assert alice.messages == []  # Alice's chart is still being drawn
    finally:
        release.set()
    stats = await alice.wait_for(lambda m: m.photo is not None)
    assert "Your progress" in stats.text


async def test_stats_in_a_group_show_the_battle_board(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    group = sandbox.group("Study club", members=[alice])
    await alice.send("/stats", chat=group)
    board = await group.wait_for(lambda m: "battles" in m.text.lower())
    assert board.photo is None
    assert "No battles yet" in board.text
