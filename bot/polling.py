"""Polling mode through the inbox: an update is stored before Telegram is told it arrived.

Telegram hands out updates with getUpdates and forgets them once a later getUpdates names a higher
offset. `InboxPoller` fetches a batch, stores it in the `inbox` table (keyed by update_id, with the
chat key webhook mode uses: bot.webhook.inbox), and only then sends the offset that confirms it,
with its next long poll. The stored updates are handled by the same `InboxDispatcher` as in webhook
mode: each chat's updates in update_id order under the chat's lease, each row marked done once its
handlers returned. So a process killed at any moment loses nothing and repeats nothing it finished:
- killed before the store committed: the batch was never confirmed, and Telegram hands it out again;
- killed with updates stored but not handled, or in the middle of one: they are pending rows, and
  the restarted process (its dispatcher takes orphaned chats over as it starts) handles them;
- killed after rows were marked done but before their offset was confirmed: Telegram hands them
  out again, the store finds their update_ids already there, and nothing runs twice.
What is left is the dispatcher's own window (an update whose handlers acted but whose done mark
never committed is handled again; see bot.webhook.inbox).

While the database cannot take a batch (the store fails, or is not through within
HAND_OVER_AFTER), nobody waits for it: the batch goes to the handlers directly, the way polling
worked before the inbox (`process_update` through the application's update processor, each chat's
updates in order), and they meet the same trouble and tell each person to try again within their
own time limits. Later batches follow at once, without a store first. A batch handed over is not
confirmed: the offset moves past an update only once it is stored or its handlers have returned.
Every STORE_RETRY_EVERY seconds the poller tries to store the updates still in the handlers' hands;
once that gets through, or none is left, batches are stored first again. A row stored for an
update the handlers have (a store called off too late, or that retry) is not run by the
dispatcher: it waits for the handlers and marks the row done.

The window this leaves, for updates handed over only: one whose process dies while its handlers
run, or after they returned and before the next getUpdates confirmed it, is not in the inbox (or
is, pending); Telegram hands it out again, and it runs again from the start. The writes are
idempotent, so that repeats at most a reply, as for the dispatcher's window. And when the store
starts to fail, an update handed over may run beside an earlier update of its chat that the
dispatcher still has in hand (failing on the same database).

PTB's `Updater` is not used for this: it puts each batch on the application's queue and confirms it
with the next poll, before a handler has seen it, and offers no point at which to store it first.

Errors of getUpdates are handled as PTB's polling loop handles them: a time-out polls again at
once, a 429 waits as long as Telegram asks, other network trouble is retried with a backoff (1 s,
growing by half up to 30 s). A 409 Conflict (another process polls with this token) stops this
process without one more getUpdates, which would knock the other one off in turn. A 401 (the
token was revoked) ends polling; the token watch (bot.net.token_watch) has already asked the runner
to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.exit_codes import EXIT_CONFLICT, EXIT_TOKEN_REFUSED
from bot.net.retry import retry_after_seconds
from bot.net.token_watch import REFUSED_LINE
from bot.net.wire import fast_chat_key, get_updates_json
from bot.runtime import App
from bot.shutdown import Stopper
from bot.storage import inbox
from bot.webhook.inbox import NO_CHAT, InboxDispatcher, inbox_chat_key
from bot.webhook.metered import MeteredApplication, tasks_started_for

log = logging.getLogger(__name__)

CONFLICT_LINE = "another bot process is polling with this token (409 Conflict); stopping this one"
FIRST_BACKOFF = 1.0  # seconds before polling again after a network error
MAX_BACKOFF = 30.0
RETRY_AFTER_SLACK = 0.5  # added to Telegram's retry_after, as PTB does
# A store slower than this means trouble: its batch goes to the handlers directly. (A store takes
# about a millisecond; the handlers' own limits are seconds: a tap's toast is due within 5.)
HAND_OVER_AFTER = 1.0
# While stores fail, how often the updates in the handlers' hands are stored again: rarely, since
# on SQLite a store waits out the busy timeout on the one connection the handlers need too.
STORE_RETRY_EVERY = 5.0
# getUpdates answers at once while unconfirmed updates are in the handlers' hands: look for new
# ones this often until one of those is done.
IN_HAND_PAUSE = 0.5
# Updates handed over are remembered this long (by count) for a row of theirs stored late.
REMEMBER_HANDED = 10_000
# The getUpdates that confirms the last batch on a clean stop must not eat the stop's time budget.
CONFIRM_TIMEOUT = 2.0

Row = tuple[int, int, str]  # update_id, chat key, payload
Raw = dict[str, Any]  # an update as Telegram sent it


def _now_ms() -> int:
    return int(time.time() * 1000)


def _row(update: Raw, bot: Bot) -> Row:
    """The update's inbox row: stored as Telegram sent it (as webhook mode stores it)."""
    key = fast_chat_key(update)
    if key is None:
        try:
            key = inbox_chat_key(Update.de_json(update, bot))
        except Exception:
            # Stored all the same, so it is confirmed: the dispatcher logs it and drops it.
            key = NO_CHAT
    return (int(update["update_id"]), key, json.dumps(update, separators=(",", ":")))


def _has_id(update: object) -> bool:
    """Whether a getUpdates item is an object with an integer update_id."""
    if not isinstance(update, dict):
        return False
    update_id = update.get("update_id")
    return isinstance(update_id, int) and not isinstance(update_id, bool)


def _consume(task: asyncio.Task[None]) -> None:
    # A store called off or left behind: its outcome no longer matters, but must be retrieved.
    if not task.cancelled() and task.exception() is not None:
        log.debug("a store called off ended with %s", type(task.exception()).__name__)


class InboxPoller:
    """Long-polls getUpdates, stores each batch in the inbox, then confirms it; a dispatcher
    handles what is stored (the handlers directly while the database cannot store it)."""

    def __init__(
        self,
        app: App,
        stopper: Stopper,
        *,
        poll_timeout: int,
        allowed_updates: Sequence[str],
    ) -> None:
        """Poll for `app` with long polls of `poll_timeout` seconds; ask `stopper` to end the
        process when polling cannot go on (409, 401)."""
        self.app = app
        self.stopper = stopper
        self.poll_timeout = poll_timeout
        self.allowed_updates = list(allowed_updates)
        services = app.bot_data.services
        self.db = services.db
        self.dispatcher = InboxDispatcher(
            app,
            services.db,
            lease_seconds=services.settings.inbox_lease_seconds,
            metrics=app.metrics if isinstance(app, MeteredApplication) else None,
            elsewhere=self.handling,
        )
        self.offset = 0  # the next update_id to ask for: everything below is stored or handled
        self.conflict = False
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Only a long poll or a pause may be cut short by a stop, never a store.
        self._interruptible = False
        # Updates fetched at or above the offset, in update_id order: True once stored or handled.
        self._ahead: dict[int, bool] = {}
        # Updates handed to the handlers directly: each future ends when their handling has.
        self._handed: dict[int, asyncio.Future[None]] = {}
        # Of those, the ones still in the handlers' hands and not stored: what the retry stores.
        self._unstored: dict[int, Row] = {}
        self._direct_tasks: set[asyncio.Task[None]] = set()
        self._bypass = False  # batches go to the handlers without a store first
        self._failing = False  # the last store failed (logged once per outage)
        self._retry: asyncio.Task[None] | None = None
        self._progress = asyncio.Event()

    @property
    def running(self) -> bool:
        """Whether the polling loop runs."""
        return self._task is not None and not self._task.done()

    @property
    def bypassing(self) -> bool:
        """Whether batches go to the handlers directly (the database could not store them)."""
        return self._bypass

    def handling(self, update_id: int) -> Awaitable[None] | None:
        """The handling of an update handed to the handlers directly (None if it was not)."""
        return self._handed.get(update_id)

    async def start(self) -> None:
        """Take over stored updates left pending, make sure no webhook is set, then poll."""
        await self.dispatcher.start()
        try:
            # getUpdates is refused while a webhook is set (left from webhook mode, say).
            await self.app.bot.delete_webhook()
        except BaseException:
            await self.dispatcher.stop()
            raise
        self._task = asyncio.create_task(self._poll_forever(), name="inbox-poller")

    async def stop(self) -> None:
        """Stop polling, finish the update in hand in each chat and give the chats back.

        Updates stored and not handled stay in the inbox for the next start; on a clean stop what
        is stored or handled is confirmed, so Telegram does not hand it out again.
        """
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            if self._interruptible:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        retry, self._retry = self._retry, None
        if retry is not None:
            retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retry
        # The update in hand may be a file being read: end that reading now (the person is told
        # to send it again), so the stop never waits for a reader.
        await self.app.bot_data.services.imports.close()
        in_hand = [f for f in self._handed.values() if not f.done()]
        if in_hand:
            # Like the dispatcher's drains: the updates handed over finish before the stop goes on.
            await asyncio.wait(in_hand, timeout=self.dispatcher.lease_seconds)
        if not self.conflict and self.stopper.exit_code != EXIT_TOKEN_REFUSED:
            await self._confirm()
        await self.dispatcher.stop()

    async def _confirm(self) -> None:
        if self.offset == 0:
            return
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                # limit=1 and timeout 0: what it returns is not confirmed and comes again later.
                await self.app.bot.get_updates(
                    offset=self.offset, limit=1, timeout=0, allowed_updates=self.allowed_updates
                )
        except Exception as exc:
            # Harmless: the batch comes again on the next start, and is stored once.
            log.info("could not confirm the last updates on stopping (%s)", type(exc).__name__)

    # The loop.

    async def _poll_forever(self) -> None:
        backoff = 0.0
        while not self._stopping:
            self._progress.clear()
            try:
                updates = await self._fetch()
            except Conflict:
                log.critical("%s", CONFLICT_LINE)
                self.conflict = True
                self.app.bot_data.stopped_by_conflict = True
                self.stopper.stop(EXIT_CONFLICT)
                return
            except InvalidToken:
                if self.stopper.exit_code is None:  # the token watch did not see it: say it here
                    log.critical("%s", REFUSED_LINE)
                self.stopper.stop(EXIT_TOKEN_REFUSED)
                return
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                log.warning("getUpdates: flood control, polling again in %.0f s", seconds)
                await self._pause(seconds + RETRY_AFTER_SLACK)
                continue
            except TimedOut:
                log.debug("getUpdates timed out; polling again")
                continue
            except TelegramError as exc:
                backoff = FIRST_BACKOFF if backoff == 0 else min(MAX_BACKOFF, backoff * 1.5)
                log.warning("getUpdates failed (%s); polling again in %.1f s", exc, backoff)
                await self._pause(backoff)
                continue
            except Exception:
                # An answer that could not be read, say: nothing was stored, so nothing is lost.
                backoff = FIRST_BACKOFF if backoff == 0 else min(MAX_BACKOFF, backoff * 1.5)
                log.exception("getUpdates failed; polling again in %.1f s", backoff)
                await self._pause(backoff)
                continue
            backoff = 0.0
            # Updates still in the handlers' hands come back until they are done: skip them.
            fresh = [
                u
                for u in updates
                if u["update_id"] >= self.offset and u["update_id"] not in self._ahead
            ]
            if fresh:
                for update in fresh:
                    self._ahead[update["update_id"]] = False
                if self._bypass:
                    self._hand_over(fresh)
                else:
                    await self._keep(fresh)
            elif updates and not self._progress.is_set():
                await self._pause(IN_HAND_PAUSE, until=self._progress)

    async def _fetch(self) -> list[Raw]:
        self._interruptible = True
        try:
            # As JSON: an update becomes an `Update` once, when it is handled (not also here).
            updates = await get_updates_json(
                self.app.bot,
                offset=self.offset,
                poll_seconds=self.poll_timeout,
                allowed_updates=self.allowed_updates,
            )
        finally:
            self._interruptible = False
        if not all(_has_id(update) for update in updates):
            # Nothing of it is stored or confirmed: polled again after the backoff.
            raise ValueError("getUpdates answered an update without an update_id")
        return updates

    async def _pause(self, seconds: float, until: asyncio.Event | None = None) -> None:
        if self._stopping:
            return  # a stop that came while storing: the loop ends instead
        self._interruptible = True
        try:
            if until is None:
                await asyncio.sleep(seconds)
            else:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(seconds):
                        await until.wait()
        finally:
            self._interruptible = False

    async def _keep(self, updates: list[Raw]) -> None:
        """Store a batch and kick its chats; hand it to the handlers if that fails or lags."""
        rows = [_row(update, self.app.bot) for update in updates]
        store = asyncio.create_task(self._store(rows), name="inbox-store")
        await asyncio.wait({store}, timeout=HAND_OVER_AFTER)
        if store.done() and not store.cancelled() and store.exception() is None:
            self._stored(rows)
            return
        if store.done():
            problem = type(store.exception()).__name__
        else:
            # Called off, so it does not hold the database (SQLite's one connection, waiting
            # out its busy timeout) ahead of the handlers. Should it commit all the same, the
            # dispatcher finds the rows handed over and does not run them again.
            store.cancel()
            store.add_done_callback(_consume)
            problem = f"no answer within {HAND_OVER_AFTER:.0f} s"
        self._bypass = True
        if not self._failing:
            self._failing = True
            log.warning(
                "the database cannot store updates (%s); they go to the handlers directly "
                "until it can",
                problem,
            )
        if self._retry is None or self._retry.done():
            self._retry = asyncio.create_task(self._retry_forever(), name="inbox-store-retry")
        self._hand_over(updates, rows)

    async def _store(self, rows: list[Row]) -> None:
        now = _now_ms()
        if len(rows) == 1:
            await inbox.store(self.db, *rows[0], now)  # one round trip, not three
            return
        # One transaction: one commit for the batch, and all of it or none.
        async with self.db.transaction():
            for update_id, key, payload in rows:
                await inbox.store(self.db, update_id, key, payload, now)

    def _stored(self, rows: list[Row]) -> None:
        """The rows are in the inbox: confirm them with the next poll and kick their chats."""
        if self._failing:
            self._failing = False
            log.info("the database takes updates again")
        for update_id, _, _ in rows:
            self._unstored.pop(update_id, None)
            self._settle(update_id)
        # Chats whose rows were stored before (a batch fetched again) are kicked too: a kick that
        # finds nothing pending costs a lease round trip, and pending ones are not left waiting.
        for key in dict.fromkeys(key for _, key, _ in rows):
            self.dispatcher.kick(key)

    def _settle(self, update_id: int) -> None:
        """The update is stored or handled: the offset moves past every such one in a row."""
        if update_id in self._ahead:
            self._ahead[update_id] = True
            while self._ahead:
                first = next(iter(self._ahead))
                if not self._ahead[first]:
                    break
                del self._ahead[first]
                self.offset = first + 1
        self._progress.set()

    # Straight to the handlers, while the database cannot store.

    def _hand_over(self, raws: list[Raw], rows: list[Row] | None = None) -> None:
        """Give updates not stored to the handlers, in order: each chat's run one after another."""
        loop = asyncio.get_running_loop()
        bot = self.app.bot
        rows = rows or [_row(raw, bot) for raw in raws]
        for raw, row in zip(raws, rows, strict=True):
            update = Update.de_json(raw, bot)
            done: asyncio.Future[None] = loop.create_future()
            self._handed[update.update_id] = done
            self._unstored[update.update_id] = row
            # Created in update_id order, and the processor queues an update behind its chat's
            # running one before its first await: each chat's updates run in order.
            task = asyncio.create_task(
                self._process(update, done), name=f"direct-update-{update.update_id}"
            )
            self._direct_tasks.add(task)
            task.add_done_callback(self._direct_tasks.discard)
        while len(self._handed) > REMEMBER_HANDED:
            oldest = next(iter(self._handed))
            if not self._handed[oldest].done():
                break
            del self._handed[oldest]

    async def _process(self, update: Update, done: asyncio.Future[None]) -> None:
        try:
            await self.app.update_processor.process_update(update, self._run(update, done))
        except Exception:
            # Handler errors went to the error handler already; like polling, no retry.
            log.exception("update %s could not be processed", update.update_id)

    async def _run(self, update: Update, done: asyncio.Future[None]) -> None:
        try:
            with tasks_started_for(update) as started:
                await self.app.process_update(update)
            # As in the dispatcher: an update is handled once its non-blocking handlers are.
            if started:
                await asyncio.gather(*started, return_exceptions=True)
        finally:
            if not done.done():
                done.set_result(None)
            self._unstored.pop(update.update_id, None)
            self._settle(update.update_id)

    async def _retry_forever(self) -> None:
        """Store the updates in the handlers' hands now and then, until a store gets through."""
        pause = STORE_RETRY_EVERY
        while not self._stopping:
            await asyncio.sleep(pause)
            rows = list(self._unstored.values())
            if rows:
                try:
                    await self._store(rows)
                except Exception as exc:
                    log.debug("storing updates failed again (%s)", type(exc).__name__)
                    pause = STORE_RETRY_EVERY
                    continue
                self._stored(rows)
                if self._unstored:
                    pause = 0.0  # more were handed over meanwhile: those too, now
                    continue
            # Stored, or none left in hand: the next batch is stored first again (and should the
            # database still refuse it, goes to the handlers within HAND_OVER_AFTER).
            self._bypass = False
            return
