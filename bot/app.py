"""build_application(): the bot's table of contents — every handler and job, in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    PollAnswerHandler,
    TypeHandler,
    filters,
)

from bot.clock import Clock, SystemClock
from bot.config import Settings, TokenFilter
from bot.exit_codes import EXIT_DATABASE_GONE
from bot.handlers.battle import (
    battle_command,
    leaderboard_command,
    on_battle_tap,
    on_migrate,
    stop_battle_command,
    sweep_battles,
)
from bot.handlers.callbacks import TapRouter, TapRoutes
from bot.handlers.catalogue import CATALOGUE_ADD_TAP, CATALOGUE_TAP, on_catalogue_tap
from bot.handlers.daily import daily_command, on_daily_tap, on_poll_answer, sweep_daily
from bot.handlers.decks import decks_command, on_deck_tap, on_my_decks_tap
from bot.handlers.errors import on_error
from bot.handlers.groups import group_deck_command, on_group_tap
from bot.handlers.guard import guard_update
from bot.handlers.imports import (
    end_imports_on_stop,
    import_command,
    on_document,
    on_import_tap,
    sweep_imports,
)
from bot.handlers.inline import on_inline_query, on_inline_tap, sweep_inline_quizzes
from bot.handlers.language import LANGUAGE_TAP, apply_language, language_command, on_language_tap
from bot.handlers.messages import on_other, on_text, on_unknown_command
from bot.handlers.parameters_sweep import sweep_parameters
from bot.handlers.quiz import on_quiz_menu_tap, on_quiz_tap, quiz_command
from bot.handlers.reminder_sweep import sweep_reminders
from bot.handlers.reminders import (
    on_location,
    on_reminder_tap,
    remind_command,
    timezone_command,
)
from bot.handlers.settings import SETTINGS_TAP, on_settings_tap, settings_command
from bot.handlers.sharing import on_link_tap
from bot.handlers.start import help_command, start
from bot.handlers.stats import stats_command
from bot.handlers.streak import streak_command
from bot.handlers.userdata import FORGET_TAP, export_command, forget_command, on_forget_tap
from bot.net import AiohttpRequest, ChatOrderedUpdateProcessor
from bot.net.retry import RetryingRateLimiter, caller_handles_429
from bot.net.token_watch import TokenWatch
from bot.outbox.battle import battle_renderers
from bot.outbox.deliverer import Deliverer
from bot.outbox.quiz import quiz_renderers
from bot.polling import InboxPoller
from bot.runtime import App, Context, Runtime
from bot.services.container import create_services
from bot.shutdown import Stopper
from bot.views.callbacks import (
    BattleTap,
    DailyTap,
    DeckTap,
    GroupTap,
    ImportTap,
    InlineTap,
    LinkTap,
    QuizTap,
)
from bot.views.catalogue import MY_DECKS_TAP
from bot.views.commands import commands, description, short_description
from bot.views.i18n import DEFAULT_LOCALE, LOCALES, using_locale
from bot.views.reminders import REMINDER_TAPS
from bot.views.webapp import menu_button_text
from bot.webhook.metered import MeteredApplication, MeteredRateLimiter
from bot.webhook.metrics import Metrics

log = logging.getLogger(__name__)
# The Bot logs its API URLs, token included, at DEBUG when it is made: scrub them at the source,
# whatever handlers the host process installs.
_TOKEN_FILTER = TokenFilter()
for _name in ("telegram.Bot", "telegram.ext.ExtBot"):
    logging.getLogger(_name).addFilter(_TOKEN_FILTER)

# Only the update types the bot handles are requested from Telegram.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.POLL_ANSWER]


Sweep = Callable[[App], Awaitable[None]]

# Periodic work driven by times stored in the database (never by in-memory timers). Each sweep
# has its own background loop, so a long reminder broadcast never delays a battle's deadline.
# Every process runs them all: what must happen once is decided by the database (claims,
# compare-and-swap, leases), so several processes on one database do each thing once.
# Tests call these functions directly instead.
SWEEPS: list[Sweep] = []
SWEEPS.append(sweep_reminders)
SWEEPS.append(sweep_imports)
SWEEPS.append(sweep_battles)
SWEEPS.append(sweep_parameters)
SWEEPS.append(sweep_daily)
# Tally edits of inline quizzes held back so as not to edit a message too often.
SWEEPS.append(sweep_inline_quizzes)


async def sweep_outbox(app: App) -> None:
    """Deliver what chats are owed and no live process is delivering (see bot.outbox)."""
    if app.bot_data.ready:
        await app.bot_data.services.delivery().sweep()


SWEEPS.append(sweep_outbox)
# How often the bot checks that its database is still there (a SQLite file deleted under it).
DATABASE_CHECK_INTERVAL = 5.0


def stopper_of(app: App) -> Stopper:
    """Where the application asks its runner to stop for good (set by build_application)."""
    stopper = app.bot_data.stopper
    if stopper is None:
        raise RuntimeError("the stopper is set by build_application")
    return stopper


async def check_database(app: App) -> None:
    """Stop the bot when its database went away under it: nothing written from then on would
    last (a SQLite file deleted or replaced keeps taking writes into a file no one will read)."""
    if not app.bot_data.ready:
        return
    problem = app.bot_data.services.db.problem()
    if problem is not None:
        log.critical("%s; stopping so that nothing more is lost", problem)
        stopper_of(app).stop(EXIT_DATABASE_GONE)


SWEEPS.append(check_database)


# Battle deadlines are a few seconds apart: the process whose in-memory timer would close a round
# may have died, and another one's sweep must close it about on time.
BATTLE_SWEEP_INTERVAL = 1.0
# Fits are due after hundreds of answers or a month: looking once a minute is plenty.
PARAMETER_SWEEP_INTERVAL = 60.0


async def _run_sweep(app: App, sweep: Sweep) -> None:
    try:
        await sweep(app)
    except Exception:
        log.exception("sweep %s failed", getattr(sweep, "__name__", sweep))


async def run_sweeps_once(app: App) -> None:
    """Run every sweep once; one failing sweep does not stop the others."""
    for sweep in SWEEPS:
        await _run_sweep(app, sweep)


def sweep_interval_of(sweep: Sweep, interval: float) -> float:
    """How often `sweep` runs when the others run every `interval` seconds."""
    if sweep is sweep_battles or sweep is sweep_outbox or sweep is sweep_inline_quizzes:
        # An inline quiz's held-back tally edit is due 3 s after the last one: shown about then.
        return min(interval, BATTLE_SWEEP_INTERVAL)
    if sweep is check_database:
        return min(interval, DATABASE_CHECK_INTERVAL)
    if sweep is sweep_parameters:
        return max(interval, PARAMETER_SWEEP_INTERVAL)
    return interval


async def _sweep_forever(app: App, interval: float) -> None:
    async def every(sweep: Sweep, seconds: float) -> None:
        while True:
            await _run_sweep(app, sweep)
            await asyncio.sleep(seconds)

    await asyncio.gather(*(every(s, sweep_interval_of(s, interval)) for s in SWEEPS))


async def describe_bot(bot: Bot) -> None:
    """Set the description and short description an empty chat shows, where Telegram's differ."""
    # Telegram rate-limits these setters hard: read first, so a restart (or several processes
    # starting together) sets nothing that is already there. A failure only costs the texts, never
    # the start: it is logged, and a 429 is not waited out (caller_handles_429), since its wait can
    # be long and the next start tries again.
    try:
        with caller_handles_429():
            for code in LOCALES:
                # English is the default (no language_code): what every other language falls to.
                language = "" if code == DEFAULT_LOCALE else code
                with using_locale(language or None):
                    text, short = description(), short_description()
                got = await bot.get_my_description(language_code=language)
                if got.description != text:
                    await bot.set_my_description(text, language_code=language)
                got_short = await bot.get_my_short_description(language_code=language)
                if got_short.short_description != short:
                    await bot.set_my_short_description(short, language_code=language)
    except TelegramError as exc:
        log.warning("could not set the bot's description: %s", exc)


async def set_menu_button(bot: Bot, webapp_url: str | None) -> None:
    """With a Mini App address, the bot's menu button (everyone's default) opens the Mini App."""
    if webapp_url is None:
        return
    # Read first, as describe_bot does: a restart sets nothing already there, and a failure
    # costs the button, never the start.
    with using_locale(None):
        wanted = MenuButtonWebApp(menu_button_text(), WebAppInfo(webapp_url))
    try:
        with caller_handles_429():
            current = await bot.get_chat_menu_button()
            same = (
                isinstance(current, MenuButtonWebApp)
                and current.text == wanted.text
                and current.web_app.url == webapp_url
            )
            if not same:
                await bot.set_chat_menu_button(menu_button=wanted)
    except TelegramError as exc:
        log.warning("could not set the bot's menu button: %s", exc)


async def set_command_menus(bot: Bot) -> None:
    """The command menus of private chats and of groups, in every language of the interface."""
    for code in LOCALES:
        language = "" if code == DEFAULT_LOCALE else code
        with using_locale(language or None):
            private, group = commands(private=True), commands(private=False)
        await bot.set_my_commands(
            [BotCommand(name, text) for name, text in private],
            scope=BotCommandScopeAllPrivateChats(),
            language_code=language,
        )
        await bot.set_my_commands(
            [BotCommand(name, text) for name, text in group],
            scope=BotCommandScopeAllGroupChats(),
            language_code=language,
        )


def build_application(
    settings: Settings,
    clock: Clock | None = None,
    fuzz: bool = True,
    sweep_interval: float | None = 5.0,
) -> App:
    """The bot, wired: services in post_init, handlers below, cleanup in post_stop/post_shutdown.

    `sweep_interval=None` leaves the periodic sweeps to the caller (tests run them by hand).
    """
    if not settings.bot_token:
        raise ValueError("build_application needs a bot token")
    the_clock = clock or SystemClock()

    async def post_init(app: App) -> None:
        services = await create_services(settings, the_clock, fuzz=fuzz)
        services.deliverer = Deliverer(
            app.bot,
            services.db,
            quiz_renderers(services.quiz, services.reminders) | battle_renderers(services.battles),
            services.quiz.holder,
            migrate=services.battles.migrate,
        )
        app.bot_data.services = services
        await set_command_menus(app.bot)
        await describe_bot(app.bot)
        await set_menu_button(app.bot, settings.webapp_url)
        if sweep_interval is not None:
            app.bot_data.sweep_task = asyncio.create_task(
                _sweep_forever(app, sweep_interval), name="sweeps"
            )
        # A stop never waits for a file being read: the readings in flight end as it begins.
        app.bot_data.imports_stop_task = asyncio.create_task(
            end_imports_on_stop(app), name="imports-stop"
        )

    async def post_stop(app: App) -> None:
        runtime = app.bot_data
        tasks = (runtime.sweep_task, runtime.imports_stop_task)
        runtime.sweep_task = runtime.imports_stop_task = None
        for task in tasks:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def post_shutdown(app: App) -> None:
        if app.bot_data.ready:
            await app.bot_data.services.imports.close()  # kills any reader left
            await app.bot_data.services.db.close()

    # A registry per application, so several bots (tests) never share counters.
    metrics = Metrics()
    # A 401 on any call means the token was revoked: the runner stops the bot (see TokenWatch).
    stopper = Stopper()
    token_watch = TokenWatch(stopper)
    app = (
        ApplicationBuilder()
        # Times and counts every update; /metrics in webhook mode shows them.
        .application_class(MeteredApplication, {"metrics": metrics})
        # bot_data is the typed Runtime (bot.runtime); handlers get a Context knowing the update.
        .context_types(ContextTypes(context=Context, bot_data=Runtime))
        .token(settings.bot_token)
        .base_url(f"{settings.bot_api_url}/bot")
        .base_file_url(f"{settings.bot_api_url}/file/bot")
        # Every call but getUpdates: 429s waited out, network faults retried where that is safe.
        .rate_limiter(MeteredRateLimiter(RetryingRateLimiter(), metrics))
        # aiohttp costs a fraction of httpx's CPU per request (bench/bench_transport.py).
        .request(AiohttpRequest(connection_pool_size=256, on_unauthorized=token_watch.unauthorized))
        .get_updates_request(
            AiohttpRequest(connection_pool_size=1, on_unauthorized=token_watch.unauthorized)
        )
        # Different chats in parallel, each chat's updates strictly in order.
        .concurrent_updates(ChatOrderedUpdateProcessor(max_concurrent_updates=256))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data.stopper = stopper

    private = filters.ChatType.PRIVATE
    # Before every handler: drop updates delivered twice and messages of a user who floods,
    # then speak the chat's language for the rest of the update.
    app.add_handler(TypeHandler(Update, guard_update), group=-2)
    app.add_handler(TypeHandler(Update, apply_language), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("quiz", quiz_command))
    app.add_handler(CommandHandler("streak", streak_command))
    # Non-blocking: the chart renders in a thread while other updates are handled.
    app.add_handler(CommandHandler("stats", stats_command, block=False))
    app.add_handler(CommandHandler("settings", settings_command))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CommandHandler("forget", forget_command))
    app.add_handler(CommandHandler("import", import_command))
    app.add_handler(CommandHandler("decks", decks_command))
    app.add_handler(CommandHandler("remind", remind_command))
    app.add_handler(CommandHandler("timezone", timezone_command))
    app.add_handler(CommandHandler("battle", battle_command))
    app.add_handler(CommandHandler("stopbattle", stop_battle_command))
    app.add_handler(CommandHandler("leaderboard", leaderboard_command))
    app.add_handler(CommandHandler("language", language_command))
    app.add_handler(CommandHandler("groupdeck", group_deck_command))
    app.add_handler(CommandHandler("dailyq", daily_command))
    # Votes in the daily question's quiz polls: no chat comes with them, only the voter.
    app.add_handler(PollAnswerHandler(on_poll_answer))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    # Every button's handler: a typed tap by its type, a menu tap by its name. A tap none of these
    # takes is refused politely; each handler is called as (query, tap, context).
    taps = TapRoutes(
        by_type={
            QuizTap: on_quiz_tap,
            BattleTap: on_battle_tap,
            ImportTap: on_import_tap,
            DeckTap: on_deck_tap,
            LinkTap: on_link_tap,
            InlineTap: on_inline_tap,
            GroupTap: on_group_tap,
            DailyTap: on_daily_tap,
        },
        by_name={
            "quiz": on_quiz_menu_tap,
            **dict.fromkeys(REMINDER_TAPS, on_reminder_tap),
            SETTINGS_TAP: on_settings_tap,
            LANGUAGE_TAP: on_language_tap,
            FORGET_TAP: on_forget_tap,
            **dict.fromkeys((CATALOGUE_TAP, CATALOGUE_ADD_TAP), on_catalogue_tap),
            MY_DECKS_TAP: on_my_decks_tap,
        },
    )
    app.add_handler(CallbackQueryHandler(TapRouter(taps).on_callback))
    # `@bot query` in any chat: questions from the person's decks (answered at once, not queued).
    app.add_handler(InlineQueryHandler(on_inline_query))
    # Edited messages and channel posts are not requested (ALLOWED_UPDATES); only new messages count.
    new_private = private & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(new_private & filters.TEXT & ~filters.COMMAND, on_text))
    # Non-blocking: a deck file downloads and parses while other updates are handled.
    app.add_handler(MessageHandler(new_private & filters.Document.ALL, on_document, block=False))
    # The Share my location button under /timezone (or any location shared here) sets the zone.
    app.add_handler(MessageHandler(new_private & filters.LOCATION, on_location))
    app.add_handler(MessageHandler(new_private & ~filters.TEXT & ~filters.Document.ALL, on_other))
    # Keep this last: any command no handler above took.
    app.add_handler(MessageHandler(new_private & filters.COMMAND, on_unknown_command))
    app.add_error_handler(on_error)
    return app


async def start_polling(app: App, poll_timeout: int = 10) -> None:
    """Start an application inside an already running event loop, polling through the inbox.

    The start-up sequence of `run_polling` (post_init included), for code that owns the loop and
    the signals itself; updates are stored before they are confirmed and handled from the inbox
    (bot.polling), not by PTB's Updater.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    poller = InboxPoller(
        app, stopper_of(app), poll_timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
    )
    await poller.start()
    app.bot_data.poller = poller


def poller_of(app: App) -> InboxPoller | None:
    """The inbox poller `start_polling` started, if it runs."""
    return app.bot_data.poller


async def stop_polling(app: App) -> None:
    """Stop what `start_polling` started: finish the update in hand in each chat, give the chats
    back, then close the database."""
    poller, app.bot_data.poller = app.bot_data.poller, None
    if poller is not None:
        await poller.stop()
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def finish_stopping(app: App) -> None:
    """Complete a stop that failed half-way (each step at most once; errors logged, not raised)."""
    post_stop, post_shutdown = app.post_stop, app.post_shutdown
    steps: list[tuple[str, Awaitable[None]]] = []
    if app.running:
        steps.append(("stop", app.stop()))
        if post_stop is not None:
            steps.append(("post_stop", post_stop(app)))
    steps.append(("shutdown", app.shutdown()))
    if post_shutdown is not None:
        steps.append(("post_shutdown", post_shutdown(app)))
    for name, step in steps:
        try:
            await step
        except Exception:
            log.warning("while stopping: %s failed", name, exc_info=True)
