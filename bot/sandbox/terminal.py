"""Chat with the bot from a terminal: messages print as they arrive, numbers tap buttons."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.sandbox.driver import SandboxUser
from bot.sandbox.message import SandboxEvent, SandboxMessage
from bot.sandbox.server import SandboxServer, Subscription
from bot.sandbox.validate import Entity, utf16_span

_ANSI = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "code": "36",
    "pre": "36",
    "text_link": "4;34",
    "spoiler": "7",
}
HELP = (
    "Type a message or /command to send it. A number taps that button of the newest message "
    "with buttons.\n:doc PATH sends a file as a document, :help shows this, :quit (or EOF) leaves."
)


def render_text(text: str, entities: tuple[Entity, ...], color: bool) -> str:
    """Plain text, with bold/italic/code/links shown through ANSI codes when `color`."""
    if not color or not entities:
        return text
    styles: list[set[str]] = [set() for _ in text]
    for entity in entities:
        code = _ANSI.get(entity.type)
        if code is None:
            continue
        start, end = utf16_span(text, entity.offset, entity.length)
        for index in range(start, end):
            styles[index].add(code)
    out: list[str] = []
    active: set[str] = set()
    for char, wanted in zip(text, styles, strict=True):
        if wanted != active:
            out.append("\x1b[0m")
            if wanted:
                out.append(f"\x1b[{';'.join(sorted(wanted))}m")
            active = wanted
        out.append(char)
    if active:
        out.append("\x1b[0m")
    return "".join(out)


def _newest_with_buttons(user: SandboxUser) -> SandboxMessage | None:
    shown = [m for m in user.messages if m.buttons]
    return shown[-1] if shown else None


class _Terminal:
    def __init__(self, server: SandboxServer, user: SandboxUser, stdout: TextIO) -> None:
        self.server = server
        self.user = user
        self.stdout = stdout
        self.color = bool(getattr(stdout, "isatty", lambda: False)())

    def write(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def render(self, event: SandboxEvent) -> None:
        message = event.message
        if message is None or event.chat_id != self.user.id:
            return
        if event.kind == "deleted":
            self.write(f"bot (deleted): {message.text.splitlines()[0] if message.text else ''}")
            return
        head = "bot (edited)" if event.kind == "edited" else "bot"
        parts: list[str] = []
        if message.document is not None:
            size = len(message.document.data)
            parts.append(f"[document {message.document.filename}, {size} bytes]")
        if message.photo is not None:
            parts.append(f"[photo, {len(message.photo)} bytes]")
        if message.text:
            parts.append(render_text(message.text, message.entities, self.color))
        body = " ".join(parts).replace("\n", "\n    ")
        self.write(f"{head}: {body}")
        if message.buttons:
            newest = _newest_with_buttons(self.user)
            numbered = newest is not None and newest.message_id == message.message_id
            number = 0
            for row in message.buttons:
                cells = []
                for label, _ in row:
                    number += 1
                    cells.append(f"[{number}] {label}" if numbered else f"[{label}]")
                self.write("    " + "  ".join(cells))

    async def consume(self, subscription: Subscription) -> None:
        while True:
            event = await subscription.queue.get()
            try:
                self.render(event)
            finally:
                subscription.queue.task_done()

    async def tap(self, number: int) -> bool:
        message = _newest_with_buttons(self.user)
        if message is None:
            return False
        flat = [button for row in message.buttons for button in row]
        if not 1 <= number <= len(flat):
            return False
        label, data = flat[number - 1]
        if data is None:
            self.write(f"(the button {label!r} opens a link; nothing to tap)")
            return True
        try:
            toast = await self.user.tap_data(message, data, timeout=10.0)
        except AssertionError:
            self.write("(the bot did not answer the tap)")
            return True
        if toast:
            self.write(f"(toast) {toast}")
        return True

    async def send_file(self, path_text: str) -> None:
        path = await asyncio.to_thread(lambda: Path(path_text).expanduser())
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            self.write(f"(cannot read {path}: {exc.strerror})")
            return
        await self.user.send_document(path.name, data)

    async def handle(self, line: str) -> None:
        command = line.strip()
        if command == ":help":
            self.write(HELP)
            return
        if command.startswith(":doc"):
            await self.send_file(command[4:].strip())
            return
        if command.isdigit() and await self.tap(int(command)):
            return
        await self.user.send(line)


async def run_terminal(
    server: SandboxServer,
    user: SandboxUser,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    settle_quiet: float = 0.15,
) -> None:
    """Let a person chat with the bot as `user` until `:quit` or end of input."""
    terminal = _Terminal(server, user, stdout)
    subscription = server.subscribe()
    printer = asyncio.create_task(terminal.consume(subscription))
    echo = not bool(getattr(stdin, "isatty", lambda: False)())
    bot = server.world.bot
    terminal.write(
        f"Chatting with {bot.first_name} (@{bot.username}) as {user.name}; :help for help."
    )
    try:
        while True:
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            if echo:
                terminal.write(f"> {line}")
            if line.strip() == ":quit":
                break
            await terminal.handle(line)
            try:
                await server.settle(quiet=settle_quiet, timeout=30.0)
            except AssertionError:
                terminal.write("(the bot is still busy)")
            await subscription.queue.join()
    finally:
        subscription.close()
        printer.cancel()
        await asyncio.gather(printer, return_exceptions=True)
