"""`python -m bot play`: the real bot against the built-in sandbox, chatted with in this terminal."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import socket
import sys
from collections.abc import Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.app import build_application, start_polling, stop_polling
from bot.config import Settings
from bot.runtime import App
from bot.sandbox.files import FileShelf, files_folder, viewer_command
from bot.sandbox.mini_app import mini_app_launch
from bot.sandbox.players import AnswerKey
from bot.sandbox.server import SandboxServer
from bot.sandbox.terminal import run_terminal
from bot.sandbox.world import continuing_update_id
from bot.shutdown import install_stop_signals
from bot.storage.battles import round_rows
from bot.views.webapp import sandbox_link_line
from bot.webapp.server import start_webapp, stop_webapp


def battle_answers(app: App) -> AnswerKey:
    """Which option of a battle round is right, as the bot's own database says."""

    async def right_option(battle_id: int, round_no: int) -> int | None:
        row = (await round_rows(app.bot_data.services.db, battle_id)).get(round_no)
        return row.right_index if row is not None else None

    return right_option


async def _until_stopped(chat: Coroutine[Any, Any, None]) -> None:
    """Run the chat until it ends, or until SIGINT (Ctrl-C) or SIGTERM ends it early."""
    stop = asyncio.Event()
    install_stop_signals(asyncio.get_running_loop(), stop.set)
    chatting = asyncio.create_task(chat)
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({chatting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not chatting.done():
        print(file=sys.stdout, flush=True)  # leave the line the person was typing on
        chatting.cancel()
    await asyncio.gather(stopping, return_exceptions=True)
    with contextlib.suppress(asyncio.CancelledError):
        await chatting


def free_local_port() -> int:
    """A port of 127.0.0.1 nothing listens on (the Mini App's, for offline play)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def play_in_terminal(settings: Settings) -> int:
    """Start the sandbox on 127.0.0.1, point the bot at it, serve its Mini App beside it, and hand
    the terminal to the user."""
    assert settings.bot_token is not None
    server = SandboxServer(
        token=settings.bot_token, host="127.0.0.1", port=0, first_update_id=continuing_update_id()
    )
    await server.start()
    # The bot must know the Mini App's address before it starts (its /decks button, its menu
    # button): a free port is picked first, then listened on.
    webapp_listen = f"127.0.0.1:{free_local_port()}"
    webapp_url = f"http://{webapp_listen}/app/"
    app = build_application(replace(settings, bot_api_url=server.base_url, webapp_url=webapp_url))
    webapp = None
    try:
        await start_polling(app, poll_timeout=1)
        clock = app.bot_data.services.clock
        webapp = await start_webapp(app, settings.bot_token, webapp_listen, clock)
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
        if webapp is not None:
            line = sandbox_link_line(name, mini_app_launch(server, user, webapp_url))
            print(line + "\n", file=sys.stdout, flush=True)
        shelf = FileShelf(folder, viewer_command(os.environ))
        await _until_stopped(
            run_terminal(server, user, files=shelf, answer_key=battle_answers(app))
        )
    finally:
        await stop_webapp(webapp)
        await stop_polling(app)
        await server.stop()
    return 0
