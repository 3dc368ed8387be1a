"""Phone-width pictures of the Mini App for the README: a deck, and the progress screen.

    .venv/bin/python scripts/screenshot_webapp.py [--out docs]

Starts what the browser tests start (tests/webapp/browser.py: the sandbox Bot API, the bot on a
temporary SQLite file, the Mini App on 127.0.0.1), studies a pasted deck in the sandbox chat over
three weeks of the bot's clock, opens the Mini App in headless Chromium at 390x844 and writes
docs/webapp-deck.png and docs/webapp-progress.png. Needs the dev extra (Playwright) and Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.async_api import Page, async_playwright, expect  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.sandbox.driver import SandboxUser  # noqa: E402
from tests.conftest import T0  # noqa: E402
from tests.webapp.browser import (  # noqa: E402
    PHONE,
    MiniApp,
    chromium_executable,
    launch_chromium,
    play_session,
    running_mini_app,
    save_pasted_deck,
    say,
)

DECK = """Spanish basics
hola :: hello
adiós :: goodbye
gracias :: thank you
por favor :: please
el perro :: the dog
el gato :: the cat
la casa :: the house
el libro :: the book
el agua :: the water
la manzana :: the apple
el tren :: the train
la playa :: the beach
"""
# Days studied over three weeks (0 = the first), and which questions of each session went wrong.
STUDY_DAYS = {0: {2, 5}, 1: {3}, 2: set(), 4: {1, 6}, 5: set(), 7: {2}, 8: set(), 9: {4}}
STUDY_DAYS |= {11: set(), 12: {1}, 14: set(), 15: {3}, 17: set(), 18: set(), 20: {2}}
DEVICE_SCALE = 2  # a phone's pixels per CSS pixel, so the picture is as sharp as on one


async def study(app: MiniApp) -> SandboxUser:
    """A person pastes the deck and studies it on the days of STUDY_DAYS."""
    alice = app.sandbox.user("Alice")
    await save_pasted_deck(alice, DECK)
    day = 0
    for study_day, wrong in STUDY_DAYS.items():
        app.clock.advance(timedelta(days=study_day - day))
        day = study_day
        await play_session(app, alice, wrong=wrong)
    return alice


async def settled(page: Page, heading: str) -> None:
    """Wait until the screen titled `heading` is drawn with its data."""
    main = page.get_by_role("main")
    await expect(main.get_by_role("heading", name=heading, level=1)).to_be_visible()
    await expect(main).to_have_attribute("aria-busy", "false")


async def pictures(app: MiniApp, page: Page, person: SandboxUser, out: Path) -> list[Path]:
    """Open the app as the person; picture the deck, then the progress screen."""
    await app.open_app(page, person)
    main = page.get_by_role("main")
    await main.get_by_role("button", name="Spanish basics").click()
    await settled(page, "Spanish basics")
    deck = out / "webapp-deck.png"
    await page.screenshot(path=str(deck))
    await main.get_by_role("heading", level=1).focus()
    await page.keyboard.press("Escape")  # back, as in a plain browser
    await settled(page, say("decks.title"))
    await main.get_by_role("tab", name=say("webapp.tab_progress")).click()
    await settled(page, say("progress.title"))
    progress = out / "webapp-progress.png"
    await page.screenshot(path=str(progress))
    return [deck, progress]


async def main(out: Path) -> int:
    """Start everything, study, take the pictures; 0 when written."""
    executable = chromium_executable()
    if executable is None:
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'bot.sqlite3'}"
        async with running_mini_app(database, ManualClock(T0)) as app, async_playwright() as pw:
            person = await study(app)
            browser = await launch_chromium(pw, executable)
            context = await browser.new_context(
                viewport=PHONE, device_scale_factor=DEVICE_SCALE, locale="en-US"
            )
            written = await pictures(app, await context.new_page(), person, out)
            await browser.close()
    for path in written:
        print(f"{path}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="the folder to write to")
    folder = parser.parse_args().out
    folder.mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(main(folder)))
