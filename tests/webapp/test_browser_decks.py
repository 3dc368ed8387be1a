"""The Mini App's decks in a real browser: a card edited on the page is what /quiz asks next, and
another person's deck stays out of reach even with a valid initData of one's own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.sandbox.driver import SandboxUser
from tests.webapp import browser as harness
from tests.webapp.browser import MiniApp, play_session, save_pasted_deck, say

# Without Playwright the module is skipped, saying why (the import below would fail).
pytest.importorskip("playwright", reason=harness.NO_PLAYWRIGHT)
from playwright.async_api import Page, expect

pytestmark = harness.BROWSER_TESTS

CAPITALS = "Capitals\nFrance :: Paris\nSpain :: Madrid\nItaly :: Rome"


async def card_id_of(app: MiniApp, deck_id: int, front: str) -> int:
    """The stored card of the deck with this front."""
    row = await app.services.db.fetchone(
        "SELECT id FROM cards WHERE deck_id = ? AND front = ? AND retired = 0", (deck_id, front)
    )
    assert row is not None, f"no card {front!r}"
    return int(row[0])


async def deck_id_of(app: MiniApp, user: SandboxUser, title: str) -> int:
    """The stored deck of the person with this title."""
    row = await app.services.db.fetchone(
        "SELECT id FROM decks WHERE owner_id = ? AND title = ?", (user.id, title)
    )
    assert row is not None, f"no deck {title!r}"
    return int(row[0])


async def test_a_card_edited_on_the_page_is_asked_as_edited_and_keeps_its_schedule(
    mini_app: MiniApp, page: Page
) -> None:
    alice = mini_app.sandbox.user("Alice")
    await save_pasted_deck(alice, CAPITALS)
    first = await play_session(mini_app, alice)
    assert len(first) == 3 and any("France" in shown for shown in first)
    deck_id = await deck_id_of(mini_app, alice, "Capitals")
    france = await card_id_of(mini_app, deck_id, "France")

    await mini_app.open_app(page, alice)
    main = page.get_by_role("main")
    await expect(main.get_by_role("heading", name=say("decks.title"), level=1)).to_be_visible()
    deck_button = main.get_by_role("button", name="Capitals")
    await expect(deck_button).to_contain_text(say("decks.cards_count", count=3))
    await expect(main.get_by_role("button", name="Khrushchev's attempts")).to_be_visible()

    await deck_button.click()
    await expect(main.get_by_role("heading", name="Capitals", level=1)).to_be_visible()
    await main.get_by_role("button", name=say("decks.open_card", front="France")).click()
    await expect(main.get_by_role("heading", name=say("decks.edit_card"), level=1)).to_be_visible()
    front = main.get_by_label(say("decks.front"))
    back = main.get_by_label(say("decks.back"))
    await expect(front).to_have_value("France")
    await expect(back).to_have_value("Paris")
    await front.fill("République française")
    await back.fill("Paris, Île-de-France")
    keep = main.get_by_label(say("decks.keep_schedule"))
    await expect(keep).to_be_checked()  # an edited front keeps its schedule unless unticked
    await main.get_by_role("button", name=say("decks.save")).click()

    # Back on the deck, which shows the card as saved, and the status line says so.
    await expect(main.get_by_role("heading", name="Capitals", level=1)).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text(say("decks.saved"))
    edited = main.get_by_role("button", name=say("decks.open_card", front="République française"))
    await expect(edited).to_contain_text("Paris, Île-de-France")
    await expect(
        main.get_by_role("button", name=say("decks.open_card", front="France"))
    ).to_have_count(0)
    assert await card_id_of(mini_app, deck_id, "République française") == france
    carried = await mini_app.services.db.fetchone(
        """SELECT COUNT(*) FROM review_states s JOIN questions q ON q.id = s.question_id
            WHERE q.card_id = ? AND q.retired = 0 AND s.user_id = ? AND s.reps > 0""",
        (france, alice.id),
    )
    assert carried is not None and carried[0] >= 1  # its questions carried their schedule on

    # A day later, the chat's quiz asks the card as edited, never as it was.
    mini_app.clock.advance(timedelta(days=1))
    asked = await play_session(mini_app, alice)
    assert any("République française" in shown for shown in asked), asked
    assert not any(line in ("France", "Paris") for shown in asked for line in shown.splitlines()), (
        asked
    )


async def test_another_persons_deck_is_refused_and_left_as_it_was(
    mini_app: MiniApp, page: Page
) -> None:
    alice = mini_app.sandbox.user("Alice")
    await save_pasted_deck(alice, CAPITALS)
    deck_id = await deck_id_of(mini_app, alice, "Capitals")
    france = await card_id_of(mini_app, deck_id, "France")
    bob = mini_app.sandbox.user("Bob")
    await mini_app.open_app(page, bob)
    main = page.get_by_role("main")
    await expect(main.get_by_role("heading", name=say("decks.title"), level=1)).to_be_visible()
    # Bob's list has no Alice's deck in it.
    await expect(main.get_by_text(say("decks.none_yours"))).to_be_visible()
    await expect(main.get_by_role("button", name="Capitals")).to_have_count(0)

    # Asked by id with Bob's own valid initData, through the page's API client, as a curious
    # person would from the browser's console: refused, for reading and for writing.
    calls = """async ([deck, card]) => {
        const { api } = await import(new URL("static/app.js", document.baseURI).href);
        const outcome = async (method, path, body) => {
            try { await api(method, path, body); return "allowed"; }
            catch (err) { return `${err.status} ${err.code}`; }
        };
        return [
            await outcome("GET", `/decks/${deck}`),
            await outcome("GET", `/decks/${deck}/cards`),
            await outcome("PUT", `/decks/${deck}/cards/${card}`, {
                front: "Hacked", back: "Hacked",
                was: { front: "France", back: "Paris" }, keep_schedule: true,
            }),
            await outcome("DELETE", `/decks/${deck}/cards/${card}`),
            await outcome("POST", `/decks/${deck}/use`, {}),
        ];
    }"""
    outcomes = await page.evaluate(calls, [deck_id, france])
    assert outcomes == ["403 not_yours"] * 5
    row = await mini_app.services.db.fetchone(
        "SELECT front, back, retired FROM cards WHERE id = ?", (france,)
    )
    assert row is not None and tuple(row) == ("France", "Paris", 0)
    active = await mini_app.services.db.fetchone(
        "SELECT active_deck_id FROM users WHERE id = ?", (bob.id,)
    )
    assert active is not None and active[0] != deck_id


async def test_a_russian_speakers_page_speaks_russian(mini_app: MiniApp, page: Page) -> None:
    olga = mini_app.sandbox.user("Olga", language_code="ru")
    await mini_app.open_app(page, olga)
    main = page.get_by_role("main")
    await expect(
        main.get_by_role("heading", name=say("decks.title", "ru"), level=1)
    ).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "ru"
    assert say("decks.title", "ru") != say("decks.title")
    tabs = main.get_by_role("tab")
    await expect(tabs).to_have_text(
        [say("webapp.tab_decks", "ru"), say("webapp.tab_progress", "ru")]
    )
    await expect(main.get_by_text(say("decks.none_yours", "ru"))).to_be_visible()
    starter = main.get_by_role("button", name="Khrushchev's attempts")
    await expect(starter).to_contain_text(say("decks.cards_count", "ru", count=9))
    await expect(main.get_by_label(say("decks.new_title_label", "ru"))).to_be_visible()
