"""How /import, the import preview and its outcome look in the chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cards.model import Card
from bot.cards.problems import Problem
from bot.cards.richtext import card_html
from bot.cards.upload import MAX_PASTE_CHARS, PasteRefusal
from bot.services.imports import (
    MAX_OWN_DECKS,
    PAGE_CARDS,
    ClosedPreview,
    ImportPreview,
    SavedDeck,
    SaveStarted,
    Stopped,
)
from bot.views import refusals
from bot.views.callbacks import ImportTap, MenuTap, encode
from bot.views.deck_problems import render
from bot.views.fmt import clip, esc
from bot.views.i18n import N_, _, count

# A page of 8 cards with both sides clipped, the header, 4 warnings and the closing lines stay
# within Telegram's 4,096 characters (tests/unit/test_import_views.py renders the worst case).
SIDE_CHARS = 160
WARNING_CHARS = 200
MAX_WARNINGS = 4
REASON_CHARS = 900

# Short replies, translated when read (`view.READING`): see __getattr__ below.
_TEXTS = {
    "HOW_TO_IMPORT": N_(
        "📥 <b>Bring your own deck</b>\n"
        "Send me a file as a document:\n"
        "• <b>.csv</b> or <b>.tsv</b> — front in the first column, back in the second "
        "(Quizlet, Brainscape and Excel exports work, in any common encoding);\n"
        "• <b>.xlsx</b> or <b>.ods</b> — the first sheet's first two columns, front and back;\n"
        "• <b>.txt</b> — flashcards as copied from a flashcard website (each front on its own line, "
        "its back on the lines below), or one <code>front⇥back</code> / <code>front :: back</code> "
        "per line, or <code>Q:</code>/<code>A:</code> lines;\n"
        "• <b>.apkg</b> — an Anki package (its review history can come along).\n"
        "Or paste the same text into the chat — even a single card, like "
        "<code>Capital of Italy :: Rome</code>.\n\n"
        "Limits: 10 MB a file, 5,000 cards, 2,000 characters a side, %(decks)s decks of your "
        "own. I show a preview first, %(page)s cards a page (◀ ▶ to page through all of them), "
        "and say where I had to guess how a paste splits into cards; nothing is saved until you tap "
        "<b>Save</b>. /decks lists your decks."
    ),
    "IMPORT_IN_PRIVATE": N_("Send me your deck in a private chat — open it and send /import."),
    "READING": N_("📥 Reading your deck…"),
    "PASTE_TOO_LONG": N_(
        "That text is longer than %(size)s KB — send the deck as a .txt file instead."
    ),
    "DOWNLOAD_FAILED": N_("I couldn't download this file from Telegram — please send it again."),
    "READERS_BUSY": N_(
        "⏳ I'm still reading your earlier files — send this one again once I've answered them."
    ),
    "RESTARTING": N_("I'm restarting right now — please send that again in a minute."),
    "CANCELLED": N_("Import cancelled — nothing was saved."),
    "CANCELLED_TOAST": N_("Cancelled"),
}
# The figures some of them quote.
_FILLED = {
    "HOW_TO_IMPORT": {"decks": MAX_OWN_DECKS, "page": PAGE_CARDS},
    "PASTE_TOO_LONG": {"size": MAX_PASTE_CHARS // 1024},
}


def __getattr__(attribute: str) -> str:
    """A reply of this module in the current locale, looked up when used."""
    try:
        text = _(_TEXTS[attribute])
    except KeyError:
        raise AttributeError(attribute) from None
    filled = _FILLED.get(attribute)
    return text % filled if filled else text


def _text(key: str) -> str:
    text = _(_TEXTS[key])
    filled = _FILLED.get(key)
    return text % filled if filled else text


def paste_refused(refusal: PasteRefusal) -> str:
    """Why a text meant as flashcards was not taken, in one sentence, and where the forms are."""
    if refusal.reason == "too_long":
        return _text("PASTE_TOO_LONG")
    if refusal.reason == "one_card" and refusal.card is not None:
        front = esc(clip(refusal.card.front, 80))
        return _(
            "⚠️ I could only see one card in that, “%(front)s”, with every other line as its "
            "back. Put each card on its own line as <code>front :: back</code>, or leave a blank "
            "line between cards (/import shows the forms I read)."
        ) % {"front": front}
    return _(
        "⚠️ I couldn't read those flashcards: %(problem)s. Send /import to see the forms I read."
    ) % {"problem": esc(clip(render(refusal.problem, with_file=False), REASON_CHARS))}


def couldnt_read(reason: Problem | str) -> str:
    """The reply to a file that cannot be imported (a problem naming it, or a worded reason)."""
    return _("⚠️ I couldn't read this file: %(reason)s") % {
        "reason": esc(clip(render(reason), REASON_CHARS))
    }


def stopped_reason(stopped: Stopped) -> str:
    """Which limit a reading reached, and how far it is: one clause."""
    limits = stopped.limits
    if stopped.why == "memory":
        return _(
            "reading it needed more than %(mb)s MB of memory (the limit; a real deck needs a "
            "fraction of it), so I stopped"
        ) % {"mb": limits.memory_mb}
    if stopped.why == "cpu":
        return _(
            "reading it took more than %(seconds)s s of computing (the limit; the largest real "
            "deck takes a few), so I stopped"
        ) % {"seconds": limits.cpu_seconds}
    if stopped.why == "time":
        return _("reading it took longer than %(seconds)s s (the limit), so I stopped") % {
            "seconds": f"{limits.wall_seconds:.0f}"
        }
    return _("it came out larger than %(mb)s MB (the limit), so I stopped") % {
        "mb": limits.output_bytes // 1024 // 1024
    }


def reading_stopped(stopped: Stopped, filename: str | None) -> str:
    """The reply to a file or paste whose reading was stopped: a limit, a queue, a restart."""
    if stopped.why == "busy":
        return _text("READERS_BUSY")
    if stopped.why == "stopping":
        return _text("RESTARTING")
    what = esc(clip(filename, 80)) if filename else _("that text")
    return _(
        "⚠️ I couldn't read %(what)s: %(reason)s. Nothing was kept — send another deck whenever "
        "you like."
    ) % {"what": what, "reason": stopped_reason(stopped)}


def saving_text(started: SaveStarted) -> str:
    """What a preview says while it is being saved (its history replayed)."""
    lines = [
        _("⏳ Saving %(deck)s (%(cards)s)…")
        % {"deck": f"<b>{esc(clip(started.title, 120))}</b>", "cards": _cards(started.cards)}
    ]
    if started.reviews:
        lines.append(
            _("Replaying %(reviews)s into your schedules: this can take a few seconds.")
            % {"reviews": _anki_reviews(started.reviews)}
        )
    return "\n".join(lines)


def saving_toast(started: SaveStarted) -> str:
    """The toast answering a Save tap at once, before the work is done."""
    return _("Saving %(deck)s…") % {"deck": clip(started.title, 150)}


def _card_line(number: int, card: Card) -> str:
    # Formatting and formulas show as they will in the quiz; a back's lines on one line.
    back = " / ".join(line for line in card.back.splitlines() if line.strip())
    back_html = card.back_html and " / ".join(
        line for line in card.back_html.splitlines() if line.strip()
    )
    front = card_html(card.front, card.front_html, SIDE_CHARS)
    return f"{number}. <b>{front}</b>\n    {card_html(back, back_html, SIDE_CHARS)}"


def preview_text(preview: ImportPreview) -> str:
    """One page of the preview: title, size, the page's cards, warnings, and what Save will do."""
    if preview.filename:
        source = _("from %(file)s") % {"file": esc(clip(preview.filename, 80))}
    else:
        source = _("pasted text")
    lines = [
        f"📦 <b>{esc(clip(preview.title, 120))}</b>",
        f"{_cards(preview.cards)} · {source}",
    ]
    if preview.pages > 1:
        lines.append(
            _("page %(page)s/%(pages)s") % {"page": preview.page + 1, "pages": preview.pages}
        )
    lines.append("")
    lines += [
        _card_line(number, card)
        for number, card in enumerate(preview.page_cards, start=preview.first_number)
    ]
    if preview.warnings and preview.page == 0:
        lines.append("")
        lines += [
            f"⚠️ {esc(clip(render(w), WARNING_CHARS))}" for w in preview.warnings[:MAX_WARNINGS]
        ]
        if len(preview.warnings) > MAX_WARNINGS:
            more = {"more": len(preview.warnings) - MAX_WARNINGS}
            lines.append(_("⚠️ …and %(more)s more") % more)
    elif preview.warnings:
        warnings = {"warnings": _warnings(len(preview.warnings))}
        lines += ["", _("⚠️ %(warnings)s on page 1") % warnings]
    lines.append("")
    if preview.at_deck_limit:
        lines.append(
            _("You have %(limit)s decks already: delete one in /decks, then tap Save.")
            % {"limit": preview.deck_limit}
        )
    elif preview.updates_existing:
        lines.append(
            _(
                "You already have a deck with this title: saving updates it and keeps your "
                "progress on the cards it still has."
            )
        )
    if preview.reviews:
        lines.append(
            _(
                "The package carries %(reviews)s from Anki: save with them to continue your "
                "schedule where Anki left off, or start fresh."
            )
            % {"reviews": _reviews(preview.reviews)}
        )
    else:
        lines.append(_("Save it to study it with /quiz."))
    return "\n".join(lines)


def preview_keyboard(preview: ImportPreview) -> InlineKeyboardMarkup:
    """◀ / ▶ between pages, then Save / Cancel, or, with Anki history, Save with history too."""
    import_id = preview.import_id
    cancel = InlineKeyboardButton(
        _("✖️ Cancel"), callback_data=encode(ImportTap(import_id, "cancel"))
    )
    rows: list[list[InlineKeyboardButton]] = []
    paging = [
        InlineKeyboardButton(label, callback_data=encode(ImportTap(import_id, "page", page)))
        for label, page in (("◀", preview.page - 1), ("▶", preview.page + 1))
        if 0 <= page < preview.pages
    ]
    if paging:
        rows.append(paging)
    if preview.reviews:
        rows += [
            [
                InlineKeyboardButton(
                    _("💾 Save with my Anki history"),
                    callback_data=encode(ImportTap(import_id, "history")),
                )
            ],
            [
                InlineKeyboardButton(
                    _("🆕 Save as new"), callback_data=encode(ImportTap(import_id, "save"))
                ),
                cancel,
            ],
        ]
    else:
        save = InlineKeyboardButton(
            _("💾 Save"), callback_data=encode(ImportTap(import_id, "save"))
        )
        rows.append([save, cancel])
    return InlineKeyboardMarkup(rows)


def closed_text(closed: ClosedPreview) -> str:
    """What an old preview's message says once it is no longer open: what became of it."""
    title = esc(clip(closed.title, 120))
    if closed.outcome == "saved":
        return _("✅ This preview was saved as %(deck)s (%(cards)s). /decks lists your decks.") % {
            "deck": f"<b>{title}</b>",
            "cards": _cards(closed.cards),
        }
    if closed.outcome == "deleted":
        return _(
            "This preview was saved as %(deck)s, which you have deleted since — send the deck "
            "again to bring it back."
        ) % {"deck": f"<b>{title}</b>"}
    if closed.outcome == "cancelled":
        return _text("CANCELLED")
    return f"⌛ {refusals.PREVIEW_EXPIRED}."


def closed_keyboard(closed: ClosedPreview) -> InlineKeyboardMarkup | None:
    """A Start quiz button under a saved deck's old preview; nothing under the others."""
    return saved_keyboard() if closed.outcome == "saved" else None


def saved_text(saved: SavedDeck) -> str:
    """After Save: what was stored, that it is active now, and what the replay did."""
    deck = {"deck": f"<b>{esc(clip(saved.title, 120))}</b>", "cards": _cards(saved.cards)}
    if saved.updated:
        head = _("✅ Updated %(deck)s (%(cards)s). It is your active deck now.") % deck
    else:
        head = _("✅ Saved %(deck)s (%(cards)s). It is your active deck now.") % deck
    lines = [head]
    if saved.replayed_cards:
        lines.append(
            _("🕰 Replayed %(reviews)s into the schedules of %(cards)s.")
            % {
                "reviews": _anki_reviews(saved.replayed_reviews),
                "cards": _anki_cards(saved.replayed_cards),
            }
        )
    lines.append(_("Tap <b>Start quiz</b>, or switch decks with /decks."))
    return "\n".join(lines)


def saved_keyboard() -> InlineKeyboardMarkup:
    """A Start quiz button under the saved message."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("▶️ Start quiz"), callback_data=encode(MenuTap("quiz")))]]
    )


def saved_toast(saved: SavedDeck) -> str:
    """The short toast after Save."""
    return _("Saved: %(change)s") % {"change": clip(saved.title, 150)}


def _cards(n: int) -> str:
    return count(n, "%(n)s card", "%(n)s cards")


def _reviews(n: int) -> str:
    return count(n, "%(n)s review", "%(n)s reviews")


def _anki_reviews(n: int) -> str:
    return count(n, "%(n)s Anki review", "%(n)s Anki reviews")


def _anki_cards(n: int) -> str:
    return count(n, "%(n)s Anki card", "%(n)s Anki cards")


def _warnings(n: int) -> str:
    return count(n, "%(n)s warning", "%(n)s warnings")
