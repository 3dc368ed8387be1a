"""How a group battle looks: lobby, rounds and their reveals, podium, leaderboard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cards.richtext import readable_latex
from bot.core.battle import (
    DEFAULT_ROUNDS,
    DEFAULT_SECONDS,
    MAX_ROUNDS,
    MAX_SECONDS,
    MIN_ROUNDS,
    MIN_SECONDS,
    ArgsProblem,
    BattleArgsError,
    BattleConfig,
    LobbyOutcome,
    Notice,
    Player,
    RevealRound,
    Standings,
    Toast,
    option_letter,
)
from bot.core.battle_machine import LOBBY_WAIT, MIN_PLAYERS
from bot.services.battles import BattleRefusal
from bot.storage.battles import LeaderRow, RoundRow
from bot.views.callbacks import BattleTap, encode
from bot.views.fmt import clip, esc, plural

KIND_LABELS = {
    "choice": "Choose the answer",
    "identify": "Which card is this?",
    "cloze": "Fill in the blank",
}
NAME_CHARS = 32
PROMPT_BUDGET = 1500
OPTION_CHARS = 200
BACK_BUDGET = 600
MAX_LISTED_PLAYERS = 30

IN_PRIVATE = "⚔️ Battles are for groups: add me to a group with your friends and send /battle there."
ANONYMOUS_HOST = (
    "You're posting as the group, so you couldn't play. Send /battle from your own account to "
    "host a battle."
)
ALREADY_RUNNING = "A battle is already running here — join in above! (/stopbattle ends it)"
STOPPED_BY = "🛑 Battle stopped."
STALE = "This button no longer works"
NOT_A_MEMBER = "Battles are for the group's members: join the group to play"
EMPTY_LEADERBOARD = "🏆 No battles finished here yet. Start one with /battle!"

# Toasts (answerCallbackQuery, at most 200 characters).
NOTICES = {
    Notice.LOCKED_IN: "Locked in: {letter}",
    Notice.ALREADY_ANSWERED: "You already answered",
    Notice.TIMES_UP: "Time's up",
    Notice.NOT_OPEN: "That question is not open",
    Notice.NOT_AN_OPTION: "That is not one of the options",
    Notice.BATTLE_OVER: "This battle is over",
    Notice.JOINED: "You're in!",
    Notice.ALREADY_JOINED: "You're already in",
    Notice.ONLY_HOST_STARTS: "Only the host can start the battle",
    Notice.NEED_PLAYERS: "A battle needs at least {count} players: ask someone to tap Join",
    Notice.ALREADY_STARTED: "The battle has already started",
}
REFUSALS = {
    BattleRefusal.NOT_THIS_CHAT: "This button belongs to another chat's battle",
    BattleRefusal.NO_BATTLE: "There is no battle running here. Start one with /battle",
    BattleRefusal.NOT_ALLOWED: "Only the host or a group admin can stop the battle",
    BattleRefusal.BROKEN: "This battle can't continue, sorry. Start a new one with /battle",
    BattleRefusal.FORGOTTEN_MEANWHILE: "That didn't go through: tap again to play",
}

BATTLE_USAGE = (
    f"Try /battle, /battle 5 (rounds, {MIN_ROUNDS}–{MAX_ROUNDS}, default {DEFAULT_ROUNDS}) "
    f"or /battle 5 15 (and seconds per round, {MIN_SECONDS}–{MAX_SECONDS}, "
    f"default {DEFAULT_SECONDS})."
)


def battle_args_text(error: BattleArgsError) -> str:
    """What is wrong with `/battle`'s arguments and what works (plain text: escape it for HTML)."""
    if error.problem is ArgsProblem.TOO_MANY:
        problem = "/battle takes at most two numbers."
    elif error.problem is ArgsProblem.ROUNDS:
        problem = f"A battle has {MIN_ROUNDS} to {MAX_ROUNDS} rounds, not {error.value}."
    elif error.problem is ArgsProblem.SECONDS:
        problem = f"A round lasts {MIN_SECONDS} to {MAX_SECONDS} seconds, not {error.value}."
    else:
        shown = error.value if len(error.value) <= 20 else error.value[:20] + "…"
        what = "seconds" if error.what == "seconds" else "rounds"
        problem = f"“{shown}” is not a number of {what}."
    return f"{problem} {BATTLE_USAGE}"


def toast_text(toast: Toast) -> str:
    """What a tap's toast says."""
    letter = option_letter(toast.option) if toast.option is not None else ""
    return NOTICES[toast.notice].format(letter=letter, count=MIN_PLAYERS)


def refusal_text(reason: BattleRefusal | Notice) -> str:
    """Why a tap or /stopbattle changed nothing (plain text: escape it for HTML)."""
    if isinstance(reason, Notice):
        return toast_text(Toast(0, reason))
    return REFUSALS[reason]


FORMER_PLAYER = "a former player"


def name(text: str) -> str:
    """A player's name, clipped and escaped; a player whose data was deleted has none."""
    return esc(clip(text, NAME_CHARS)) or FORMER_PLAYER


def _players(players: Sequence[Player], host_id: int) -> str:
    shown = [
        name(p.name) + (" (host)" if p.user_id == host_id else "")
        for p in players[:MAX_LISTED_PLAYERS]
    ]
    more = len(players) - len(shown)
    tail = f" and {more} more" if more > 0 else ""
    return f"<b>Players ({len(players)}):</b> " + ", ".join(shown) + tail


def _setup(deck_title: str, config: BattleConfig) -> str:
    return (
        f"Deck: <b>{esc(clip(deck_title, 60))}</b> · {plural(config.rounds, 'round')} · "
        f"{config.seconds} s each"
    )


def lobby_text(
    deck_title: str,
    config: BattleConfig,
    players: Sequence[Player],
    host_id: int,
    outcome: LobbyOutcome | None = None,
) -> str:
    """The lobby: setup, players so far, and what happens next (or how it closed)."""
    head = f"⚔️ <b>Revision battle!</b>\n{_setup(deck_title, config)}\n{_players(players, host_id)}"
    if outcome is LobbyOutcome.STARTED:
        return f"{head}\n\n🚀 <b>The battle is on!</b> Answer fast: speed earns points."
    if outcome is LobbyOutcome.NOT_ENOUGH_PLAYERS:
        return (
            f"{head}\n\n😴 Not enough players joined in time "
            f"(a battle needs {MIN_PLAYERS}). Start another one with /battle."
        )
    if outcome is LobbyOutcome.STOPPED:
        return f"{head}\n\n🛑 This battle was called off."
    host = next((p for p in players if p.user_id == host_id), None)
    host_name = name(host.name) if host else "The host"
    wait = int(LOBBY_WAIT.total_seconds())
    return (
        f"{head}\n\nTap <b>Join</b> to play. {host_name} taps <b>Start</b> when everyone is in; "
        f"otherwise it starts by itself after {wait} s with {MIN_PLAYERS} or more players."
    )


def lobby_keyboard(battle_id: int) -> InlineKeyboardMarkup:
    """Join and Start."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🙋 Join", callback_data=encode(BattleTap(battle_id, "join"))),
                InlineKeyboardButton(
                    "🚀 Start", callback_data=encode(BattleTap(battle_id, "start"))
                ),
            ]
        ]
    )


def _question(round_row: RoundRow, round_no: int, total: int) -> str:
    label = KIND_LABELS.get(round_row.kind, "Question")
    options = "\n".join(
        f"<b>{option_letter(i)}</b>) {esc(clip(option, OPTION_CHARS))}"
        for i, option in enumerate(round_row.options)
    )
    return (
        f"⚔️ <b>Round {round_no}/{total}</b> · <i>{label}</i>\n\n"
        f"{esc(clip(round_row.prompt, PROMPT_BUDGET))}\n\n{options}"
    )


def round_text(round_row: RoundRow, round_no: int, total: int, seconds: int) -> str:
    """A round's question, its lettered options and the time limit."""
    return f"{_question(round_row, round_no, total)}\n\n⏱ {seconds} s — first tap counts!"


def round_keyboard(battle_id: int, round_row: RoundRow) -> InlineKeyboardMarkup:
    """One lettered button per option, on one row."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    option_letter(i),
                    callback_data=encode(BattleTap(battle_id, "answer", round_row.round_no, i)),
                )
                for i in range(len(round_row.options))
            ]
        ]
    )


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def reveal_text(round_row: RoundRow, reveal: RevealRound, total: int) -> str:
    """The round's message after it closed: right answer, everyone's result, the card back."""
    right = reveal.correct_option
    answer = round_row.options[right] if 0 <= right < len(round_row.options) else round_row.answer
    lines = [
        f"⚔️ <b>Round {reveal.round_no}/{total}</b> · <i>closed</i>\n",
        esc(clip(round_row.prompt, PROMPT_BUDGET)),
        f"\n✅ <b>{option_letter(right)}) {esc(clip(answer, OPTION_CHARS))}</b>",
        f"<i>{esc(clip(readable_latex(round_row.back), BACK_BUDGET))}</i>\n",
    ]
    for result in reveal.results[:MAX_LISTED_PLAYERS]:
        who = name(result.name)
        if result.option is None or result.seconds is None:
            lines.append(f"⌛ {who} — no answer")
        elif result.correct:
            lines.append(f"✅ {who} +{result.points} ({_seconds(result.seconds)})")
        else:
            lines.append(f"❌ {who} chose {option_letter(result.option)} — 0")
    winners = [r for r in reveal.results if r.correct]
    if not winners:
        lines.append("\nNobody got this one.")
    return "\n".join(lines)


def cancelled_text(round_row: RoundRow, round_no: int, total: int) -> str:
    """A round that was open when the battle stopped: it does not count."""
    return f"{_question(round_row, round_no, total)}\n\n🛑 Stopped — this round does not count."


def finish_text(table: Standings, stopped: bool) -> str:
    """The podium (🥇🥈🥉), everyone's points and right answers, and the fastest answer."""
    head = "🛑 <b>Battle stopped — standings so far</b>" if stopped else "🏁 <b>Battle over!</b>"
    if table.rounds_played == 0:
        return f"{head}\nNo round was finished, so nobody scores."
    lines = [head, f"<i>{plural(table.rounds_played, 'round')} played</i>\n"]
    for standing in table.table[:MAX_LISTED_PLAYERS]:
        place = standing.medal or f"{standing.place}."
        lines.append(
            f"{place} {name(standing.name)} — <b>{standing.points}</b> pts · "
            f"{standing.right}/{table.rounds_played} right"
        )
    if table.fastest is not None:
        fast = table.fastest
        lines.append(
            f"\n⚡ Fastest answer: {name(fast.name)}, {_seconds(fast.seconds)} "
            f"(round {fast.round_no})"
        )
    lines.append("\n🏆 The group's /leaderboard is updated.")
    return "\n".join(lines)


def leaderboard_text(rows: Sequence[LeaderRow]) -> str:
    """The group's all-time table: points, battles won, accuracy."""
    if not rows:
        return EMPTY_LEADERBOARD
    lines = ["🏆 <b>All-time leaderboard</b>\n"]
    for place, row in enumerate(rows, start=1):
        accuracy = round(100 * row.right / row.answered) if row.answered else 0
        lines.append(
            f"{place}. {name(row.name)} — <b>{row.points}</b> pts · "
            f"{plural(row.wins, 'win')} in {plural(row.battles, 'battle')} · "
            f"{accuracy}% right"
        )
    return "\n".join(lines)


def deadline_hint(deadline: datetime, now: datetime) -> int:
    """Whole seconds left until a deadline (never negative)."""
    return max(int((deadline - now).total_seconds() + 0.999), 0)
