"""How /stats reads: the figures as a photo caption, and a group's battle board."""

from __future__ import annotations

from bot.services.stats import BattleSummary, GroupBoard, StatsReport
from bot.views.battle import leaderboard_text, name
from bot.views.fmt import CAPTION_LIMIT, clip, esc
from bot.views.i18n import _, count, number
from bot.views.i18n import percent as locale_percent
from bot.views.parameters import parameters_line
from bot.views.streak import days

# Names listed per battle line; the rest are counted.
LISTED_PLAYERS = 6


def percent(share: float) -> str:
    """0.8333 → '83%' (as the current locale writes it: '83 %' in German)."""
    return locale_percent(round(share * 100) / 100)


def stats_caption(report: StatsReport) -> str:
    """Every figure of /stats in a few lines, short enough for a photo caption."""
    f = report.figures
    if f.today_accuracy is None:
        today = _("no reviews yet")
    else:
        today = _("%(reviews)s, %(share)s right") % {
            "reviews": count(f.today_reviews, "%(n)s review", "%(n)s reviews"),
            "share": percent(f.today_accuracy),
        }
    if f.true_retention is None:
        retention = _("no mature reviews yet")
    else:
        retention = _("%(share)s of %(reviews)s") % {
            "share": f"<b>{percent(f.true_retention)}</b>",
            "reviews": count(f.retention_reviews, "%(n)s mature review", "%(n)s mature reviews"),
        }
    s = report.streak
    lines = [
        _("📊 <b>Your progress</b> — %(deck)s") % {"deck": esc(clip(report.deck_title, 80))},
        _("📅 Today: %(today)s") % {"today": today},
        _("🔥 Streak: %(days)s (best %(best)s)")
        % {"days": days(s.current), "best": number(s.best)},
        _("⏰ Due: %(now)s now · %(today)s today · %(week)s within 7 days")
        % {
            "now": f"<b>{number(f.due_now)}</b>",
            "today": number(f.due_today),
            "week": number(f.due_week),
        },
        _("🧠 Questions: %(new)s new · %(learning)s learning · %(young)s young · %(mature)s mature")
        % {
            "new": number(f.new),
            "learning": number(f.learning),
            "young": number(f.young),
            "mature": number(f.mature),
        },
        _("🎯 True retention (30 days): %(retention)s — target %(target)s")
        % {"retention": retention, "target": percent(f.desired_retention)},
        parameters_line(report.parameters, report.timezone),
    ]
    if f.is_empty:
        lines.append(_("Send /quiz to start — your chart fills up as you answer."))
    return clip("\n".join(lines), CAPTION_LIMIT)


def battle_line(battle: BattleSummary) -> str:
    """One past battle: date (UTC), rounds, players and the winner."""
    shown = [name(n) for n in battle.players[:LISTED_PLAYERS]]
    more = len(battle.players) - len(shown)
    players = ", ".join(shown) + (f" +{more}" if more > 0 else "")
    if battle.winner is None:
        result = _("no winner")
    else:
        result = _("🥇 %(name)s (%(points)s pts)") % {
            "name": name(battle.winner),
            "points": battle.winner_points,
        }
    rounds = count(battle.rounds, "%(n)s round", "%(n)s rounds")
    if battle.stopped:
        rounds = _("%(rounds)s (stopped)") % {"rounds": rounds}
    return f"• {battle.ended_at:%Y-%m-%d} · {rounds} · {players} — {result}"


def group_stats_text(board: GroupBoard) -> str:
    """A group's battle leaderboard and last battles, or a nudge when there are none yet."""
    if not board.leaders and not board.recent:
        return _(
            "🏆 <b>No battles yet</b> in this group. Start one with /battle!\n"
            "Personal progress lives in a private chat with me: send /stats there."
        )
    lines = [leaderboard_text(board.leaders)]
    if board.recent:
        lines += ["", _("⚔️ <b>Last battles</b>"), *(battle_line(b) for b in board.recent)]
    # Whole lines only: cutting inside a tag would break the HTML.
    text = "\n".join(lines)
    while len(text) > 4096 and len(lines) > 1:
        lines.pop()
        text = "\n".join(lines)
    return text
