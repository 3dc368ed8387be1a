"""A shared deck's preview and Share screen: what the link's opener and the owner read."""

from __future__ import annotations

from dataclasses import replace

from bot.services.sharing import LinkView, ShareScreen
from bot.storage.sharing import ActiveLink, FoundLink, OwnedDeck, SampleCard
from bot.views import sharing as view
from bot.views.callbacks import LinkTap, decode

TOKEN = "Ab3_-" + "x" * 27


def found(follow: bool = True) -> FoundLink:
    link = FoundLink(TOKEN, 7, 1, "<Eve & co>", "Spanish <b>verbs</b>", 12, True, False)
    return replace(link, follow=follow)


def test_the_preview_escapes_the_owner_the_title_and_plain_cards_and_keeps_formatted_ones() -> None:
    samples = (
        SampleCard("1 < 2", "a & b", None, None),
        SampleCard("plain front", "plain back", "<i>formatted</i> front", None),
    )
    text = view.link_text(LinkView("open", TOKEN, found(), samples))
    assert text.startswith("📚 <b>Spanish &lt;b&gt;verbs&lt;/b&gt;</b>\n")
    assert "Shared by <b>&lt;Eve &amp; co&gt;</b> · 12 cards" in text
    assert "<b>1 &lt; 2</b>\na &amp; b" in text
    assert "<b><i>formatted</i> front</b>\nplain back" in text
    assert "follows <b>&lt;Eve &amp; co&gt;</b>'s later edits" in text
    keyboard = view.link_keyboard(LinkView("open", TOKEN, found(), samples))
    assert keyboard is not None
    assert decode(keyboard.inline_keyboard[0][0].callback_data) == LinkTap(TOKEN)


def test_a_copy_link_says_so_and_refusals_have_no_add_button() -> None:
    copy = view.link_text(LinkView("open", TOKEN, found(follow=False)))
    assert "Adding it gives you a copy of your own." in copy
    assert view.link_keyboard(LinkView("own", TOKEN, found())) is None
    have = view.link_keyboard(LinkView("have", TOKEN, found(), have_id=9))
    assert have is not None  # no Add, but no dead end: quiz that deck, or My decks
    assert [b.text for row in have.inline_keyboard for b in row] == ["▶️ Start quiz", "📚 My decks"]
    assert have.inline_keyboard[0][0].callback_data == "m:quiz:9"
    # A dead link offers the starter decks instead of Add, so a newcomer is not stuck.
    for status in ("unknown", "revoked"):
        shown = LinkView(status, TOKEN, None if status == "unknown" else found())
        keyboard = view.link_keyboard(shown)
        assert keyboard is not None
        assert [b.text for row in keyboard.inline_keyboard for b in row] == ["📚 Browse decks"]
    assert view.link_text(LinkView("revoked", TOKEN, found())).startswith(
        "🚫 This link was revoked"
    )
    assert view.link_text(LinkView("unknown", TOKEN)).startswith("🔗 This link does not lead")
    assert view.link_toast(LinkView("have", TOKEN, found())) == "You already have this deck"


def test_the_share_screen_shows_the_link_or_that_there_is_none() -> None:
    deck = OwnedDeck(7, "Spanish <b>", 12, 3)
    shared = view.share_text(ShareScreen(deck, ActiveLink(TOKEN, True), "made"), "quiz_bot")
    assert f"https://t.me/quiz_bot?start=d_{TOKEN}" in shared
    assert "Spanish &lt;b&gt;" in shared and "Added 3 times so far." in shared
    assert "✅ New link made." in shared
    none = ShareScreen(deck, None, "revoked")
    assert "https://" not in view.share_text(none, "quiz_bot")
    labels = [b.text for row in view.share_keyboard(none).inline_keyboard for b in row]
    assert labels == ["🔗 New link", "↩️ Back"]
