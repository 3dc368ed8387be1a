"""Messages the bot does not expect get a short helpful reply, never an error."""

from __future__ import annotations

from bot.sandbox.server import SandboxServer
from tests.e2e.conftest import RunningBot


async def test_stickers_photos_locations_and_unknown_commands_get_a_pointer(
    sandbox: SandboxServer, bot: RunningBot
) -> None:
    alice = sandbox.user("Alice")
    await alice.send_sticker()
    reply = await alice.wait_for(lambda m: "I can only read" in m.text)
    await alice.send_photo(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    await alice.wait_for(lambda m: "I can only read" in m.text, since=reply)
    await alice.send_location(51.5, -0.12)
    await alice.send("/nosuchcommand")
    await alice.wait_for(lambda m: "don't know that command" in m.text)
    before = alice.messages[-1]
    await alice.send("x" * 4000)
    long_reply = await alice.wait_for(lambda m: "/quiz" in m.text, since=before)
    assert len(long_reply.text) < 200
    await sandbox.settle()
    assert not [m for m in alice.messages if "went wrong" in m.text]
