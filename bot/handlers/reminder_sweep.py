"""The reminder sweep: decide what is due in indexed batches, queue it, send it through the pacer.

Every process runs this sweep; one at a time does the work, under the `reminder-sender` job lease
(Telegram's 30 messages a second are the bot's, so one paced sender serves all processes). The
holder alternates: it sends the owed reminders (paced intents of the outbox, bot.storage.outbox),
taken a few seconds' worth at a time under a lease, and records each one's outcome as soon as
Telegram has answered; when none is owed it decides the next batch of due reminders, which owes
the ones to send in the claim's own transaction. A holder killed mid-broadcast leaves its job lease
and its taken reminders to expire (OUTBOX_LEASE_SECONDS), after which any process's sweep goes
on where it stopped (at once when the dead holder was a process of the same host whose pid is
gone: a crash, then a restart). Only a reminder Telegram accepted just before its sender died,
its outcome not yet written, goes out twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.broadcast import GLOBAL_LIMIT, BroadcastSender, Delivery, Outgoing
from bot.config import DEFAULT_OUTBOX_LEASE_SECONDS
from bot.runtime import App
from bot.services.reminders import SWEEP_BATCH, PendingSend, ReminderSend, ReminderService
from bot.storage import outbox
from bot.storage.languages import languages_of
from bot.storage.leases import new_owner
from bot.views.i18n import using_locale
from bot.views.reminders import reminder_keyboard, reminder_text

log = logging.getLogger(__name__)

# Sweeps share one loop: after about this many sends (10 s at 30/s) the sweep returns so the
# others get their turn; the next run carries on where this one stopped.
SEND_BUDGET = 300
# Reminders taken at a time: two seconds of sending, so a taken one goes out well within its lease.
CHUNK = 60

_OUTCOMES = {Delivery.SENT: outbox.SENT, Delivery.BLOCKED: outbox.BLOCKED}


@dataclass
class SweepReport:
    """What one reminder sweep did."""

    decided: int = 0
    sent: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0
    busy: bool = False  # another process holds the sender's lease

    @property
    def handled(self) -> int:
        """Reminders whose send was attempted."""
        return self.sent + self.blocked + self.failed


def reminder_sender(app: App) -> BroadcastSender:
    """The bot's one paced sender (made on first use, so its pacing spans sweeps)."""
    runtime = app.bot_data
    if runtime.reminder_sender is None:
        runtime.reminder_sender = BroadcastSender(app.bot)
    return runtime.reminder_sender


def reminder_owner(app: App) -> str:
    """The name this process's reminder leases are taken under."""
    runtime = app.bot_data
    if runtime.reminder_owner is None:
        runtime.reminder_owner = new_owner()
    return runtime.reminder_owner


async def sweep_reminders(app: App) -> None:
    """Send the reminders that are due now (periodic; tests call it after moving the clock)."""
    services = app.bot_data.services
    report = await deliver_due_reminders(
        services.reminders,
        reminder_sender(app),
        owner=reminder_owner(app),
        lease_seconds=services.settings.outbox_lease_seconds,
    )
    if report.decided or report.handled:
        log.info("reminder sweep: %s", report)


async def deliver_due_reminders(
    reminders: ReminderService,
    sender: BroadcastSender,
    budget: int = SEND_BUDGET,
    batch: int = SWEEP_BATCH,
    *,
    owner: str | None = None,
    lease_seconds: float = DEFAULT_OUTBOX_LEASE_SECONDS,
    wall: Callable[[], float] = time.time,
) -> SweepReport:
    """Send queued reminders and decide due ones, until none are left or the budget is spent.

    Does nothing while another process holds the sender's lease (`report.busy`).
    """
    report = SweepReport()
    owner = owner or new_owner()
    lease_ms = int(lease_seconds * 1000)

    def now_ms() -> int:
        return int(wall() * 1000)

    await reminders.free_dead_senders()
    if not await reminders.hold_sender(owner, now_ms(), lease_ms):
        report.busy = True
        return report
    # Small enough to be sent in a third of the lease at the global pace.
    chunk = max(1, min(CHUNK, int(lease_seconds * GLOBAL_LIMIT / 3)))
    limit = max(1, min(batch, budget))
    all_decided = False
    try:
        while report.handled < budget:
            if not await reminders.hold_sender(owner, now_ms(), lease_ms):
                log.warning("reminder sweep: the sender's lease passed to another process")
                break
            sends = await reminders.take_sends(
                owner, min(chunk, budget - report.handled), now_ms(), lease_ms
            )
            if sends:
                await _send(reminders, sender, owner, sends, report)
                continue
            if all_decided:
                break
            plan = await reminders.plan_batch(limit)
            report.decided += plan.decided
            report.skipped += plan.skipped
            all_decided = plan.decided < limit
    finally:
        await reminders.release_sender(owner)
    return report


async def _send(
    reminders: ReminderService,
    sender: BroadcastSender,
    owner: str,
    sends: list[PendingSend],
    report: SweepReport,
) -> None:
    """Send taken reminders, recording each outcome the moment it is known."""
    # Each reminder in its reader's language (one query for the batch).
    languages = await languages_of(reminders.db, [s.user_id for s in sends])
    messages = []
    for s in sends:
        with using_locale(languages.get(s.user_id)):
            send = ReminderSend(s.user_id, s.due_count, s.streak, s.studied_today, s.local_day)
            messages.append(Outgoing(s.user_id, reminder_text(send), reminder_keyboard()))

    async def record(index: int, delivery: Delivery) -> None:
        send = sends[index]
        # A failure is not retried: it may have arrived (a timeout), and a reminder twice is
        # worse than one missed day's nudge.
        if not await reminders.finish_send(owner, send, _OUTCOMES.get(delivery, outbox.FAILED)):
            log.warning(
                "the reminder to user %s outlived its lease; another sender may send it too",
                send.user_id,
            )

    results = await sender.send_all(messages, on_result=record)
    blocked = [m.chat_id for m, r in zip(messages, results, strict=True) if r is Delivery.BLOCKED]
    await reminders.blocked(blocked)
    report.sent += results.count(Delivery.SENT)
    report.blocked += len(blocked)
    report.failed += results.count(Delivery.FAILED)
