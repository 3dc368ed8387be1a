"""How /import, the import preview and its outcome look in the chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cards.upload import MAX_PASTE_CHARS, PasteRefusal
from bot.services.imports import MAX_OWN_DECKS, ImportPreview, SavedDeck
from bot.views.callbacks import ImportTap, MenuTap, encode
from bot.views.fmt import clip, esc, plural

SIDE_CHARS = 160
WARNING_CHARS = 240
MAX_WARNINGS = 5
REASON_CHARS = 900

HOW_TO_IMPORT = (
    "📥 <b>Bring your own deck</b>\n"
    "Send me a file as a document:\n"
    "• <b>.csv</b> or <b>.tsv</b> — front in the first column, back in the second "
    "(Quizlet and spreadsheet exports work);\n"
    "• <b>.txt</b> — flashcards as copied from a flashcard website, or one "
    "<code>front⇥back</code> / <code>front :: back</code> per line, or <code>Q:</code>/<code>A:</code> "
    "lines;\n"
    "• <b>.apkg</b> — an Anki package (its review history can come along).\n"
    "Or simply paste flashcard text into the chat.\n\n"
    f"Limits: 10 MB a file, 5,000 cards, 2,000 characters a side, {MAX_OWN_DECKS} decks of your "
    "own. I show a preview first; nothing is saved until you tap <b>Save</b>. "
    "/decks lists your decks."
)
IMPORT_IN_PRIVATE = "Send me your deck in a private chat — open it and send /import."
READING = "📥 Reading your deck…"
PASTE_TOO_LONG = (
    f"That text is longer than {MAX_PASTE_CHARS // 1024} KB — send the deck as a .txt file instead."
)
DOWNLOAD_FAILED = "I couldn't download this file from Telegram — please send it again."
CANCELLED = "Import cancelled — nothing was saved."


def paste_refused(refusal: PasteRefusal) -> str:
    """Why a text meant as flashcards was not taken, in one sentence, and where the forms are."""
    if refusal.reason == "too_long":
        return PASTE_TOO_LONG
    if refusal.reason == "one_card" and refusal.card is not None:
        front = esc(clip(refusal.card.front, 80))
        return (
            f"⚠️ I could only see one card in that, “{front}”, with every other line as its back. "
            "Put each card on its own line as <code>front :: back</code>, or leave a blank line "
            "between cards (/import shows the forms I read)."
        )
    return (
        f"⚠️ I couldn't read those flashcards: {esc(clip(refusal.problem, REASON_CHARS))}. "
        "Send /import to see the forms I read."
    )


def couldnt_read(reason: str) -> str:
    """The reply to a file that cannot be imported."""
    return f"⚠️ I couldn't read this file: {esc(clip(reason, REASON_CHARS))}"


def _card_line(number: int, front: str, back: str) -> str:
    back_shown = " / ".join(line for line in back.splitlines() if line.strip())
    return (
        f"{number}. <b>{esc(clip(front, SIDE_CHARS))}</b>\n    {esc(clip(back_shown, SIDE_CHARS))}"
    )


def preview_text(preview: ImportPreview) -> str:
    """The preview: title, size, first cards, warnings, and what Save will do."""
    source = f"from {esc(clip(preview.filename, 80))}" if preview.filename else "pasted text"
    lines = [
        f"📦 <b>{esc(clip(preview.title, 120))}</b>",
        f"{plural(preview.cards, 'card')} · {source}",
        "",
    ]
    lines += [_card_line(i, c.front, c.back) for i, c in enumerate(preview.sample, start=1)]
    if preview.cards > len(preview.sample):
        lines.append("…")
    if preview.warnings:
        lines.append("")
        lines += [f"⚠️ {esc(clip(w, WARNING_CHARS))}" for w in preview.warnings[:MAX_WARNINGS]]
        if len(preview.warnings) > MAX_WARNINGS:
            lines.append(f"⚠️ …and {len(preview.warnings) - MAX_WARNINGS} more")
    lines.append("")
    if preview.at_deck_limit:
        lines.append(
            f"You have {preview.deck_limit} decks already: delete one in /decks, then tap Save."
        )
    elif preview.updates_existing:
        lines.append("You already have a deck with this title: saving updates it and keeps "
                     "your progress on the cards it still has.")  # fmt: skip
    if preview.reviews:
        lines.append(
            f"The package carries {plural(preview.reviews, 'review')} from Anki: save with them to "
            "continue your schedule where Anki left off, or start fresh."
        )
    else:
        lines.append("Save it to study it with /quiz.")
    return "\n".join(lines)


def preview_keyboard(preview: ImportPreview) -> InlineKeyboardMarkup:
    """Save / Cancel, or, with Anki history, Save with history / Save as new / Cancel."""
    import_id = preview.import_id
    cancel = InlineKeyboardButton("✖️ Cancel", callback_data=encode(ImportTap(import_id, "cancel")))
    if preview.reviews:
        rows = [
            [
                InlineKeyboardButton(
                    "💾 Save with my Anki history",
                    callback_data=encode(ImportTap(import_id, "history")),
                )
            ],
            [
                InlineKeyboardButton(
                    "🆕 Save as new", callback_data=encode(ImportTap(import_id, "save"))
                ),
                cancel,
            ],
        ]
    else:
        save = InlineKeyboardButton("💾 Save", callback_data=encode(ImportTap(import_id, "save")))
        rows = [[save, cancel]]
    return InlineKeyboardMarkup(rows)


def saved_text(saved: SavedDeck) -> str:
    """After Save: what was stored, that it is active now, and what the replay did."""
    verb = "Updated" if saved.updated else "Saved"
    lines = [
        f"✅ {verb} <b>{esc(clip(saved.title, 120))}</b> ({plural(saved.cards, 'card')}). "
        "It is your active deck now."
    ]
    if saved.replayed_cards:
        lines.append(
            f"🕰 Replayed {plural(saved.replayed_reviews, 'Anki review')} into the schedules of "
            f"{plural(saved.replayed_cards, 'card')}."
        )
    lines.append("Tap <b>Start quiz</b>, or switch decks with /decks.")
    return "\n".join(lines)


def saved_keyboard() -> InlineKeyboardMarkup:
    """A Start quiz button under the saved message."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("▶️ Start quiz", callback_data=encode(MenuTap("quiz")))]]
    )


def saved_toast(saved: SavedDeck) -> str:
    """The short toast after Save."""
    return f"Saved: {clip(saved.title, 150)}"
