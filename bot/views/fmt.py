"""Small text helpers: HTML escaping, Telegram-sized clipping, human dates."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from bot.core.timezones import zone_for

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"


def esc(text: str) -> str:
    """Escape user or deck text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, ending in "…" when cut."""
    if utf16_len(text) <= limit:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > limit - 1:
            break
        out.append(char)
        used += width
    return "".join(out).rstrip() + ELLIPSIS


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 day', '3 days'."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def when(due: datetime, now: datetime, zone_name: str) -> str:
    """A due time as a person says it: 'now', 'in 10 minutes', 'tomorrow at 09:10', 'on 3 Dec at 09:10'."""
    if due <= now:
        return "now"
    delta = due - now
    if delta < timedelta(minutes=1):
        return "in less than a minute"
    if delta < timedelta(hours=1):
        return f"in {plural(round(delta.total_seconds() / 60), 'minute')}"
    zone = zone_for(zone_name)
    local_due = due.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = local_due.strftime("%H:%M")
    days = (local_due.date() - today).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    if days < 7:
        return f"on {local_due.strftime('%A')} at {clock}"
    if local_due.year == today.year:
        return f"on {local_due.day} {local_due.strftime('%b')} at {clock}"
    return f"on {local_due.day} {local_due.strftime('%b %Y')}"
