"""The terminal chat prints what the bot says and turns typed lines into messages and taps."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.sandbox.driver import SandboxUser
from bot.sandbox.server import SandboxServer
from bot.sandbox.terminal import render_text, run_terminal
from bot.sandbox.validate import parse_html

App = Application[Any, Any, Any, Any, Any, Any]


async def _chat(server: SandboxServer, user: SandboxUser, script: str) -> list[str]:
    out = io.StringIO()
    await run_terminal(server, user, stdin=io.StringIO(script), stdout=out, settle_quiet=0.05)
    return out.getvalue().splitlines()[1:]  # after the banner


async def test_a_conversation_with_buttons_toasts_and_edits(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, "/start\n1\n")
    assert lines[:3] == [
        "> /start",
        "bot: Q1: 6 × 7?",
        "    [1] Show answer  [2] Skip",
    ]
    assert lines[3] == "> 1"
    assert sorted(lines[4:]) == ["(toast) Answer: 42", "bot (edited): Q1: 6 × 7 = 42"]


async def test_numbers_without_buttons_are_sent_as_text_and_quit_stops(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, "42\n\n:help\n:quit\nnever sent\n")
    assert lines[:3] == ["> 42", "bot: You said: 42", "> :help"]
    assert lines[4].startswith(":doc PATH sends a file")
    assert lines[-1] == "> :quit"


async def test_documents_are_sent_from_paths(
    echo_bot: App, server: SandboxServer, alice: SandboxUser, tmp_path: Path
) -> None:
    deck = tmp_path / "deck.csv"
    deck.write_bytes(b"front,back\n")
    lines = await _chat(server, alice, f":doc {deck}\n:doc {tmp_path / 'nope'}\n")
    assert lines[1] == "bot: Got deck.csv (11 bytes)"
    assert lines[3].startswith("(cannot read ")


async def test_older_button_rows_are_not_numbered(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, "/start\n/start\n2\n")
    assert lines.count("    [1] Show answer  [2] Skip") == 2
    assert lines[-1] == "bot: Skipped"


def test_bold_becomes_ansi_only_for_terminals() -> None:
    parsed = parse_html("<b>Q1</b> and <code>x</code>")
    assert render_text(parsed.text, parsed.entities, color=False) == "Q1 and x"
    assert render_text(parsed.text, parsed.entities, color=True) == (
        "\x1b[0m\x1b[1mQ1\x1b[0m and \x1b[0m\x1b[36mx\x1b[0m"
    )
