"""The operator's summary of errors logged (bot.alerts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.views.fmt import clip, esc
from bot.views.i18n import count

if TYPE_CHECKING:
    from bot.alerts import Trouble

SHOWN = 10


def summary_text(troubles: list[Trouble], since: float) -> str:
    """'⚠️ 3 errors logged since 14:05 UTC', then one line per kind, most frequent first."""
    total = sum(t.count for t in troubles)
    start = datetime.fromtimestamp(since, UTC).strftime("%d %b %H:%M UTC")
    errors = count(total, "%(n)s error", "%(n)s errors")
    lines = [f"⚠️ <b>{errors} logged</b> since {start}"]
    for trouble in troubles[:SHOWN]:
        kind = f" ({esc(trouble.exception)})" if trouble.exception else ""
        times = f" ×{trouble.count}" if trouble.count > 1 else ""
        lines.append(
            f"• <code>{esc(clip(trouble.logger, 60))}</code>: "
            f"{esc(clip(trouble.template, 160))}{kind}{times}"
        )
    if len(troubles) > SHOWN:
        others = count(len(troubles) - SHOWN, "%(n)s other kind", "%(n)s other kinds")
        lines.append(f"… and {others}")
    lines.append("<i>Details are in the bot's log.</i>")
    # At most SHOWN lines of bounded length: well within a message (4,096 characters).
    return "\n".join(lines)
