"""Group battles: /battle, /stopbattle, /leaderboard, the battle buttons and the round timer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberRestricted,
    Message,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.core.battle import (
    BattleArgsError,
    CancelRound,
    CloseLobby,
    EditLobby,
    Finish,
    Notice,
    PostRound,
    RevealRound,
    parse_battle_args,
)
from bot.handlers.common import edit_html, send_html
from bot.net.retry import never_sent
from bot.services.battles import (
    ANONYMOUS_ADMIN_ID,
    POST_RENEW_EVERY,
    AlreadyRunning,
    BattleService,
    Outcome,
    Refused,
    RoundView,
    View,
)
from bot.services.container import Services, get_services
from bot.views import battle as view
from bot.views.callbacks import BattleTap
from bot.views.fmt import esc

log = logging.getLogger(__name__)
TIMERS_KEY = "battle_timers"
# What a tap hears when its message is behind the battle: if that message is a copy no transition
# edits (see `_refresh_copy`), the tap brings it up to date.
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


async def _edit(
    bot: Bot,
    battles: BattleService,
    chat_id: int,
    message_id: int | None,
    text: str,
    keyboard: Any = None,
) -> bool:
    """Edit a battle message in place; False when there is none, or it stayed behind in a group
    that became a supergroup (whose battle then follows it)."""
    if message_id is None:
        return False
    try:
        await edit_html(bot, chat_id, message_id, text, keyboard)
    except ChatMigrated as moved:
        # The old group's messages can no longer be edited; the next send goes to the new chat.
        await battles.migrate(chat_id, moved.new_chat_id)
        return False
    return True


async def perform(
    bot: Bot,
    services: Services,
    outcome: Outcome,
    app: Application | None = None,  # type: ignore[type-arg]
    tapped_message_id: int | None = None,
) -> None:
    """Show what a battle transition did (`show_outcome`), then arm the battle's timer."""
    await show_outcome(bot, services.battles, outcome, tapped_message_id)
    if app is not None:
        _arm_timer(app, services, outcome)


async def show_outcome(
    bot: Bot, battles: BattleService, outcome: Outcome, tapped_message_id: int | None = None
) -> None:
    """Show what a battle transition did: lobby edits, round posts and reveals, the podium.

    The transition is already stored, with the round messages and the podium it owes, so each of
    those is shown only under a claim (`_show_round`, `_show_podium`): whichever process claims it
    first shows it, here or in another process's sweep if this one dies first. Lobby edits are
    shown directly: an edit done twice shows the same thing. One message Telegram refuses (or a
    network hiccup) is logged and the rest still go out: the battle carries on either way.
    """
    battle_id = outcome.battle.id
    for effect in outcome.effects:
        try:
            if isinstance(effect, PostRound | CancelRound):
                await _show_round(bot, battles, battle_id, effect.round_no)
            elif isinstance(effect, RevealRound):
                # The close comes from a tap on the round's own message: it stands in for a
                # message whose id its sender died before storing.
                await _show_round(bot, battles, battle_id, effect.round_no, tapped_message_id)
            elif isinstance(effect, Finish):
                await _show_podium(bot, battles, battle_id)
            elif isinstance(effect, EditLobby | CloseLobby):
                await _show_lobby(bot, battles, outcome, effect)
        except TelegramError:
            log.exception("battle %s: could not show %s", battle_id, type(effect).__name__)


async def _show_lobby(
    bot: Bot, battles: BattleService, outcome: Outcome, effect: EditLobby | CloseLobby
) -> None:
    battle, state = outcome.battle, outcome.state
    if isinstance(effect, EditLobby):
        text = view.lobby_text(battle.deck_title, state.config, effect.players, battle.host_id)
        keyboard: Any = view.lobby_keyboard(battle.id)
    else:
        text = view.lobby_text(
            battle.deck_title, state.config, effect.players, battle.host_id, effect.outcome
        )
        keyboard = None
    await _edit(bot, battles, battle.chat_id, battle.lobby_message_id, text, keyboard)


T = TypeVar("T")


async def _holding(renew: Callable[[], Awaitable[None]], work: Awaitable[T]) -> T:
    """Await `work` (a send or an edit) while renewing its claim every POST_RENEW_EVERY, so a slow
    call (a 429 waited out) is not taken for a dead process and shown a second time."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=POST_RENEW_EVERY.total_seconds())
            if done:
                return task.result()
            try:
                await renew()
            except Exception:
                log.exception("could not renew a claim on a battle message")
    finally:
        if not task.done():
            task.cancel()


def _retry_later(exc: TelegramError, sending: bool) -> bool:
    """Whether a failed call is left to another try once its claim runs out: a 429, or a network
    fault — for a send only one that proves nothing was sent, as a repeat could show it twice.
    Anything else (the bot removed, a bad request) is given up."""
    if isinstance(exc, RetryAfter):
        return True
    if not isinstance(exc, NetworkError) or isinstance(exc, BadRequest):
        return False
    return not sending or never_sent(exc)


def _closed_text(claim: RoundView) -> str:
    """A closed round's message: its reveal, or its cancel when the battle stopped it."""
    effect = claim.effect
    if isinstance(effect, RevealRound):
        return view.reveal_text(claim.row, effect, claim.total)
    return view.cancelled_text(claim.row, effect.round_no, claim.total)


async def _round_message(
    bot: Bot, battles: BattleService, claim: RoundView, tapped_message_id: int | None
) -> int | None:
    """Bring a round's message to what the stored state owes it; returns the message's id."""
    battle, row, effect = claim.battle, claim.row, claim.effect
    message_id = row.message_id or tapped_message_id
    if isinstance(effect, PostRound):
        if message_id is not None:
            return message_id
        # The time actually left to the stored deadline: less than the full round when another
        # process posts it after the one that opened it died.
        seconds = view.deadline_hint(effect.deadline, battles.clock.now())
        text = view.round_text(row, effect.round_no, effect.total, seconds)
        sent = await _send(
            bot,
            battles,
            battle.chat_id,
            text,
            view.round_keyboard(battle.id, row),
            battle.thread_id,
        )
        return sent.message_id
    text = _closed_text(claim)
    if message_id is not None:
        if await _edit(bot, battles, battle.chat_id, message_id, text):
            return message_id
    elif isinstance(effect, CancelRound):
        return None  # stopped before its question was ever shown: nothing to cancel
    # Closed before its question was ever shown (or shown in the group's old chat, left behind
    # when the group became a supergroup): its reveal stands on its own.
    sent = await _send(bot, battles, battle.chat_id, text, thread_id=battle.thread_id)
    return sent.message_id


async def _show_round(
    bot: Bot,
    battles: BattleService,
    battle_id: int,
    round_no: int,
    tapped_message_id: int | None = None,
    swept: bool = False,
) -> None:
    """Show a round's message as the stored state owes it, if this process wins the claim.

    The claim is one conditional UPDATE, so of the process that stored the transition and every
    process's sweep, one shows the message, once; a process that dies holding it leaves it to
    the others once POST_LEASE has passed. If the round closed while its question was on its
    way, the same claimer goes on to show the close.
    """
    for _ in View:  # at most the question, then the close
        claim = await battles.claim_round(battle_id, round_no)
        if claim is None:
            return
        if swept:
            log.info("battle %s round %s: showing what nobody showed", battle_id, round_no)
        sending = (claim.row.message_id or tapped_message_id) is None
        try:
            message_id = await _holding(
                partial(battles.renew_round, battle_id, round_no),
                _round_message(bot, battles, claim, tapped_message_id),
            )
        except TelegramError as exc:
            if _retry_later(exc, sending):
                log.warning(
                    "battle %s round %s: not shown (%s); left for later", battle_id, round_no, exc
                )
                return
            log.warning("battle %s round %s: not shown (%s); given up", battle_id, round_no, exc)
            message_id = None
        if not await battles.round_shown(battle_id, round_no, claim.view, message_id):
            return


async def _show_podium(
    bot: Bot, battles: BattleService, battle_id: int, swept: bool = False
) -> None:
    """Post a battle's final standings, if owed and this process wins the claim (exactly once
    across processes, but for a process that dies between Telegram's answer and the record)."""
    claim = await battles.claim_podium(battle_id)
    if claim is None:
        return
    if swept:
        log.info("battle %s: posting the standings nobody posted", battle_id)
    battle = claim.battle
    text = view.finish_text(claim.effect.standings, claim.effect.stopped)
    message_id: int | None
    try:
        message = await _holding(
            partial(battles.renew_podium, battle_id),
            _send(bot, battles, battle.chat_id, text, thread_id=battle.thread_id),
        )
        message_id = message.message_id
    except TelegramError as exc:
        if _retry_later(exc, sending=True):
            log.warning("battle %s: standings not posted (%s); left for later", battle_id, exc)
            return
        log.warning("battle %s: standings not posted (%s); given up", battle_id, exc)
        message_id = None
    await battles.podium_posted(battle_id, message_id)


async def _post_lobby(
    bot: Bot, battles: BattleService, battle_id: int, swept: bool = False
) -> None:
    """Post a battle's lobby, if owed and this process wins the claim: the /battle that stored the
    battle, or any process's sweep once the claim of one that died before posting it ran out."""
    claim = await battles.claim_lobby(battle_id)
    if claim is None:
        return
    if swept:
        log.info("battle %s: posting the lobby nobody posted", battle_id)
    battle, state = claim.battle, claim.state
    # The players as they stand: a lobby posted late shows those who joined from a copy meanwhile.
    text = view.lobby_text(battle.deck_title, state.config, state.players, battle.host_id)
    message_id: int | None
    try:
        message = await _holding(
            partial(battles.renew_lobby, battle_id),
            _send(
                bot, battles, battle.chat_id, text, view.lobby_keyboard(battle.id), battle.thread_id
            ),
        )
        message_id = message.message_id
    except TelegramError as exc:
        if _retry_later(exc, sending=True):
            log.warning("battle %s: lobby not posted (%s); left for later", battle_id, exc)
            return
        log.warning("battle %s: lobby not posted (%s); given up", battle_id, exc)
        message_id = None
    await battles.lobby_posted(battle_id, message_id)


async def _refresh_copy(
    bot: Bot, battles: BattleService, tap: BattleTap, chat_id: int, message_id: int
) -> None:
    """A tap on a copy of a battle message that no transition edits (posted by a process that
    died before recording it, then posted again): show it as the battle stands, its buttons
    gone, so no button is left on screen that does nothing."""
    copy = await battles.stale_copy(tap.battle_id, tap.round_no, message_id)
    if copy is None:
        return
    battle, state = copy.battle, copy.state
    if copy.lobby is not None:
        text = view.lobby_text(
            battle.deck_title, state.config, state.players, battle.host_id, copy.lobby
        )
    elif copy.round is not None:
        text = _closed_text(copy.round)
    else:
        return
    try:
        await _edit(bot, battles, chat_id, message_id, text)
    except TelegramError as exc:
        log.warning("battle %s: copy %s not refreshed (%s)", battle.id, message_id, exc)


async def show_owed(bot: Bot, battles: BattleService) -> None:
    """Show every battle message owed and claimed by nobody: lobbies, rounds and podiums whose
    transition was stored by a process that died (or failed) before showing it. Rounds go before
    podiums, so a battle's last reveal comes before its podium."""
    for battle_id in await battles.owed_lobbies():
        try:
            await _post_lobby(bot, battles, battle_id, swept=True)
        except Exception:
            log.exception("battle %s: posting the lobby failed", battle_id)
    rounds, podiums = await battles.owed()
    for battle_id, round_no in rounds:
        try:
            await _show_round(bot, battles, battle_id, round_no, swept=True)
        except Exception:
            log.exception("battle %s round %s: showing failed", battle_id, round_no)
    for battle_id in podiums:
        try:
            await _show_podium(bot, battles, battle_id, swept=True)
        except Exception:
            log.exception("battle %s: posting the standings failed", battle_id)


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
    """Tick every battle whose stored wakeup has come (deadlines, next rounds, lobby edits), then
    show the battle messages nobody showed: those of a process that died after its transition."""
    services = get_services(app.bot_data)
    for battle_id in await services.battles.due():
        try:
            outcome = await services.battles.tick(battle_id)
            if outcome is not None:
                await perform(app.bot, services, outcome, app)
        except Exception:
            log.exception("battle %s tick failed", battle_id)
    await show_owed(app.bot, services.battles)


async def battle_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/battle [rounds] [seconds]: open a lobby in a group (or point to the running battle)."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    services = get_services(context.bot_data)
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
    await _post_lobby(context.bot, services.battles, created.battle.id)


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


async def stop_battle_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stopbattle: the host or an admin ends the battle with the standings so far."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    services = get_services(context.bot_data)
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
    await perform(context.bot, services, outcome, context.application)


async def leaderboard_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/leaderboard: the group's all-time table."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    services = get_services(context.bot_data)
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
            await _refresh_copy(context.bot, battles, tap, chat_id, message_id)
        return
    # Callback queries must be answered, and quickly: before the slower edits and sends.
    await query.answer(view.toast_text(outcome.toast) if outcome.toast else "")
    if tap.action != "answer" and outcome.battle.lobby_message_id is None:
        # Join and Start come from a lobby (the router checked) whose sender died between
        # Telegram's answer and its record: that message is the lobby, edited from now on.
        await battles.lobby_posted(outcome.battle.id, message_id)
        outcome = replace(outcome, battle=replace(outcome.battle, lobby_message_id=message_id))
    # An answer comes from its round's own message (the router checked): it may stand in for a
    # message whose id was never stored.
    tapped = message_id if tap.action == "answer" else None
    await perform(context.bot, services, outcome, context.application, tapped)
    if outcome.toast is not None and outcome.toast.notice in STALE_NOTICES:
        await _refresh_copy(context.bot, battles, tap, chat_id, message_id)
