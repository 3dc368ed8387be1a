"""How quiz questions, reveals and summaries look in the chat."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cards.model import is_media_front
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
from bot.views.fmt import TEXT_LIMIT, clip, esc, visible_length, when
from bot.views.i18n import N_, _, count, ngettext, number

# Marked with N_() for the catalogue; translated with _() where they are shown.
KIND_LABELS = {
    "recall": N_("Recall"),
    "reverse": N_("Recall — the other way round"),
    "choice": N_("Choose the answer"),
    "identify": N_("Which card is this?"),
    "cloze": N_("Fill in the blank"),
    "typed": N_("Type the answer"),
}
# The question of a card whose front is only a picture or a sound, shown as its caption.
MEDIA_QUESTION = N_("What is this?")
OUTCOME_LINES = {
    "right": N_("✅ <b>Right!</b>"),
    "wrong": N_("❌ <b>Not quite.</b>"),
    "close": N_("🟡 <b>Close — check the spelling.</b> It counts as wrong this time."),
    "again": N_("🔁 Graded <b>Again</b>"),
    "hard": N_("😓 Graded <b>Hard</b>"),
    "good": N_("👍 Graded <b>Good</b>"),
    "easy": N_("😎 Graded <b>Easy</b>"),
    "overridden": N_("✅ <b>Counted as right</b> — you said your answer was right."),
}
GRADE_LABELS = [
    (Grade.AGAIN, N_("Again")),
    (Grade.HARD, N_("Hard")),
    (Grade.GOOD, N_("Good")),
    (Grade.EASY, N_("Easy")),
]
LETTERS = "ABCDEFGH"
BUTTON_CHARS = 60
# Options longer than this are listed in the message under letters, with lettered buttons.
SHORT_OPTION_CHARS = 40
OPTION_CHARS = 300
# Room for deck text in one message, leaving space for our own lines (Telegram allows 4096).
FRONT_BUDGET = 900
BODY_BUDGET = 3000
REVEAL_SLACK = 16  # the newlines around the card, and characters Telegram counts twice
ACCEPTED_SHOWN = 4
RETRY_LINE = N_("🔁 <i>Once more — you missed this one earlier.</i>")
ANSWERED_AGAIN = N_("<i>You have answered this question again since: that answer stands.</i>")
OVERRIDE_BUTTON = N_("✋ I was right")
DONT_KNOW_BUTTON = N_("🤷 I don't know")
CLOSED_LINE = N_(
    "<i>This session ended before this question was answered. Send /quiz for a new one.</i>"
)
HOW_WELL = N_("<i>How well did you remember it?</i>")
TOASTS = {
    "right": N_("✅ Right!"),
    "wrong": N_("❌ Not quite"),
    "close": N_("🟡 Close — check the spelling"),
}


def _header(q: QuestionView) -> str:
    retry = _(RETRY_LINE) + "\n" if q.retry else ""
    heading = _("<b>Question %(number)s/%(size)s</b>") % {
        "number": number(q.position + 1),
        "size": number(q.size),
    }
    kind = _(KIND_LABELS[q.kind]) if q.kind in KIND_LABELS else q.kind
    return f"{heading} · {esc(clip(q.deck_title, 60))}\n{retry}<i>{kind}</i>\n\n"


def _card(q: QuestionView, front_budget: int = FRONT_BUDGET, back_budget: int = BODY_BUDGET) -> str:
    return f"<b>{_front(q, front_budget)}</b>\n{_back(q, back_budget)}"


def _front(q: QuestionView, budget: int = FRONT_BUDGET) -> str:
    """The card's front as the deck formats it (formulas readable), escaped; for a front that is
    only a picture or a sound, the question it asks (its text is a label nobody should read)."""
    if q.front_media is not None and is_media_front(q.front):
        return esc(_(MEDIA_QUESTION))
    return card_html(q.front, q.front_html, budget)


def _back(q: QuestionView, budget: int = BODY_BUDGET) -> str:
    return card_html(q.back, q.back_html, budget)


def _asked(q: QuestionView) -> str:
    """A prompt that is the card's front keeps the front's formatting."""
    if q.prompt == readable_latex(q.front) or (not q.prompt and q.front_media is not None):
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
    front, _sep, rest = q.prompt.partition("\n")
    if rest and front == readable_latex(q.front):
        return f"<b>{_front(q)}</b>\n{esc(clip(rest, BODY_BUDGET))}"
    return esc(clip(q.prompt, BODY_BUDGET))


def question_text(q: QuestionView) -> str:
    """The message that asks a question (or, for a revealed self-graded one, shows its answer)."""
    head = _header(q)
    if q.kind == "recall":
        front = f"<b>{_front(q)}</b>"
        if q.revealed:
            return f"{head}{front}\n\n{_back(q)}\n\n{_(HOW_WELL)}"
        return f"{head}{front}\n\n" + _("<i>Recall the answer, then tap Show answer.</i>")
    if q.kind == "reverse":
        back = esc(clip(q.prompt, BODY_BUDGET))
        if q.revealed:
            front = f"<b>{_front(q)}</b>"
            return f"{head}{back}\n\n{front}\n\n{_(HOW_WELL)}"
        return f"{head}{back}\n\n" + _(
            "<i>Recall the front of this card, then tap Show answer.</i>"
        )
    if q.kind == "identify":
        return f"{head}{esc(clip(q.prompt, BODY_BUDGET))}{_options_block(q)}"
    if q.kind == "choice":
        return f"{head}<b>{_asked(q)}</b>{_options_block(q)}"
    if q.kind == "cloze":
        body = _prompt_under_front(q)
        if q.options:
            return f"{head}{body}{_options_block(q)}\n\n" + _("<i>Tap the answer or type it.</i>")
        return f"{head}{body}\n\n" + _("✍️ <i>Type the missing words.</i>")
    return f"{head}<b>{_asked(q)}</b>\n\n" + _("✍️ <i>Type your answer.</i>")


def closed_question_text(q: QuestionView) -> str:
    """A question whose session ended before it was answered: shown, with no buttons to tap."""
    return f"{question_text(q)}\n\n{_(CLOSED_LINE)}"


def answer_toast(outcome: str) -> str:
    """The toast a tapped answer gets (none for a self-grade)."""
    return _(TOASTS[outcome]) if outcome in TOASTS else ""


def _button(label: str, tap: QuizTap | MenuTap) -> InlineKeyboardButton:
    return InlineKeyboardButton(clip(label, BUTTON_CHARS), callback_data=encode(tap))


def wait_text(wait: timedelta) -> str:
    """A grade's interval as Anki shows it on its button: 1m, 10m, 2h, 4d, 1.5mo, 2.1y."""
    minutes = wait.total_seconds() / 60
    if minutes < 60:
        return _("%(n)sm") % {"n": number(max(1, round(minutes)))}
    if minutes < 24 * 60:
        return _("%(n)sh") % {"n": number(round(minutes / 60))}
    days = wait.total_seconds() / 86400
    if days < 30:
        return _("%(n)sd") % {"n": number(round(days))}
    if days < 365:
        return _("%(n)smo") % {"n": _tenths(days / 30)}
    return _("%(n)sy") % {"n": _tenths(days / 365)}


def _tenths(value: float) -> str:
    """1.5 as the locale writes it ('1.5', '1,5'), a whole number without its '.0'."""
    rounded = round(value, 1)
    return number(rounded, 0 if rounded == int(rounded) else 1)


def question_keyboard(q: QuestionView) -> InlineKeyboardMarkup:
    """The buttons under a question."""
    if q.kind in ("recall", "reverse"):
        if not q.revealed:
            return InlineKeyboardMarkup(
                [[_button(_("👀 Show answer"), QuizTap(q.session_id, q.position, "show"))]]
            )
        return InlineKeyboardMarkup(
            [
                [
                    _button(
                        f"{_(label)} {wait_text(q.waits[i])}" if len(q.waits) == 4 else _(label),
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
        rows.append([_button(_(DONT_KNOW_BUTTON), QuizTap(q.session_id, q.position, "giveup"))])
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
    return _("Check the underlined letters: %(word)s") % {"word": f"<b>{marked}</b>"}


def reveal_text(r: RevealView, now_text: str, room: int = TEXT_LIMIT) -> str:
    """The question's message once answered: right or wrong, the right answer, the whole card.

    Within `room` characters (a caption's 1,024 when the question shows the card's picture): the
    card is shortened to make room, never the verdict or the next review."""
    q = r.question
    outcome = _(OUTCOME_LINES[r.outcome]) if r.outcome in OUTCOME_LINES else esc(r.outcome)
    lines = [_header(q) + outcome]
    if q.kind in ("choice", "identify", "cloze", "typed"):
        if r.given is not None and r.outcome not in ("right",):
            lines.append(_("You answered: %(answer)s") % {"answer": esc(clip(r.given, 200))})
        hint = _hint_line(r)
        if hint is not None:
            lines.append(hint)
        else:
            answer = f"<b>{esc(clip(q.answer, FRONT_BUDGET))}</b>"
            lines.append(_("Answer: %(answer)s") % {"answer": answer})
        if q.kind in ("typed", "cloze") and q.accepted:
            shown = ", ".join(esc(clip(a, 60)) for a in q.accepted[:ACCEPTED_SHOWN])
            lines.append(_("<i>Also right: %(answers)s</i>") % {"answers": shown})
    if q.kind == "cloze":
        sentence = q.prompt.partition("\n")[2]
        filled = (sentence or q.prompt).replace("___", q.answer, 1)
        lines.append(f"\n{esc(clip(filled, 600))}")
    after = ["\n" + _("⏭ Next review of this question: %(when)s") % {"when": now_text}]
    if r.answered_again:
        after.append(_(ANSWERED_AGAIN))
    front_budget, back_budget = FRONT_BUDGET, BODY_BUDGET
    spare = room - visible_length("\n".join(lines + after)) - REVEAL_SLACK
    if spare < front_budget + back_budget:
        # The card gets what is left: a third for its front, the rest for its back.
        front_budget = min(FRONT_BUDGET, max(0, spare // 3))
        back_budget = max(0, spare - front_budget)
    return "\n".join([*lines, f"\n{_card(q, front_budget, back_budget)}", *after])


def reveal_keyboard(r: RevealView) -> InlineKeyboardMarkup | None:
    """ "I was right" under a typed answer graded wrong, while it can still be counted as right."""
    if not r.can_override:
        return None
    q = r.question
    return InlineKeyboardMarkup(
        [[_button(_(OVERRIDE_BUTTON), QuizTap(q.session_id, q.position, "override"))]]
    )


def streak_line(news: StreakNews) -> str:
    """'🔥 Streak: 3 days (best 5)'."""
    days = count(news.current, "%(n)s day", "%(n)s days")
    return _("🔥 Streak: %(days)s (best %(best)s)") % {"days": days, "best": number(news.best)}


def summary_text(s: SessionSummary) -> str:
    """The end-of-session message."""
    lines = [
        _("🏁 <b>Session complete!</b>"),
        _("%(right)s/%(total)s right") % {"right": number(s.right), "total": number(s.total)},
    ]
    if s.retried:
        lines.append(
            ngettext(
                "🔁 %(n)s missed question came back: %(right)s right the second time",
                "🔁 %(n)s missed questions came back: %(right)s right the second time",
                s.retried,
            )
            % {"n": number(s.retried), "right": number(s.retried_right)}
        )
    lines.append(streak_line(s.streak))
    if s.next_due is None:
        lines.append(_("Send /quiz to learn more questions."))
    elif s.next_due <= s.now:
        lines.append(_("More questions are due now — tap <b>Next round</b>."))
    else:
        lines.append(
            _("All caught up — next review %(when)s.")
            % {"when": when(s.next_due, s.now, s.timezone)}
        )
    return "\n".join(lines)


def summary_keyboard(s: SessionSummary) -> InlineKeyboardMarkup | None:
    """'Next round' when more questions are waiting."""
    if s.next_due is not None and s.next_due <= s.now:
        return InlineKeyboardMarkup([[_button(_("▶️ Next round"), MenuTap("quiz"))]])
    return None


def nothing_due_text(n: NothingDue) -> str:
    """What /quiz says when there is nothing to ask now."""
    if n.deck_empty:
        return _("This deck has no cards yet: add one to it, or choose another deck in /decks.")
    if n.next_due is not None:
        text = _("🎉 All caught up — next review %(when)s.") % {
            "when": when(n.next_due, n.now, n.timezone)
        }
        if n.new_limit_reached:
            text += "\n" + _("You've also met today's new cards; more tomorrow.")
        return text
    if n.new_limit_reached:
        return _("You've met today's new cards. Come back tomorrow for more!")
    return _("This deck has no questions for your current settings.")


def start_quiz_keyboard() -> InlineKeyboardMarkup:
    """A single Start quiz button."""
    return InlineKeyboardMarkup([[_button(_("▶️ Start quiz"), MenuTap("quiz"))]])


def streak_event_lines(news: StreakNews) -> list[str]:
    """Messages for streak events worth a line of their own (a freeze used or earned)."""
    lines: list[str] = []
    for event in news.events:
        if isinstance(event, FreezeUsed):
            lines.append(
                ngettext(
                    "🧊 A streak freeze saved your %(n)s day streak!",
                    "🧊 A streak freeze saved your %(n)s days streak!",
                    event.saved_streak,
                )
                % {"n": number(event.saved_streak)}
            )
        elif isinstance(event, FreezeEarned):
            lines.append(
                _(
                    "🧊 %(days)s days in a row — you earned a streak freeze (you hold %(held)s). "
                    "It covers a day you miss."
                )
                % {"days": number(event.streak_days), "held": number(event.held)}
            )
    return lines
