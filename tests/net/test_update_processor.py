"""ChatOrderedUpdateProcessor: one chat in order, many chats at once, bounded, nothing left over.

Updates are fed the way Application does it: one task per update, created in arrival order,
each calling `process_update`. Concurrency is proven with events (a handler that can only finish
once others have started), never with timings; `GUARD` only stops a deadlock from hanging the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import CallbackQuery, Chat, InlineQuery, Message, Poll, Update, User

from bot.net import ChatOrderedUpdateProcessor, ordering_key

GUARD = 10.0
SENT_AT = datetime(2026, 1, 1, tzinfo=UTC)


def chat_update(update_id: int, chat_id: int, user_id: int | None = None) -> Update:
    """A text message from `user_id` (default: the private chat's owner) in `chat_id`."""
    user = User(id=user_id or abs(chat_id), first_name="U", is_bot=False)
    chat_type = Chat.PRIVATE if chat_id > 0 else Chat.SUPERGROUP
    message = Message(
        message_id=update_id,
        date=SENT_AT,
        chat=Chat(id=chat_id, type=chat_type),
        from_user=user,
        text=f"update {update_id}",
    )
    return Update(update_id=update_id, message=message)


Handler = Callable[[Update], Awaitable[None]]


async def feed(
    processor: ChatOrderedUpdateProcessor, updates: list[Update], handler: Handler
) -> None:
    """Deliver `updates` like Application does and wait until every task has returned."""
    tasks = [
        asyncio.create_task(processor.process_update(update, handler(update))) for update in updates
    ]
    await asyncio.wait_for(asyncio.gather(*tasks), GUARD)


async def yield_times(count: int) -> None:
    """Give the event loop `count` turns, so concurrent handlers would interleave."""
    for _ in range(count):
        await asyncio.sleep(0)


@pytest.mark.parametrize("slots", [1, 4, 256])
async def test_fifty_updates_of_one_chat_are_handled_in_arrival_order(slots: int) -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent_updates=slots)
    handled: list[int] = []
    running = 0

    async def handler(update: Update) -> None:
        nonlocal running
        running += 1
        assert running == 1, "two updates of one chat overlapped"
        # Early updates take longest: without ordering, later ones would overtake them.
        await yield_times(50 - update.update_id)
        handled.append(update.update_id)
        running -= 1

    async with processor:
        await feed(processor, [chat_update(i, chat_id=7) for i in range(50)], handler)
        assert handled == list(range(50))
        assert processor.busy_chats == 0
        assert processor.queued_updates == 0


async def test_fifty_chats_are_handled_concurrently() -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent_updates=50)
    started: set[int] = set()
    everyone_in = asyncio.Event()

    async def handler(update: Update) -> None:
        assert update.effective_chat is not None
        started.add(update.effective_chat.id)
        if len(started) == 50:
            everyone_in.set()
        # Returns only once all 50 are inside at the same time; serial processing would deadlock.
        await everyone_in.wait()

    async with processor:
        await feed(processor, [chat_update(i, chat_id=1000 + i) for i in range(50)], handler)
    assert started == set(range(1000, 1050))


async def test_in_flight_updates_never_exceed_the_limit() -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent_updates=4)
    gate = asyncio.Event()
    full = asyncio.Event()
    inside = 0
    most_inside = 0
    done: list[int] = []

    async def handler(update: Update) -> None:
        nonlocal inside, most_inside
        inside += 1
        most_inside = max(most_inside, inside)
        if inside == 4:
            full.set()
        await gate.wait()
        inside -= 1
        done.append(update.update_id)

    async with processor:
        feeding = asyncio.create_task(
            feed(processor, [chat_update(i, chat_id=100 + i) for i in range(20)], handler)
        )
        await asyncio.wait_for(full.wait(), GUARD)
        await yield_times(100)  # plenty of turns for a fifth handler to sneak in, if it could
        assert (inside, processor.current_concurrent_updates) == (4, 4)
        gate.set()
        await feeding
    assert most_inside == 4
    assert sorted(done) == list(range(20))


async def test_a_busy_chat_does_not_hold_slots_other_chats_need() -> None:
    # Two slots, twenty queued updates of one chat, whose first update can only finish after
    # another chat's update ran. Waiting for a chat's turn inside a slot would deadlock here.
    processor = ChatOrderedUpdateProcessor(max_concurrent_updates=2)
    other_chat_ran = asyncio.Event()
    handled: list[tuple[int, int]] = []

    async def handler(update: Update) -> None:
        assert update.effective_chat is not None
        if update.update_id == 0:
            await other_chat_ran.wait()
        if update.effective_chat.id == 2:
            other_chat_ran.set()
        handled.append((update.effective_chat.id, update.update_id))

    updates = [chat_update(i, chat_id=1) for i in range(20)] + [chat_update(20, chat_id=2)]
    async with processor:
        await feed(processor, updates, handler)
    assert handled == [(2, 20)] + [(1, i) for i in range(20)]
    assert processor.busy_chats == 0


async def test_interleaved_chats_each_keep_their_own_order() -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent_updates=3)
    seen: dict[int, list[int]] = {}

    async def handler(update: Update) -> None:
        assert update.effective_chat is not None
        await yield_times(update.update_id % 7)
        seen.setdefault(update.effective_chat.id, []).append(update.update_id)

    updates = [chat_update(i, chat_id=-(i % 5) - 1) for i in range(100)]
    async with processor:
        await feed(processor, updates, handler)
    assert seen == {-c - 1: list(range(c, 100, 5)) for c in range(5)}


async def test_a_failing_update_does_not_stop_the_rest_of_its_chat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent_updates=2)
    handled: list[int] = []

    async def handler(update: Update) -> None:
        await asyncio.sleep(0)
        if update.update_id in (0, 2):
            raise RuntimeError(f"boom {update.update_id}")
        handled.append(update.update_id)

    updates = [chat_update(i, chat_id=5) for i in range(5)]
    tasks = [asyncio.create_task(processor.process_update(u, handler(u))) for u in updates]
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), GUARD)
    assert handled == [1, 3, 4]
    # The first update's own call reports its error; the queued one is logged.
    assert [type(r).__name__ if r else None for r in results] == ["RuntimeError", *[None] * 4]
    assert "Processing a queued update of chat 5 failed" in caplog.text
    assert processor.busy_chats == 0


async def test_cancelling_a_chat_drops_its_queue_cleanly() -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent_updates=2)
    blocker = asyncio.Event()
    handled: list[int] = []

    async def handler(update: Update) -> None:
        if update.update_id == 0:
            await blocker.wait()
        handled.append(update.update_id)

    updates = [chat_update(i, chat_id=9) for i in range(3)]
    first = asyncio.create_task(processor.process_update(updates[0], handler(updates[0])))
    await yield_times(3)
    for update in updates[1:]:
        # Queued behind the blocked first update: the call returns at once.
        await asyncio.wait_for(processor.process_update(update, handler(update)), GUARD)
    assert (processor.busy_chats, processor.queued_updates) == (1, 2)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert handled == []
    assert (processor.busy_chats, processor.queued_updates) == (0, 0)


def _inline_query_update() -> Update:
    user = User(id=77, first_name="U", is_bot=False)
    return Update(update_id=3, inline_query=InlineQuery("q", user, "deck", ""))


def _callback_update() -> Update:
    user = User(id=77, first_name="U", is_bot=False)
    message = Message(message_id=1, date=SENT_AT, chat=Chat(id=77, type=Chat.PRIVATE))
    return Update(update_id=4, callback_query=CallbackQuery("cb", user, "i", message=message))


def _poll_update() -> Update:
    poll = Poll.de_json(
        {
            "id": "p",
            "question": "Q?",
            "options": [],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": Poll.REGULAR,
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        },
        None,
    )
    return Update(update_id=5, poll=poll)


@pytest.mark.parametrize(
    ("update", "key"),
    [
        (chat_update(1, chat_id=-100500, user_id=77), -100500),
        (chat_update(2, chat_id=77), 77),
        (_inline_query_update(), 77),
        (_callback_update(), 77),
        (_poll_update(), ("update", 5)),
        ("a custom queue item", None),
    ],
    ids=["group-message", "private-message", "inline-query", "callback", "poll", "not-an-update"],
)
def test_ordering_key_is_chat_then_user_then_update(update: Any, key: Hashable | None) -> None:
    assert ordering_key(update) == key


async def test_objects_without_a_key_run_immediately() -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent_updates=2)
    ran: list[str] = []

    async def job(name: str) -> None:
        ran.append(name)

    await processor.process_update("custom", job("custom"))
    assert ran == ["custom"]
    assert processor.busy_chats == 0


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive integer"):
        ChatOrderedUpdateProcessor(max_concurrent_updates=0)
