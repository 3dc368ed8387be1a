"""/export's CSV files and /forget's texts.

Two CSV documents rather than one zip: each opens directly in a spreadsheet on a phone, and each
has one kind of row. Times are ISO 8601 in UTC (`2026-03-04T15:00:00Z`); files are UTF-8 with a
byte-order mark so spreadsheet programs read accents right. Text that a spreadsheet would run as a
formula (deck text is anyone's) is written with a leading quote, as OWASP advises for CSV injection.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.userdata import UserExport
from bot.views.callbacks import MenuTap, encode
from bot.views.i18n import N_, _, count

STATE_NAMES = {1: "learning", 2: "review", 3: "relearning"}
RATING_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}
PROGRESS_COLUMNS = [
    "question_id",
    "deck",
    "kind",
    "question",
    "answer",
    "state",
    "due",
    "stability",
    "difficulty",
    "reviews",
    "lapses",
    "last_review",
]
REVIEW_COLUMNS = [
    "review_id",
    "reviewed_at",
    "local_day",
    "question_id",
    "deck",
    "kind",
    "question",
    "rating",
    "rating_name",
    "correct",
    "outcome",
    "answer_given",
    "duration_ms",
    "state_after",
    "due_after",
    "stability_after",
    "difficulty_after",
]
FORGET_TAP = "forget"


def iso(ts: int | None) -> str:
    """Unix seconds as ISO 8601 UTC, '' for None."""
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Text as a spreadsheet shows it rather than runs it: a would-be formula gets a leading quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _num(value: float | int | None) -> str:
    # repr keeps every digit, so a value read back is the value stored.
    return "" if value is None else repr(value)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    # Every cell, not only the deck's text: a number of ours never starts with a sign, so only
    # text can be touched, and no column is left for a later change to forget.
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def progress_csv(data: UserExport) -> bytes:
    """One row per question the user has a schedule for."""
    return _csv(
        PROGRESS_COLUMNS,
        [
            [
                str(p.question_id),
                p.deck,
                p.kind,
                p.prompt,
                p.answer,
                STATE_NAMES.get(p.state, str(p.state)),
                iso(p.due),
                _num(p.stability),
                _num(p.difficulty),
                str(p.reviews),
                str(p.lapses),
                iso(p.last_review),
            ]
            for p in data.progress
        ],
    )


def reviews_csv(data: UserExport) -> bytes:
    """One row per answer, oldest first."""
    return _csv(
        REVIEW_COLUMNS,
        [
            [
                str(r.review_id),
                iso(r.reviewed_at),
                r.local_day,
                str(r.question_id),
                r.deck,
                r.kind,
                r.prompt,
                str(r.rating),
                RATING_NAMES.get(r.rating, ""),
                "" if r.correct is None else ("yes" if r.correct else "no"),
                r.outcome,
                r.given or "",
                _num(r.duration_ms),
                STATE_NAMES.get(r.state, str(r.state)),
                iso(r.due),
                _num(r.stability),
                _num(r.difficulty),
            ]
            for r in data.reviews
        ],
    )


def export_names(today: date) -> tuple[str, str]:
    """File names of the two documents."""
    return f"quizmaster-progress-{today}.csv", f"quizmaster-reviews-{today}.csv"


def export_caption(data: UserExport, which: str) -> str:
    """A one-line caption for each document."""
    if which == "progress":
        return count(
            len(data.progress),
            "📦 Your progress: %(n)s question with a schedule.",
            "📦 Your progress: %(n)s questions with a schedule.",
        )
    return count(
        len(data.reviews),
        "🗒 Your review log: %(n)s answer, oldest first.",
        "🗒 Your review log: %(n)s answers, oldest first.",
    )


# Short replies, translated when read (`view.KEPT`): see __getattr__ below.
_TEXTS = {
    "NOTHING_TO_EXPORT": N_("Nothing to export yet — answer a few questions with /quiz first."),
    "EXPORT_IN_PRIVATE": N_("Your data is yours alone: send /export in a private chat with me."),
    "FORGET_IN_PRIVATE": N_("Send /forget in a private chat with me."),
    "FORGET_ASK": N_(
        "🗑 <b>Delete everything I store about you?</b>\n"
        "Your progress, review history, streak, settings, reminders, your own decks and your "
        "battle scores will be deleted for good. Tip: /export first to keep a copy.\n"
        "Messages already in this chat stay; you can delete the chat yourself."
    ),
    "FORGET_YES": N_("Yes, delete everything"),
    "FORGET_NO": N_("No, keep my data"),
    "FORGOTTEN": N_(
        "✅ Done — I deleted everything I stored about you. If you send /start again, "
        "we begin from scratch."
    ),
    "KEPT": N_("👍 Nothing was deleted."),
    "DELETED_TOAST": N_("Deleted"),
    "STALE_BUTTON": N_("This button no longer works"),
}


def __getattr__(attribute: str) -> str:
    """A short reply of this module in the current locale, looked up when used."""
    try:
        return _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None


def forget_keyboard() -> InlineKeyboardMarkup:
    """Confirm or cancel the deletion."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _(_TEXTS["FORGET_YES"]), callback_data=encode(MenuTap(FORGET_TAP, "yes"))
                )
            ],
            [
                InlineKeyboardButton(
                    _(_TEXTS["FORGET_NO"]), callback_data=encode(MenuTap(FORGET_TAP, "no"))
                )
            ],
        ]
    )
