"""Chat with the bot from a terminal: messages print as they arrive, numbers tap buttons."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.sandbox.api_inline import InlineQueryRecord, choose, inline_query, tap_inline_data
from bot.sandbox.buttons import ButtonBoard, ButtonRef, invites_typing, parse_ref, waits_for_tap
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.files import FileShelf
from bot.sandbox.lines import LineReader
from bot.sandbox.message import SandboxEvent, SandboxMessage
from bot.sandbox.mini_app import mini_app_launch
from bot.sandbox.paste import (
    BLOCK_END,
    BLOCK_START,
    MESSAGE_CHARS,
    Entry,
    LineAssembler,
    paste_mode,
    split_message,
)
from bot.sandbox.players import AnswerKey, GroupPlayers, open_group, parse_group
from bot.sandbox.server import SandboxServer, Subscription
from bot.sandbox.validate import Entity, utf16_span
from bot.views.webapp import sandbox_link_line

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
    "Type a message or /command to send it. Buttons are numbered per message: 3.1 taps the first "
    "button of message 3, and a bare 1 taps the newest message's first button while it waits for "
    "a tap (otherwise the number is sent as text).\n"
    "A paste is sent as one message, as Telegram sends it; where the terminal cannot tell a "
    "paste, :paste starts lines to send as one message and :end sends them.\n"
    ":group NAME opens a group with the bot and simulated players (players=3 accuracy=70% "
    "delay=2-6 after the name change them), so /battle can be played alone; :switch [NAME] "
    "moves between chats.\n"
    ":inline QUERY lists what @bot QUERY offers here and :pick 2 posts the second, as inline "
    "mode does.\n"
    ":tap 3.1 always taps, :doc PATH sends a file as a document, :location LAT LON shares a "
    "place, :help shows this, "
    ":quit (or EOF) leaves."
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


class _Terminal:
    """One person's view of their chats: what is printed, where what they type goes."""

    def __init__(
        self,
        server: SandboxServer,
        user: SandboxUser,
        stdout: TextIO,
        files: FileShelf | None,
        answer_key: AnswerKey | None,
    ) -> None:
        self.server = server
        self.user = user
        self.stdout = stdout
        self.files = files
        self.answer_key = answer_key
        self.chat: SandboxChat = user.chat  # where what the person types goes
        self.chats: list[SandboxChat] = [user.chat]
        self.players: list[GroupPlayers] = []
        self.color = bool(getattr(stdout, "isatty", lambda: False)())
        self.board = ButtonBoard()
        self.inline: InlineQueryRecord | None = None  # the last `:inline` answer, for `:pick`

    def write(self, text: str) -> None:
        """Print one line (or several) at once."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def render(self, event: SandboxEvent) -> None:
        """Print what the bot did in one of the person's chats, with its buttons numbered."""
        message = event.message
        chat = next((c for c in self.chats if c.id == event.chat_id), None)
        if message is None or chat is None:
            return
        where = "" if chat.id == self.user.id else f"[{chat.title}] "
        if event.kind == "deleted":
            first = message.text.splitlines()[0] if message.text else ""
            self.write(f"{where}bot (deleted): {first}")
            return
        who = "bot" if message.from_bot else "you via bot"  # an inline result the person posted
        head = where + (f"{who} (edited)" if event.kind == "edited" else who)
        parts: list[str] = []
        if self.files is not None:
            parts.extend(self.files.keep(message))
        elif message.document is not None:
            size = len(message.document.data)
            parts.append(f"[document {message.document.filename}, {size} bytes]")
        if self.files is None and message.photo is not None:
            parts.append(f"[photo, {len(message.photo)} bytes]")
        # Sounds are not played offline: their kind says what Telegram would show.
        if message.voice is not None:
            parts.append(f"[voice message, {len(message.voice)} bytes]")
        if message.audio is not None:
            parts.append(f"[audio, {len(message.audio)} bytes]")
        if message.text:
            parts.append(render_text(message.text, message.entities, self.color))
        body = " ".join(parts).replace("\n", "\n    ")
        self.write(f"{head}: {body}")
        if message.buttons:
            for row in self.board.labels(message):
                self.write("    " + row)
            if invites_typing(message):
                number = self.board.number(message)
                self.write(f"    (a number is sent as your answer; :tap {number}.1 taps a button)")
        for keys in message.keyboard:
            # A reply keyboard: its buttons send their label, or share what they ask for.
            self.write("    " + "  ".join(f"⌨ {label}" for label, _ in keys))
            if any(asks == "location" for _, asks in keys):
                self.write("    (:location LAT LON shares a place, e.g. :location 48.86 2.35)")

    async def consume(self, subscription: Subscription) -> None:
        """Print the bot's doings as they come, for as long as the chat lasts."""
        while True:
            event = await subscription.queue.get()
            try:
                self.render(event)
            finally:
                subscription.queue.task_done()

    def _button_message(self, ref: ButtonRef) -> SandboxMessage | None:
        """The message a reference points at: a numbered one, or the newest bot message."""
        if ref.message is None:
            return self.chat.last
        key = self.board.message_key(ref.message)
        if key is None:
            return None
        chat_id, message_id = key
        for message in self.server.chat(chat_id).history:  # an inline result is a person's
            if message.message_id == message_id:
                return message
        return None

    def _button(self, ref: ButtonRef) -> tuple[SandboxMessage, str, str | None] | None:
        """The message, label and callback data of the button `ref` names, if it is on screen."""
        message = self._button_message(ref)
        flat = [button for row in message.buttons for button in row] if message else []
        if message is None or not 1 <= ref.button <= len(flat):
            return None
        label, data = flat[ref.button - 1]
        return message, label, data

    def is_tap(self, text: str) -> ButtonRef | None:
        """The button `text` taps, or None when it is a message to send."""
        ref = parse_ref(text)
        if ref is None:
            return None
        newest = self.chat.last
        if newest is not None and invites_typing(newest):
            return None  # the bot waits for a typed answer, which may well be a number
        if ref.message is None and not waits_for_tap(newest):
            return None
        return ref if self._button(ref) is not None else None

    async def tap(self, ref: ButtonRef) -> None:
        """Tap the button `ref` names, or say why there is none."""
        found = self._button(ref)
        if found is None:
            shown = f"{ref.message}.{ref.button}" if ref.message is not None else str(ref.button)
            self.write(f"(no button {shown} on screen)")
            return
        message, label, data = found
        if label in message.web_apps:
            # Telegram would open the Mini App, handing it launch data it signs for this person.
            url = mini_app_launch(self.server, self.user, message.web_apps[label])
            self.write(sandbox_link_line(self.user.record.first_name, url))
            return
        if data is None:
            self.write(f"(the button {label!r} opens a link; nothing to tap)")
            return
        # Taps under a message posted via inline mode come by its inline_message_id, no chat.
        posted = self.server.inline.inline_id_of(message.chat_id, message.message_id) is not None
        try:
            if posted:
                toast = await tap_inline_data(self.user, message, data, timeout=10.0)
            else:
                toast = await self.user.tap_data(message, data, timeout=10.0)
        except AssertionError:
            self.write("(the bot did not answer the tap)")
            return
        if toast:
            self.write(f"(toast) {toast}")

    async def ask_inline(self, text: str) -> None:
        """`:inline QUERY`: the results `@bot QUERY` offers in this chat, numbered for `:pick`."""
        group = None if self.chat.id == self.user.id else self.chat
        self.inline = await inline_query(self.user, text, chat=group, timeout=10.0)
        for number, title in enumerate(self.inline.titles, 1):
            self.write(f"  [{number}] {title}".replace("\n", " "))
        if self.inline.button is not None:
            self.write(f"  (button above the list: {self.inline.button.get('text')})")
        self.write("(:pick N posts one here)" if self.inline.results else "(no results)")

    async def pick(self, number: str) -> None:
        """`:pick N`: post the Nth result of the last `:inline` into this chat."""
        results = self.inline.results if self.inline is not None else []
        if not number.isdigit() or not 1 <= int(number) <= len(results):
            self.write("(:pick takes the number of a result :inline QUERY listed)")
            return
        assert self.inline is not None
        await choose(self.user, self.inline, results[int(number) - 1]["id"], self.chat)

    async def send_file(self, path_text: str) -> None:
        """`:doc PATH`: send a file from disk as a document."""
        path = await asyncio.to_thread(lambda: Path(path_text).expanduser())
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            self.write(f"(cannot read {path}: {exc.strerror})")
            return
        await self.user.send_document(path.name, data, chat=self.chat)

    def open_group(self, arguments: str) -> None:
        """`:group NAME [players=3] [accuracy=70%] [delay=2-6]`: a group with simulated players."""
        try:
            title, style = parse_group(arguments)
        except ValueError as exc:
            self.write(f"({exc})")
            return
        known = next((c for c in self.chats if c.title == title), None)
        if known is not None:
            self.switch_to(known)
            return
        group, players = open_group(self.server, self.user, title, style, self.answer_key)
        self.chats.append(group)
        self.players.append(players)
        names = ", ".join(person.name for person in players.people)
        self.write(
            f"(opened the group {title} with the bot, {names}: they join battles and answer "
            f"{style.accuracy:.0%} right, in {style.min_delay:g}–{style.max_delay:g} s)"
        )
        self.switch_to(group)

    def switch(self, name: str) -> None:
        """`:switch [NAME]`: the chat named, or the next one."""
        if len(self.chats) == 1:
            self.write("(only this chat is open: :group NAME opens a group)")
            return
        if name:
            found = [
                c for c in self.chats if (c.title or "private").lower().startswith(name.lower())
            ]
            if not found:
                titles = ", ".join(c.title or "private" for c in self.chats)
                self.write(f"(no chat {name!r}; open: {titles})")
                return
            self.switch_to(found[0])
            return
        index = next(i for i, c in enumerate(self.chats) if c.id == self.chat.id)
        self.switch_to(self.chats[(index + 1) % len(self.chats)])

    def switch_to(self, chat: SandboxChat) -> None:
        """Send what the person types to `chat` from now on."""
        self.chat = chat
        where = "the private chat" if chat.id == self.user.id else f"the group {chat.title}"
        self.write(f"(now in {where}; :switch moves on)")

    async def close(self) -> None:
        """Stop the simulated players."""
        await asyncio.gather(*(players.stop() for players in self.players))

    async def share_location(self, args: str) -> None:
        """Share a place given as latitude and longitude, as the location button would."""
        try:
            latitude, longitude = (float(part) for part in args.replace(",", " ").split())
        except ValueError:
            latitude = longitude = float("nan")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            self.write("(:location takes a latitude and a longitude, like :location 48.86 2.35)")
            return
        await self.user.send_location(latitude, longitude, chat=self.chat)

    async def send_paste(self, text: str) -> None:
        """Send pasted text as Telegram would: one message, or several past its length limit."""
        parts = split_message(text)
        lines = text.count("\n") + 1
        if len(parts) == 1:
            self.write(f"(pasted {lines} lines, sent as one message)")
        else:
            self.write(
                f"(pasted {lines} lines, sent as {len(parts)} messages: Telegram splits texts "
                f"longer than {MESSAGE_CHARS} characters)"
            )
        for part in parts:
            await self.user.send(part, chat=self.chat)

    async def handle(self, line: str) -> None:
        """Act on one typed line: a `:command`, a tap, or a message to send."""
        command = line.strip()
        if command == ":help":
            self.write(HELP)
            return
        if command.startswith(":doc"):
            await self.send_file(command[4:].strip())
            return
        if command == ":group" or command.startswith(":group "):
            self.open_group(command[6:])
            return
        if command == ":switch" or command.startswith(":switch "):
            self.switch(command[7:].strip())
            return
        if command == ":location" or command.startswith(":location "):
            await self.share_location(command[9:])
            return
        if command == ":inline" or command.startswith(":inline "):
            await self.ask_inline(command[7:].strip())
            return
        if command.startswith(":pick"):
            await self.pick(command[5:].strip())
            return
        if command.startswith(":tap"):
            ref = parse_ref(command[4:])
            if ref is None:
                self.write("(:tap takes a button's number, like :tap 3.1)")
                return
            await self.tap(ref)
            return
        ref = self.is_tap(command)
        if ref is not None:
            await self.tap(ref)
            return
        await self.user.send(line, chat=self.chat)


async def _next_entry(
    reader: LineReader, assembler: LineAssembler, terminal: _Terminal
) -> Entry | None:
    """The next complete entry, or None when the input ends."""
    while True:
        line = await reader.readline()
        if not line:
            return assembler.flush()
        was_gathering = assembler.gathering
        entry = assembler.feed(line.rstrip("\r\n"))
        if entry is None:
            if not was_gathering and assembler.gathering and line.strip() == BLOCK_START:
                terminal.write(f"(pasting: every line is one message until {BLOCK_END} alone)")
            continue
        if entry.pasted or entry.text.strip():
            return entry


async def run_terminal(
    server: SandboxServer,
    user: SandboxUser,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    settle_quiet: float = 0.15,
    files: FileShelf | None = None,
    answer_key: AnswerKey | None = None,
) -> None:
    """Let a person chat with the bot as `user` until `:quit` or end of input; with `files`,
    the photos and documents the bot sends are saved there and their paths printed; with
    `answer_key`, the players of `:group` know which battle options are right."""
    terminal = _Terminal(server, user, stdout, files, answer_key)
    subscription = server.subscribe()
    printer = asyncio.create_task(terminal.consume(subscription))
    echo = not bool(getattr(stdin, "isatty", lambda: False)())
    assembler = LineAssembler()
    bot = server.world.bot
    try:
        # The terminal brackets pastes from here on; the banner says it is ready for input.
        with paste_mode(stdin, stdout), LineReader(stdin) as reader:
            terminal.write(
                f"Chatting with {bot.first_name} (@{bot.username}) as {user.name}; :help for help."
            )
            while True:
                entry = await _next_entry(reader, assembler, terminal)
                if entry is None:
                    break
                if echo:
                    terminal.write("> " + entry.text.replace("\n", "\n> "))
                if not entry.pasted and entry.text.strip() == ":quit":
                    break
                if entry.pasted:
                    await terminal.send_paste(entry.text)
                else:
                    await terminal.handle(entry.text)
                try:
                    await server.settle(quiet=settle_quiet, timeout=30.0)
                except AssertionError:
                    terminal.write("(the bot is still busy)")
                await subscription.queue.join()
    finally:
        await terminal.close()
        subscription.close()
        printer.cancel()
        await asyncio.gather(printer, return_exceptions=True)
