"""The terminal chat prints what the bot says and turns typed lines into messages and taps."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.sandbox.driver import SandboxUser
from bot.sandbox.files import FileShelf, viewer_command
from bot.sandbox.server import SandboxServer
from bot.sandbox.terminal import render_text, run_terminal
from bot.sandbox.validate import parse_html
from tests.sandbox.conftest import PNG

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
        "    [1.1] Show answer  [1.2] Skip",
    ]
    assert lines[3] == "> 1"
    assert sorted(lines[4:]) == ["(toast) Answer: 42", "bot (edited): Q1: 6 × 7 = 42"]


async def test_numbers_without_buttons_are_sent_as_text_and_quit_stops(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, "42\n\n:help\n:quit\nnever sent\n")
    assert lines[:3] == ["> 42", "bot: You said: 42", "> :help"]
    assert any(line.startswith(":tap 3.1 always taps, :doc PATH sends a file") for line in lines)
    assert lines[-1] == "> :quit"


async def test_documents_are_sent_from_paths(
    echo_bot: App, server: SandboxServer, alice: SandboxUser, tmp_path: Path
) -> None:
    deck = tmp_path / "deck.csv"
    deck.write_bytes(b"front,back\n")
    lines = await _chat(server, alice, f":doc {deck}\n:doc {tmp_path / 'nope'}\n")
    assert lines[1] == "bot: Got deck.csv (11 bytes)"
    assert lines[3].startswith("(cannot read ")


async def test_every_message_keeps_its_numbers_and_old_buttons_are_tapped_by_them(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, "/start\n/start\n1.2\n2.1\n")
    assert "    [1.1] Show answer  [1.2] Skip" in lines
    assert "    [2.1] Show answer  [2.2] Skip" in lines
    assert lines[lines.index("> 1.2") + 1] == "bot: Skipped"
    assert "bot (edited): Q1: 6 × 7 = 42" in lines[lines.index("> 2.1") :]
    first, second = alice.messages[:2]
    assert not first.edited and second.edited


async def test_a_bare_number_taps_only_the_newest_message_waiting_for_a_tap(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, "/start\nhello\n2\n/start\n2\n")
    # After "hello" the newest message is the echo, which has no buttons: 2 is sent as text.
    assert lines[lines.index("> 2") + 1] == "bot: You said: 2"
    assert lines[-1] == "bot: Skipped"


async def test_a_typed_answer_that_is_a_number_is_never_a_tap(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, "/ask\n1\n/ask\n2.1\n:tap 2.1\n:tap 9.9\n")
    assert lines[1:3] == ["bot: Q2: 2 + 2?", "    "]
    assert "    [1.1] I don't know" in lines
    assert "    (a number is sent as your answer; :tap 1.1 taps a button)" in lines
    assert lines[lines.index("> 1") + 1] == "bot: You said: 1"
    assert lines[lines.index("> 2.1") + 1] == "bot: You said: 2.1"
    assert lines[lines.index("> :tap 2.1") + 1] == "bot: Skipped"
    assert lines[lines.index("> :tap 9.9") + 1] == "(no button 9.9 on screen)"


def test_bold_becomes_ansi_only_for_terminals() -> None:
    parsed = parse_html("<b>Q1</b> and <code>x</code>")
    assert render_text(parsed.text, parsed.entities, color=False) == "Q1 and x"
    assert render_text(parsed.text, parsed.entities, color=True) == (
        "\x1b[0m\x1b[1mQ1\x1b[0m and \x1b[0m\x1b[36mx\x1b[0m"
    )


async def test_a_paste_block_is_one_message(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, ":paste\nfirst\n\nthird\n:end\n")
    assert lines[:2] == ["(pasting: every line is one message until :end alone)", "> first"]
    assert "(pasted 3 lines, sent as one message)" in lines
    assert lines[-3:] == ["bot: You said: first", "    ", "    third"]
    assert alice.chat.history[0].text == "first\n\nthird"


async def test_photos_and_documents_are_saved_and_photos_shown(
    echo_bot: App, server: SandboxServer, alice: SandboxUser, tmp_path: Path
) -> None:
    folder = tmp_path / "sandbox-files"
    opened = tmp_path / "opened.txt"
    viewer = [sys.executable, "-c", f"import sys; open({str(opened)!r}, 'a').write(sys.argv[1])"]
    out = io.StringIO()
    shelf = FileShelf(folder, viewer)
    await run_terminal(
        server, alice, stdin=io.StringIO("/files\n/files\n"), stdout=out, settle_quiet=0.05,
        files=shelf,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    photo, csv = folder / "photo-2.png", folder / "report.csv"
    assert f"bot: [photo {shelf.shown(photo)}] Your chart" in lines
    assert f"bot: [document {shelf.shown(csv)}] Your data" in lines
    assert photo.read_bytes() == PNG and csv.read_bytes() == b"front,back\n"
    # The second /files: a new photo file, and the same report (same contents) is not copied.
    assert (folder / "photo-5.png").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["photo-2.png", "photo-5.png", "report.csv"]
    for _ in range(100):
        if opened.exists() and opened.read_text().count("photo-") == 2:
            break
        await asyncio.sleep(0.05)
    assert opened.read_text() == f"{photo}{folder / 'photo-5.png'}"


def test_the_viewer_is_chosen_by_the_environment() -> None:
    assert viewer_command({"SANDBOX_VIEWER": "off"}) is None
    assert viewer_command({"SANDBOX_VIEWER": "feh --scale-down"}) == ["feh", "--scale-down"]
    if sys.platform != "darwin":
        assert viewer_command({}) is None  # no display to show a picture on


async def test_a_group_opens_with_players_and_switch_moves_between_chats(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    script = ":switch\n:group Club players=2 delay=0\n/start\n1\n:switch\nhello\n:switch club\n"
    lines = await _chat(server, alice, script)
    assert lines[1] == "(only this chat is open: :group NAME opens a group)"
    assert lines[3].startswith("(opened the group Club with the bot, Ada, Ben: ")
    assert lines[4] == "(now in the group Club; :switch moves on)"
    assert lines[5:8] == ["> /start", "[Club] bot: Q1: 6 × 7?", "    [1.1] Show answer  [1.2] Skip"]
    assert "[Club] bot (edited): Q1: 6 × 7 = 42" in lines
    assert lines[-4:] == [
        "> hello",
        "bot: You said: hello",
        "> :switch club",
        "(now in the group Club; :switch moves on)",
    ]
    (club,) = [c for c in server.world.chats.values() if c.title == "Club"]
    assert [m.text for m in server.chat(club.id).history][:1] == ["/start"]


async def test_a_reply_keyboard_is_shown_and_location_shares_a_place(
    echo_bot: App, server: SandboxServer, alice: SandboxUser
) -> None:
    lines = await _chat(server, alice, "/where\n:location 48.86, 2.35\n:location north\n")
    assert lines[1:4] == [
        "bot: Where are you?",
        "    ⌨ 📍 Share my location",
        "    (:location LAT LON shares a place, e.g. :location 48.86 2.35)",
    ]
    assert lines[4:7] == [
        "> :location 48.86, 2.35",
        "bot: You are at 48.86, 2.35",
        "> :location north",
    ]
    assert lines[7].startswith("(:location takes a latitude and a longitude")
