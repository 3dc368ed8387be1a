"""Group battles: /battle, /stopbattle, /leaderboard, the battle buttons and the round timer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, CallbackQuery, Chat, ChatMember, Message, Update
from telegram.error import ChatMigrated, TelegramError
from telegram.ext import Application, ContextTypes

from bot.core.battle import (
    BattleArgsError,
    CancelRound,
    CloseLobby,
    EditLobby,
    Effect,
    Finish,
    PostRound,
    RevealRound,
    parse_battle_args,
)
from bot.handlers.common import edit_html, send_html
from bot.services.battles import ANONYMOUS_ADMIN_ID, AlreadyRunning, Outcome, Refused
from bot.services.container import Services, get_services
from bot.views import battle as view
from bot.views.callbacks import BattleTap
from bot.views.fmt import esc

log = logging.getLogger(__name__)
TIMERS_KEY = "battle_timers"
# A timer fires this long after the stored wakeup, so the tick finds the deadline passed.
TIMER_SLACK = 0.05


def _thread(message: Message) -> int | None:
    # Only a forum topic keeps its messages apart; a reply thread id elsewhere means nothing here.
    return message.message_thread_id if message.is_topic_message else None


async def _send(
    bot: Bot,
    services: Services,
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
        await services.battles.migrate(chat_id, moved.new_chat_id)
        return await send_html(bot, moved.new_chat_id, text, keyboard)


async def _edit(
    bot: Bot,
    services: Services,
    chat_id: int,
    message_id: int | None,
    text: str,
    keyboard: Any = None,
) -> None:
    if message_id is None:
        return
    try:
        await edit_html(bot, chat_id, message_id, text, keyboard)
    except ChatMigrated as moved:
        # The old group's messages can no longer be edited; the next send goes to the new chat.
        await services.battles.migrate(chat_id, moved.new_chat_id)


async def perform(
    bot: Bot,
    services: Services,
    outcome: Outcome,
    app: Application | None = None,  # type: ignore[type-arg]
    tapped_message_id: int | None = None,
) -> None:
    """Show what a battle transition did: lobby edits, round posts and reveals, the podium.

    The transition is already stored, so one message Telegram refuses (or a network hiccup) is
    logged and the rest still go out: the battle carries on from the database either way.
    """
    for effect in outcome.effects:
        try:
            await _show(bot, services, outcome, effect, tapped_message_id)
        except TelegramError:
            log.exception("battle %s: could not show %s", outcome.battle.id, type(effect).__name__)
    if app is not None:
        _arm_timer(app, services, outcome)


async def _show(
    bot: Bot, services: Services, outcome: Outcome, effect: Effect, tapped_message_id: int | None
) -> None:
    battle, state = outcome.battle, outcome.state
    chat_id = battle.chat_id
    total = len(state.rounds) or state.config.rounds
    if isinstance(effect, EditLobby):
        text = view.lobby_text(battle.deck_title, state.config, effect.players, battle.host_id)
        await _edit(
            bot, services, chat_id, battle.lobby_message_id, text, view.lobby_keyboard(battle.id)
        )
    elif isinstance(effect, CloseLobby):
        text = view.lobby_text(
            battle.deck_title, state.config, effect.players, battle.host_id, effect.outcome
        )
        await _edit(bot, services, chat_id, battle.lobby_message_id, text)
    elif isinstance(effect, PostRound):
        row = outcome.rounds[effect.round_no]
        seconds = view.deadline_hint(effect.deadline, services.clock.now())
        message = await _send(
            bot,
            services,
            chat_id,
            view.round_text(row, effect.round_no, effect.total, seconds),
            view.round_keyboard(battle.id, row),
            battle.thread_id,
        )
        await services.battles.round_posted(battle.id, effect.round_no, message.message_id)
    elif isinstance(effect, RevealRound):
        row = outcome.rounds[effect.round_no]
        # The tapped message is the round's own: it stands in if its id is not stored yet.
        message_id = row.message_id or tapped_message_id
        await _edit(bot, services, chat_id, message_id, view.reveal_text(row, effect, total))
    elif isinstance(effect, CancelRound):
        row = outcome.rounds[effect.round_no]
        text = view.cancelled_text(row, effect.round_no, total)
        await _edit(bot, services, chat_id, row.message_id, text)
    elif isinstance(effect, Finish):
        text = view.finish_text(effect.standings, effect.stopped)
        await _send(bot, services, chat_id, text, thread_id=battle.thread_id)


def _arm_timer(app: Application, services: Services, outcome: Outcome) -> None:  # type: ignore[type-arg]
    """Wake the battle exactly at its next deadline, between the periodic sweeps.

    Only an optimisation: the stored next_wakeup stays the truth and the sweep catches anything a
    lost timer misses. Without the periodic sweep running (tests drive time by hand) no timer is set.
    """
    from bot.app import SWEEP_TASK_KEY

    if app.bot_data.get(SWEEP_TASK_KEY) is None:
        return
    timers: dict[int, asyncio.TimerHandle] = app.bot_data.setdefault(TIMERS_KEY, {})
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


async def _on_timer(app: Application, battle_id: int) -> None:  # type: ignore[type-arg]
    if not app.running:
        return
    services = get_services(app.bot_data)
    try:
        outcome = await services.battles.tick(battle_id)
        if outcome is not None:
            await perform(app.bot, services, outcome, app)
    except Exception:
        log.exception("battle %s timer failed", battle_id)


async def sweep_battles(app: Application) -> None:  # type: ignore[type-arg]
    """Tick every battle whose stored wakeup has come: deadlines, next rounds, lobby edits."""
    services = get_services(app.bot_data)
    for battle_id in await services.battles.due():
        try:
            outcome = await services.battles.tick(battle_id)
            if outcome is not None:
                await perform(app.bot, services, outcome, app)
        except Exception:
            log.exception("battle %s tick failed", battle_id)


async def battle_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/battle [rounds] [seconds]: open a lobby in a group (or point to the running battle)."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    services = get_services(context.bot_data)
    thread_id = _thread(message)
    if chat.type == Chat.PRIVATE:
        await _send(context.bot, services, chat.id, view.IN_PRIVATE)
        return
    if message.sender_chat is not None or user.id == ANONYMOUS_ADMIN_ID:
        await _send(context.bot, services, chat.id, view.ANONYMOUS_HOST, thread_id=thread_id)
        return
    try:
        config = parse_battle_args(context.args or [])
    except BattleArgsError as error:
        await _send(context.bot, services, chat.id, esc(str(error)), thread_id=thread_id)
        return
    created = await services.battles.create(chat.id, thread_id, user.id, user.first_name, config)
    if isinstance(created, AlreadyRunning):
        await _send(
            context.bot,
            services,
            chat.id,
            view.ALREADY_RUNNING,
            thread_id=thread_id,
            reply_to=created.message_id,
        )
        return
    battle, state = created.battle, created.state
    lobby = await _send(
        context.bot,
        services,
        chat.id,
        view.lobby_text(battle.deck_title, state.config, state.players, battle.host_id),
        view.lobby_keyboard(battle.id),
        thread_id,
    )
    await services.battles.lobby_posted(battle.id, lobby.message_id)


async def is_group_admin(bot: Bot, message: Message, user_id: int) -> bool:
    """Whether the sender administers the group; GroupAnonymousBot alone never proves it."""
    if message.sender_chat is not None:
        # An anonymous admin posts as the group itself; anything else (a channel) is not an admin.
        return message.sender_chat.id == message.chat.id
    if user_id == ANONYMOUS_ADMIN_ID:
        return False
    member = await bot.get_chat_member(message.chat.id, user_id)
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def stop_battle_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stopbattle: the host or an admin ends the battle with the standings so far."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    services = get_services(context.bot_data)
    if chat.type == Chat.PRIVATE:
        await _send(context.bot, services, chat.id, view.IN_PRIVATE)
        return

    async def is_admin() -> bool:
        return await is_group_admin(context.bot, message, user.id)

    outcome = await services.battles.stop(chat.id, user.id, is_admin)
    if isinstance(outcome, Refused):
        await _send(
            context.bot,
            services,
            chat.id,
            esc(outcome.text),
            thread_id=_thread(message),
            reply_to=message.message_id,
        )
        return
    await perform(context.bot, services, outcome, context.application)


async def leaderboard_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/leaderboard: the group's all-time table."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    services = get_services(context.bot_data)
    if chat.type == Chat.PRIVATE:
        await _send(context.bot, services, chat.id, view.IN_PRIVATE)
        return
    rows = await services.battles.leaderboard(chat.id)
    await _send(
        context.bot, services, chat.id, view.leaderboard_text(rows), thread_id=_thread(message)
    )


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
    if await get_services(context.bot_data).battles.migrate(old, new):
        log.info("moved battles and leaderboard of chat %s to %s", old, new)


async def on_battle_tap(
    query: CallbackQuery, tap: BattleTap, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """Join, Start or an answer; anything stale or foreign gets a toast and changes nothing."""
    if query.message is None:
        await query.answer(view.STALE)
        return
    services = get_services(context.bot_data)
    battles = services.battles
    chat_id = query.message.chat.id
    user = query.from_user
    if tap.action == "join":
        outcome = await battles.join(chat_id, tap.battle_id, user.id, user.first_name)
    elif tap.action == "start":
        outcome = await battles.start(chat_id, tap.battle_id, user.id, user.first_name)
    else:
        outcome = await battles.answer(
            chat_id, tap.battle_id, user.id, user.first_name, tap.round_no, tap.option
        )
    if isinstance(outcome, Refused):
        await query.answer(outcome.text)
        return
    # Callback queries must be answered, and quickly: before the slower edits and sends.
    await query.answer(outcome.toast or "")
    await perform(context.bot, services, outcome, context.application, query.message.message_id)
