"""What one running bot keeps in memory besides its database: the typed `bot_data` of its
Application, and the context type its handlers receive."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.handlers.guard import UpdateGuard

if TYPE_CHECKING:
    from bot.broadcast import BroadcastSender
    from bot.polling import InboxPoller
    from bot.services.container import Services
    from bot.shutdown import Stopper


class ServicesNotReady(RuntimeError):
    """The services were asked for before post_init made them."""


@dataclass(eq=False)
class Runtime:
    """The application's `bot_data`: PTB makes it with no arguments, so every field has a default.

    - `services` (read through the property): every service a handler calls, with the outbox's
      deliverer; set in post_init, once the database is open and the bot exists. `ready` says
      whether it is set (not yet before post_init, nor when opening the database failed).
    - `stopper`: where the application asks its runner to stop for good (a refused token, a
      database gone); set by build_application, right after the Application is built.
    - `sweep_task`: the loop running the periodic sweeps; set in post_init unless the caller runs
      them by hand, cancelled in post_stop. Battle timers are only armed while it runs.
    - `imports_stop_task`: ends the file readings in flight as a stop begins; set in post_init,
      cancelled in post_stop.
    - `poller`: the inbox poller of polling mode; set by start_polling, taken by stop_polling.
    - `battle_timers`: the in-memory timer of each battle waiting for its next deadline, by
      battle id; an optimisation over the sweep, armed as battle transitions are performed.
    - `stopped_by_conflict`: another process polls with this token (409); set by the inbox
      poller, read by the runner to exit non-zero.
    - `guard`: the update guard's memory (recent update ids, each user's message budget); made
      with the Runtime, replaced by tests that need a frozen clock.
    - `reminder_sender`: the one paced sender of reminders, made by the first reminder sweep so
      its pacing spans sweeps (tests put one on virtual time).
    - `reminder_owner`: the name this process's reminder leases are taken under, made by the
      first reminder sweep.
    """

    _services: Services | None = None
    stopper: Stopper | None = None
    sweep_task: asyncio.Task[None] | None = None
    imports_stop_task: asyncio.Task[None] | None = None
    poller: InboxPoller | None = None
    battle_timers: dict[int, asyncio.TimerHandle] = field(default_factory=dict)
    stopped_by_conflict: bool = False
    guard: UpdateGuard = field(default_factory=UpdateGuard)
    reminder_sender: BroadcastSender | None = None
    reminder_owner: str | None = None

    @property
    def services(self) -> Services:
        """The bot's services; raises ServicesNotReady before post_init has made them."""
        if self._services is None:
            raise ServicesNotReady("the services are made in post_init, when the bot starts")
        return self._services

    @services.setter
    def services(self, services: Services) -> None:
        self._services = services

    @property
    def ready(self) -> bool:
        """Whether the services are set (post_init ran and opened the database)."""
        return self._services is not None


class Context(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], Runtime]):
    """What every handler receives: PTB's context, with the Runtime as `bot_data` and the id of
    the update being handled (None for a job or an error without an update)."""

    update_id: int | None = None

    @classmethod
    def from_update(
        cls,
        update: object,
        application: Application[Any, Any, Any, Any, Any, Any],
    ) -> Self:
        """PTB's context for `update`, remembering the update's id (a button that starts a quiz
        session names the session's start by it, so a redelivered tap starts nothing new)."""
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context.update_id = update.update_id
        return context


# The Application build_application makes, as code outside the handlers holds it.
App = Application[Any, Any, Any, Any, Runtime, Any]
