"""A card's picture chosen on the Mini App's card editor in a real browser: it is sent, stored and
shown at once, the editor with its picture stays accessible, and Remove picture takes it away."""

from __future__ import annotations

import pytest

from tests.media import png_bytes
from tests.webapp import browser as harness
from tests.webapp.browser import MiniApp, axe_violations, described, save_pasted_deck, say, watch

# Without Playwright the module is skipped, saying why (the import below would fail).
pytest.importorskip("playwright", reason=harness.NO_PLAYWRIGHT)
from playwright.async_api import Page, expect

pytestmark = harness.BROWSER_TESTS


async def test_a_picture_chosen_in_the_editor_is_shown_and_stored(
    mini_app: MiniApp, page: Page
) -> None:
    alice = mini_app.sandbox.user("Alice")
    await save_pasted_deck(alice, "Capitals\nFrance :: Paris\nSpain :: Madrid")
    log = watch(page)
    await mini_app.open_app(page, alice)
    main = page.get_by_role("main")
    await main.get_by_role("button", name="Capitals").click()
    await main.get_by_role("button", name=say("decks.open_card", front="France")).click()
    await expect(main.get_by_role("heading", name=say("decks.edit_card"), level=1)).to_be_visible()
    alt = say("decks.picture_alt", front="France")
    await expect(main.get_by_role("img", name=alt)).to_have_count(0)
    await expect(main.get_by_role("button", name=say("decks.remove_picture"))).to_have_count(0)

    picture = png_bytes(8, 6)
    await main.get_by_label(say("decks.picture")).set_input_files(
        {"name": "eiffel.png", "mimeType": "image/png", "buffer": picture}
    )
    await expect(page.get_by_role("status")).to_have_text(say("decks.picture_saved"))
    shown = main.get_by_role("img", name=alt)
    await expect(shown).to_be_visible()
    assert await shown.evaluate("(image) => image.naturalWidth") == 8  # the picture sent
    await expect(main.get_by_role("button", name=say("decks.remove_picture"))).to_be_visible()
    await expect(main.get_by_label(say("decks.front"))).to_have_value("France")

    stored = await mini_app.services.db.fetchone(
        """SELECT m.data FROM cards c JOIN media m ON m.digest = c.front_media
            WHERE c.front = 'France' AND c.retired = 0"""
    )
    assert stored is not None and bytes(stored[0]) == picture
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await main.get_by_role("button", name=say("decks.remove_picture")).click()
    await expect(page.get_by_role("status")).to_have_text(say("decks.picture_removed"))
    await expect(main.get_by_role("img", name=alt)).to_have_count(0)
    await expect(main.get_by_role("button", name=say("decks.remove_picture"))).to_have_count(0)
    assert log.errors == [] and log.failed_loads == []
