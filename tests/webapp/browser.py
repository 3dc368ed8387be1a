"""The Mini App in a real headless Chromium: the sandbox Bot API, the bot polling it, the Mini App
server beside it, and a phone-sized browser page opened as a sandbox person would open it.

The functions are importable outside pytest (scripts/screenshot_webapp.py uses them); the
fixtures at the bottom are what the browser tests use (each test module binds them by name). The
browser is launched once per test module (it costs seconds); each test gets a fresh context.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
import pytest_asyncio

from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from bot.services.container import Services
from bot.views import webapp, webapp_decks, webapp_progress
from bot.views.i18n import using_locale
from bot.webapp.context import WebUser
from bot.webapp.init_data import sign_init_data
from bot.webapp.server import WebAppServer, start_webapp, stop_webapp
from tests.conftest import T0
from tests.e2e.conftest import TOKEN, RunningBot
from tests.e2e.helpers import answer

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser,
        ConsoleMessage,
        Page,
        Playwright,
        Response,
        ViewportSize,
    )

log = logging.getLogger(__name__)

# A phone held upright (an iPhone 12-14's CSS pixels); the narrowest common Android is 360 wide.
PHONE: ViewportSize = {"width": 390, "height": 844}
NARROW_PHONE: ViewportSize = {"width": 360, "height": 780}
# Telegram's own dark theme, as it passes it in the URL fragment (tgWebAppThemeParams).
DARK_THEME = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#0f0f0f",
}
INSTALL_TIMEOUT = 15 * 60
EXPECT_TIMEOUT_MS = 20_000
ANSWER_SECONDS = timedelta(seconds=8)  # how long a person takes to answer a question


def say(key: str, locale: str = "en", **values: object) -> str:
    """The sentence the page shows for `key` in `locale` (as GET /app/api/session sends it)."""
    with using_locale(locale):
        sentences = {**webapp.strings(), **webapp_decks.strings(), **webapp_progress.strings()}
    sentence = sentences[key]
    for name, value in values.items():
        sentence = sentence.replace("{" + name + "}", str(value))
    return sentence


# ---- Chromium -------------------------------------------------------------------------------


def chromium_executable() -> str | None:
    """The system's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


# Every browser test module starts with `pytestmark = BROWSER_TESTS`: selectable with
# `-m browser`, and run on the module's event loop, which the launched browser belongs to.
BROWSER_TESTS = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
if chromium_executable() is None:
    # This run installs Chromium (minutes) while setting up its first browser test: the tests
    # get the install's time on top of the usual limit.
    BROWSER_TESTS.append(pytest.mark.timeout(INSTALL_TIMEOUT + 180))


def _apt_get(*arguments: str) -> bool:
    """Run apt-get with `arguments`, its output logged; whether it succeeded."""
    done = subprocess.run(
        ["apt-get", *arguments],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    log.warning(
        "apt-get %s exited %s:\n%s%s",
        " ".join(arguments),
        done.returncode,
        done.stdout,
        done.stderr,
    )
    return done.returncode == 0


def install_chromium() -> str | None:
    """Install Debian's Chromium when this is a root shell with apt-get; None when we cannot."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    log.warning("Chromium is not installed: installing it with apt-get (a few minutes)")
    install = ("install", "-y", "--no-install-recommends", "chromium")
    # A fresh container has no package lists yet: fetch them once, then try again.
    if not _apt_get(*install) and _apt_get("update"):
        _apt_get(*install)
    return chromium_executable()


NO_PLAYWRIGHT = "Playwright is not installed (pip install -e '.[dev]')"


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return NO_PLAYWRIGHT
    if importlib.util.find_spec("axe_playwright_python") is None:
        return "axe-playwright-python is not installed (pip install -e '.[dev]')"
    return None


async def launch_chromium(playwright: Playwright, executable: str) -> Browser:
    """Headless Chromium; --no-sandbox because tests may run as root (in a container)."""
    return await playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])


# ---- the bot, the sandbox and the Mini App --------------------------------------------------


@dataclass
class MiniApp:
    """A running sandbox, bot and Mini App server, and how to open the app as a sandbox person."""

    sandbox: SandboxServer
    bot: RunningBot
    server: WebAppServer
    clock: ManualClock

    @property
    def services(self) -> Services:
        """The running bot's services (its database, decks ...)."""
        return self.bot.services

    @property
    def base_url(self) -> str:
        """The Mini App's own URL, http://127.0.0.1:PORT/app/."""
        return f"http://127.0.0.1:{self.server.port}/app/"

    def now(self) -> int:
        """The bot's clock now, in Unix seconds (what a fresh `auth_date` holds)."""
        return int(self.clock.now().timestamp())

    def init_data(
        self, user: SandboxUser, auth_date: int | None = None, token: str | None = None
    ) -> str:
        """The `initData` Telegram would hand the page for `user` (signed with `token`)."""
        person = WebUser(user.id, user.record.first_name, user.record.language_code)
        return sign_init_data(
            person, token or TOKEN, self.now() if auth_date is None else auth_date
        )

    def url(self, init_data: str, theme: Mapping[str, str] | None = None) -> str:
        """The URL Telegram opens: the app with the launch parameters in its fragment."""
        fragment = f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0"
        fragment += "&tgWebAppPlatform=web"
        if theme is not None:
            fragment += "&tgWebAppThemeParams=" + quote(json.dumps(dict(theme)), safe="")
        return f"{self.base_url}#{fragment}"

    async def open_app(
        self,
        page: Page,
        user: SandboxUser,
        auth_date: int | None = None,
        token: str | None = None,
        theme: Mapping[str, str] | None = None,
    ) -> Response | None:
        """Open the Mini App in `page` as `user` would from the bot's button; the page's
        response."""
        return await self.open_raw(page, self.init_data(user, auth_date, token), theme)

    async def open_raw(
        self, page: Page, init_data: str, theme: Mapping[str, str] | None = None
    ) -> Response | None:
        """Open the Mini App with exactly this `initData` (forged ones included); the page's
        response."""
        return await page.goto(self.url(init_data, theme))


@asynccontextmanager
async def running_mini_app(database_url: str, clock: ManualClock) -> AsyncIterator[MiniApp]:
    """Start the sandbox, the bot polling it (on `database_url`) and the Mini App on 127.0.0.1."""
    sandbox = SandboxServer(token=TOKEN, host="127.0.0.1", port=0)
    await sandbox.start()
    try:
        settings = Settings(
            bot_token=TOKEN,
            bot_api_url=sandbox.base_url,
            database_url=database_url,
            log_level="DEBUG",
        )
        bot = RunningBot(settings, clock)
        await bot.start()
        # A person's messages are budgeted on the bot's clock: the days and seconds a test lets
        # pass while studying (play_session) pass for the flood gate too.
        bot.app.bot_data.guard.monotonic = lambda: clock.now().timestamp()
        try:
            server = await start_webapp(bot.app, TOKEN, "127.0.0.1:0", clock)
            assert server is not None, "the Mini App could not listen on 127.0.0.1"
            try:
                yield MiniApp(sandbox, bot, server, clock)
            finally:
                await stop_webapp(server)
        finally:
            await bot.stop()
    finally:
        await sandbox.stop()


async def save_pasted_deck(user: SandboxUser, text: str) -> None:
    """Paste a deck into the chat and tap Save on its preview, as a person brings a deck."""
    await user.send(text)
    preview = await user.wait_for(lambda m: m.text.startswith("📦") and bool(m.buttons))
    await user.tap("Save", message=preview)
    await user.wait_for(lambda m: m.message_id == preview.message_id and "✅" in m.text)


async def play_session(app: MiniApp, user: SandboxUser, wrong: Collection[int] = ()) -> list[str]:
    """Send /quiz and answer every question (taking ANSWER_SECONDS of the bot's clock each),
    right but for the question numbers in `wrong`; each question's text and buttons, as shown."""
    sent = await user.send("/quiz")
    shown: list[str] = []
    while True:
        number = len(shown) + 1
        message = await user.wait_for(
            lambda m: m.text.startswith(f"Question {number}/") or "Session complete" in m.text,  # noqa: B023 - awaited at once
            since=sent,
        )
        if "Session complete" in message.text:
            return shown
        shown.append("\n".join([message.text, *message.labels]))
        await answer(user, app.services, right=number not in wrong)
        app.clock.advance(ANSWER_SECONDS)


async def seed_history(app: MiniApp, user: SandboxUser, deck: str) -> dict[date, int]:
    """Paste `deck`, then study it on three days (a few answers wrong), so the progress charts
    have reviews behind and questions ahead; the clock ends on the last of those days. The
    number of answers given on each day."""
    await save_pasted_deck(user, deck)
    answered: dict[date, int] = {}
    for gap, wrong in ((0, {2, 4}), (1, {1}), (2, set[int]())):
        app.clock.advance(timedelta(days=gap))
        shown = await play_session(app, user, wrong=wrong)
        answered[app.clock.now().date()] = len(shown)
    return answered


# ---- what the page logged -------------------------------------------------------------------


@dataclass
class PageLog:
    """What a page said to its console, threw, and answered to its API calls."""

    errors: list[str] = field(default_factory=list)
    # The browser's own note of each answer of 400 or more (the API's refusals among them).
    failed_loads: list[str] = field(default_factory=list)
    api: list[tuple[str, int]] = field(default_factory=list)

    def statuses(self, path: str) -> list[int]:
        """The statuses the API answered for URLs ending in `path` (`/session`, `/decks` ...)."""
        return [status for url, status in self.api if url.split("?")[0].endswith(path)]


def watch(page: Page) -> PageLog:
    """Record the page's console errors (CSP violations are among them), uncaught errors and
    every API response's status."""
    seen = PageLog()

    def on_console(message: ConsoleMessage) -> None:
        url = message.location["url"]
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource"):
            seen.failed_loads.append(url)
        else:
            seen.errors.append(f"{message.text} ({url})")

    def on_error(error: Exception) -> None:
        seen.errors.append(f"uncaught: {error}")

    def on_response(response: Response) -> None:
        if "/app/api/" in response.url:
            seen.api.append((response.url, response.status))

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.on("response", on_response)
    return seen


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.0/2.1 A and AA (labels, names, contrast ...) and of its
    best practices (one main, headings in order, content in landmarks) on the page as it stands."""
    from axe_playwright_python.async_playwright import Axe

    rules = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
    options = {"runOnly": {"type": "tag", "values": rules}}
    results = await Axe().run(page, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def described(violations: list[dict[str, Any]]) -> str:
    """axe's violations in a line each: the rule, and the elements it found."""
    return "\n".join(
        f"{v['id']}: {v['help']} — " + ", ".join(str(n["target"]) for n in v["nodes"])
        for v in violations
    )


async def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scroll)."""
    wider: int = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return wider


# ---- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system Chromium (installed with apt-get when missing and we may); skips otherwise."""
    problem = why_no_browser()
    if problem is not None:
        pytest.skip(problem)
    found = chromium_executable() or install_chromium()
    if found is None:
        pytest.skip("Chromium is not installed and cannot be (apt-get install chromium as root)")
    return found


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium(chromium_path: str) -> AsyncIterator[Browser]:
    """A headless Chromium for the module's tests."""
    from playwright.async_api import async_playwright, expect

    # What a page shows is awaited, never timed; the bound only ends a wait that would never end
    # (generous: the whole suite shares two CPUs).
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright, chromium_path)
        yield browser
        await browser.close()


@pytest_asyncio.fixture(loop_scope="module")
async def mini_app(tmp_path: Path) -> AsyncIterator[MiniApp]:
    """The sandbox, the bot on a fresh SQLite file and the Mini App, on a clock stopped at T0."""
    async with running_mini_app(f"sqlite:///{tmp_path / 'bot.sqlite3'}", ManualClock(T0)) as app:
        yield app


@pytest_asyncio.fixture(loop_scope="module")
async def page(chromium: Browser) -> AsyncIterator[Page]:
    """A fresh phone-sized page (its own cookies and storage) for one test."""
    context = await chromium.new_context(viewport=PHONE, device_scale_factor=2, locale="en-US")
    yield await context.new_page()
    await context.close()
