"""The reminder sweep: claim what is due in indexed batches, then send it through the paced sender."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram.ext import Application

from bot.broadcast import BroadcastSender, Delivery, Outgoing
from bot.services.container import get_services
from bot.services.reminders import SWEEP_BATCH, ReminderService
from bot.views.reminders import reminder_keyboard, reminder_text

log = logging.getLogger(__name__)

SENDER_KEY = "reminder_sender"
# Sweeps share one loop: after about this many sends (10 s at 30/s) the sweep returns so the
# others get their turn; the next run carries on where this one stopped.
SEND_BUDGET = 300


@dataclass
class SweepReport:
    """What one reminder sweep did."""

    decided: int = 0
    sent: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0


def reminder_sender(app: Application) -> BroadcastSender:  # type: ignore[type-arg]
    """The bot's one paced sender (made on first use, so its pacing spans sweeps)."""
    sender = app.bot_data.get(SENDER_KEY)
    if not isinstance(sender, BroadcastSender):
        sender = BroadcastSender(app.bot)
        app.bot_data[SENDER_KEY] = sender
    return sender


async def sweep_reminders(app: Application) -> None:  # type: ignore[type-arg]
    """Send the reminders that are due now (periodic; tests call it after moving the clock)."""
    services = get_services(app.bot_data)
    report = await deliver_due_reminders(services.reminders, reminder_sender(app))
    if report.decided:
        log.info("reminder sweep: %s", report)


async def deliver_due_reminders(
    reminders: ReminderService,
    sender: BroadcastSender,
    budget: int = SEND_BUDGET,
    batch: int = SWEEP_BATCH,
) -> SweepReport:
    """Decide, claim and send due reminders batch by batch until none are due or the budget is spent."""
    report = SweepReport()
    limit = max(1, min(batch, budget))
    while report.sent + report.blocked + report.failed < budget:
        plan = await reminders.plan_batch(limit)
        report.decided += plan.decided
        report.skipped += plan.skipped
        messages = [
            Outgoing(send.user_id, reminder_text(send), reminder_keyboard()) for send in plan.sends
        ]
        results = await sender.send_all(messages)
        blocked = [
            m.chat_id for m, r in zip(messages, results, strict=True) if r is Delivery.BLOCKED
        ]
        await reminders.blocked(blocked)
        report.sent += results.count(Delivery.SENT)
        report.blocked += len(blocked)
        report.failed += results.count(Delivery.FAILED)
        if plan.decided < limit:
            break
    return report
