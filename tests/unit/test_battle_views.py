"""Battle texts and buttons: escaping, limits, the callback codec, and who counts as an admin."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Chat, Message, User

from bot.core.battle import (
    BattleConfig,
    FastestAnswer,
    LobbyOutcome,
    Player,
    RevealRound,
    RoundResult,
    Standing,
    Standings,
)
from bot.handlers.battle import is_group_admin
from bot.storage.battles import LeaderRow, RoundRow
from bot.views import battle as view
from bot.views.callbacks import BattleTap, decode, encode
from bot.views.fmt import TEXT_LIMIT, utf16_len, visible_length

GROUP = Chat(-100500, Chat.SUPERGROUP, title="Club")
WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def round_row(prompt: str = "Who <b>led</b> the USSR?", options: int = 4) -> RoundRow:
    return RoundRow(
        round_no=2,
        question_id=1,
        question_key="choice:abc",
        card_id=1,
        kind="choice",
        prompt=prompt,
        answer="Khrushchev",
        back="Nikita & co.",
        options=["Stalin", "Khrushchev", "Brezhnev <x>", "Malenkov"][:options],
        right_index=1,
        message_id=9,
    )


@pytest.mark.parametrize(
    "tap",
    [
        BattleTap(1, "join"),
        BattleTap(42, "start"),
        BattleTap(7, "answer", 1, 0),
        BattleTap(2**62 - 1, "answer", 20, 9),
    ],
)
def test_battle_taps_round_trip_within_64_bytes(tap: BattleTap) -> None:
    data = encode(tap)
    assert len(data.encode()) <= 64
    assert decode(data) == tap


@pytest.mark.parametrize(
    "data",
    [
        "b:1",
        "b:1:",
        "b:1:x",
        "b:0:j",
        "b:1:a0:1",
        "b:1:a1",
        "b:1:a1:10",
        "b:1:a123:1",
        "b:-1:j",
        "b:1:j:",
        "b:1:s1",
        "b:99999999999999999999:j",
        "b:１:j",
    ],
)
def test_malformed_battle_data_is_refused(data: str) -> None:
    assert decode(data) is None


@given(st.text(max_size=80))
def test_decode_never_raises(data: str) -> None:
    tap = decode(data)
    if isinstance(tap, BattleTap):
        assert encode(tap) is not None


def test_lobby_escapes_names_and_says_how_it_ends() -> None:
    players = (Player(1, "<Alice>"), Player(2, "Bob & Co"))
    text = view.lobby_text("Deck <1>", BattleConfig(5, 15), players, 1)
    assert "Deck &lt;1&gt;" in text and "5 rounds · 15 s each" in text
    assert "Players (2):</b> &lt;Alice&gt; (host), Bob &amp; Co" in text
    assert "&lt;Alice&gt; taps <b>Start</b>" in text
    closed = view.lobby_text("D", BattleConfig(), players[:1], 1, LobbyOutcome.NOT_ENOUGH_PLAYERS)
    assert "Not enough players joined in time (a battle needs 2)" in closed


def test_a_round_lists_lettered_options_under_lettered_buttons() -> None:
    row = round_row()
    text = view.round_text(row, 2, 5, 20)
    assert "Round 2/5" in text and "Who &lt;b&gt;led&lt;/b&gt; the USSR?" in text
    assert "<b>C</b>) Brezhnev &lt;x&gt;" in text and "⏱ 20 s" in text
    buttons = view.round_keyboard(3, row).inline_keyboard[0]
    assert [b.text for b in buttons] == ["A", "B", "C", "D"]
    assert [decode(b.callback_data) for b in buttons][1] == BattleTap(3, "answer", 2, 1)


def test_the_reveal_shows_the_answer_and_everyone() -> None:
    results = (
        RoundResult(1, "Alice", 1, 2.0, True, 950),
        RoundResult(2, "Bob", 0, 3.5, False, 0),
        RoundResult(3, "Carol", None, None, False, 0),
    )
    text = view.reveal_text(round_row(), RevealRound(2, "choice:abc", 1, results), 5)
    assert "✅ <b>B) Khrushchev</b>" in text and "<i>Nikita &amp; co.</i>" in text
    assert "✅ Alice +950 (2.0 s)\n❌ Bob chose A — 0\n⌛ Carol — no answer" in text


def test_huge_deck_text_still_fits_one_message() -> None:
    built = replace(round_row(prompt="x" * 5000), options=["y" * 900] * 4, back="z" * 5000)
    results = tuple(RoundResult(i, "n" * 200, 1, 1.0, True, 1000) for i in range(50))
    for text in (
        view.round_text(built, 1, 20, 60),
        view.reveal_text(built, RevealRound(1, "k", 1, results), 20),
    ):
        assert utf16_len(text) <= TEXT_LIMIT


@pytest.mark.parametrize("prompt_chars", [10, 900, 1400])
def test_a_picture_rounds_reveal_fits_its_caption_with_every_result(prompt_chars: int) -> None:
    # A caption holds 1,024 characters: a long question and back are shortened, never the results.
    built = replace(
        round_row(prompt="Khrushchev's reforms " * (prompt_chars // 21)), back="b" * 600
    )
    results = tuple(
        RoundResult(i, f"Player {i}", i % 4, 1.5, i % 4 == 1, 900 if i % 4 == 1 else 0)
        for i in range(12)
    )
    text = view.reveal_text(built, RevealRound(1, "k", 1, results), 5, room=1024)
    assert visible_length(text) <= 1024
    for i in range(12):
        assert f"Player {i}" in text
    assert "✅ <b>B) Khrushchev</b>" in text
    assert text.count("Khrushchev's reforms") >= min(prompt_chars // 21, 10)


def test_podium_and_fastest_answer() -> None:
    table = Standings(
        table=(
            Standing(1, 1, "Alice", 1950, 2, 2, 6.0),
            Standing(2, 2, "Bob", 1850, 2, 3, 7.0),
            Standing(3, 3, "Carol", 1700, 2, 3, 26.0),
            Standing(4, 4, "Dan", 0, 0, 1, 3.0),
        ),
        fastest=FastestAnswer(2, "Bob", 1.0, 3),
        rounds_played=3,
    )
    lines = view.finish_text(table, stopped=False).splitlines()
    assert lines[3:7] == [
        "🥇 Alice — <b>1950</b> pts · 2/3 right",
        "🥈 Bob — <b>1850</b> pts · 2/3 right",
        "🥉 Carol — <b>1700</b> pts · 2/3 right",
        "4. Dan — <b>0</b> pts · 0/3 right",
    ]
    assert "⚡ Fastest answer: Bob, 1.0 s (round 3)" in lines[8]
    nothing = view.finish_text(Standings((), None, 0), stopped=True)
    assert "standings so far" in nothing and "No round was finished" in nothing


def test_leaderboard_shows_accuracy_and_wins() -> None:
    rows = [LeaderRow(1, "Alice", 3150, 2, 1, 5, 6), LeaderRow(2, "Bob", 0, 1, 0, 0, 0)]
    assert view.leaderboard_text(rows).splitlines()[2:] == [
        "1. Alice — <b>3150</b> pts · 1 win in 2 battles · 83% right",
        "2. Bob — <b>0</b> pts · 0 wins in 1 battle · 0% right",
    ]
    assert view.leaderboard_text([]) == view.EMPTY_LEADERBOARD


class FakeBot:
    """Answers getChatMember with a fixed status and records who was asked about."""

    def __init__(self, status: str) -> None:
        self.status = status
        self.asked: list[int] = []

    async def get_chat_member(self, chat_id: int, user_id: int) -> Any:
        self.asked.append(user_id)
        return type("Member", (), {"status": self.status})()


def message(user_id: int, sender_chat: Chat | None = None) -> Message:
    user = User(user_id, "GroupAnonymousBot" if user_id == 1087968824 else "Dana", False)
    return Message(1, WHEN, GROUP, from_user=user, sender_chat=sender_chat)


@pytest.mark.parametrize(
    ("user_id", "sender_chat", "status", "expected", "asked"),
    [
        (5, None, "administrator", True, [5]),
        (5, None, "creator", True, [5]),
        (5, None, "member", False, [5]),
        # An anonymous admin posts as the group itself.
        (1087968824, GROUP, "left", True, []),
        # The anonymous-admin account alone, or posting as another chat, proves nothing.
        (1087968824, None, "administrator", False, []),
        (1087968824, Chat(-100999, Chat.CHANNEL), "administrator", False, []),
    ],
)
async def test_who_counts_as_a_group_admin(
    user_id: int, sender_chat: Chat | None, status: str, expected: bool, asked: list[int]
) -> None:
    bot = FakeBot(status)
    assert await is_group_admin(bot, message(user_id, sender_chat), user_id) is expected  # type: ignore[arg-type]
    assert bot.asked == asked


def test_a_player_whose_data_was_deleted_is_a_former_player_everywhere() -> None:
    assert view.name("") == "a former player"
    table = view.leaderboard_text(
        [LeaderRow(-5, "", 1200, 2, 1, 3, 4), LeaderRow(7, "Bob", 900, 2, 1, 2, 4)]
    )
    assert table.splitlines()[2:] == [
        "1. a former player — <b>1200</b> pts · 1 win in 2 battles · 75% right",
        "2. Bob — <b>900</b> pts · 1 win in 2 battles · 50% right",
    ]
