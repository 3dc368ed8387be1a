"""Small text helpers: HTML escaping, Telegram-sized clipping, human dates."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from bot.core.timezones import zone_for
from bot.views.i18n import _, day_month, in_duration, weekday

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"
_TAG = re.compile(r"<[^>]*>")


def esc(text: str) -> str:
    """Escape user or deck text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def visible_text(text_html: str) -> str:
    """What a person sees of an HTML text: its tags gone, its entities read."""
    return html.unescape(_TAG.sub("", text_html))


def visible_length(text_html: str) -> int:
    """How long Telegram counts an HTML text once parsed (UTF-16 units of the visible text)."""
    return utf16_len(visible_text(text_html))


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


def when(due: datetime, now: datetime, zone_name: str) -> str:
    """A due time as a person says it: 'now', 'in 10 minutes', 'tomorrow at 09:10', 'on 3 Dec at 09:10'."""
    if due <= now:
        return _("now")
    delta = due - now
    if delta < timedelta(minutes=1):
        return _("in less than a minute")
    if delta < timedelta(hours=1):
        return in_duration(timedelta(minutes=round(delta.total_seconds() / 60)))
    zone = zone_for(zone_name)
    local_due = due.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = {"time": local_due.strftime("%H:%M")}
    days = (local_due.date() - today).days
    if days == 0:
        return _("today at %(time)s") % clock
    if days == 1:
        return _("tomorrow at %(time)s") % clock
    if days < 7:
        return _("on %(weekday)s at %(time)s") % {"weekday": weekday(local_due), **clock}
    if local_due.year == today.year:
        return _("on %(date)s at %(time)s") % {"date": day_month(local_due.date()), **clock}
    return _("on %(date)s") % {"date": day_month(local_due.date(), year=True)}
