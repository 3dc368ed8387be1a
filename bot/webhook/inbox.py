"""Webhook mode with several processes: every update handled once, each chat's in order.

Any number of bot processes may share one database behind a load balancer that spreads Telegram's
deliveries over them. The HTTP handler (bot.webhook.server) stores each update in the `inbox`
table, keyed by update_id, before it answers 200: a redelivered update is stored once, and a
process that dies before storing gives no 200, so Telegram delivers the update again (to another
process). It then kicks this dispatcher for the update's chat.

The dispatcher of a process drains a chat only while it holds the chat's lease (`chat_leases`,
see bot.storage.leases): it takes the lease (free, expired or already its own), handles the
chat's pending rows in update_id order through `Application.process_update` (the very handlers
polling runs), marks each done, gives the lease back, and looks again for rows that arrived
meanwhile. A kick for a chat this process is already draining only marks it dirty; a kick for a
chat another process drains loses the lease race, and that process's re-check after releasing
picks the row up. Every second each process also kicks the chats that have pending rows and no
live lease (their process died, or a kick was lost), so a process killed mid-drain costs its
chats at most one lease length (INBOX_LEASE_SECONDS) of delay; leases of a process of the same
host whose pid is gone (a crash, then a restart) are freed at once. Handled rows are deleted a day
later. Leases are renewed in one statement every third of their length while held; a drain
stops at the next update once its lease is no longer certainly its own.

Exactly once, and its remaining window: an update's row is marked done once, after its handlers
have returned (non-blocking handlers included). A process that dies after the handlers acted and
before the mark commits leaves the update pending, and the next lease holder runs it again. Most
re-runs change nothing a user sees: answers and battle taps are written once (UNIQUE keys and
compare-and-swap), and a re-run tap finds its question answered and sends only what the dead
process had not sent yet (the next question, or the session's summary). A re-run command
(/start, /quiz) may repeat its reply. The same holds when a live process stalls longer than its lease (it is no longer trusted
to be alive) and another takes the chat over. An update begun three times without finishing is
logged and dropped, so one update that kills its process cannot take every process down in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from telegram import Bot, Update

from bot.net.update_processor import ordering_key
from bot.storage import inbox, leases
from bot.storage.db import Database
from bot.storage.leases import CHAT_LEASES, new_owner
from bot.webhook.metered import tasks_started_for
from bot.webhook.metrics import Metrics

log = logging.getLogger(__name__)

# Updates with neither chat nor user (no type the bot asks for) share one ordered lane.
NO_CHAT = 0
TAKEOVER_EVERY = 1.0  # seconds between looks for chats whose drainer is gone
CLEANUP_EVERY = 600.0  # seconds between deletions of old handled rows
KEEP_DONE_MS = 24 * 3600 * 1000  # handled rows are kept a day (a late redelivery stays a no-op)
BATCH = 50  # pending rows read at a time
MAX_DRAINS = 256  # chats drained at once by one process
MAX_ATTEMPTS = 3  # handlings begun before an update that never finishes is dropped
ORPHANS_PER_SWEEP = 200
# A lease is trusted locally for this share of its length only: the rest is margin for the
# renewal's round trip and for clocks of different hosts that do not quite agree.
TRUST = 0.8


class UpdateHandler(Protocol):
    """What the dispatcher needs of the application: its bot, and its handlers."""

    @property
    def bot(self) -> Bot:
        """The bot updates are decoded for."""

    async def process_update(self, update: object) -> None:
        """Run the handlers for one update."""


def inbox_chat_key(update: object) -> int:
    """The key whose updates run in order: the chat, else the user (as polling orders them)."""
    key = ordering_key(update)
    return key if isinstance(key, int) else NO_CHAT


class InboxDispatcher:
    """Drains the inbox of one process: per-chat leases, ordered handling, takeover, cleanup.

    `wall` (seconds, for leases shared with other processes) and `monotonic` (for local trust)
    are injectable so tests can let a lease expire without waiting for it.
    """

    def __init__(
        self,
        app: UpdateHandler,
        db: Database,
        *,
        lease_seconds: float,
        metrics: Metrics | None = None,
        owner: str | None = None,
        takeover_every: float = TAKEOVER_EVERY,
        batch: int = BATCH,
        max_drains: int = MAX_DRAINS,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        elsewhere: Callable[[int], Awaitable[None] | None] | None = None,
    ) -> None:
        """Handle updates through `app`, storing leases in `db` as `owner`.

        `elsewhere(update_id)` names updates this process hands to the handlers outside the inbox
        (polling while the database could not store them): the awaitable ends when that handling
        has, and the dispatcher waits for it and marks the row done instead of running it again.
        """
        self.app = app
        self.db = db
        self.lease_seconds = lease_seconds
        self.metrics = metrics
        self.owner = owner or new_owner()
        self.takeover_every = takeover_every
        self.batch = batch
        self._wall = wall
        self._monotonic = monotonic
        self._elsewhere = elsewhere
        self._slots = asyncio.Semaphore(max_drains)
        self._drains: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()
        self._trusted_until: dict[int, float] = {}  # chat_key → monotonic instant
        self._stopping = False
        self._maintenance: asyncio.Task[None] | None = None
        self._renewed_at = float("-inf")
        self._cleaned_at = float("-inf")

    @property
    def lease_ms(self) -> int:
        """The lease length in milliseconds."""
        return int(self.lease_seconds * 1000)

    @property
    def draining(self) -> int:
        """How many chats this process is draining right now."""
        return len(self._drains)

    def _now_ms(self) -> int:
        return int(self._wall() * 1000)

    async def start(self) -> None:
        """Begin the periodic work; the first look for orphaned chats happens at once."""
        log.info(
            "inbox: handling updates as %s, chat leases of %d s", self.owner, self.lease_seconds
        )
        self._maintenance = asyncio.create_task(self._maintain_forever(), name="inbox-maintenance")

    def kick(self, chat_key: int) -> None:
        """Make sure the chat's pending updates get handled (called after each stored update)."""
        if self._stopping:
            return
        if chat_key in self._drains:
            self._dirty.add(chat_key)  # the running drain looks again before it ends
            return
        self._drains[chat_key] = asyncio.create_task(
            self._drain(chat_key), name=f"inbox-drain-{chat_key}"
        )

    async def stop(self, grace: float | None = None) -> None:
        """Finish the update in hand in every chat, then give every lease back.

        Pending updates stay stored: another process takes them over at once (the leases are
        gone), or this one after a restart. Drains still running after `grace` seconds (default:
        one lease length) are cancelled.
        """
        self._stopping = True
        if self._maintenance is not None:
            self._maintenance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._maintenance
            self._maintenance = None
        drains = list(self._drains.values())
        if drains:
            _, late = await asyncio.wait(drains, timeout=grace or self.lease_seconds)
            for task in late:
                task.cancel()
            if late:
                log.warning("stopping: %d chat(s) still busy were cut short", len(late))
                await asyncio.gather(*late, return_exceptions=True)
        try:
            await leases.release_all(self.db, CHAT_LEASES, self.owner)
        except Exception as exc:
            # They expire on their own; other processes take the chats over then.
            log.warning("stopping: could not give the chat leases back (%s)", type(exc).__name__)

    # The drain of one chat.

    async def _drain(self, key: int) -> None:
        try:
            async with self._slots:
                while not self._stopping:
                    self._dirty.discard(key)
                    if not await self._take(key):
                        return  # a live lease elsewhere: its holder re-checks after releasing
                    try:
                        await self._handle_pending(key)
                    finally:
                        await self._release(key)
                    if self._stopping:
                        return
                    if key not in self._dirty and not await inbox.has_pending(self.db, key):
                        return
        except Exception:
            # The database is unreachable, most likely; the takeover sweep tries again.
            log.exception("draining chat %s failed; it will be retried", key)
        finally:
            self._drains.pop(key, None)
            self._trusted_until.pop(key, None)
            self._dirty.discard(key)

    async def _take(self, key: int) -> bool:
        started = self._monotonic()
        if not await leases.take(
            self.db, CHAT_LEASES, key, self.owner, self._now_ms(), self.lease_ms
        ):
            return False
        if not self._trusted_until:
            # The one lease held is fresh: it needs renewing a third of a lease from now, not at
            # the next round of maintenance (a write that, on SQLite, can wait out the busy timeout
            # on the one connection ahead of the handlers).
            self._renewed_at = started
        self._trusted_until[key] = started + self.lease_seconds * TRUST
        return True

    async def _release(self, key: int) -> None:
        self._trusted_until.pop(key, None)
        try:
            await leases.release(self.db, CHAT_LEASES, key, self.owner)
        except Exception as exc:
            log.warning("could not release chat %s (%s); it expires", key, type(exc).__name__)

    def _trusted(self, key: int) -> bool:
        return self._monotonic() < self._trusted_until.get(key, float("-inf"))

    async def _handle_pending(self, key: int) -> None:
        while not self._stopping:
            rows = await inbox.pending(self.db, key, self.batch)
            if not rows:
                return
            for row in rows:
                if self._stopping or not self._trusted(key):
                    return
                await self._handle(row)
            if len(rows) < self.batch:
                # That was all of them: rows stored since are found by the look after releasing.
                return

    async def _handle(self, row: inbox.InboxRow) -> None:
        handling = None if self._elsewhere is None else self._elsewhere(row.update_id)
        if handling is not None:
            # Already with the handlers: waiting for them keeps the chat's order, and the row is
            # done when they are (a process killed meanwhile leaves it pending for the restart).
            await handling
            await inbox.mark_done(self.db, row.update_id, self._now_ms())
            return
        attempt = await inbox.begin(self.db, row.update_id)
        if attempt is None:
            return  # another process finished it after this one read it
        if attempt > MAX_ATTEMPTS:
            log.error(
                "update %s was begun %d times and never finished; dropping it",
                row.update_id,
                attempt - 1,
            )
            await inbox.mark_done(self.db, row.update_id, self._now_ms())
            return
        if attempt > 1:
            log.warning(
                "update %s is handled again: the process that had it stopped before finishing",
                row.update_id,
            )
            if self.metrics is not None:
                self.metrics.inbox_handled_again.inc()
        update = self._decode(row)
        if update is not None:
            await self._process(update)
        await inbox.mark_done(self.db, row.update_id, self._now_ms())

    def _decode(self, row: inbox.InboxRow) -> Update | None:
        try:
            return Update.de_json(json.loads(row.payload), self.app.bot)
        except Exception:
            # It was checked on arrival; nothing else can be done with it.
            log.exception("stored update %s cannot be read; dropping it", row.update_id)
            return None

    async def _process(self, update: Update) -> None:
        try:
            with tasks_started_for(update) as started:
                await self.app.process_update(update)
            # Non-blocking handlers (a chart, a deck file) run in tasks of their own: the update
            # is done, and the chat's next one may start, only when they are.
            if started:
                await asyncio.gather(*started, return_exceptions=True)
        except Exception:
            # Handler errors went to the error handler already; like polling, no retry.
            log.exception("update %s could not be processed", update.update_id)

    # Periodic work: renew leases, take orphaned chats over, delete old rows.

    async def _maintain_forever(self) -> None:
        every = min(self.takeover_every, self.lease_seconds / 3)
        while True:
            try:
                await self.maintain()
            except Exception as exc:
                log.warning("inbox maintenance failed (%s); retrying", type(exc).__name__)
            await asyncio.sleep(every)

    async def maintain(self) -> None:
        """One round of periodic work (tests call it directly)."""
        await self._renew()
        await self._free_dead_owners()
        await self.take_over()
        if self._monotonic() - self._cleaned_at >= CLEANUP_EVERY:
            self._cleaned_at = self._monotonic()
            removed = await inbox.cleanup(self.db, self._now_ms() - KEEP_DONE_MS)
            if removed:
                log.info("inbox: deleted %d handled update(s) older than a day", removed)

    async def _renew(self) -> None:
        if not self._trusted_until:
            return
        started = self._monotonic()
        if started - self._renewed_at < self.lease_seconds / 3:
            return
        held = set(self._trusted_until)
        kept = await leases.renew_all(
            self.db, CHAT_LEASES, self.owner, self._now_ms(), self.lease_ms
        )
        self._renewed_at = started
        for key in held:
            if key in kept:
                if key in self._trusted_until:
                    self._trusted_until[key] = started + self.lease_seconds * TRUST
            else:
                # Released meanwhile, or taken over after a stall: either way, not ours to use.
                self._trusted_until.pop(key, None)

    async def _free_dead_owners(self) -> None:
        # A process of this host that is gone (restarted after a crash) keeps nobody waiting.
        for owner in await leases.owners(self.db, CHAT_LEASES):
            if owner != self.owner and leases.gone_from_this_host(owner):
                freed = await leases.release_all(self.db, CHAT_LEASES, owner)
                log.info("released %d chat lease(s) of %s: that process is gone", freed, owner)

    async def take_over(self) -> list[int]:
        """Kick every chat with pending updates and no live lease; the chats kicked."""
        orphans = await inbox.orphaned_chats(self.db, self._now_ms(), ORPHANS_PER_SWEEP)
        for key in orphans:
            self.kick(key)
        return orphans
