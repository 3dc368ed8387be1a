"""How /stats reads: the figures as a photo caption, and a group's battle board."""

from __future__ import annotations

from bot.services.stats import BattleSummary, GroupBoard, StatsReport
from bot.views.battle import leaderboard_text, name
from bot.views.fmt import CAPTION_LIMIT, clip, esc, plural
from bot.views.parameters import parameters_line

# Names listed per battle line; the rest are counted.
LISTED_PLAYERS = 6


def percent(share: float) -> str:
    """0.8333 → '83%'."""
    return f"{round(share * 100)}%"


def stats_caption(report: StatsReport) -> str:
    """Every figure of /stats in a few lines, short enough for a photo caption."""
    f = report.figures
    if f.today_accuracy is None:
        today = "no reviews yet"
    else:
        today = f"{plural(f.today_reviews, 'review')}, {percent(f.today_accuracy)} right"
    if f.true_retention is None:
        retention = "no mature reviews yet"
    else:
        retention = (
            f"<b>{percent(f.true_retention)}</b> of {plural(f.retention_reviews, 'mature review')}"
        )
    s = report.streak
    lines = [
        f"📊 <b>Your progress</b> — {esc(clip(report.deck_title, 80))}",
        f"📅 Today: {today}",
        f"🔥 Streak: {plural(s.current, 'day')} (best {s.best})",
        f"⏰ Due: <b>{f.due_now}</b> now · {f.due_today} today · {f.due_week} within 7 days",
        f"🧠 Questions: {f.new} new · {f.learning} learning · {f.young} young · {f.mature} mature",
        f"🎯 True retention (30 days): {retention} — target {percent(f.desired_retention)}",
        parameters_line(report.parameters, report.timezone),
    ]
    if f.is_empty:
        lines.append("Send /quiz to start — your chart fills up as you answer.")
    return clip("\n".join(lines), CAPTION_LIMIT)


def battle_line(battle: BattleSummary) -> str:
    """One past battle: date (UTC), rounds, players and the winner."""
    shown = [name(n) for n in battle.players[:LISTED_PLAYERS]]
    more = len(battle.players) - len(shown)
    players = ", ".join(shown) + (f" +{more}" if more > 0 else "")
    if battle.winner is None:
        result = "no winner"
    else:
        result = f"🥇 {name(battle.winner)} ({battle.winner_points} pts)"
    stopped = " (stopped)" if battle.stopped else ""
    return (
        f"• {battle.ended_at:%Y-%m-%d} · {plural(battle.rounds, 'round')}{stopped} · "
        f"{players} — {result}"
    )


def group_stats_text(board: GroupBoard) -> str:
    """A group's battle leaderboard and last battles, or a nudge when there are none yet."""
    if not board.leaders and not board.recent:
        return (
            "🏆 <b>No battles yet</b> in this group. Start one with /battle!\n"
            "Personal progress lives in a private chat with me: send /stats there."
        )
    lines = [leaderboard_text(board.leaders)]
    if board.recent:
        lines += ["", "⚔️ <b>Last battles</b>", *(battle_line(b) for b in board.recent)]
    # Whole lines only: cutting inside a tag would break the HTML.
    text = "\n".join(lines)
    while len(text) > 4096 and len(lines) > 1:
        lines.pop()
        text = "\n".join(lines)
    return text
