"""Quiz polls in the sandbox: sendPoll (regular and quiz, with Telegram's limits), stopPoll, and
votes delivered to the bot as `poll_answer` updates (non-anonymous polls only, as Telegram does)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from bot.sandbox.api_messages import (
    _check_rate,
    _deliver,
    _markup,
    _reply_to,
    _thread,
    writable_chat,
)
from bot.sandbox.errors import bad_request
from bot.sandbox.params import Args
from bot.sandbox.world import StoredMessage, UserRecord

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

QUESTION_CHARS = 300
OPTION_CHARS = 100
OPTIONS = range(2, 11)
EXPLANATION_CHARS = 200
EXPLANATION_LINE_FEEDS = 2
_poll_ids = itertools.count(5_000_000_000_000_000_001)


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _options(args: Args) -> list[str]:
    raw = args.json("options", "can't parse options JSON object")
    if not isinstance(raw, list):
        raise bad_request("poll options must be an array")
    texts = []
    for option in raw:
        text = option.get("text") if isinstance(option, dict) else option
        if not isinstance(text, str) or not text.strip():
            raise bad_request("poll options must be non-empty")
        if _length(text) > OPTION_CHARS:
            raise bad_request(f"poll options length must not exceed {OPTION_CHARS}")
        texts.append(text)
    if len(texts) < OPTIONS.start:
        raise bad_request("poll must have at least 2 option")
    if len(texts) > OPTIONS.stop - 1:
        raise bad_request(f"poll can't have more than {OPTIONS.stop - 1} options")
    return texts


def _correct(args: Args, count: int) -> list[int]:
    ids = args.json("correct_option_ids", "can't parse correct_option_ids JSON object")
    if ids is None:
        single = args.integer("correct_option_id")
        ids = [single] if single is not None else None
    if not ids or not all(isinstance(i, int) and 0 <= i < count for i in ids):
        raise bad_request("wrong correct option ID specified")
    return list(ids)


async def send_poll(srv: SandboxServer, args: Args) -> Any:
    """sendPoll: a regular or quiz poll; a quiz needs its right option and may explain it."""
    chat = writable_chat(srv, args)
    question = args.string("question") or ""
    if not question.strip():
        raise bad_request("poll question must be non-empty")
    if _length(question) > QUESTION_CHARS:
        raise bad_request(f"poll question length must not exceed {QUESTION_CHARS}")
    options = _options(args)
    kind = args.string("type") or "regular"
    if kind not in ("regular", "quiz"):
        raise bad_request("poll type is invalid")
    anonymous = args.raw("is_anonymous") is None or args.flag("is_anonymous")
    poll: dict[str, Any] = {
        "id": str(next(_poll_ids)),
        "question": question,
        # Bot API 9.6: each option has a persistent id, and answers name them too.
        "options": [
            {"text": o, "voter_count": 0, "persistent_id": str(i)} for i, o in enumerate(options)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": anonymous,
        "type": kind,
        "allows_multiple_answers": False,
        "allows_revoting": False,  # required since Bot API 9.6
        "members_only": False,  # required since Bot API 10.0
    }
    if kind == "quiz":
        # Bot API 10.0 names the right options in a list (PTB 22.8 deprecates the single id).
        poll["correct_option_ids"] = _correct(args, len(options))
        explanation = args.string("explanation")
        if explanation:
            if _length(explanation) > EXPLANATION_CHARS:
                raise bad_request("explanation is too long")
            if explanation.count("\n") > EXPLANATION_LINE_FEEDS:
                raise bad_request("explanation can't contain more than 2 line feeds")
            poll["explanation"] = explanation
    markup, thread, reply = _markup(args, chat), _thread(chat, args), _reply_to(chat, args)
    _check_rate(srv, chat)
    return _deliver(
        srv, chat, "sendPoll", poll=poll, reply_markup=markup, thread_id=thread, reply_to=reply
    )


def find_poll(srv: SandboxServer, poll_id: str) -> StoredMessage | None:
    """The message that carries a poll."""
    for chat in srv.world.chats.values():
        for message in chat.messages.values():
            if message.poll is not None and message.poll["id"] == poll_id:
                return message
    return None


async def stop_poll(srv: SandboxServer, args: Args) -> Any:
    """stopPoll: close a poll the bot sent; returns the final poll."""
    chat = writable_chat(srv, args)
    message = chat.messages.get(args.integer("message_id") or 0)
    if message is None or message.deleted:
        raise bad_request("message to stop poll not found")
    if message.poll is None:
        raise bad_request("message with poll to stop not found")
    if message.poll["is_closed"]:
        raise bad_request("poll has already been closed")
    message.poll["is_closed"] = True
    srv.publish("edited", chat.id, message)
    return message.poll


def vote(srv: SandboxServer, user: UserRecord, poll_id: str, option_ids: list[int]) -> None:
    """A person votes in a poll: counted, and (for a non-anonymous one) told to the bot as a
    `poll_answer`. A quiz takes one vote per person; a closed poll takes none."""
    message = find_poll(srv, poll_id)
    if message is None:
        raise AssertionError(f"no poll {poll_id}")
    poll = message.poll
    assert poll is not None
    voters: dict[int, list[int]] = poll.setdefault("_voters", {})
    if poll["is_closed"] or (poll["type"] == "quiz" and user.id in voters):
        raise AssertionError(f"{user.first_name} cannot vote in poll {poll_id} now")
    voters[user.id] = list(option_ids)
    for index in option_ids:
        poll["options"][index]["voter_count"] += 1
    poll["total_voter_count"] += 1
    if not poll["is_anonymous"]:
        srv.world.enqueue(
            "poll_answer",
            {
                "poll_id": poll_id,
                "user": user.to_json(),
                "option_ids": list(option_ids),
                "option_persistent_ids": [poll["options"][i]["persistent_id"] for i in option_ids],
            },
        )
        srv.pulse.fire()


def poll_json(poll: dict[str, Any]) -> dict[str, Any]:
    """The Bot API Poll object (without the sandbox's own bookkeeping)."""
    return {k: v for k, v in poll.items() if not k.startswith("_")}


METHODS = {"sendPoll": send_poll, "stopPoll": stop_poll}
