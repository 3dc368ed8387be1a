"""Group battles: /battle, /stopbattle, /leaderboard, the battle buttons and the round timer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberRestricted,
    Message,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, TelegramError

from bot.core.battle import (
    BattleArgsError,
    Notice,
    parse_battle_args,
)
from bot.handlers.common import send_html
from bot.runtime import App, Context
from bot.services.battles import (
    ANONYMOUS_ADMIN_ID,
    AlreadyRunning,
    BattleService,
    Outcome,
    Refused,
)
from bot.services.container import Services
from bot.views import battle as view
from bot.views.callbacks import BattleTap
from bot.views.fmt import esc

log = logging.getLogger(__name__)
# What a tap hears when its message is behind the battle: if that message is a copy no transition
# edits (see `_close_copy`), the tap brings it up to date.
STALE_NOTICES = frozenset(
    {Notice.TIMES_UP, Notice.BATTLE_OVER, Notice.ALREADY_STARTED, Notice.ALREADY_JOINED}
)
# A timer fires this long after the stored wakeup, so the tick finds the deadline passed.
TIMER_SLACK = 0.05


def _thread(message: Message) -> int | None:
    # Only a forum topic keeps its messages apart; a reply thread id elsewhere means nothing here.
    return message.message_thread_id if message.is_topic_message else None


async def _send(
    bot: Bot,
    battles: BattleService,
    chat_id: int,
    text: str,
    keyboard: Any = None,
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> Message:
    """Send HTML into a group; a group that became a supergroup is followed once."""
    try:
        return await send_html(bot, chat_id, text, keyboard, thread_id, reply_to)
    except ChatMigrated as moved:
        await battles.migrate(chat_id, moved.new_chat_id)
        return await send_html(bot, moved.new_chat_id, text, keyboard)


async def perform(
    services: Services,
    outcome: Outcome,
    app: App | None = None,
) -> None:
    """Deliver what a battle transition owes the group (stored with it in the outbox), then arm
    the battle's timer."""
    await services.delivery().deliver(outcome.battle.chat_id)
    if app is not None:
        _arm_timer(app, services, outcome)


def _arm_timer(app: App, services: Services, outcome: Outcome) -> None:
    """Wake the battle exactly at its next deadline, between the periodic sweeps.

    Only an optimisation: the stored next_wakeup stays the truth and the sweep catches anything a
    lost timer misses. Without the periodic sweep running (tests drive time by hand) no timer is set.
    """
    if app.bot_data.sweep_task is None:
        return
    timers = app.bot_data.battle_timers
    battle_id = outcome.battle.id
    previous = timers.pop(battle_id, None)
    if previous is not None:
        previous.cancel()
    if outcome.next_wakeup is None:
        return
    delay = (outcome.next_wakeup - services.clock.now()).total_seconds() + TIMER_SLACK
    timers[battle_id] = asyncio.get_running_loop().call_later(
        max(delay, 0.0), lambda: app.create_task(_on_timer(app, battle_id))
    )


async def _on_timer(app: App, battle_id: int) -> None:
    if not app.running:
        return
    services = app.bot_data.services
    try:
        outcome = await services.battles.tick(battle_id)
        if outcome is not None:
            await perform(services, outcome, app)
    except Exception:
        log.exception("battle %s timer failed", battle_id)


async def sweep_battles(app: App) -> None:
    """Tick every battle whose stored wakeup has come (deadlines, next rounds, lobby edits).
    What a process that died after its transition left owed, the outbox's sweep delivers."""
    services = app.bot_data.services
    for battle_id in await services.battles.due():
        try:
            outcome = await services.battles.tick(battle_id)
            if outcome is not None:
                await perform(services, outcome, app)
        except Exception:
            log.exception("battle %s tick failed", battle_id)


async def battle_command(update: Update, context: Context) -> None:
    """/battle [rounds] [seconds]: open a lobby in a group (or point to the running battle)."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    services = context.bot_data.services
    thread_id = _thread(message)
    if chat.type == Chat.PRIVATE:
        await _send(context.bot, services.battles, chat.id, view.IN_PRIVATE)
        return
    if message.sender_chat is not None or user.id == ANONYMOUS_ADMIN_ID:
        await _send(
            context.bot, services.battles, chat.id, view.ANONYMOUS_HOST, thread_id=thread_id
        )
        return
    try:
        config = parse_battle_args(context.args or [])
    except BattleArgsError as error:
        await _send(
            context.bot,
            services.battles,
            chat.id,
            esc(view.battle_args_text(error)),
            thread_id=thread_id,
        )
        return
    created = await services.battles.create(chat.id, thread_id, user.id, user.first_name, config)
    if isinstance(created, AlreadyRunning):
        await _send(
            context.bot,
            services.battles,
            chat.id,
            view.ALREADY_RUNNING,
            thread_id=thread_id,
            reply_to=created.message_id,
        )
        return
    await services.delivery().deliver(created.battle.chat_id)


async def is_group_admin(bot: Bot, message: Message, user_id: int) -> bool:
    """Whether the sender administers the group; GroupAnonymousBot alone never proves it."""
    if message.sender_chat is not None:
        # An anonymous admin posts as the group itself; anything else (a channel) is not an admin.
        return message.sender_chat.id == message.chat.id
    if user_id == ANONYMOUS_ADMIN_ID:
        return False
    member = await bot.get_chat_member(message.chat.id, user_id)
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def is_member(member: ChatMember) -> bool:
    """Whether a chat member's status makes them one of the group (a restricted one may be)."""
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)


async def plays_here(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Whether the person may join or answer the group's battle: a member of it, now.

    Asked of Telegram at each join and answer, and kept nowhere: someone who left or was removed
    a minute ago must not score, and a remembered answer would be state outside the database.
    A Telegram that cannot tell (a network fault outlasting the retries, a group moved to a
    supergroup) does not stop a game: the battle service still checks the rest.
    """
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except BadRequest as exc:
        log.info("chat %s has no member %s: %s", chat_id, user_id, exc.message)
        return False
    except TelegramError as exc:
        log.warning("membership of %s in %s unknown (%s); let through", user_id, chat_id, exc)
        return True
    return is_member(member)


async def stop_battle_command(update: Update, context: Context) -> None:
    """/stopbattle: the host or an admin ends the battle with the standings so far."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    services = context.bot_data.services
    if chat.type == Chat.PRIVATE:
        await _send(context.bot, services.battles, chat.id, view.IN_PRIVATE)
        return

    async def is_admin() -> bool:
        return await is_group_admin(context.bot, message, user.id)

    outcome = await services.battles.stop(chat.id, user.id, is_admin)
    if isinstance(outcome, Refused):
        await _send(
            context.bot,
            services.battles,
            chat.id,
            esc(view.refusal_text(outcome.reason)),
            thread_id=_thread(message),
            reply_to=message.message_id,
        )
        return
    await perform(services, outcome, context.application)


async def leaderboard_command(update: Update, context: Context) -> None:
    """/leaderboard: the group's all-time table."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    services = context.bot_data.services
    if chat.type == Chat.PRIVATE:
        await _send(context.bot, services.battles, chat.id, view.IN_PRIVATE)
        return
    rows = await services.battles.leaderboard(chat.id)
    await _send(
        context.bot,
        services.battles,
        chat.id,
        view.leaderboard_text(rows),
        thread_id=_thread(message),
    )


async def on_migrate(update: Update, context: Context) -> None:
    """A group became a supergroup: its battle and leaderboard move to the new chat id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    services = context.bot_data.services
    await services.groups.migrate(old, new)  # its deck and daily question too
    if await services.battles.migrate(old, new):
        log.info("moved battles and leaderboard of chat %s to %s", old, new)
        await services.delivery().deliver(new)  # what the battle shows, shown there again


async def on_battle_tap(query: CallbackQuery, tap: BattleTap, context: Context) -> None:
    """Join, Start or an answer; anything stale or foreign gets a toast and changes nothing."""
    if query.message is None:
        await query.answer(view.STALE)
        return
    services = context.bot_data.services
    battles = services.battles
    chat_id = query.message.chat.id
    user = query.from_user
    # The answer's time is the tap's, not the tap's plus Telegram's answer about membership.
    tapped_at = services.clock.now()
    if tap.action != "start" and not await plays_here(context.bot, chat_id, user.id):
        await query.answer(view.NOT_A_MEMBER)
        return
    if tap.action == "join":
        outcome = await battles.join(chat_id, tap.battle_id, user.id, user.first_name)
    elif tap.action == "start":
        outcome = await battles.start(chat_id, tap.battle_id, user.id, user.first_name)
    else:
        outcome = await battles.answer(
            chat_id, tap.battle_id, user.id, user.first_name, tap.round_no, tap.option, tapped_at
        )
    message_id = query.message.message_id
    if isinstance(outcome, Refused):
        await query.answer(view.refusal_text(outcome.reason))
        if outcome.reason in STALE_NOTICES:
            await _close_copy(services, tap, chat_id, message_id)
        return
    # Callback queries must be answered, and quickly: before the slower edits and sends.
    await query.answer(view.toast_text(outcome.toast) if outcome.toast else "")
    # The tap's message is the lobby (Join, Start) or its round's (an answer): the router checked.
    # If its sender died between Telegram's answer and its record, it is that message from now on.
    if tap.action == "answer":
        await battles.round_shown(tap.battle_id, tap.round_no, message_id)
    else:
        await battles.lobby_shown(tap.battle_id, message_id)
    await perform(services, outcome, context.application)
    if outcome.toast is not None and outcome.toast.notice in STALE_NOTICES:
        await _close_copy(services, tap, chat_id, message_id)


async def _close_copy(services: Services, tap: BattleTap, chat_id: int, message_id: int) -> None:
    """A tap on a copy of a battle message that no transition edits (posted by a process that
    died before recording it, then posted again) and that the battle moved past: the copy is
    owed the battle as it stands, its buttons gone, so no button is left that does nothing."""
    if await services.battles.copy_owed(tap.battle_id, tap.round_no, chat_id, message_id):
        await services.delivery().deliver(chat_id)
