"""How /stats reads: the figures as a photo caption, and a group's battle board."""

from __future__ import annotations

from bot.services.stats import GroupBoard, StatsReport
from bot.views.fmt import CAPTION_LIMIT, clip, esc, plural


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
    ]
    if f.is_empty:
        lines.append("Send /quiz to start — your chart fills up as you answer.")
    return clip("\n".join(lines), CAPTION_LIMIT)


def group_stats_text(board: GroupBoard) -> str:
    """A group's battle leaderboard and last battles, or a nudge when there are none yet."""
    if not board.leaders and not board.recent:
        return (
            "🏆 <b>No battles yet</b> in this group.\n"
            "Personal progress lives in a private chat with me: send /stats there."
        )
    lines = ["🏆 <b>Leaderboard</b>", *board.leaders]
    if board.recent:
        lines += ["", "⚔️ <b>Last battles</b>", *board.recent]
    return clip("\n".join(lines), 4096)
