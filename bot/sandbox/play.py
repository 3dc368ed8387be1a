"""`python -m bot play`: the real bot against the built-in sandbox, chatted with in this terminal."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import replace
from pathlib import Path

from bot.app import build_application, start_polling, stop_polling
from bot.config import Settings
from bot.sandbox.files import FileShelf, files_folder, viewer_command
from bot.sandbox.server import SandboxServer
from bot.sandbox.terminal import run_terminal
from bot.sandbox.world import continuing_update_id


async def play_in_terminal(settings: Settings) -> int:
    """Start the sandbox on 127.0.0.1, point the bot at it, and hand the terminal to the user."""
    assert settings.bot_token is not None
    server = SandboxServer(
        token=settings.bot_token, host="127.0.0.1", port=0, first_update_id=continuing_update_id()
    )
    await server.start()
    app = build_application(replace(settings, bot_api_url=server.base_url))
    try:
        await start_polling(app, poll_timeout=1)
        name = (getpass.getuser() or "you").capitalize()
        user = server.user(name, username=name.lower())
        folder = files_folder(settings.database_url, Path())
        print(
            f"Quizmaster sandbox — you are {name}, chatting with the bot offline.\n"
            "Type /start, /quiz or /help. Type a button's number (3.1) to tap it, :help for more, "
            ":quit to leave.\n"
            f"Progress is kept in {settings.database_location}; pictures and files the bot "
            f"sends, in {folder}.\n",
            file=sys.stdout,
            flush=True,
        )
        await run_terminal(server, user, files=FileShelf(folder, viewer_command(os.environ)))
    finally:
        await stop_polling(app)
        await server.stop()
    return 0
