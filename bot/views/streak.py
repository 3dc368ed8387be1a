"""How /streak looks."""

from __future__ import annotations

from bot.core.streaks import MAX_FREEZES, StreakView
from bot.views.fmt import plural


def streak_text(s: StreakView) -> str:
    """Current and best streak, freezes held, and whether today is done."""
    lines = [
        f"🔥 <b>Current streak:</b> {plural(s.current, 'day')}",
        f"🏆 Best: {plural(s.best, 'day')}",
    ]
    # Freezes that already covered missed days are spent, even before today's study records it.
    lines.append(f"🧊 Streak freezes: {s.freezes - s.freezes_pending}/{MAX_FREEZES}")
    if s.studied_today:
        lines.append("✅ Today is done — see you tomorrow!")
    elif s.current > 0:
        lines.append("⏳ Not studied yet today — /quiz keeps your streak alive.")
    else:
        lines.append("Study today with /quiz to start a streak.")
    if s.freezes_pending:
        lines.append(
            f"🧊 A streak freeze saved your {plural(s.current, 'day')} streak "
            f"({plural(s.freezes_pending, 'missed day')} covered)."
        )
    if s.lost_streak:
        lines.append(f"Your {plural(s.lost_streak, 'day')} streak ended — a new one starts today.")
    return "\n".join(lines)
