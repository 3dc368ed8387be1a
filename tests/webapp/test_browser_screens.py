"""Every Mini App screen in a real browser: axe-core finds no WCAG 2 A/AA violation in the light
and the dark theme, nothing scrolls sideways on a 360 or 390 px wide phone, and the page runs
under its Content-Security-Policy without one console error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, timedelta

import pytest

from tests.webapp import browser as harness
from tests.webapp.browser import (
    DARK_THEME,
    NARROW_PHONE,
    PHONE,
    MiniApp,
    axe_violations,
    described,
    overflow,
    say,
    seed_history,
    watch,
)

# Without Playwright the module is skipped, saying why (the import below would fail).
pytest.importorskip("playwright", reason=harness.NO_PLAYWRIGHT)
from playwright.async_api import Dialog, Page, ViewportSize, expect

pytestmark = harness.BROWSER_TESTS

# A long unbroken word and a long sentence: what makes a narrow screen scroll sideways if any.
WORDS = """Words
Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen :: the badge on a Danube steamship captain's cap
Haus :: house
Baum :: tree
Straße :: street
Fenster :: window
Schmetterling :: butterfly
"""
# A card's back changed through the API, as the same person's other device would.
CHANGE_ELSEWHERE = """async ([deck, card, front, back]) => {
    const { api } = await import(new URL("static/app.js", document.baseURI).href);
    await api("PUT", `/decks/${deck}/cards/${card}`, {
        front, back: "a cap badge", was: { front, back }, keep_schedule: true,
    });
    return "saved";
}"""
Check = Callable[[str], Awaitable[None]]
SCREENS = [
    "decks list",
    "decks list searched, nothing found",
    "a deck of one's own",
    "a card's editor",
    "a card's editor, front edited (keep-schedule choice shown)",
    "a card's editor refusing an empty front",
    "a card's editor after the card changed elsewhere",
    "a new card",
    "a new empty deck",
    "a starter deck (read only)",
    "progress",
    "progress, a day picked on the heatmap",
]


async def tour(app: MiniApp, page: Page, answered: Mapping[date, int], check: Check) -> list[str]:
    """Walk through every screen as a person would (who answered so many questions on those
    days), calling `check` on each; the screens seen."""
    seen: list[str] = []
    main = page.get_by_role("main")

    async def on(screen: str) -> None:
        seen.append(screen)
        await expect(main).to_have_attribute("aria-busy", "false")
        await check(screen)

    async def heading(name: str) -> None:
        await expect(main.get_by_role("heading", name=name, level=1)).to_be_visible()

    async def go_back() -> None:
        # As in a plain browser: Escape, outside the text boxes (there it belongs to the box).
        await main.get_by_role("heading", level=1).focus()
        await page.keyboard.press("Escape")

    async def yes(dialog: Dialog) -> None:
        await dialog.accept()  # leaving typed text behind: "yes"

    page.on("dialog", yes)

    await heading(say("decks.title"))
    await expect(main.get_by_role("button", name="Words")).to_be_visible()
    await on("decks list")

    search = main.get_by_label(say("decks.search_label"))
    await search.fill("no such deck anywhere")
    await expect(main.get_by_text(say("decks.none_found"))).to_be_visible()
    await on("decks list searched, nothing found")
    await search.fill("")
    await main.get_by_role("button", name="Words").click()
    await heading("Words")
    long_front = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen"
    await expect(main.get_by_text(long_front)).to_be_visible()
    await on("a deck of one's own")

    await main.get_by_role("button", name=say("decks.open_card", front=long_front)).click()
    await heading(say("decks.edit_card"))
    front = main.get_by_label(say("decks.front"))
    await expect(front).to_have_value(long_front)
    await on("a card's editor")
    await front.fill(long_front + "s")
    await expect(main.get_by_label(say("decks.keep_schedule"))).to_be_visible()
    await on("a card's editor, front edited (keep-schedule choice shown)")
    await front.fill("")
    await main.get_by_role("button", name=say("decks.save")).click()
    await expect(front).to_have_attribute("aria-invalid", "true")
    await on("a card's editor refusing an empty front")

    # Meanwhile the card's back is changed elsewhere (the same person on another device): Save
    # then shows the card as it is now and keeps what was typed.
    row = await app.services.db.fetchone(
        "SELECT id, deck_id, back FROM cards WHERE front = ? AND retired = 0", (long_front,)
    )
    assert row is not None
    elsewhere = await page.evaluate(CHANGE_ELSEWHERE, [row[1], row[0], long_front, row[2]])
    assert elsewhere == "saved"
    await front.fill(long_front + "s")
    await main.get_by_role("button", name=say("decks.save")).click()
    changed = main.get_by_role("region", name=say("decks.changed_heading"))
    await expect(changed).to_contain_text(say("decks.now_back", text="a cap badge"))
    await expect(front).to_have_value(long_front + "s")
    await on("a card's editor after the card changed elsewhere")

    await go_back()
    await heading("Words")
    await main.get_by_role("button", name=say("decks.add_card")).click()
    await heading(say("decks.new_card"))
    await on("a new card")

    await go_back()
    await heading("Words")
    await go_back()
    await heading(say("decks.title"))
    await main.get_by_label(say("decks.new_title_label")).fill("Verbs")
    await main.get_by_role("button", name=say("decks.create")).click()
    await heading("Verbs")
    await expect(main.get_by_text(say("decks.no_cards"))).to_be_visible()
    await on("a new empty deck")

    await go_back()
    await heading(say("decks.title"))
    await main.get_by_role("button", name="Khrushchev's attempts").click()
    await expect(main.get_by_text(say("decks.read_only"))).to_be_visible()
    await on("a starter deck (read only)")

    await go_back()
    await heading(say("decks.title"))
    await main.get_by_role("tab", name=say("webapp.tab_progress")).click()
    await heading(say("progress.title"))
    await expect(main.get_by_role("heading", name=say("progress.hardest"))).to_be_visible()
    await on("progress")
    # Two days back from today with the arrow keys: the chart's description tells that day.
    chart = main.get_by_role("img", name=say("progress.heatmap_chart"))
    await chart.focus()
    await page.keyboard.press("ArrowUp")
    await page.keyboard.press("ArrowUp")
    picked = app.clock.now().date() - timedelta(days=2)
    told = say(
        "progress.day_reviews",
        date=f"{picked:%b} {picked.day}, {picked.year}",
        count=answered[picked],
    )
    details = main.locator(f"#{await chart.get_attribute('aria-describedby')}")
    await expect(details).to_have_text(told)
    await on("progress, a day picked on the heatmap")
    return seen


async def studied_app(
    app: MiniApp, page: Page, theme: Mapping[str, str] | None = None
) -> dict[date, int]:
    """A person with a deck of their own studied over a few days, the app open on their decks;
    how many questions they answered on each day."""
    alice = app.sandbox.user("Alice")
    answered = await seed_history(app, alice, WORDS)
    await app.open_app(page, alice, theme=theme)
    return answered


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_axe_finds_no_violation_on_any_screen(
    mini_app: MiniApp, page: Page, theme: str
) -> None:
    answered = await studied_app(mini_app, page, DARK_THEME if theme == "dark" else None)
    expected_scheme = "dark" if theme == "dark" else "light"
    assert await page.evaluate("document.documentElement.dataset.scheme") == expected_scheme
    found: dict[str, str] = {}

    async def axe(screen: str) -> None:
        violations = await axe_violations(page)
        if violations:
            found[screen] = described(violations)

    assert await tour(mini_app, page, answered, axe) == SCREENS
    assert found == {}, "\n\n".join(f"{screen}:\n{text}" for screen, text in found.items())


@pytest.mark.parametrize("width", [NARROW_PHONE, PHONE], ids=["360px", "390px"])
async def test_no_screen_scrolls_sideways_on_a_phone(
    mini_app: MiniApp, page: Page, width: ViewportSize
) -> None:
    await page.set_viewport_size(width)
    answered = await studied_app(mini_app, page)
    assert await page.evaluate("window.innerWidth") == width["width"]
    wider: dict[str, int] = {}

    async def sideways(screen: str) -> None:
        extra = await overflow(page)
        if extra > 0:
            wider[screen] = extra

    assert await tour(mini_app, page, answered, sideways) == SCREENS
    assert wider == {}, f"pixels wider than the {width['width']} px window: {wider}"


async def test_the_page_runs_under_its_csp_without_a_console_error(
    mini_app: MiniApp, page: Page
) -> None:
    log = watch(page)
    alice = mini_app.sandbox.user("Alice")
    answered = await seed_history(mini_app, alice, WORDS)
    response = await mini_app.open_app(page, alice)
    assert response is not None and response.ok
    policy = response.headers["content-security-policy"]
    directives = {
        name: value
        for name, _space, value in (part.strip().partition(" ") for part in policy.split(";"))
    }
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert "unsafe" not in policy

    async def nothing(screen: str) -> None:
        return None

    assert await tour(mini_app, page, answered, nothing) == SCREENS
    # No CSP violation, no script error; the only refusals are the ones the tour asked for (an
    # empty front, then a save over a card changed elsewhere), which the browser notes by itself.
    assert log.errors == []
    refused = [(url, status) for url, status in log.api if status >= 400]
    assert [status for _url, status in refused] == [422, 409]
    assert log.failed_loads == [url for url, _status in refused]
