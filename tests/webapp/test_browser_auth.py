"""The Mini App opened without a valid initData, in a real browser: the API answers 401 and the page
says to open it from the bot, showing nobody's decks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.sandbox.driver import SandboxUser
from bot.views.webapp import error_message
from tests.webapp import browser as harness
from tests.webapp.browser import MiniApp, axe_violations, save_pasted_deck

# Without Playwright the module is skipped, saying why (the import below would fail).
pytest.importorskip("playwright", reason=harness.NO_PLAYWRIGHT)
from playwright.async_api import Page, expect

pytestmark = harness.BROWSER_TESTS

OTHER_TOKEN = "987654321:ANOTHER-bots-token-000000000000000"


def altered(init_data: str, **changes: str) -> str:
    """The same initData with some fields replaced (its hash left as it was, unless replaced)."""
    fields = dict(parse_qsl(init_data, keep_blank_values=True))
    fields.update(changes)
    return urlencode(fields)


def flipped_hash(init_data: str) -> str:
    """The initData with the last digit of its hash changed."""
    digest = dict(parse_qsl(init_data))["hash"]
    return altered(init_data, hash=digest[:-1] + ("0" if digest[-1] != "0" else "1"))


# Each way a page can be opened without the bot's say-so, and the refusal's error code.
Opening = Callable[[MiniApp, SandboxUser, SandboxUser], str]
REFUSED: dict[str, tuple[Opening, str]] = {
    "hash altered": (lambda app, bob, alice: flipped_hash(app.init_data(bob)), "unauthorized"),
    "another person's id under one's own hash": (
        lambda app, bob, alice: altered(
            app.init_data(bob),
            user=dict(parse_qsl(app.init_data(alice)))["user"],
        ),
        "unauthorized",
    ),
    "signed two days ago": (
        lambda app, bob, alice: app.init_data(
            bob, auth_date=app.now() - int(timedelta(days=2).total_seconds())
        ),
        "expired",
    ),
    "signed with another bot's token": (
        lambda app, bob, alice: app.init_data(bob, token=OTHER_TOKEN),
        "unauthorized",
    ),
    "no initData at all": (lambda app, bob, alice: "", "unauthorized"),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_a_page_opened_without_the_bots_say_so_shows_nothing_but_where_to_open_it(
    mini_app: MiniApp, page: Page, case: str
) -> None:
    alice = mini_app.sandbox.user("Alice")
    await save_pasted_deck(alice, "Capitals\nFrance :: Paris\nSpain :: Madrid")
    bob = mini_app.sandbox.user("Bob")
    make, code = REFUSED[case]
    init_data = make(mini_app, bob, alice)

    async with page.expect_response(lambda r: r.url.endswith("/app/api/session")) as answered:
        if init_data:
            await mini_app.open_raw(page, init_data)
        else:
            await page.goto(mini_app.base_url)  # typed into a browser, no launch parameters
    response = await answered.value
    assert response.status == 401
    assert (await response.json())["error"]["code"] == code

    main = page.get_by_role("main")
    await expect(main).to_contain_text(error_message(code))
    assert "from the bot" in error_message(code)
    # Nothing of anyone's: no tabs, no deck list, no deck of Alice's.
    await expect(main.get_by_role("tab")).to_have_count(0)
    await expect(main.get_by_role("button")).to_have_count(0)
    await expect(main).not_to_contain_text("Capitals")
    assert await axe_violations(page) == []
