"""How an import preview looks: its pages, its buttons, its warnings, and what an old one says."""

from __future__ import annotations

import pytest

from bot.cards.model import Card
from bot.cards.upload import PasteRefusal
from bot.reader.limits import FILE_LIMITS, PASTE_LIMITS
from bot.reader.pool import Stopped, Why
from bot.services.imports import PAGE_CARDS, ClosedPreview, ImportPreview, SaveStarted
from bot.views import imports as view
from bot.views.callbacks import ImportTap, decode
from bot.views.fmt import TEXT_LIMIT, utf16_len

CARDS = tuple(Card(f"Front {n}", f"Back {n}\nmore of back {n}") for n in range(1, 21))


def page_of(
    page: int,
    cards: tuple[Card, ...] = CARDS,
    warnings: tuple[str, ...] = (),
    reviews: int = 0,
) -> ImportPreview:
    """Page `page` of a preview of `cards`, as the service would hand it to the view."""
    pages = -(-len(cards) // PAGE_CARDS)
    return ImportPreview(
        import_id=42,
        title="World facts",
        filename=None,
        cards=len(cards),
        page=page,
        pages=pages,
        page_cards=cards[page * PAGE_CARDS : (page + 1) * PAGE_CARDS],
        warnings=warnings,
        reviews=reviews,
        updates_existing=False,
        at_deck_limit=False,
        deck_limit=30,
    )


def taps(preview: ImportPreview) -> list[tuple[str, ImportTap | None]]:
    """The preview's buttons: each label with the tap its data decodes to."""
    markup = view.preview_keyboard(preview)
    found = []
    for row in markup.inline_keyboard:
        for button in row:
            tap = decode(button.callback_data)
            assert tap is None or isinstance(tap, ImportTap)
            found.append((button.text, tap))
    return found


def test_a_page_lists_its_cards_numbered_through_the_deck() -> None:
    text = view.preview_text(page_of(1))
    assert text.splitlines()[:4] == [
        "📦 <b>World facts</b>",
        "20 cards · pasted text",
        "page 2/3",
        "",
    ]
    assert "9. <b>Front 9</b>\n    Back 9 / more of back 9" in text
    assert "16. <b>Front 16</b>" in text
    assert "8. <b>" not in text and "17. <b>" not in text


def test_a_deck_of_one_page_has_no_page_line_and_no_page_buttons() -> None:
    preview = page_of(0, CARDS[:PAGE_CARDS])
    assert "page " not in view.preview_text(preview)
    assert [label for label, _ in taps(preview)] == ["💾 Save", "✖️ Cancel"]


@pytest.mark.parametrize(
    ("page", "buttons"),
    [
        (0, [("▶", ImportTap(42, "page", 1))]),
        (1, [("◀", ImportTap(42, "page", 0)), ("▶", ImportTap(42, "page", 2))]),
        (2, [("◀", ImportTap(42, "page", 1))]),
    ],
)
def test_page_buttons_lead_to_the_neighbouring_pages_and_save_stays(
    page: int, buttons: list[tuple[str, ImportTap]]
) -> None:
    assert taps(page_of(page)) == [
        *buttons,
        ("💾 Save", ImportTap(42, "save")),
        ("✖️ Cancel", ImportTap(42, "cancel")),
    ]


def test_anki_history_buttons_stay_on_every_page() -> None:
    assert [label for label, _ in taps(page_of(1, reviews=5))] == [
        "◀",
        "▶",
        "💾 Save with my Anki history",
        "🆕 Save as new",
        "✖️ Cancel",
    ]


def test_warnings_show_on_the_first_page_and_are_pointed_to_from_the_others() -> None:
    guess = "card 12 (line 30, 'Front 12'): I guessed this line starts a new card — check it"
    first = view.preview_text(page_of(0, warnings=(guess,)))
    assert f"⚠️ {guess}" in first
    later = view.preview_text(page_of(2, warnings=(guess, "another")))
    assert guess not in later
    assert "⚠️ 2 warnings on page 1" in later


def test_the_fullest_page_fits_in_a_telegram_message() -> None:
    side = "é" * 2000
    cards = tuple(Card(f"{n} {side}", f"{side}\n{side}") for n in range(5000))
    warnings = tuple(f"card {n} (line {n}, '{side[:40]}'): {side}" for n in range(40))
    preview = ImportPreview(
        import_id=2**62 - 1,
        title="T" * 200,
        filename="f" * 120 + ".apkg",
        cards=len(cards),
        page=0,
        pages=625,
        page_cards=cards[:PAGE_CARDS],
        warnings=warnings,
        reviews=99_999,
        updates_existing=True,
        at_deck_limit=True,
        deck_limit=30,
    )
    assert utf16_len(view.preview_text(preview)) <= TEXT_LIMIT


@pytest.mark.parametrize(
    ("closed", "text", "labels"),
    [
        (
            ClosedPreview("saved", "World <facts>", 20),
            "✅ This preview was saved as <b>World &lt;facts&gt;</b> (20 cards). "
            "/decks lists your decks.",
            ["▶️ Start quiz"],
        ),
        (
            ClosedPreview("deleted", "World facts"),
            "This preview was saved as <b>World facts</b>, which you have deleted since — send "
            "the deck again to bring it back.",
            [],
        ),
        (ClosedPreview("cancelled", "World facts"), "Import cancelled — nothing was saved.", []),
        (
            ClosedPreview("expired", "World facts"),
            "⌛ This preview expired after a day — send the deck again.",
            [],
        ),
    ],
)
def test_an_old_preview_says_what_became_of_it(
    closed: ClosedPreview, text: str, labels: list[str]
) -> None:
    assert view.closed_text(closed) == text
    markup = view.closed_keyboard(closed)
    shown = [b.text for row in markup.inline_keyboard for b in row] if markup else []
    assert shown == labels


@pytest.mark.parametrize(
    ("refusal", "text"),
    [
        (
            PasteRefusal("unreadable", "line 3: a Q: line without an A: line after it"),
            "⚠️ I couldn't read those flashcards: line 3: a Q: line without an A: line after it. "
            "Send /import to see the forms I read.",
        ),
        (
            PasteRefusal("one_card", card=Card("Mitochondria <b>", "x\ny")),
            "⚠️ I could only see one card in that, “Mitochondria &lt;b&gt;”, with every other "
            "line as its back. Put each card on its own line as <code>front :: back</code>, or "
            "leave a blank line between cards (/import shows the forms I read).",
        ),
        (
            PasteRefusal("too_long"),
            "That text is longer than 64 KB — send the deck as a .txt file instead.",
        ),
    ],
)
def test_a_refused_paste_is_told_what_is_wrong_in_one_sentence(
    refusal: PasteRefusal, text: str
) -> None:
    assert view.paste_refused(refusal) == text


def test_the_import_help_tells_of_single_cards_and_pages() -> None:
    assert "Capital of Italy :: Rome" in view.HOW_TO_IMPORT
    assert f"{PAGE_CARDS} cards a page" in view.HOW_TO_IMPORT


@pytest.mark.parametrize(
    ("why", "said"),
    [
        ("memory", "reading it needed more than 384 MB of memory (the limit; a real deck needs"),
        ("cpu", "reading it took more than 15 s of computing (the limit; the largest real deck"),
        ("time", "reading it took longer than 20 s (the limit), so I stopped"),
        ("output", "it came out larger than 17 MB (the limit), so I stopped"),
    ],
)
def test_a_reading_stopped_at_a_limit_names_the_limit_and_its_value(why: Why, said: str) -> None:
    text = view.reading_stopped(Stopped(why, FILE_LIMITS), "<deck>.apkg")
    assert text.startswith(f"⚠️ I couldn't read &lt;deck&gt;.apkg: {said}")
    assert text.endswith("Nothing was kept — send another deck whenever you like.")
    assert view.reading_stopped(Stopped(why, PASTE_LIMITS), None).startswith(
        "⚠️ I couldn't read that text: "
    )


def test_a_busy_reader_and_a_restart_say_to_send_again() -> None:
    assert view.reading_stopped(Stopped("busy", FILE_LIMITS), "a.csv") == view.READERS_BUSY
    assert view.reading_stopped(Stopped("stopping", FILE_LIMITS), "a.csv") == view.RESTARTING


def test_a_save_in_progress_says_what_it_replays() -> None:
    started = SaveStarted("Vietnamese <basics>", 570, 13552)
    assert view.saving_text(started) == (
        "⏳ Saving <b>Vietnamese &lt;basics&gt;</b> (570 cards)…\n"
        "Replaying 13,552 Anki reviews into your schedules: this can take a few seconds."
    )
    assert view.saving_text(SaveStarted("Deck", 1, 0)) == "⏳ Saving <b>Deck</b> (1 card)…"
    assert view.saving_toast(started) == "Saving Vietnamese <basics>…"
