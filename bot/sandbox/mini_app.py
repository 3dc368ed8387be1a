"""Opening a Mini App offline: what Telegram does when a person taps a `web_app` button or the
menu button, the sandbox does too: it signs the person's launch data with the bot's token (it
plays Telegram, so it knows it) and hands back the address to open in a browser."""

from __future__ import annotations

from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from bot.webapp.context import WebUser
from bot.webapp.init_data import launch_url, sign_init_data


def mini_app_launch(server: SandboxServer, user: SandboxUser, app_url: str) -> str:
    """The address `user` opens the Mini App at `app_url` with, signed as of the sandbox's now."""
    record = user.record
    person = WebUser(record.id, record.first_name, record.language_code)
    now = int(server.world.clock.now().timestamp())
    return launch_url(app_url, sign_init_data(person, server.token, now))
