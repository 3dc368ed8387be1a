"""Inline mode in the sandbox: a person types `@bot query` in a chat, the bot answers with
answerInlineQuery (checked as Telegram checks it), the person picks a result, which is posted
into the chat "via @bot" with its keyboard and an `inline_message_id`; taps on its buttons reach
the bot with that id and no message, and the bot edits it by that id.

The Bot API side (`answer_inline_query`, the `edit_*` methods that also take an
`inline_message_id`) is wired into the server's method table; the person's side
(`inline_query`, `choose`, `tap_inline`) is what tests and the terminal call.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.sandbox import api_messages
from bot.sandbox.api_messages import _apply_edit
from bot.sandbox.errors import bad_request
from bot.sandbox.message import SandboxMessage, view
from bot.sandbox.params import Args
from bot.sandbox.validate import check_message_text, format_text, parse_reply_markup
from bot.sandbox.world import CallbackRecord, ChatRecord, StoredMessage

if TYPE_CHECKING:
    from bot.sandbox.driver import SandboxChat, SandboxUser
    from bot.sandbox.server import SandboxServer

MAX_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_OFFSET_BYTES = 64
MAX_QUERY_CHARS = 256
MAX_CACHE_TIME = 86_400 * 365  # Telegram takes any non-negative number; this is generous
QUERY_GONE = "query is too old and response timeout expired or query ID is invalid"
RESULT_TYPES = frozenset(
    {"article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document", "location"}
)


@dataclass
class InlineQueryRecord:
    """An inline query a person typed, and the bot's answer once given."""

    id: str
    user_id: int
    chat_id: int | None
    query: str
    offset: str
    answered: bool = False
    results: list[dict[str, Any]] = field(default_factory=list)
    next_offset: str = ""
    cache_time: int | None = None
    is_personal: bool = False
    button: dict[str, Any] | None = None  # shown above the results (opens the private chat)

    @property
    def titles(self) -> list[str]:
        """The results' titles, in order, as the person sees the list."""
        return [str(r.get("title", "")) for r in self.results]


@dataclass
class InlineState:
    """What the sandbox knows of inline mode: queries asked and messages posted via the bot."""

    queries: dict[str, InlineQueryRecord] = field(default_factory=dict)
    # inline_message_id -> (chat id, message id) of the posted message
    messages: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Set as /setinlinefeedback does: a chosen result is then reported as chosen_inline_result.
    feedback: bool = False
    next_query: int = 1
    next_message: int = 1

    def inline_id_of(self, chat_id: int, message_id: int) -> str | None:
        """The inline_message_id of a posted message, if it was posted via the bot."""
        for inline_id, place in self.messages.items():
            if place == (chat_id, message_id):
                return inline_id
        return None


# ---- Bot API methods ------------------------------------------------------------------------
def _check_result(result: Any, seen: set[str]) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise bad_request("can't parse inline query result")
    kind = result.get("type")
    if kind not in RESULT_TYPES:
        raise bad_request("RESULT_TYPE_INVALID")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not result_id:
        raise bad_request("RESULT_ID_EMPTY")
    if len(result_id.encode()) > MAX_RESULT_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if kind == "article":
        if not str(result.get("title") or "").strip():
            raise bad_request("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict) or not isinstance(content.get("message_text"), str):
            raise bad_request("MESSAGE_EMPTY")
        check_message_text(format_text(content["message_text"], content.get("parse_mode")))
    markup = result.get("reply_markup")
    if markup is not None:
        parsed = parse_reply_markup(markup)
        if parsed is None or "inline_keyboard" not in parsed:
            raise bad_request("REPLY_MARKUP_INVALID")
        return {**result, "reply_markup": parsed}
    return dict(result)


async def answer_inline_query(srv: SandboxServer, args: Args) -> Any:
    """answerInlineQuery: at most 50 results with unique ids of up to 64 bytes, answered once."""
    query = srv.inline.queries.get(args.string("inline_query_id") or "")
    if query is None or query.answered:
        raise bad_request(QUERY_GONE)
    results = args.json("results", "can't parse inline query results JSON object")
    if not isinstance(results, list):
        raise bad_request("results must be an Array")
    if len(results) > MAX_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    checked = [_check_result(result, seen) for result in results]
    next_offset = args.string("next_offset") or ""
    if len(next_offset.encode()) > MAX_OFFSET_BYTES:
        raise bad_request("NEXT_OFFSET_INVALID")
    cache_time = args.integer("cache_time")
    if cache_time is not None and not 0 <= cache_time <= MAX_CACHE_TIME:
        raise bad_request("CACHE_TIME_INVALID")
    query.answered = True
    query.results = checked
    query.next_offset = next_offset
    query.cache_time = cache_time
    query.is_personal = args.flag("is_personal")
    button = args.json("button", "can't parse inline query results button JSON object")
    query.button = button if isinstance(button, dict) else None
    srv.pulse.fire()
    return True


def _inline_message(srv: SandboxServer, inline_id: str) -> tuple[ChatRecord, StoredMessage]:
    place = srv.inline.messages.get(inline_id)
    if place is None:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = srv.world.chats[place[0]]
    message = chat.messages.get(place[1])
    if message is None or message.deleted:
        raise bad_request("MESSAGE_ID_INVALID")
    return chat, message


def _by_inline_id(
    normal: Callable[[SandboxServer, Args], Awaitable[Any]],
    inline: Callable[[SandboxServer, Args, str], Any],
) -> Callable[[SandboxServer, Args], Awaitable[Any]]:
    async def method(srv: SandboxServer, args: Args) -> Any:
        inline_id = args.string("inline_message_id")
        if inline_id:
            return inline(srv, args, inline_id)
        return await normal(srv, args)

    return method


def _edit_text(srv: SandboxServer, args: Args, inline_id: str) -> Any:
    chat, message = _inline_message(srv, inline_id)
    raw = args.string("text")
    if raw is None:
        raise bad_request("message text is empty")
    mode = args.string("parse_mode")
    text = format_text(raw, mode, args.json("entities", "can't parse entities JSON object"))
    check_message_text(text)
    markup = _keyboard(args)
    _apply_edit(srv, chat, message, "editMessageText", text=text, reply_markup=markup)
    message.raw_text = raw if (mode or "").lower() == "html" else html.escape(text.text, False)
    return True  # Telegram answers True, not the message, for an inline message


def _edit_markup(srv: SandboxServer, args: Args, inline_id: str) -> Any:
    chat, message = _inline_message(srv, inline_id)
    _apply_edit(srv, chat, message, "editMessageReplyMarkup", reply_markup=_keyboard(args))
    return True


def _keyboard(args: Args) -> dict[str, Any] | None:
    markup = parse_reply_markup(args.raw("reply_markup"))
    return markup if markup and "inline_keyboard" in markup else None


edit_message_text = _by_inline_id(api_messages.edit_message_text, _edit_text)
edit_message_reply_markup = _by_inline_id(api_messages.edit_message_reply_markup, _edit_markup)

METHODS = {
    "answerInlineQuery": answer_inline_query,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
}


# ---- the person's side ----------------------------------------------------------------------
def _chat_type(srv: SandboxServer, user: SandboxUser, chat: SandboxChat | None) -> str:
    if chat is None:
        return "sender"
    record = srv.world.chats[chat.id]
    if record.type == "private":
        return "sender" if record.id == user.id else "private"
    return record.type


async def inline_query(
    user: SandboxUser,
    text: str,
    chat: SandboxChat | None = None,
    offset: str = "",
    timeout: float = 5.0,  # noqa: ASYNC109 - part of the driver API
) -> InlineQueryRecord:
    """`user` types `@bot text` in `chat` (their own private chat by default); the bot's answer."""
    srv = user.server
    state = srv.inline
    query = InlineQueryRecord(
        str(7_100_000_000_000_000 + state.next_query),
        user.id,
        chat.id if chat is not None else None,
        text[:MAX_QUERY_CHARS],
        offset,
    )
    state.next_query += 1
    state.queries[query.id] = query
    payload = {
        "id": query.id,
        "from": user.record.to_json(),
        "query": query.query,
        "offset": offset,
        "chat_type": _chat_type(srv, user, chat),
    }
    srv.world.enqueue("inline_query", payload)
    srv.pulse.fire()
    if not await srv.wait_until(lambda: query.answered, timeout):
        raise AssertionError(f"the bot did not answer the inline query {text!r} within {timeout}s")
    return query


async def choose(
    user: SandboxUser, query: InlineQueryRecord, result_id: str, chat: SandboxChat
) -> SandboxMessage:
    """`user` picks a result of `query`: it is posted into `chat` "via @bot", with its buttons."""
    srv = user.server
    result = next((r for r in query.results if r.get("id") == result_id), None)
    if result is None:
        raise AssertionError(
            f"no result {result_id!r}; results: {[r['id'] for r in query.results]}"
        )
    content = result["input_message_content"]
    record = srv.world.chats[chat.id]
    text = format_text(content["message_text"], content.get("parse_mode"))
    message = srv.world.new_message(
        record,
        user.id,
        text=text,
        raw_text=content["message_text"],
        reply_markup=result.get("reply_markup"),
        via_bot_id=srv.world.bot.id,
    )
    state = srv.inline
    number = state.next_message
    state.next_message += 1
    inline_id = base64.urlsafe_b64encode(f"sandbox-{chat.id}-{number}".encode()).decode()
    state.messages[inline_id] = (record.id, message.message_id)
    if state.feedback:
        srv.world.enqueue(
            "chosen_inline_result",
            {
                "result_id": result_id,
                "from": user.record.to_json(),
                "query": query.query,
                "inline_message_id": inline_id,
            },
        )
    srv.publish("sent", record.id, message)
    return view(message, srv.world.bot.id)


def inline_message_id(srv: SandboxServer, message: SandboxMessage) -> str:
    """The inline_message_id Telegram gave a message posted via the bot."""
    found = srv.inline.inline_id_of(message.chat_id, message.message_id)
    if found is None:
        raise AssertionError(f"message {message.message_id} was not posted via the bot")
    return found


async def tap_inline_data(
    user: SandboxUser,
    message: SandboxMessage,
    data: str,
    timeout: float = 5.0,  # noqa: ASYNC109 - part of the driver API
) -> str:
    """`user` taps a button with `data` under a message posted via the bot; the toast.

    The bot gets the tap with the message's `inline_message_id` and no message, as on Telegram.
    """
    srv = user.server
    world = srv.world
    inline_id = inline_message_id(srv, message)
    query = CallbackRecord(
        world.new_callback_id(), user.id, message.chat_id, message.message_id, data
    )
    world.callbacks[query.id] = query
    payload = {
        "id": query.id,
        "from": user.record.to_json(),
        "inline_message_id": inline_id,
        "chat_instance": str(abs(message.chat_id * 7919 + world.bot.id) % 10**19),
        "data": data,
    }
    world.enqueue("callback_query", payload)
    srv.pulse.fire()
    if not await srv.wait_until(lambda: query.answered, timeout):
        raise AssertionError(f"the bot did not answer the inline tap {data!r} within {timeout}s")
    return query.text or ""


async def tap_inline(
    user: SandboxUser,
    message: SandboxMessage,
    label: str,
    timeout: float = 5.0,  # noqa: ASYNC109 - part of the driver API
) -> str:
    """`user` taps the button labelled `label` under a message posted via the bot; the toast."""
    data = message.data_for(label)
    if data is None:
        raise AssertionError(f"button {label!r} is not tappable")
    return await tap_inline_data(user, message, data, timeout)
