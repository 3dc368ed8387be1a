"""Captions of questions shown with a card's file: measured as Telegram counts them, kept within
its 1,024 characters, and the bot's id read from its token."""

from __future__ import annotations

from telegram import Bot

from bot.outbox.media import MAX_CAPTION, bot_id, captioned, fit_caption
from bot.views.fmt import visible_length


def test_length_is_counted_after_the_html_is_parsed() -> None:
    assert visible_length("<b>a &amp; b</b>") == len("a & b")
    assert visible_length("😀") == 2  # UTF-16 units, as Telegram counts
    assert captioned("<b>" + "x" * MAX_CAPTION + "</b>")
    assert not captioned("x" * (MAX_CAPTION + 1))


def test_a_long_caption_is_cut_to_fit_as_escaped_text() -> None:
    short = "<b>Cat</b>"
    assert fit_caption(short) == short
    cut = fit_caption("<i>a &lt; b</i> " + "word " * 400)
    assert visible_length(cut) <= MAX_CAPTION and cut.startswith("a &lt; b") and cut.endswith("…")


def test_the_bot_id_is_the_tokens_first_part() -> None:
    assert bot_id(Bot("123456789:AAE-token")) == 123456789
