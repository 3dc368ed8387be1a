"""/timezone with place names in other languages, a country's buttons, and Share my location."""

from __future__ import annotations

from typing import Any

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxMessage
from bot.sandbox.server import SandboxServer
from bot.views.reminders import LOCATION_BUTTON
from tests.e2e.conftest import RunningBot


async def say(user: SandboxUser, text: str, expect: str) -> SandboxMessage:
    """Send a message and wait for the bot's answer containing `expect`."""
    last = user.messages[-1].message_id if user.messages else 0
    await user.send(text)
    return await user.wait_for(lambda m: expect in m.text, since=last)


def reply_markup(user: SandboxUser, message: SandboxMessage) -> dict[str, Any]:
    """The reply markup the bot sent with `message` (SandboxMessage shows inline buttons only)."""
    return user.chat.record.messages[message.message_id].reply_markup or {}


async def zone_of(bot: RunningBot, user: SandboxUser) -> str:
    return (await bot.services.reminders.current(user.id)).timezone


async def test_share_my_location_sets_the_zone_and_removes_the_keyboard(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    offer = await say(alice, "/timezone", "Your time zone")
    assert LOCATION_BUTTON in offer.text
    keyboard = reply_markup(alice, offer)["keyboard"]
    assert keyboard == [[{"text": LOCATION_BUTTON, "request_location": True}]]

    last = alice.messages[-1].message_id
    await alice.send_location(35.6895, 139.6917)  # Tokyo
    done = await alice.wait_for(lambda m: "Time zone set" in m.text, since=last)
    assert "Asia/Tokyo (UTC+09:00)" in done.text
    assert reply_markup(alice, done) == {"remove_keyboard": True}
    assert await zone_of(bot, alice) == "Asia/Tokyo"

    last = done.message_id
    await alice.send_location(50.4501, 30.5234)  # Kyiv, shared without asking first
    moved = await alice.wait_for(lambda m: "Time zone set" in m.text, since=last)
    assert "Europe/Kyiv" in moved.text
    assert await zone_of(bot, alice) == "Europe/Kyiv"


async def test_place_names_in_other_languages(sandbox: SandboxServer, bot: RunningBot) -> None:
    alice = sandbox.user("Alice")
    for text, zone in [
        ("/timezone Москва", "Europe/Moscow"),
        ("/timezone 東京", "Asia/Tokyo"),
        ("/timezone Múnich", "Europe/Berlin"),
        ("/timezone St Petersburg", "Europe/Moscow"),
    ]:
        done = await say(alice, text, "Time zone set")
        assert zone in done.text, text
        # A typed place also puts away the Share my location keyboard.
        assert reply_markup(alice, done) == {"remove_keyboard": True}
        assert await zone_of(bot, alice) == zone


async def test_a_country_offers_its_zones_biggest_first(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    choices = await say(alice, "/timezone usa", "Which one is yours?")
    assert [label.split(" ")[0] for label in choices.labels] == [
        "America/New_York",
        "America/Chicago",
        "America/Los_Angeles",
        "America/Denver",
        "America/Phoenix",
    ]
    assert not any("Perth" in label for label in choices.labels)
    await alice.tap("America/Chicago", message=choices)
    await alice.wait_for(lambda m: m.message_id == choices.message_id and "Chicago" in m.text)
    assert await zone_of(bot, alice) == "America/Chicago"
