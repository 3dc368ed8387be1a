"""The one deliverer: every message the bot owes a chat reaches it, whichever process is alive.

A service writes its state change and the intents it owes (bot.storage.outbox) in one
transaction, held by its process. `deliver(chat_id)` — called by the process that handled the
update, right after the change — takes the chat's intents it holds (and any whose holder is gone),
and for each in order asks the intent's renderer for the screen the database shows now (None: no
longer owed), sends it or edits it in place, records what the delivery changed (the message that
now shows a question), then the outcome. `sweep()`, run every second by every process, delivers
what a dead process or an unknown outcome left owed.

Outcomes:
- Telegram answered: recorded (`sent`; `blocked` for a 403 or a chat that is gone; `failed` for
  any other refusal, logged).
- Unknown (a timeout, a dropped connection, the Bot API down): the intent stays owed and is tried
  again after a backoff (1, 2, 4 … 30 s) once the Bot API answers; the chat's later intents wait
  behind it, so the order holds. Every intent rendered so far shows a state of the database, so a
  repeat at worst shows a question twice (both copies' buttons work); silence never ends it.
  An intent still unknown after `GIVE_UP_MS` is recorded `expired`.
  Files without buttons are the exception, since nothing edits a copy into agreement and an
  upload is the send most likely to time out: a question's other pictures (the album before it)
  and a card back's pictures and sound are sent on an intent's first attempt only (its renderer
  leaves them out once `attempts` > 0, bot.outbox.quiz), so a retry never shows them twice, at
  the cost of leaving them out when the first attempt never reached Telegram (or met a 429).
- The process dies mid-delivery: its hold runs out (at once when it was of this host) and any
  process's sweep delivers the rest; an intent sent but not recorded is sent again (one copy
  more, its files included: the attempt was not counted), one not sent is sent once. A question
  whose message was recorded but whose intent was not is edited, not sent again: recording the
  message comes first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.net.wire import edit_html_quietly, send_html_id
from bot.outbox.media import ScreenMedia, edit_media_quietly, send_with_media
from bot.storage import leases
from bot.storage import outbox as store
from bot.storage.db import Database
from bot.storage.languages import language_of
from bot.storage.outbox import Holder, OwedRow
from bot.views.i18n import held_locale, using_locale

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 30.0
GIVE_UP_MS = 6 * 3600 * 1000  # an outcome unknown this long is given up (the Bot API is gone)
SWEEP_CHATS = 200  # chats looked at per sweep
SWEEP_PARALLEL = 16  # chats delivered at once by one sweep
KEEP_DONE_MS = 24 * 3600 * 1000
CLEANUP_EVERY_S = 600.0
GONE_CHAT = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid")


@dataclass(frozen=True, slots=True)
class Screen:
    """What an intent shows: a new message (in forum topic `thread`), or `edit` the message with
    this id."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    edit: int | None = None
    thread: int | None = None
    media: ScreenMedia | None = None  # a card's picture or sound shown with it (bot.outbox.media)


class Renderer(Protocol):
    """Turns one kind of intent into its screen, from the database as it is now."""

    async def render(self, intent: OwedRow) -> Screen | None:
        """The screen owed now, or None when the state moved on and nothing is owed."""

    async def record(self, intent: OwedRow, message_id: int) -> None:
        """Note the new message that shows it (before the intent is marked delivered)."""


@dataclass
class _Turn:
    """One chat's turn to be delivered in this process, and how many deliveries want it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class Deliverer:
    """Delivers owed intents chat by chat, in order, holding each while it delivers it."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        renderers: Mapping[str, Renderer],
        holder: Holder,
        *,
        migrate: Callable[[int, int], Awaitable[object]] | None = None,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Deliver through `bot` as `holder`, rendering each kind of intent with its renderer;
        `migrate(old, new)` moves a group that became a supergroup (with what it is owed)."""
        self.bot = bot
        self.migrate = migrate
        self.db = db
        self.renderers = dict(renderers)
        self.holder = holder
        self._wall = wall
        self._monotonic = monotonic
        self._turns: dict[int, _Turn] = {}
        self._cleaned_at = float("-inf")
        self.delivered = 0
        self.repeated = 0  # deliveries tried again after an unknown outcome

    def _now_ms(self) -> int:
        return int(self._wall() * 1000)

    async def deliver(self, chat_id: int) -> None:
        """Deliver what the chat is owed and no other live process holds."""
        turn = self._turns.get(chat_id)
        if turn is None:
            turn = self._turns[chat_id] = _Turn()
        turn.waiting += 1
        try:
            async with turn.lock:  # one delivery per chat at a time in this process
                # Screens render in the chat's language, whoever's update (or sweep) delivers;
                # the chat's own update has read it already.
                language = held_locale(chat_id) or await language_of(self.db, chat_id)
                with using_locale(language):
                    moved_to = await self._deliver_held(chat_id)
        finally:
            turn.waiting -= 1
            if turn.waiting == 0:
                del self._turns[chat_id]
        if moved_to is not None:
            await self.deliver(moved_to)  # what it was owed went with it

    async def _deliver_held(self, chat_id: int) -> int | None:
        """Deliver the chat's intents in order; the chat's new id if it moved meanwhile."""
        # Each take leases the rows again for a whole lease: a delivery slowed down (a 429 waited
        # out) takes again a third of the way in, so no other process finds them free meanwhile.
        renew_after = self.holder.lease_ms / 3000
        while True:
            taken_at = self._monotonic()
            rows = await store.take(self.db, chat_id, self.holder, self._now_ms())
            if not rows:
                return None
            for index, row in enumerate(rows):
                if self._monotonic() - taken_at > renew_after:
                    break  # take again
                try:
                    delivered = await self._deliver_one(row)
                except ChatMigrated as moved:
                    if self.migrate is None:
                        raise
                    # Its rows now belong to the new chat, still held by this process: delivered
                    # there, rendered again (the old chat's messages can no longer be edited).
                    await self.migrate(chat_id, moved.new_chat_id)
                    return moved.new_chat_id
                if not delivered:
                    # Its outcome is unknown: what follows waits behind it, for any process.
                    if index + 1 < len(rows):
                        await store.release(self.db, chat_id, self.holder.owner)
                    return None
            else:
                return None

    async def _deliver_one(self, row: OwedRow) -> bool:
        """Deliver one intent; False when its outcome is unknown and the chat must wait."""
        owner = self.holder.owner
        renderer = self.renderers.get(row.kind)
        if renderer is None:
            log.error("no renderer for %s intent %s; dropping it", row.kind, row.id)
            await store.finish(self.db, row, owner, store.FAILED, None, self._now_ms())
            return True
        screen = await renderer.render(row)
        if screen is None:
            await store.finish(self.db, row, owner, store.SKIPPED, None, self._now_ms())
            return True
        try:
            message_id = await self._show(row.chat_id, screen)
        except Forbidden:
            await store.finish(self.db, row, owner, store.BLOCKED, None, self._now_ms())
            return True
        except BadRequest as exc:
            gone = any(reason in exc.message.lower() for reason in GONE_CHAT)
            if not gone:
                log.error("Telegram refused %s intent %s: %s", row.kind, row.id, exc.message)
            outcome = store.BLOCKED if gone else store.FAILED
            await store.finish(self.db, row, owner, outcome, None, self._now_ms())
            return True
        except RetryAfter as exc:
            # The rate limiter waits 429s out; one that still got here did nothing.
            await store.postpone(self.db, row, owner, self._now_ms() + int(_seconds(exc) * 1000))
            return False
        except NetworkError as exc:  # TimedOut included: the message may or may not be out
            await self._unknown(row, exc)
            return False
        if screen.edit is None:
            # The new message first: should the process stop in between, the intent is
            # delivered again, and finds the message to edit rather than sending another.
            await renderer.record(row, message_id)
        await store.finish(self.db, row, owner, store.SENT, message_id, self._now_ms())
        self.delivered += 1
        return True

    async def _show(self, chat_id: int, screen: Screen) -> int:
        if screen.media is not None:
            return await self._show_media(chat_id, screen, screen.media)
        if screen.edit is not None:
            await edit_html_quietly(self.bot, chat_id, screen.edit, screen.text, screen.keyboard)
            return screen.edit
        return await send_html_id(self.bot, chat_id, screen.text, screen.keyboard, screen.thread)

    async def _show_media(self, chat_id: int, screen: Screen, media: ScreenMedia) -> int:
        """A screen with a card's file: sent with it, or edited as a caption when it is one."""
        if screen.edit is None:
            return await send_with_media(
                self.bot, self.db, chat_id, media, screen.text, screen.keyboard, screen.thread
            )
        await edit_media_quietly(
            self.bot, chat_id, screen.edit, screen.text, screen.keyboard, media
        )
        return screen.edit

    async def _unknown(self, row: OwedRow, exc: Exception) -> None:
        now = self._now_ms()
        if now - row.created_at > GIVE_UP_MS:
            log.error("%s intent %s: outcome unknown for hours; giving up", row.kind, row.id)
            await store.finish(self.db, row, self.holder.owner, store.EXPIRED, None, now)
            return
        backoff = min(MAX_BACKOFF_S, 2.0**row.attempts)
        attempts = await store.postpone(self.db, row, self.holder.owner, now + int(backoff * 1000))
        self.repeated += 1
        log.warning(
            "%s intent %s for chat %s: outcome unknown (%s), attempt %d; again in %.0f s",
            row.kind,
            row.id,
            row.chat_id,
            type(exc).__name__,
            attempts,
            backoff,
        )

    async def sweep(self) -> list[int]:
        """Deliver what is owed to chats and held by no live process; the chats looked at."""
        now = self._now_ms()
        for owner in await store.holders(self.db):
            if owner != self.holder.owner and leases.gone_from_this_host(owner):
                freed = await store.release_owner(self.db, owner)
                log.info("took over %d owed message(s) of %s: that process is gone", freed, owner)
        chats = await store.orphaned_chats(self.db, now, SWEEP_CHATS)
        slots = asyncio.Semaphore(SWEEP_PARALLEL)

        async def one(chat_id: int) -> None:
            async with slots:
                try:
                    await self.deliver(chat_id)
                except Exception:
                    log.exception(
                        "delivering to chat %s failed; the next sweep tries again", chat_id
                    )

        await asyncio.gather(*(one(chat) for chat in chats))
        if self._monotonic() - self._cleaned_at >= CLEANUP_EVERY_S:
            self._cleaned_at = self._monotonic()
            await store.cleanup(self.db, now - KEEP_DONE_MS)
        return chats


def _seconds(exc: RetryAfter) -> float:
    after = exc.retry_after
    return after if isinstance(after, int | float) else after.total_seconds()
