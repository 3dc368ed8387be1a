"""How quiz questions, reveals and summaries look in the chat."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cards.richtext import card_html, readable_latex
from bot.core.grading import spelling_hint
from bot.core.scheduling import Grade
from bot.core.streaks import FreezeEarned, FreezeUsed
from bot.services.views import (
    NothingDue,
    QuestionView,
    RevealView,
    SessionSummary,
    StreakNews,
)
from bot.views.callbacks import MenuTap, QuizTap, encode
from bot.views.fmt import clip, esc, plural, when

KIND_LABELS = {
    "recall": "Recall",
    "reverse": "Recall — the other way round",
    "choice": "Choose the answer",
    "identify": "Which card is this?",
    "cloze": "Fill in the blank",
    "typed": "Type the answer",
}
OUTCOME_LINES = {
    "right": "✅ <b>Right!</b>",
    "wrong": "❌ <b>Not quite.</b>",
    "close": "🟡 <b>Close — check the spelling.</b> It counts as wrong this time.",
    "again": "🔁 Graded <b>Again</b>",
    "hard": "😓 Graded <b>Hard</b>",
    "good": "👍 Graded <b>Good</b>",
    "easy": "😎 Graded <b>Easy</b>",
    "overridden": "✅ <b>Counted as right</b> — you said your answer was right.",
}
GRADE_LABELS = [
    (Grade.AGAIN, "Again"),
    (Grade.HARD, "Hard"),
    (Grade.GOOD, "Good"),
    (Grade.EASY, "Easy"),
]
LETTERS = "ABCDEFGH"
BUTTON_CHARS = 60
# Options longer than this are listed in the message under letters, with lettered buttons.
SHORT_OPTION_CHARS = 40
OPTION_CHARS = 300
# Room for deck text in one message, leaving space for our own lines (Telegram allows 4096).
FRONT_BUDGET = 900
BODY_BUDGET = 3000
ACCEPTED_SHOWN = 4
RETRY_LINE = "🔁 <i>Once more — you missed this one earlier.</i>\n"
ANSWERED_AGAIN = "<i>You have answered this question again since: that answer stands.</i>"
OVERRIDE_BUTTON = "✋ I was right"
DONT_KNOW_BUTTON = "🤷 I don't know"
CLOSED_LINE = (
    "<i>This session ended before this question was answered. Send /quiz for a new one.</i>"
)
TOASTS = {"right": "✅ Right!", "wrong": "❌ Not quite", "close": "🟡 Close — check the spelling"}


def _header(q: QuestionView) -> str:
    retry = RETRY_LINE if q.retry else ""
    return (
        f"<b>Question {q.position + 1}/{q.size}</b> · {esc(clip(q.deck_title, 60))}\n"
        f"{retry}<i>{KIND_LABELS.get(q.kind, q.kind)}</i>\n\n"
    )


def _card(q: QuestionView) -> str:
    return f"<b>{_front(q)}</b>\n{_back(q)}"


def _front(q: QuestionView) -> str:
    """The card's front as the deck formats it (formulas readable), escaped."""
    return card_html(q.front, q.front_html, FRONT_BUDGET)


def _back(q: QuestionView) -> str:
    return card_html(q.back, q.back_html, BODY_BUDGET)


def _asked(q: QuestionView) -> str:
    """A prompt that is the card's front keeps the front's formatting."""
    if q.prompt == readable_latex(q.front):
        return _front(q)
    return esc(clip(q.prompt, FRONT_BUDGET))


def _lettered(q: QuestionView) -> bool:
    return any(len(option) > SHORT_OPTION_CHARS for option in q.options)


def _options_block(q: QuestionView) -> str:
    if not _lettered(q):
        return ""
    lines = [
        f"<b>{LETTERS[i]}</b>) {esc(clip(option, OPTION_CHARS))}"
        for i, option in enumerate(q.options)
    ]
    return "\n\n" + "\n".join(lines)


def _prompt_under_front(q: QuestionView) -> str:
    """A blank's prompt: its card's front (the first line) in bold, then the sentence."""
    front, _, rest = q.prompt.partition("\n")
    if rest and front == readable_latex(q.front):
        return f"<b>{_front(q)}</b>\n{esc(clip(rest, BODY_BUDGET))}"
    return esc(clip(q.prompt, BODY_BUDGET))


def question_text(q: QuestionView) -> str:
    """The message that asks a question (or, for a revealed self-graded one, shows its answer)."""
    head = _header(q)
    if q.kind == "recall":
        front = f"<b>{_front(q)}</b>"
        if q.revealed:
            return f"{head}{front}\n\n{_back(q)}\n\n<i>How well did you remember it?</i>"
        return f"{head}{front}\n\n<i>Recall the answer, then tap Show answer.</i>"
    if q.kind == "reverse":
        back = esc(clip(q.prompt, BODY_BUDGET))
        if q.revealed:
            front = f"<b>{_front(q)}</b>"
            return f"{head}{back}\n\n{front}\n\n<i>How well did you remember it?</i>"
        return f"{head}{back}\n\n<i>Recall the front of this card, then tap Show answer.</i>"
    if q.kind == "identify":
        return f"{head}{esc(clip(q.prompt, BODY_BUDGET))}{_options_block(q)}"
    if q.kind == "choice":
        return f"{head}<b>{_asked(q)}</b>{_options_block(q)}"
    if q.kind == "cloze":
        body = _prompt_under_front(q)
        if q.options:
            return f"{head}{body}{_options_block(q)}\n\n<i>Tap the answer or type it.</i>"
        return f"{head}{body}\n\n✍️ <i>Type the missing words.</i>"
    return f"{head}<b>{_asked(q)}</b>\n\n✍️ <i>Type your answer.</i>"


def closed_question_text(q: QuestionView) -> str:
    """A question whose session ended before it was answered: shown, with no buttons to tap."""
    return f"{question_text(q)}\n\n{CLOSED_LINE}"


def answer_toast(outcome: str) -> str:
    """The toast a tapped answer gets (none for a self-grade)."""
    return TOASTS.get(outcome, "")


def _button(label: str, tap: QuizTap | MenuTap) -> InlineKeyboardButton:
    return InlineKeyboardButton(clip(label, BUTTON_CHARS), callback_data=encode(tap))


def wait_text(wait: timedelta) -> str:
    """A grade's interval as Anki shows it on its button: 1m, 10m, 2h, 4d, 1.5mo, 2.1y."""
    minutes = wait.total_seconds() / 60
    if minutes < 60:
        return f"{max(1, round(minutes))}m"
    if minutes < 24 * 60:
        return f"{round(minutes / 60)}h"
    days = wait.total_seconds() / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def question_keyboard(q: QuestionView) -> InlineKeyboardMarkup:
    """The buttons under a question."""
    if q.kind in ("recall", "reverse"):
        if not q.revealed:
            return InlineKeyboardMarkup(
                [[_button("👀 Show answer", QuizTap(q.session_id, q.position, "show"))]]
            )
        return InlineKeyboardMarkup(
            [
                [
                    _button(
                        f"{label} {wait_text(q.waits[i])}" if len(q.waits) == 4 else label,
                        QuizTap(q.session_id, q.position, "grade", int(g)),
                    )
                    for i, (g, label) in enumerate(GRADE_LABELS)
                ]
            ]
        )
    lettered = _lettered(q)
    buttons = [
        _button(LETTERS[i] if lettered else option, QuizTap(q.session_id, q.position, "option", i))
        for i, option in enumerate(q.options)
    ]
    if lettered:
        rows = [buttons]
    elif all(len(option) <= 18 for option in q.options):
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    else:
        rows = [[b] for b in buttons]
    if q.kind in ("typed", "cloze") and not q.options:
        rows.append([_button(DONT_KNOW_BUTTON, QuizTap(q.session_id, q.position, "giveup"))])
    return InlineKeyboardMarkup(rows)


def _hint_line(r: RevealView) -> str | None:
    """Where a close answer differs: the letters to check, underlined."""
    q = r.question
    if r.outcome != "close" or r.given is None:
        return None
    hint = spelling_hint(r.given, q.answer, q.accepted)
    if hint is None:
        return None
    marked = "".join(
        f"<u>{esc(text)}</u>" if differs else esc(text) for text, differs in hint.pieces
    )
    return f"Check the underlined letters: <b>{marked}</b>"


def reveal_text(r: RevealView, now_text: str) -> str:
    """The question's message once answered: right or wrong, the right answer, the whole card."""
    q = r.question
    lines = [_header(q) + OUTCOME_LINES.get(r.outcome, esc(r.outcome))]
    if q.kind in ("choice", "identify", "cloze", "typed"):
        if r.given is not None and r.outcome not in ("right",):
            lines.append(f"You answered: {esc(clip(r.given, 200))}")
        hint = _hint_line(r)
        if hint is not None:
            lines.append(hint)
        else:
            lines.append(f"Answer: <b>{esc(clip(q.answer, FRONT_BUDGET))}</b>")
        if q.kind in ("typed", "cloze") and q.accepted:
            shown = ", ".join(esc(clip(a, 60)) for a in q.accepted[:ACCEPTED_SHOWN])
            lines.append(f"<i>Also right: {shown}</i>")
    if q.kind == "cloze":
        _, _, sentence = q.prompt.partition("\n")
        filled = (sentence or q.prompt).replace("___", q.answer, 1)
        lines.append(f"\n{esc(clip(filled, 600))}")
    lines.append(f"\n{_card(q)}")
    lines.append(f"\n⏭ Next review of this question: {now_text}")
    if r.answered_again:
        lines.append(ANSWERED_AGAIN)
    return "\n".join(lines)


def reveal_keyboard(r: RevealView) -> InlineKeyboardMarkup | None:
    """ "I was right" under a typed answer graded wrong, while it can still be counted as right."""
    if not r.can_override:
        return None
    q = r.question
    return InlineKeyboardMarkup(
        [[_button(OVERRIDE_BUTTON, QuizTap(q.session_id, q.position, "override"))]]
    )


def streak_line(news: StreakNews) -> str:
    """'🔥 Streak: 3 days (best 5)'."""
    return f"🔥 Streak: {plural(news.current, 'day')} (best {news.best})"


def summary_text(s: SessionSummary) -> str:
    """The end-of-session message."""
    lines = [
        "🏁 <b>Session complete!</b>",
        f"{s.right}/{s.total} right",
    ]
    if s.retried:
        lines.append(
            f"🔁 {plural(s.retried, 'missed question')} came back: "
            f"{s.retried_right} right the second time"
        )
    lines.append(streak_line(s.streak))
    if s.next_due is None:
        lines.append("Send /quiz to learn more questions.")
    elif s.next_due <= s.now:
        lines.append("More questions are due now — tap <b>Next round</b>.")
    else:
        lines.append(f"All caught up — next review {when(s.next_due, s.now, s.timezone)}.")
    return "\n".join(lines)


def summary_keyboard(s: SessionSummary) -> InlineKeyboardMarkup | None:
    """'Next round' when more questions are waiting."""
    if s.next_due is not None and s.next_due <= s.now:
        return InlineKeyboardMarkup([[_button("▶️ Next round", MenuTap("quiz"))]])
    return None


def nothing_due_text(n: NothingDue) -> str:
    """What /quiz says when there is nothing to ask now."""
    if n.next_due is not None:
        return f"🎉 All caught up — next review {when(n.next_due, n.now, n.timezone)}." + (
            "\nYou've also met today's new cards; more tomorrow." if n.new_limit_reached else ""
        )
    if n.new_limit_reached:
        return "You've met today's new cards. Come back tomorrow for more!"
    return "This deck has no questions for your current settings."


def start_quiz_keyboard() -> InlineKeyboardMarkup:
    """A single Start quiz button."""
    return InlineKeyboardMarkup([[_button("▶️ Start quiz", MenuTap("quiz"))]])


def streak_event_lines(news: StreakNews) -> list[str]:
    """Messages for streak events worth a line of their own (a freeze used or earned)."""
    lines: list[str] = []
    for event in news.events:
        if isinstance(event, FreezeUsed):
            lines.append(
                f"🧊 A streak freeze saved your {plural(event.saved_streak, 'day')} streak!"
            )
        elif isinstance(event, FreezeEarned):
            lines.append(
                f"🧊 {event.streak_days} days in a row — you earned a streak freeze "
                f"(you hold {event.held}). It covers a day you miss."
            )
    return lines
