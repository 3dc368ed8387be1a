"""How a group battle looks: lobby, rounds and their reveals, podium, leaderboard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cards.richtext import card_html, readable_latex
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
from bot.views.fmt import TEXT_LIMIT, clip, esc, visible_length
from bot.views.i18n import N_, _, count, ngettext, number, percent
from bot.views.quiz import MEDIA_QUESTION

# Marked with N_() for the catalogue; translated with _() where they are shown.
KIND_LABELS = {
    "choice": N_("Choose the answer"),
    "identify": N_("Which card is this?"),
    "cloze": N_("Fill in the blank"),
}
NAME_CHARS = 32
PROMPT_BUDGET = 1500
OPTION_CHARS = 200
BACK_BUDGET = 600
MAX_LISTED_PLAYERS = 30
REVEAL_SLACK = 16  # the newlines between the parts, and characters Telegram counts twice

# Short replies, translated when read (`view.IN_PRIVATE`): see __getattr__ below.
_TEXTS = {
    "IN_PRIVATE": N_(
        "⚔️ Battles are for groups: add me to a group with your friends and send /battle there."
    ),
    "ANONYMOUS_HOST": N_(
        "You're posting as the group, so you couldn't play. Send /battle from your own account "
        "to host a battle."
    ),
    "ALREADY_RUNNING": N_(
        "A battle is already running here — join in above! (/stopbattle ends it)"
    ),
    "STOPPED_BY": N_("🛑 Battle stopped."),
    "STALE": N_("This button no longer works"),
    "NOT_A_MEMBER": N_("Battles are for the group's members: join the group to play"),
    "EMPTY_LEADERBOARD": N_("🏆 No battles finished here yet. Start one with /battle!"),
    "FORMER_PLAYER": N_("a former player"),
}


def __getattr__(attribute: str) -> str:
    """A short reply of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


# Toasts (answerCallbackQuery, at most 200 characters).
NOTICES = {
    Notice.LOCKED_IN: N_("Locked in: {letter}"),
    Notice.ALREADY_ANSWERED: N_("You already answered"),
    Notice.TIMES_UP: N_("Time's up"),
    Notice.NOT_OPEN: N_("That question is not open"),
    Notice.NOT_AN_OPTION: N_("That is not one of the options"),
    Notice.BATTLE_OVER: N_("This battle is over"),
    Notice.JOINED: N_("You're in!"),
    Notice.ALREADY_JOINED: N_("You're already in"),
    Notice.ONLY_HOST_STARTS: N_("Only the host can start the battle"),
    Notice.NEED_PLAYERS: N_("A battle needs at least {count} players: ask someone to tap Join"),
    Notice.ALREADY_STARTED: N_("The battle has already started"),
}
REFUSALS = {
    BattleRefusal.NOT_THIS_CHAT: N_("This button belongs to another chat's battle"),
    BattleRefusal.NO_BATTLE: N_("There is no battle running here. Start one with /battle"),
    BattleRefusal.NOT_ALLOWED: N_("Only the host or a group admin can stop the battle"),
    BattleRefusal.BROKEN: N_("This battle can't continue, sorry. Start a new one with /battle"),
    BattleRefusal.FORGOTTEN_MEANWHILE: N_("That didn't go through: tap again to play"),
}


def battle_usage() -> str:
    """How /battle's arguments go."""
    return _(
        "Try /battle, /battle 5 (rounds, %(min_rounds)s–%(max_rounds)s, default "
        "%(rounds)s) or /battle 5 15 (and seconds per round, %(min_seconds)s–%(max_seconds)s, "
        "default %(seconds)s)."
    ) % {
        "min_rounds": MIN_ROUNDS,
        "max_rounds": MAX_ROUNDS,
        "rounds": DEFAULT_ROUNDS,
        "min_seconds": MIN_SECONDS,
        "max_seconds": MAX_SECONDS,
        "seconds": DEFAULT_SECONDS,
    }


def battle_args_text(error: BattleArgsError) -> str:
    """What is wrong with `/battle`'s arguments and what works (plain text: escape it for HTML)."""
    if error.problem is ArgsProblem.TOO_MANY:
        problem = _("/battle takes at most two numbers.")
    elif error.problem is ArgsProblem.ROUNDS:
        problem = _("A battle has %(least)s to %(most)s rounds, not %(value)s.") % {
            "least": MIN_ROUNDS,
            "most": MAX_ROUNDS,
            "value": error.value,
        }
    elif error.problem is ArgsProblem.SECONDS:
        problem = _("A round lasts %(least)s to %(most)s seconds, not %(value)s.") % {
            "least": MIN_SECONDS,
            "most": MAX_SECONDS,
            "value": error.value,
        }
    else:
        shown = error.value if len(error.value) <= 20 else error.value[:20] + "…"
        if error.what == "seconds":
            problem = _("“%(value)s” is not a number of seconds.") % {"value": shown}
        else:
            problem = _("“%(value)s” is not a number of rounds.") % {"value": shown}
    return f"{problem} {battle_usage()}"


def toast_text(toast: Toast) -> str:
    """What a tap's toast says."""
    letter = option_letter(toast.option) if toast.option is not None else ""
    return _(NOTICES[toast.notice]).format(letter=letter, count=MIN_PLAYERS)


def refusal_text(reason: BattleRefusal | Notice) -> str:
    """Why a tap or /stopbattle changed nothing (plain text: escape it for HTML)."""
    if isinstance(reason, Notice):
        return toast_text(Toast(0, reason))
    return _(REFUSALS[reason])


def name(text: str) -> str:
    """A player's name, clipped and escaped; a player whose data was deleted has none."""
    return esc(clip(text, NAME_CHARS)) or _(_TEXTS["FORMER_PLAYER"])


def _players(players: Sequence[Player], host_id: int) -> str:
    shown = [
        _("%(name)s (host)") % {"name": name(p.name)} if p.user_id == host_id else name(p.name)
        for p in players[:MAX_LISTED_PLAYERS]
    ]
    more = len(players) - len(shown)
    listed = ", ".join(shown)
    if more > 0:
        listed = _("%(players)s and %(more)s more") % {"players": listed, "more": number(more)}
    return _("<b>Players (%(count)s):</b> %(players)s") % {
        "count": number(len(players)),
        "players": listed,
    }


def _setup(deck_title: str, config: BattleConfig) -> str:
    return _("Deck: %(deck)s · %(rounds)s · %(seconds)s s each") % {
        "deck": f"<b>{esc(clip(deck_title, 60))}</b>",
        "rounds": count(config.rounds, "%(n)s round", "%(n)s rounds"),
        "seconds": number(config.seconds),
    }


def lobby_text(
    deck_title: str,
    config: BattleConfig,
    players: Sequence[Player],
    host_id: int,
    outcome: LobbyOutcome | None = None,
) -> str:
    """The lobby: setup, players so far, and what happens next (or how it closed)."""
    title = _("⚔️ <b>Revision battle!</b>")
    head = f"{title}\n{_setup(deck_title, config)}\n{_players(players, host_id)}\n\n"
    if outcome is LobbyOutcome.STARTED:
        return head + _("🚀 <b>The battle is on!</b> Answer fast: speed earns points.")
    if outcome is LobbyOutcome.NOT_ENOUGH_PLAYERS:
        return head + _(
            "😴 Not enough players joined in time (a battle needs %(least)s). Start another one "
            "with /battle."
        ) % {"least": MIN_PLAYERS}
    if outcome is LobbyOutcome.STOPPED:
        return head + _("🛑 This battle was called off.")
    host = next((p for p in players if p.user_id == host_id), None)
    host_name = name(host.name) if host else _("The host")
    wait = int(LOBBY_WAIT.total_seconds())
    return head + _(
        "Tap <b>Join</b> to play. %(host)s taps <b>Start</b> when everyone is in; otherwise it "
        "starts by itself after %(wait)s s with %(least)s or more players."
    ) % {"host": host_name, "wait": wait, "least": MIN_PLAYERS}


def lobby_keyboard(battle_id: int) -> InlineKeyboardMarkup:
    """Join and Start."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🙋 Join"), callback_data=encode(BattleTap(battle_id, "join"))
                ),
                InlineKeyboardButton(
                    _("🚀 Start"), callback_data=encode(BattleTap(battle_id, "start"))
                ),
            ]
        ]
    )


def _asked(round_row: RoundRow, budget: int = PROMPT_BUDGET) -> str:
    """The round's question, escaped; an empty prompt is a picture or sound that is the question."""
    if not round_row.prompt and round_row.front_media is not None:
        return esc(_(MEDIA_QUESTION))
    # A prompt that is a whole side (never one with a blank) keeps the side's formatting.
    if round_row.front_html and round_row.prompt == readable_latex(round_row.front):
        return card_html(round_row.front, round_row.front_html, budget)
    if round_row.back_html and round_row.prompt == readable_latex(round_row.back):
        return card_html(round_row.back, round_row.back_html, budget)
    return esc(clip(round_row.prompt, budget))


def _question(round_row: RoundRow, round_no: int, total: int) -> str:
    label = _(KIND_LABELS.get(round_row.kind, N_("Question")))
    options = "\n".join(
        f"<b>{option_letter(i)}</b>) {esc(clip(option, OPTION_CHARS))}"
        for i, option in enumerate(round_row.options)
    )
    heading = _round_heading(round_no, total)
    return f"⚔️ {heading} · <i>{label}</i>\n\n{_asked(round_row)}\n\n{options}"


def _round_heading(round_no: int, total: int) -> str:
    return _("<b>Round %(number)s/%(total)s</b>") % {"number": round_no, "total": total}


def round_text(round_row: RoundRow, round_no: int, total: int, seconds: int) -> str:
    """A round's question, its lettered options and the time limit."""
    limit = _("⏱ %(seconds)s s — first tap counts!") % {"seconds": number(seconds)}
    return f"{_question(round_row, round_no, total)}\n\n{limit}"


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
    return _("%(seconds)s s") % {"seconds": number(value, 1)}


def reveal_text(
    round_row: RoundRow, reveal: RevealRound, total: int, room: int = TEXT_LIMIT
) -> str:
    """The round's message after it closed: right answer, everyone's result, the card back.

    Within `room` characters (a caption's 1,024 when the round shows the card's picture): the
    question and the back are shortened to make room, never the results."""
    right = reveal.correct_option
    answer = round_row.options[right] if 0 <= right < len(round_row.options) else round_row.answer
    heading = f"⚔️ {_round_heading(reveal.round_no, total)} · <i>{_('closed')}</i>\n"
    answer_line = f"\n✅ <b>{option_letter(right)}) {esc(clip(answer, OPTION_CHARS))}</b>"
    results = _results(reveal)
    prompt_budget, back_budget = PROMPT_BUDGET, BACK_BUDGET
    fixed = visible_length("\n".join([heading, answer_line, "\n", *results]))
    spare = room - fixed - REVEAL_SLACK
    if spare < prompt_budget + back_budget:
        # The results must show: the question gets two thirds of what is left, the back the rest.
        prompt_budget = max(0, spare * 2 // 3)
        back_budget = max(0, spare - prompt_budget)
    lines = [heading, _asked(round_row, prompt_budget), answer_line]
    if back_budget:
        lines.append(f"<i>{card_html(round_row.back, round_row.back_html, back_budget)}</i>\n")
    return "\n".join(lines + results)


def _results(reveal: RevealRound) -> list[str]:
    """Everyone's result in the round, then a line when nobody got it."""
    lines: list[str] = []
    for result in reveal.results[:MAX_LISTED_PLAYERS]:
        who = name(result.name)
        if result.option is None or result.seconds is None:
            lines.append(_("⌛ %(name)s — no answer") % {"name": who})
        elif result.correct:
            lines.append(f"✅ {who} +{result.points} ({_seconds(result.seconds)})")
        else:
            chose = {"name": who, "letter": option_letter(result.option)}
            lines.append(_("❌ %(name)s chose %(letter)s — 0") % chose)
    if not any(r.correct for r in reveal.results):
        lines.append("\n" + _("Nobody got this one."))
    return lines


def cancelled_text(round_row: RoundRow, round_no: int, total: int) -> str:
    """A round that was open when the battle stopped: it does not count."""
    stopped = _("🛑 Stopped — this round does not count.")
    return f"{_question(round_row, round_no, total)}\n\n{stopped}"


def finish_text(table: Standings, stopped: bool) -> str:
    """The podium (🥇🥈🥉), everyone's points and right answers, and the fastest answer."""
    if stopped:
        head = _("🛑 <b>Battle stopped — standings so far</b>")
    else:
        head = _("🏁 <b>Battle over!</b>")
    if table.rounds_played == 0:
        return f"{head}\n" + _("No round was finished, so nobody scores.")
    played = ngettext(
        "<i>%(n)s round played</i>", "<i>%(n)s rounds played</i>", table.rounds_played
    ) % {"n": number(table.rounds_played)}
    lines = [head, played + "\n"]
    for standing in table.table[:MAX_LISTED_PLAYERS]:
        place = standing.medal or f"{standing.place}."
        lines.append(
            _("%(place)s %(name)s — %(points)s pts · %(right)s/%(rounds)s right")
            % {
                "place": place,
                "name": name(standing.name),
                "points": f"<b>{standing.points}</b>",
                "right": standing.right,
                "rounds": table.rounds_played,
            }
        )
    if table.fastest is not None:
        fast = table.fastest
        lines.append(
            "\n"
            + _("⚡ Fastest answer: %(name)s, %(time)s (round %(round)s)")
            % {"name": name(fast.name), "time": _seconds(fast.seconds), "round": fast.round_no}
        )
    lines.append("\n" + _("🏆 The group's /leaderboard is updated."))
    return "\n".join(lines)


def leaderboard_text(rows: Sequence[LeaderRow]) -> str:
    """The group's all-time table: points, battles won, accuracy."""
    if not rows:
        return _(_TEXTS["EMPTY_LEADERBOARD"])
    lines = [_("🏆 <b>All-time leaderboard</b>") + "\n"]
    for place, row in enumerate(rows, start=1):
        accuracy = round(100 * row.right / row.answered) if row.answered else 0
        lines.append(
            _("%(place)s. %(name)s — %(points)s pts · %(wins)s in %(battles)s · %(accuracy)s right")
            % {
                "place": place,
                "name": name(row.name),
                "points": f"<b>{row.points}</b>",
                "wins": count(row.wins, "%(n)s win", "%(n)s wins"),
                "battles": count(row.battles, "%(n)s battle", "%(n)s battles"),
                "accuracy": percent(accuracy / 100),
            }
        )
    return "\n".join(lines)


def deadline_hint(deadline: datetime, now: datetime) -> int:
    """Whole seconds left until a deadline (never negative)."""
    return max(int((deadline - now).total_seconds() + 0.999), 0)
