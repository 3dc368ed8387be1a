"""The Mini App's progress screen in a real browser: the hardest cards picked on the page are the
quiz waiting in the chat, and a newcomer's empty progress reads well in both themes."""

from __future__ import annotations

import pytest

from tests.webapp import browser as harness
from tests.webapp.browser import DARK_THEME, MiniApp, axe_violations, described, say, seed_history

# Without Playwright the module is skipped, saying why (the import below would fail).
pytest.importorskip("playwright", reason=harness.NO_PLAYWRIGHT)
from playwright.async_api import Page, expect

pytestmark = harness.BROWSER_TESTS

CAPITALS = """Capitals
France :: Paris
Spain :: Madrid
Italy :: Rome
Peru :: Lima
Kenya :: Nairobi
"""


async def test_hardest_cards_picked_on_the_page_are_the_quiz_waiting_in_the_chat(
    mini_app: MiniApp, page: Page
) -> None:
    alice = mini_app.sandbox.user("Alice")
    await seed_history(mini_app, alice, CAPITALS)
    await mini_app.open_app(page, alice)
    main = page.get_by_role("main")
    await main.get_by_role("tab", name=say("webapp.tab_progress")).click()
    await expect(main.get_by_role("heading", name=say("progress.title"), level=1)).to_be_visible()
    hardest = main.get_by_role("region", name=say("progress.hardest"))
    boxes = hardest.get_by_role("checkbox")
    await expect(boxes.first).to_be_visible()
    picked = [await hardest.locator(".hard-front").nth(i).inner_text() for i in range(2)]
    await boxes.nth(0).check()
    await boxes.nth(1).check()
    before = alice.messages[-1]

    async with page.expect_response(lambda r: r.url.endswith("/app/api/review")) as answered:
        await hardest.get_by_role("button", name=say("progress.review_selected")).click()
    response = await answered.value
    assert response.status == 200 and await response.json() == {"started": True}

    # The chat asks at once, and only about the picked cards.
    question = await alice.wait_for(lambda m: m.text.startswith("Question 1/"), since=before)
    shown = "\n".join([question.text, *question.labels])
    assert any(front in shown for front in picked), (picked, shown)
    rows = await mini_app.services.db.fetchall(
        """SELECT DISTINCT c.front FROM quiz_sessions s
             JOIN session_items i ON i.session_id = s.id
             JOIN questions q ON q.id = i.question_id
             JOIN cards c ON c.id = q.card_id
            WHERE s.user_id = ? AND s.finished_at IS NULL""",
        (alice.id,),
    )
    assert sorted(row[0] for row in rows) == sorted(picked)


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_a_newcomers_progress_says_how_to_start_and_passes_axe(
    mini_app: MiniApp, page: Page, theme: str
) -> None:
    newcomer = mini_app.sandbox.user("Nadia")
    await mini_app.open_app(page, newcomer, theme=DARK_THEME if theme == "dark" else None)
    main = page.get_by_role("main")
    await main.get_by_role("tab", name=say("webapp.tab_progress")).click()
    await expect(main.get_by_role("heading", name=say("progress.title"), level=1)).to_be_visible()
    await expect(main).to_contain_text(say("progress.empty"))
    await expect(main.get_by_role("img")).to_have_count(0)  # no empty charts
    await expect(main).to_have_attribute("aria-busy", "false")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
