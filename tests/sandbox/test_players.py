"""Simulated group players: they join lobbies and answer rounds by tapping, as people do."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from bot.sandbox.driver import SandboxUser
from bot.sandbox.players import PlayerStyle, open_group, parse_group
from bot.sandbox.server import SandboxServer
from bot.views.callbacks import BattleTap, encode

App = Application[Any, Any, Any, Any, Any, Any]


@pytest.mark.parametrize(
    ("arguments", "title", "style"),
    [
        ("Revision club", "Revision club", PlayerStyle()),
        (
            "Club players=5 accuracy=90% delay=1-3s",
            "Club",
            PlayerStyle(players=5, accuracy=0.9, min_delay=1, max_delay=3),
        ),
        ("Quick one delay=0 accuracy=0.5", "Quick one", PlayerStyle(3, 0.5, 0, 0)),
    ],
)
def test_group_options(arguments: str, title: str, style: PlayerStyle) -> None:
    assert parse_group(arguments) == (title, style)


@pytest.mark.parametrize(
    "arguments", ["", "players=2", "Club players=7", "Club accuracy=120%", "Club delay=5-1"]
)
def test_bad_group_options_are_refused(arguments: str) -> None:
    with pytest.raises(ValueError):
        parse_group(arguments)


def _keyboard(*taps: tuple[str, BattleTap]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=encode(tap)) for label, tap in taps]]
    )


async def test_players_join_once_and_answer_each_round_with_their_accuracy(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    asked: list[tuple[int, int]] = []

    async def answer_key(battle_id: int, round_no: int) -> int | None:
        asked.append((battle_id, round_no))
        return 2

    style = PlayerStyle(players=3, accuracy=1.0, min_delay=0, max_delay=0.05)
    group, players = open_group(server, alice, "Club", style, answer_key)
    players.rng = random.Random(7)
    assert [p.name for p in players.people] == ["Ada", "Ben", "Cleo"]
    assert {group.status_of(p) for p in players.people} == {"member"}
    assert group.status_of(alice) == "creator"
    bot = echo_bot.bot
    try:
        lobby = await bot.send_message(
            group.id, "Lobby", reply_markup=_keyboard(("Join", BattleTap(4, "join")))
        )
        await bot.edit_message_text(
            "Lobby (edited)", group.id, lobby.message_id,
            reply_markup=_keyboard(("Join", BattleTap(4, "join"))),
        )  # fmt: skip
        options = [(letter, BattleTap(4, "answer", 1, i)) for i, letter in enumerate("ABCD")]
        await bot.send_message(group.id, "Round 1", reply_markup=_keyboard(*options))
        for _ in range(100):
            if len(server.world.callbacks) >= 6:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # no more taps come
    finally:
        await players.stop()
    taps = sorted((q.user_id, q.data) for q in server.world.callbacks.values())
    joined = encode(BattleTap(4, "join"))
    right = encode(BattleTap(4, "answer", 1, 2))
    ids = [p.id for p in players.people]
    assert taps == sorted([(i, joined) for i in ids] + [(i, right) for i in ids])
    assert asked == [(4, 1)] * 3
