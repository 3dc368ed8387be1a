"""The sandbox Bot API server: a faithful local fake of api.telegram.org over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web

from bot.sandbox import api_chats, api_inline, api_messages, api_polls
from bot.sandbox.api_chats import WebhookState, conflict
from bot.sandbox.driver import SandboxChat, SandboxUser
from bot.sandbox.errors import ApiError
from bot.sandbox.faults import NGINX_502, FaultRule, Faults
from bot.sandbox.message import SandboxEvent, view
from bot.sandbox.params import Args
from bot.sandbox.ratelimit import RateBook, RateViolation
from bot.sandbox.webhook import WebhookDelivery
from bot.sandbox.world import ClockLike, StoredMessage, SystemClock, Update, UserRecord, World

Handler = Callable[["SandboxServer", Args], Awaitable[Any]]

_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_DEFAULT_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "callback_query",
        "inline_query",
        "my_chat_member",
        "poll",
        "poll_answer",
    }
)
_UPLOAD_LIMIT = 52 * 1024 * 1024
DEFAULT_TOKEN = "123456:TEST-TOKEN"  # noqa: S105 - a fake token for a fake server


class Pulse:
    """A broadcast signal: every waiter wakes on the next `fire()`."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    @property
    def current(self) -> asyncio.Event:
        """The event the next `fire()` sets; grab it before checking a condition."""
        return self._event

    def fire(self) -> None:
        """Wake everyone waiting."""
        self._event.set()
        self._event = asyncio.Event()

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float) -> bool:  # noqa: ASYNC109 - part of the driver API
        """Wait for `event` at most `timeout` seconds; True when it fired."""
        # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation that
        # arrives just as the event fires, leaving the waiter running forever.
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                await event.wait()
        except TimeoutError:
            return False
        return True


class Subscription:
    """An async iterator over the bot's visible actions (see `SandboxServer.subscribe`)."""

    def __init__(self, server: SandboxServer) -> None:
        self._server = server
        self.queue: asyncio.Queue[SandboxEvent] = asyncio.Queue()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> SandboxEvent:
        return await self.queue.get()

    def close(self) -> None:
        """Stop receiving events."""
        self._server.unsubscribe(self)


class SandboxServer:
    """A local Telegram Bot API plus the controls tests use to act as people.

    Private chats follow Telegram: the bot can write to a person only after they wrote first
    (or were created with `started=True`). Groups honour privacy mode by default: the bot sees
    commands, replies to it, mentions and service messages unless it is an admin or
    `privacy_mode=False`.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: ClockLike | None = None,
        *,
        enforce_limits: bool = False,
        privacy_mode: bool = True,
        bot_name: str = "Quizmaster",
        bot_username: str = "quizmaster_bot",
        webhook_delivery: bool = False,
        first_update_id: int = 1,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        bot = UserRecord(int(token.split(":", 1)[0]), bot_name, username=bot_username, is_bot=True)
        self.world = World(bot, clock or SystemClock(), first_update_id)
        self.enforce_limits = enforce_limits
        self.privacy_mode = privacy_mode
        self.faults = Faults()
        self.rates = RateBook()
        self.calls: Counter[str] = Counter()
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        # setMyDescription / setMyShortDescription, by language code ("" for the default).
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        # setChatMenuButton's buttons by chat id (0: the default everyone sees).
        self.menu_buttons: dict[int, dict[str, Any]] = {}
        self.webhook = WebhookState()
        self.webhook_delivery = webhook_delivery
        self.webhook_targets: list[str] = []  # extra URLs served round-robin with the webhook
        self._delivery = WebhookDelivery(self)
        self.chat_actions: list[tuple[int, str]] = []
        self.inline = api_inline.InlineState()  # inline queries and messages posted via the bot
        self.allowed_updates: frozenset[str] = _DEFAULT_UPDATES
        self.pulse = Pulse()
        self._subscribers: list[Subscription] = []
        self._poll_generation = 0
        self._abort_reason = ""
        self._inflight = 0
        self._last_activity = 0.0
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._methods = _method_table()
        self.base_url = ""
        self.app = self._build_app()

    # ---- lifecycle ----------------------------------------------------------
    def _build_app(self) -> web.Application:
        from bot.sandbox.control import add_control_routes

        app = web.Application(client_max_size=_UPLOAD_LIMIT)
        app.router.add_route("*", r"/bot{token}/{method}", self._handle_api)
        app.router.add_get(r"/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        return app

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one) and set `base_url`."""
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.base_url = f"http://{self.host}:{self.port}"
        self._last_activity = asyncio.get_running_loop().time()

    async def stop(self) -> None:
        """Release waiting long polls and stop listening."""
        self._closing.set()
        self.pulse.fire()
        await self._delivery.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- people and chats (driver side) -------------------------------------
    def user(
        self,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
        started: bool = False,
    ) -> SandboxUser:
        """Create a person; ids are assigned in creation order and stable across runs."""
        record = self.world.add_user(first_name, last_name, username, language_code)
        record.started = started
        return SandboxUser(self, record)

    def group(
        self,
        title: str,
        members: Sequence[SandboxUser] = (),
        admins: Sequence[SandboxUser] = (),
        supergroup: bool = False,
        forum: bool = False,
        creator: SandboxUser | None = None,
        bot_admin: bool = False,
        username: str | None = None,
    ) -> SandboxChat:
        """Create a group with the bot in it; the creator defaults to the first admin."""
        chat = self.world.add_group(title, supergroup or forum, forum)
        chat.username = username
        for person in members:
            chat.members[person.id] = "member"
        for person in admins:
            chat.members[person.id] = "administrator"
        owner = creator or (admins[0] if admins else None)
        if owner is not None:
            chat.members[owner.id] = "creator"
        if bot_admin:
            chat.members[self.world.bot.id] = "administrator"
        return SandboxChat(self, chat.id)

    def group_anonymous_bot(self) -> SandboxUser:
        """The GroupAnonymousBot account as a person the test drives.

        What it sends or taps carries no `sender_chat`: a forged "anonymous admin". Add it to a
        group (`group.add_member(...)`) before it sends there.
        """
        return SandboxUser(self, self.world.group_anonymous_bot())

    def chat(self, chat_id: int) -> SandboxChat:
        """A handle on any chat by id."""
        if chat_id not in self.world.chats:
            raise KeyError(f"no chat {chat_id}")
        return SandboxChat(self, chat_id)

    async def migrate_group(self, group: SandboxChat) -> SandboxChat:
        """Upgrade a basic group to a supergroup with a new id, as Telegram does."""
        old = self.world.chats[group.id]
        if old.type != "group":
            raise ValueError("only a basic group can be migrated")
        new = self.world.add_group(old.title or "", supergroup=True, forum=False)
        new.members = dict(old.members)
        old.migrated_to = new.id
        actor = next((uid for uid, s in old.members.items() if s == "creator"), self.world.bot.id)
        for chat, service in (
            (old, {"migrate_to_chat_id": new.id}),
            (new, {"migrate_from_chat_id": old.id}),
        ):
            message = self.world.new_message(chat, actor, service=service)
            self.world.enqueue("message", self.world.message_json(message))
        group.chat_id = new.id
        self.pulse.fire()
        await asyncio.sleep(0)
        return group

    # ---- observing the bot --------------------------------------------------
    def rate_violations(self) -> list[RateViolation]:
        """Windows in which the bot broke Telegram's flood limits."""
        return self.rates.violations()

    def my_commands(self, scope: str = "default", language_code: str = "") -> list[dict[str, str]]:
        """The command menu set with setMyCommands for a scope type (chat-less scopes)."""
        key = json.dumps({"type": scope}, sort_keys=True)
        return list(self.commands.get((key, language_code), []))

    def my_description(self, language_code: str = "") -> str:
        """The description set with setMyDescription ("" when none)."""
        return self.descriptions.get(language_code, "")

    def my_short_description(self, language_code: str = "") -> str:
        """The short description set with setMyShortDescription ("" when none)."""
        return self.short_descriptions.get(language_code, "")

    def subscribe(self) -> Subscription:
        """Receive every message the bot sends, edits or deletes, and every tap it answers."""
        subscription = Subscription(self)
        self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering events to `subscription`."""
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)

    def publish(
        self,
        kind: str,
        chat_id: int,
        message: StoredMessage | None,
        toast: str | None = None,
        show_alert: bool = False,
    ) -> None:
        """Tell subscribers and waiters what the bot just did."""
        shown = view(message, self.world.bot.id) if message is not None else None
        event = SandboxEvent(kind, chat_id, shown, toast, show_alert)
        for subscription in self._subscribers:
            subscription.queue.put_nowait(event)
        self.pulse.fire()

    async def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109 - part of the driver API
        """Wait (event-driven) until `condition()` holds; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self.pulse.current
            if condition():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await Pulse.wait(event, remaining)

    def unfetched(self) -> int:
        """Queued updates the bot has not fetched yet."""
        return sum(1 for u in self.world.updates if u.update_id > self.world.delivered_upto)

    async def settle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - part of the driver API
        """Wait until the bot fetched every update and made no request for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self.pulse.current
            pending = self.unfetched()
            idle = loop.time() - self._last_activity
            if not pending and not self._inflight and idle >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"sandbox did not settle within {timeout}s: {pending} update(s) not "
                    f"fetched, {self._inflight} request(s) running, last request {idle:.2f}s ago"
                )
            wait = remaining if pending or self._inflight else min(remaining, quiet - idle)
            await Pulse.wait(event, wait)

    def _touch(self) -> None:
        self._last_activity = asyncio.get_running_loop().time()
        self.pulse.fire()

    # ---- HTTP ----------------------------------------------------------------
    def revoke_token(self) -> None:
        """Revoke the bot's token, as @BotFather does: every call with it now gets 401."""
        self.token = f"{self.token.split(':', 1)[0]}:REVOKED-{secrets.token_hex(8)}"

    def _check_token(self, token: str) -> web.Response | None:
        if not _TOKEN.fullmatch(token):
            return _json(ApiError(404, "Not Found").payload(), 404)
        if token != self.token:
            return _json(ApiError(401, "Unauthorized").payload(), 401)
        return None

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        refused = self._check_token(request.match_info["token"])
        if refused is not None:
            return refused
        asked = request.match_info["method"]
        name = _CANONICAL.get(asked.lower(), asked)
        self.calls[name] += 1
        polling = name == "getUpdates"
        if not polling:
            self._inflight += 1
            self._touch()
        try:
            return await self._serve(request, name, polling)
        finally:
            if not polling:
                self._inflight -= 1
                self._touch()

    async def _serve(self, request: web.Request, name: str, polling: bool) -> web.StreamResponse:
        if self.faults.latency:
            await self._sleep(self.faults.latency)
        if self.faults.down(name):
            return await self._faulted(request, FaultRule(name, "drop", 1))
        rule = self.faults.take(name)
        if rule is not None and rule.kind != "delay":
            if rule.kind in ("drop_after_apply", "cut_after_apply"):
                await self._dispatch(request, name)
            if rule.hook is not None:
                rule.hook()
            return await self._faulted(request, rule)
        if rule is not None:
            await self._sleep(rule.seconds)
            transport = request.transport
            if transport is None or transport.is_closing():
                return web.Response(status=499)  # the client gave up: no side effect
        body, status = await self._dispatch(request, name)
        return _json(body, status)

    async def _dispatch(self, request: web.Request, name: str) -> tuple[dict[str, Any], int]:
        handler = self._methods.get(name)
        if handler is None:
            return ApiError(404, "Not Found").payload(), 404
        try:
            args = await Args.read(request)
            result = await handler(self, args)
        except ApiError as exc:
            return exc.payload(), exc.code
        return {"ok": True, "result": result}, 200

    async def _faulted(self, request: web.Request, rule: FaultRule) -> web.StreamResponse:
        if rule.kind == "error":
            error = ApiError(rule.code, rule.description, rule.parameters)
            return _json(error.payload(), rule.code)
        if rule.kind == "http_status":
            page = NGINX_502 if rule.code == 502 else f"<html><body>{rule.code}</body></html>"
            return web.Response(status=rule.code, text=page, content_type="text/html")
        transport = request.transport
        if transport is not None:
            transport.abort()  # the client sees the connection die without an answer
        return web.Response(status=499)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._closing.wait()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        refused = self._check_token(request.match_info["token"])
        if refused is not None:
            return refused
        path = request.match_info["path"]
        for record in self.world.files.values():
            if record.file_path == path and record.size <= api_messages.MAX_DOWNLOAD:
                if not record.size_lies:
                    return web.Response(body=record.data, content_type="application/octet-stream")
                # No Content-Length: the client learns the size only by reading to the end.
                response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
                response.enable_chunked_encoding()
                await response.prepare(request)
                for start in range(0, record.size, 64 * 1024):
                    await response.write(record.data[start : start + 64 * 1024])
                await response.write_eof()
                return response
        return _json(ApiError(404, "Not Found").payload(), 404)

    # ---- getUpdates ----------------------------------------------------------
    def abort_long_poll(self, reason: str) -> None:
        """End a waiting getUpdates with 409 `reason` (a newer poll or setWebhook took over)."""
        self._poll_generation += 1
        self._abort_reason = reason
        self.pulse.fire()

    def _confirm(self, offset: int | None) -> None:
        updates = self.world.updates
        if offset is None or offset == 0:
            return
        if offset > 0:
            updates[:] = [u for u in updates if u.update_id >= offset]
        else:
            del updates[: max(len(updates) + offset, 0)]

    def _wanted(self, allowed: frozenset[str]) -> list[Update]:
        # Telegram drops updates of types the bot did not ask for
        self.world.updates[:] = [u for u in self.world.updates if u.kind in allowed]
        return self.world.updates

    def _batch(self, limit: int) -> list[dict[str, Any]]:
        return [update.to_json() for update in self._wanted(self.allowed_updates)[:limit]]

    def start_webhook_delivery(self) -> None:
        """Begin POSTing updates to the webhook (only with `webhook_delivery=True`)."""
        if self.webhook_delivery:
            self._delivery.start()

    def deliverable(self) -> list[Update]:
        """Updates waiting for webhook delivery, oldest first."""
        hook = self.webhook.allowed_updates
        return self._wanted(frozenset(hook) if hook else self.allowed_updates)

    def mark_delivered(self, update_id: int) -> None:
        """A webhook accepted `update_id`: forget it, as Telegram does."""
        updates = self.world.updates
        updates[:] = [u for u in updates if u.update_id != update_id]
        # Other chats' updates may be delivered out of order: everything before the oldest one
        # still waiting has arrived.
        upto = updates[0].update_id - 1 if updates else self.world.next_update_id - 1
        self.world.delivered_upto = max(self.world.delivered_upto, upto)
        self._touch()

    async def get_updates(self, args: Args) -> Any:
        """getUpdates with offset confirmation, limit, long polling and allowed_updates."""
        if self.webhook.url:
            raise conflict(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        self.abort_long_poll(
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
        generation = self._poll_generation
        allowed = args.json("allowed_updates", "can't parse allowed_updates JSON object")
        if isinstance(allowed, list):
            self.allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATES
        limit = min(max(args.integer("limit") or 100, 1), 100)
        timeout = max(args.number("timeout") or 0.0, 0.0)
        self._confirm(args.integer("offset"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self.pulse.current
            if generation != self._poll_generation:
                raise conflict(self._abort_reason)
            batch = self._batch(limit)
            if batch or self._closing.is_set() or loop.time() >= deadline:
                break
            await Pulse.wait(event, deadline - loop.time())
        if batch:
            newest = batch[-1]["update_id"]
            self.world.delivered_upto = max(self.world.delivered_upto, newest)
            self._touch()
        return batch


def _json(body: dict[str, Any], status: int) -> web.Response:
    # A lone surrogate (text that is not valid Unicode) has no UTF-8 form: it travels as the
    # JSON escape `\ud800`, as JSON allows; it can only stand inside a string.
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace"),
        content_type="application/json",
    )


async def _get_updates(srv: SandboxServer, args: Args) -> Any:
    return await srv.get_updates(args)


def _method_table() -> dict[str, Handler]:
    return {
        "getMe": api_chats.get_me,
        "getUpdates": _get_updates,
        "setWebhook": api_chats.set_webhook,
        "deleteWebhook": api_chats.delete_webhook,
        "getWebhookInfo": api_chats.get_webhook_info,
        "setMyCommands": api_chats.set_my_commands,
        "getMyCommands": api_chats.get_my_commands,
        "deleteMyCommands": api_chats.delete_my_commands,
        "setMyDescription": api_chats.set_my_description,
        "getMyDescription": api_chats.get_my_description,
        "setMyShortDescription": api_chats.set_my_short_description,
        "getMyShortDescription": api_chats.get_my_short_description,
        "setChatMenuButton": api_chats.set_chat_menu_button,
        "getChatMenuButton": api_chats.get_chat_menu_button,
        "getChat": api_chats.get_chat,
        "getChatMember": api_chats.get_chat_member,
        "getChatAdministrators": api_chats.get_chat_administrators,
        "getChatMemberCount": api_chats.get_chat_member_count,
        "sendMessage": api_messages.send_message,
        "sendDocument": api_messages.send_document,
        "sendPhoto": api_messages.send_photo,
        "sendAudio": api_messages.send_audio,
        "sendVoice": api_messages.send_voice,
        "sendMediaGroup": api_messages.send_media_group,
        "sendChatAction": api_messages.send_chat_action,
        "editMessageText": api_messages.edit_message_text,
        "editMessageCaption": api_messages.edit_message_caption,
        "editMessageReplyMarkup": api_messages.edit_message_reply_markup,
        "deleteMessage": api_messages.delete_message,
        "answerCallbackQuery": api_messages.answer_callback_query,
        "getFile": api_messages.get_file,
        # answerInlineQuery, and the edits that also take an inline_message_id
        **api_inline.METHODS,
        **api_polls.METHODS,  # sendPoll, stopPoll
    }


_CANONICAL = {name.lower(): name for name in _method_table()}
