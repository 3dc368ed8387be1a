"""The daily group question: /dailyq's answers, the question with buttons (when a poll cannot
hold it), its close, and the weekly table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.battle_effects import option_letter
from bot.core.daily import BAD_HOURS, NOT_A_TIME, DailyArgsError, Standing, winners
from bot.services.daily import CloseReport, DailyInfo
from bot.storage.daily import DailyRow
from bot.views.callbacks import DailyTap, encode
from bot.views.fmt import clip, esc
from bot.views.i18n import N_, _, count, day_month
from bot.views.quiz import MEDIA_QUESTION

PROMPT_CHARS = 3000
OPTION_CHARS = 300
NAME_CHARS = 40
TABLE_LINES = 10

# Short replies, translated when read (`view.ADMINS_ONLY`): see __getattr__ below.
_TEXTS = {
    "IN_PRIVATE": N_("The daily question is for groups: send /dailyq in a group."),
    "ADMINS_ONLY": N_("Only the group's admins can turn the daily question on or off."),
    "USAGE": N_(
        "Send <code>/dailyq 19:00</code> to post a question every day at that time "
        "(<code>/dailyq 19:00 6</code> keeps it open 6 hours instead of 12), "
        "<code>/dailyq off</code> to stop, <code>/dailyq top</code> for this week's table."
    ),
    "LOCKED_IN": N_("Locked in"),
    "ALREADY_ANSWERED": N_("You already answered"),
    "CLOSED": N_("This question is closed"),
    "GONE": N_("This question is no longer here"),
}


def __getattr__(attribute: str) -> str:
    """A short reply of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


def info_text(info: DailyInfo) -> str:
    """What /dailyq says: when the question comes, in which zone, and where the zone came from."""
    if info.at is None:
        return _(
            "🗓 No daily question in this group. An admin turns it on with "
            "<code>/dailyq 19:00</code> (<code>/dailyq off</code> stops it)."
        )
    lines = [
        _("🗓 Daily question: every day at <b>%(time)s</b> (%(zone)s), open for %(hours)s.")
        % {
            "time": info.at,
            "zone": esc(info.zone),
            "hours": count(info.hours, "%(n)s hour", "%(n)s hours"),
        }
    ]
    if info.zone_from == "admin":
        lines.append(_("The group had no time zone, so it takes yours (set with /timezone)."))
    elif info.zone_from == "utc":
        lines.append(
            _(
                "No time zone known, so times are UTC: set yours with /timezone in our private "
                "chat, then send /dailyq again."
            )
        )
    lines.append(
        _(
            "Answer the question (a poll, or letter buttons when it is too long for a poll): "
            "the first right answer is named when it closes."
        )
    )
    return "\n".join(lines)


def show_text(info: DailyInfo) -> str:
    """What a bare /dailyq says: the settings, then how to change them (said once)."""
    if info.at is None:
        return _("🗓 No daily question in this group.") + "\n\n" + _(_TEXTS["USAGE"])
    return info_text(info) + "\n\n" + _(_TEXTS["USAGE"])


def args_error_text(error: DailyArgsError) -> str:
    """What is wrong with /dailyq's arguments, then how to write them."""
    value = esc(clip(error.value, 20))
    if error.reason == NOT_A_TIME:
        wrong = _("%(value)s is not a time of day: use HH:MM, e.g. 19:00.") % {"value": value}
    elif error.reason == BAD_HOURS:
        wrong = _(
            "%(value)s is not a number of hours: a question stays open 1 to 23 hours, "
            "e.g. <code>/dailyq 19:00 6</code>."
        ) % {"value": value}
    else:
        wrong = _("That is too much after /dailyq.")
    return wrong + "\n\n" + _(_TEXTS["USAGE"])


def _heading() -> str:
    return _("❓ <b>Question of the day</b>")


def poll_question(row: DailyRow) -> str:
    """The poll's question (plain text): the prompt, or "What is this?" under a picture or sound
    that is the question itself."""
    return row.prompt or _(MEDIA_QUESTION)


def picture_caption() -> str:
    """The caption of the card's picture or sound posted right before the day's poll."""
    return _heading()


def question_text(row: DailyRow) -> str:
    """A question a poll cannot hold, asked with buttons (a caption when the card has a file)."""
    return _heading() + "\n\n" + esc(clip(poll_question(row), PROMPT_CHARS))


def question_keyboard(row: DailyRow) -> InlineKeyboardMarkup:
    """One button per option, lettered."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{option_letter(i)}. {clip(option, OPTION_CHARS)}",
                    callback_data=encode(DailyTap(row.id, i)),
                )
            ]
            for i, option in enumerate(row.options)
        ]
    )


def close_text(report: CloseReport) -> str:
    """The close: the right answer, who got it first, how many were right."""
    row = report.row
    lines = [
        _("✅ Answer: <b>%(answer)s</b>")
        % {"answer": esc(clip(row.options[row.right_index], OPTION_CHARS))}
    ]
    if report.first is not None:
        lines.append(
            _("🥇 First right answer: %(name)s") % {"name": esc(clip(report.first[1], NAME_CHARS))}
        )
    else:
        lines.append(_("Nobody got it right this time."))
    lines.append(
        _("%(right)s of %(answered)s right.")
        % {
            "right": report.right,
            "answered": count(report.answered, "%(n)s answer", "%(n)s answers"),
        }
    )
    return "\n".join(lines)


def _table_lines(table: Sequence[Standing]) -> list[str]:
    return [
        _("%(rank)s. %(name)s — %(right)s right · %(firsts)s first")
        % {
            "rank": s.rank,
            "name": esc(clip(s.name, NAME_CHARS)),
            "right": s.right,
            "firsts": s.firsts,
        }
        for s in list(table)[:TABLE_LINES]
    ]


def _crown(table: Sequence[Standing]) -> str | None:
    best = winners(table)
    if not best:
        return None
    return _("👑 Best of the week: %(names)s") % {
        "names": ", ".join(esc(clip(s.name, NAME_CHARS)) for s in best)
    }


def weekly_text(weekly: str) -> str:
    """Last week's table, posted with the first question of a new week."""
    data = json.loads(weekly)
    table = [Standing(r[0], 0, r[1], r[2], r[3], r[4]) for r in data["rows"]]
    head = _("🏆 <b>The week of %(day)s</b>") % {"day": day_month(date.fromisoformat(data["week"]))}
    crown = _crown(table)
    return "\n".join([head, *_table_lines(table), *([crown] if crown else [])])


def top_text(table: Sequence[Standing]) -> str:
    """/dailyq top: this week's table so far."""
    if not table:
        return _("🏆 No answers yet this week.")
    crown = _crown(table)
    return "\n".join(
        [_("🏆 <b>This week so far</b>"), *_table_lines(table), *([crown] if crown else [])]
    )
