"""What the bot tells Telegram about itself at start-up, and the deep links from a group into
the private chat, end to end."""

from __future__ import annotations

import logging

import pytest

from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.server import SandboxServer
from bot.views import decks as decks_view
from bot.views.commands import DESCRIPTION, SHORT_DESCRIPTION
from bot.views.i18n import LOCALES
from bot.views.texts import OPEN_PRIVATE_CHAT
from tests.e2e.conftest import RunningBot

LINK = "https://t.me/quizmaster_bot"


@pytest.fixture
def alice(sandbox: SandboxServer) -> SandboxUser:
    """Alice, who meets the bot in a group first."""
    return sandbox.user("Alice")


@pytest.fixture
def group(sandbox: SandboxServer, alice: SandboxUser) -> SandboxChat:
    """A supergroup Alice is in, with the bot."""
    return sandbox.group("Revision club", members=[alice], supergroup=True)


async def test_start_up_sets_the_descriptions_once(sandbox: SandboxServer, bot: RunningBot) -> None:
    assert sandbox.my_description() == DESCRIPTION
    assert sandbox.my_short_description() == SHORT_DESCRIPTION
    # Each other language of the interface has its own, and its own command menus.
    assert sandbox.my_description("ru").startswith("Quizmaster гоняет вас по карточкам")
    assert "Karteikarten" in sandbox.my_short_description("de")
    menu = {c["command"]: c["description"] for c in sandbox.my_commands("all_private_chats", "es")}
    assert menu["quiz"] == "Empezar o seguir un quiz" and "language" in menu
    group_menu = sandbox.my_commands("all_group_chats", "uk")
    assert {c["command"] for c in group_menu} >= {"battle", "language"}
    # A restart reads them and finds them set: Telegram's tight limit on these calls is not spent.
    languages = len(LOCALES)
    await bot.restart()
    assert sandbox.calls["getMyDescription"] == 2 * languages
    assert sandbox.calls["setMyDescription"] == languages
    assert sandbox.calls["setMyShortDescription"] == languages


async def test_a_refused_description_does_not_stop_the_start(
    sandbox: SandboxServer, bot: RunningBot, alice: SandboxUser, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.stop()
    sandbox.descriptions.clear()
    sandbox.faults.error("setMyDescription", 429, retry_after=3600)
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        await bot.start()
    assert "could not set the bot's description" in caplog.text
    assert sandbox.my_description() == ""
    # The rest of the start went on: the bot answers.
    await alice.send("/help")
    await alice.wait_for(lambda m: "What I can do" in m.text)


async def test_decks_in_a_group_link_to_the_private_chat_that_opens_them(
    sandbox: SandboxServer, bot: RunningBot, alice: SandboxUser, group: SandboxChat
) -> None:
    await alice.send("/decks", chat=group)
    pointer = await group.wait_for(lambda m: m.text == decks_view.DECKS_IN_PRIVATE)
    url = pointer.url_for(OPEN_PRIVATE_CHAT)
    assert url == f"{LINK}?start=decks"

    await alice.open_link(url)
    listing = await alice.wait_for(lambda m: "Your decks" in m.text)
    assert listing.buttons  # the list itself, with its buttons, not the welcome
    assert not any("Hi Alice" in m.text for m in alice.messages)


@pytest.mark.parametrize(
    ("command", "payload"),
    [("/settings", "settings"), ("/quiz", "quiz"), ("/forget", None), ("/help", None)],
)
async def test_other_pointers_to_the_private_chat_carry_the_link(
    bot: RunningBot, alice: SandboxUser, group: SandboxChat, command: str, payload: str | None
) -> None:
    sent = await alice.send(command, chat=group)
    pointer = await group.wait_for(lambda m: m.from_bot and bool(m.urls), since=sent)
    expected = LINK if payload is None else f"{LINK}?start={payload}"
    assert pointer.url_for(OPEN_PRIVATE_CHAT) == expected


async def test_an_unknown_payload_is_a_plain_start(bot: RunningBot, alice: SandboxUser) -> None:
    await alice.send("/start forget")
    welcome = await alice.wait_for(lambda m: "Hi Alice" in m.text)
    assert any("Start quiz" in label for label in welcome.labels)
    assert not any("Delete" in m.text for m in alice.messages)


async def test_start_settings_opens_the_menu(bot: RunningBot, alice: SandboxUser) -> None:
    await alice.open_link(f"{LINK}?start=settings")
    await alice.wait_for(lambda m: "⚙️ Settings" in m.text and bool(m.buttons))


async def test_start_catalogue_opens_the_starter_decks(bot: RunningBot, alice: SandboxUser) -> None:
    await alice.open_link(f"{LINK}?start=catalogue")
    shown = await alice.wait_for(lambda m: "Times tables 2 to 12" in m.text and bool(m.buttons))
    assert "Countries in Spanish · " in " ".join(shown.labels)
    assert not any("Hi Alice" in m.text for m in alice.messages)  # the catalogue, not a welcome
