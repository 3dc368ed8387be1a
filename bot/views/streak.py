"""How /streak looks."""

from __future__ import annotations

from bot.core.streaks import MAX_FREEZES, StreakView
from bot.views.i18n import _, count, number


def days(n: int) -> str:
    """'1 day', '3 days' in the current locale."""
    return count(n, "%(n)s day", "%(n)s days")


def streak_text(s: StreakView) -> str:
    """Current and best streak, freezes held, and whether today is done."""
    lines = [
        _("🔥 <b>Current streak:</b> %(days)s") % {"days": days(s.current)},
        _("🏆 Best: %(days)s") % {"days": days(s.best)},
    ]
    # Freezes that already covered missed days are spent, even before today's study records it.
    held = {"held": number(s.freezes - s.freezes_pending), "most": number(MAX_FREEZES)}
    lines.append(_("🧊 Streak freezes: %(held)s/%(most)s") % held)
    if s.studied_today:
        lines.append(_("✅ Today is done — see you tomorrow!"))
    elif s.current > 0:
        lines.append(_("⏳ Not studied yet today — /quiz keeps your streak alive."))
    else:
        lines.append(_("Study today with /quiz to start a streak."))
    if s.freezes_pending:
        missed = count(s.freezes_pending, "%(n)s missed day", "%(n)s missed days")
        lines.append(
            _("🧊 A streak freeze saved your %(days)s streak (%(missed)s covered).")
            % {"days": days(s.current), "missed": missed}
        )
    if s.lost_streak:
        lines.append(
            _("Your %(days)s streak ended — a new one starts today.")
            % {"days": days(s.lost_streak)}
        )
    return "\n".join(lines)
