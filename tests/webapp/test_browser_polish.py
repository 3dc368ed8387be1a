"""The card editor as a person uses it in a plain browser: yes/no questions are the browser's own
dialog (Telegram's popup has nobody to show it there), Escape in a box keeps the text, leaving
with unsaved changes asks first, and Save is busy while a slow save is on its way."""

from __future__ import annotations

import asyncio

import pytest

from tests.webapp import browser as harness
from tests.webapp.browser import MiniApp, save_pasted_deck, say

pytest.importorskip("playwright", reason=harness.NO_PLAYWRIGHT)
from playwright.async_api import Dialog, Locator, Page, Request, Route, expect

pytestmark = harness.BROWSER_TESTS

CAPITALS = "Capitals\nFrance :: Paris\nSpain :: Madrid\nItaly :: Rome"


async def open_card(app: MiniApp, page: Page, front: str) -> Locator:
    """Alice's Capitals deck pasted in the chat, then the page opened on the card `front`; the
    page's <main>."""
    alice = app.sandbox.user("Alice")
    await save_pasted_deck(alice, CAPITALS)
    await app.open_app(page, alice)
    main = page.get_by_role("main")
    await main.get_by_role("button", name="Capitals").click()
    await main.get_by_role("button", name=say("decks.open_card", front=front)).click()
    await expect(main.get_by_role("heading", name=say("decks.edit_card"), level=1)).to_be_visible()
    return main


def answer_dialogs(page: Page, answers: list[bool]) -> list[str]:
    """Answers the page's dialogs with `answers` in turn; the questions asked, as they come."""
    asked: list[str] = []

    async def on_dialog(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if answers.pop(0) else dialog.dismiss())

    page.on("dialog", on_dialog)
    return asked


async def test_delete_asks_with_the_browsers_dialog_and_a_no_keeps_the_card(
    mini_app: MiniApp, page: Page
) -> None:
    main = await open_card(mini_app, page, "Spain")
    asked = answer_dialogs(page, [False, True, True])
    delete = main.get_by_role("button", name=say("decks.delete_card"))
    await delete.click()
    await expect(delete).to_be_enabled()  # answered: the page goes on
    assert asked == [say("decks.delete_card_confirm")]
    await expect(main.get_by_label(say("decks.front"))).to_have_value("Spain")

    await delete.click()
    await expect(main.get_by_role("heading", name="Capitals", level=1)).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text(say("decks.card_deleted"))
    await expect(
        main.get_by_role("button", name=say("decks.open_card", front="Spain"))
    ).to_have_count(0)

    # Deleting the deck says what goes with it: its cards and the progress on it.
    await main.get_by_role("button", name=say("decks.delete")).click()
    await expect(main.get_by_role("heading", name=say("decks.title"), level=1)).to_be_visible()
    assert asked[-1] == say("decks.delete_confirm", title="Capitals")
    assert "deleted too" in asked[-1]


async def test_escape_keeps_what_is_typed_and_leaving_unsaved_changes_asks_first(
    mini_app: MiniApp, page: Page
) -> None:
    main = await open_card(mini_app, page, "France")
    editor = main.get_by_role("heading", name=say("decks.edit_card"), level=1)
    back_side = main.get_by_label(say("decks.back"))
    await back_side.fill("Paris, on the Seine")
    await back_side.press("Escape")  # Escape in a box belongs to the box
    await expect(editor).to_be_visible()
    await expect(back_side).to_have_value("Paris, on the Seine")

    asked = answer_dialogs(page, [False, True])
    await editor.focus()
    await page.keyboard.press("Escape")
    await expect(back_side).to_be_enabled()
    assert asked == [say("decks.leave_unsaved")]  # No: the editor stays with the text
    await expect(back_side).to_have_value("Paris, on the Seine")

    await editor.focus()
    await page.keyboard.press("Escape")  # Yes: back to the deck, nothing saved
    await expect(main.get_by_role("heading", name="Capitals", level=1)).to_be_visible()
    assert len(asked) == 2
    await expect(
        main.get_by_role("button", name=say("decks.open_card", front="France"))
    ).to_contain_text("Paris")
    await expect(main.get_by_text("Paris, on the Seine")).to_have_count(0)

    # An editor left as it was loaded goes back at once, asking nothing.
    await main.get_by_role("button", name=say("decks.open_card", front="Italy")).click()
    await expect(editor).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(main.get_by_role("heading", name="Capitals", level=1)).to_be_visible()
    assert len(asked) == 2


async def test_save_is_busy_until_the_answer_comes_so_it_is_sent_once(
    mini_app: MiniApp, page: Page
) -> None:
    main = await open_card(mini_app, page, "Italy")
    puts: list[str] = []
    answered = asyncio.Event()

    async def slow_save(route: Route, request: Request) -> None:
        if request.method == "PUT":
            puts.append(request.url)
            await answered.wait()  # the server is busy remaking a big deck's questions
        await route.continue_()

    await page.route("**/app/api/decks/*/cards/*", slow_save)
    await main.get_by_label(say("decks.back")).fill("Rome, on the Tiber")
    save = main.get_by_role("button", name=say("decks.save"))
    await save.click()
    busy = main.get_by_role("button", name=say("decks.saving"))
    await expect(busy).to_be_disabled()
    await expect(busy).to_have_attribute("aria-busy", "true")
    await busy.click(force=True)  # a second, impatient tap does nothing
    answered.set()
    await expect(main.get_by_role("heading", name="Capitals", level=1)).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text(say("decks.saved"))
    assert len(puts) == 1


async def test_a_refusal_goes_once_its_field_is_edited_and_moving_on_quiets_the_status(
    mini_app: MiniApp, page: Page
) -> None:
    main = await open_card(mini_app, page, "France")
    front = main.get_by_label(say("decks.front"))
    await front.fill("Spain")  # another card's front
    await main.get_by_role("button", name=say("decks.save")).click()
    await expect(front).to_have_attribute("aria-invalid", "true")
    refusal = main.locator(".field-error:visible")
    await expect(refusal).to_have_count(1)
    status = page.get_by_role("status")
    await expect(status).to_have_text(await refusal.inner_text())
    await front.fill("Spain (the country)")  # the refusal spoke of "Spain": it goes
    await expect(refusal).to_have_count(0)
    await expect(status).to_have_text("")
    await expect(front).not_to_have_attribute("aria-invalid", "true")

    await front.fill("France")
    await main.get_by_role("heading", level=1).focus()
    await page.keyboard.press("Escape")
    deck = main.get_by_role("heading", name="Capitals", level=1)
    await expect(deck).to_be_visible()
    await main.get_by_role("button", name=say("decks.move_down", front="France")).click()
    await expect(status).to_have_text(say("decks.moved"))
    await deck.focus()
    await page.keyboard.press("Escape")
    await expect(main.get_by_role("heading", name=say("decks.title"), level=1)).to_be_visible()
    # What the deck's screen said is not left on the list's.
    await expect(status).to_have_text("")


# A Telegram client, as far as telegram-web-app.js can tell: a mobile client's proxy that takes
# the page's events. A popup is answered with the next of window.answers (true: OK).
TELEGRAM_CLIENT = """
window.posted = [];
window.answers = [];
window.TelegramWebviewProxy = {
    postEvent(type, data) {
        window.posted.push([type, data === undefined ? null : JSON.parse(data)]);
        if (type === "web_app_open_popup") {
            const ok = window.answers.shift();
            setTimeout(() => {
                window.Telegram.WebView.receiveEvent("popup_closed", ok ? { button_id: "ok" } : {});
                window.answered = (window.answered || 0) + 1;
            }, 0);
        }
    },
};
"""


async def popups(page: Page) -> list[str]:
    """The messages of the Telegram popups the page opened."""
    posted: list[list[object]] = await page.evaluate("window.posted")
    return [str(data["message"]) for kind, data in posted if kind == "web_app_open_popup"]  # type: ignore[index]


async def test_inside_telegram_its_popup_asks_and_its_back_button_minds_unsaved_changes(
    mini_app: MiniApp, page: Page
) -> None:
    browser_dialogs: list[str] = []

    async def on_dialog(dialog: Dialog) -> None:
        browser_dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    await page.add_init_script(TELEGRAM_CLIENT)
    main = await open_card(mini_app, page, "France")
    await main.get_by_label(say("decks.back")).fill("Paris, on the Seine")

    await page.evaluate("window.answers.push(false)")
    await page.evaluate('window.Telegram.WebView.receiveEvent("back_button_pressed")')
    await page.wait_for_function("window.posted.some(([kind]) => kind === 'web_app_open_popup')")
    assert await popups(page) == [say("decks.leave_unsaved")]
    await page.wait_for_function("window.answered === 1")  # No: the editor stays
    await expect(main.get_by_label(say("decks.back"))).to_have_value("Paris, on the Seine")

    await page.evaluate("window.answers.push(true)")
    await page.evaluate('window.Telegram.WebView.receiveEvent("back_button_pressed")')
    await expect(main.get_by_role("heading", name="Capitals", level=1)).to_be_visible()

    # A long title is cut in the question, so Telegram's popup (256 characters) takes it.
    title = "Capitals of Europe, " * 10
    await main.get_by_label(say("decks.rename_label")).fill(title)
    await main.get_by_role("button", name=say("decks.rename_save")).click()
    await expect(main.get_by_role("heading", name=title.strip(), level=1)).to_be_visible()
    await page.evaluate("window.answers.push(true)")
    await main.get_by_role("button", name=say("decks.delete")).click()
    await expect(main.get_by_role("heading", name=say("decks.title"), level=1)).to_be_visible()
    asked = (await popups(page))[-1]
    assert asked.startswith("Delete “Capitals of Europe") and asked.endswith("cannot be undone.")
    assert len(asked) <= 256
    assert browser_dialogs == []
