"""Command line: `python -m bot [run | play | deck check|questions FILE | db copy SQLITE_URL POSTGRES_URL]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

from bot.cards.formats import read_deck_file
from bot.cards.model import DeckError
from bot.config import Settings, SettingsError, configure_logging, load_settings
from bot.exit_codes import EXIT_BAD_SETTINGS, EXIT_CONFLICT, EXIT_FAILURE, EXIT_OK
from bot.sentry import init_sentry
from bot.views.deck_problems import render

log = logging.getLogger("bot")
SANDBOX_TOKEN = "1000000001:SANDBOX-local-play-token-000000"  # noqa: S105 - a fixed fake for the local sandbox


def _program() -> str:
    """How the command was called: the installed `quizmaster` script, or `python -m bot`."""
    return "quizmaster" if Path(sys.argv[0]).stem == "quizmaster" else "python -m bot"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_program(),
        description="Quizmaster, a Telegram flashcard quiz bot. With no command: run on Telegram "
        "when BOT_TOKEN is set, otherwise play offline in this terminal.",
    )
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run the bot on Telegram (long polling); needs BOT_TOKEN")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on WEBHOOK_LISTEN instead of polling (implied by WEBHOOK_URL)",
    )
    commands.add_parser("play", help="chat with the bot in this terminal, no Telegram needed")
    deck = commands.add_parser("deck", help="deck tools")
    deck_commands = deck.add_subparsers(dest="deck_command", required=True)
    check = deck_commands.add_parser("check", help="validate a deck file and print it")
    check.add_argument("file", type=Path)
    check.add_argument("--json", action="store_true", help="print the deck as JSON")
    questions = deck_commands.add_parser(
        "questions",
        help="print every question the bot makes from a deck file",
        description="Print every question the bot asks from a deck file (.toml, .txt, .csv, "
        ".tsv, .xlsx, .ods, .apkg), card by card, with the options a quiz would show and the typed answers "
        "taken as written.",
    )
    questions.add_argument("file", type=Path)
    questions.add_argument("--json", action="store_true", help="print the questions as JSON")
    questions.add_argument(
        "--seed", type=int, default=0, help="the seed options are drawn with (default 0)"
    )
    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    copy = db_commands.add_parser(
        "copy",
        help="copy the bot's data from SQLite into an empty PostgreSQL database",
        description="Copy every table of the SQLite database into an empty PostgreSQL database "
        "(both are migrated first), in one transaction, then count the rows on both sides. "
        "Stop the bot first.",
    )
    copy.add_argument("source", metavar="SQLITE_URL", help="e.g. sqlite:///quizbot.sqlite3")
    copy.add_argument(
        "target", metavar="POSTGRES_URL", help="e.g. postgresql://quizbot@localhost:5432/quizbot"
    )
    return parser


def deck_questions(path: Path, as_json: bool, seed: int) -> int:
    """Print every question a deck file yields: exit 0, or print the error to stderr and exit 1."""
    from bot.cards.preview import deck_questions_json, render_questions

    try:
        deck = read_deck_file(path)
    except DeckError as exc:
        print(f"error: {render(exc.problem)}", file=sys.stderr)
        return EXIT_FAILURE
    if as_json:
        print(json.dumps(deck_questions_json(deck, seed), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(render_questions(deck, seed))
    for warning in deck.warnings:
        print(f"warning: {render(warning)}", file=sys.stderr)
    return EXIT_OK


def deck_check(path: Path, as_json: bool) -> int:
    """Validate a deck file: print it and exit 0, or print the error to stderr and exit 1."""
    try:
        deck = read_deck_file(path)
    except DeckError as exc:
        print(f"error: {render(exc.problem)}", file=sys.stderr)
        return EXIT_FAILURE
    if as_json:
        print(json.dumps(deck.as_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{deck.title} — {len(deck.cards)} cards")
    for number, card in enumerate(deck.cards, start=1):
        print(f"\n{number}. {card.front}")
        for line in card.back.splitlines():
            print(f"   {line}")
    for warning in deck.warnings:
        print(f"warning: {render(warning)}", file=sys.stderr)
    return EXIT_OK


class CopyProgress:
    """Shows a copy's progress on stderr: each table when done, and at most once a second meanwhile."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.last = time.monotonic()

    def __call__(self, table: str, done: int, total: int) -> None:
        """Report `done` of `total` rows of `table` copied."""
        now = time.monotonic()
        if done == total:
            print(f"  {table}: {total:,} row{'' if total == 1 else 's'}", file=sys.stderr)
        elif done and now - self.last >= self.interval:
            print(f"  {table}: {done:,} of {total:,} rows…", file=sys.stderr)
        else:
            return
        self.last = now


def db_copy(source: str, target: str) -> int:
    """Copy SQLite into empty PostgreSQL and print both sides' row counts: exit 0 when every
    table matches, 1 when the copy failed or a count differs, 2 for URLs of the wrong kind."""
    from bot.storage.copy import BadUrl, CopyError, copy_database
    from bot.storage.db import redacted

    print(f"copying {redacted(source)} into {redacted(target)}", file=sys.stderr)
    try:
        report = asyncio.run(copy_database(source, target, CopyProgress()))
    except BadUrl as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    width = max(len("table"), *(len(c.table) for c in report.counts))
    print(f"{'table':<{width}}  {'sqlite':>10}  {'postgresql':>10}")
    for count in report.counts:
        mark = "" if count.sqlite == count.postgres else "  differs"
        print(f"{count.table:<{width}}  {count.sqlite:>10,}  {count.postgres:>10,}{mark}")
    rows = sum(c.sqlite for c in report.counts)
    if report.mismatched:
        names = ", ".join(c.table for c in report.mismatched)
        print(
            f"error: the row counts differ in {names}: was the bot still writing to SQLite? "
            "Stop it, empty the PostgreSQL database and copy again",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(f"all {len(report.counts)} tables match: {rows:,} rows copied")
    return EXIT_OK


def run_telegram(settings: Settings) -> int:
    """Long-poll Telegram until SIGINT/SIGTERM (or until the bot asks to stop: a refused token, a
    database gone, another poller)."""
    from bot.alerts import install as install_alerts
    from bot.app import build_application, finish_stopping, start_polling, stop_polling, stopper_of
    from bot.shutdown import install_stop_signals
    from bot.startup import failure_exit_code, failure_line
    from bot.webapp.server import start_webapp, stop_webapp
    from bot.webhook.ops import start_ops, stop_ops

    app = build_application(settings)
    stopper = stopper_of(app)
    alerts = install_alerts(settings.admin_chat_id)
    # The loop is made here so the stop signals can be ours: a stop then also arms the watchdog.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop = asyncio.Event()
    install_stop_signals(loop, stop.set)

    def stop_soon() -> None:
        # Asked from inside a handler, a sweep or the poller: set the event from the loop itself.
        loop.call_soon_threadsafe(stop.set)

    stopper.when_stopped(stop_soon)

    async def poll_until_stopped() -> None:
        try:
            await start_polling(app)
        except BaseException:
            await finish_stopping(app)  # what started is stopped; the error is reported below
            raise
        summaries = asyncio.create_task(alerts.run(app.bot)) if alerts is not None else None
        ops = await start_ops(app, settings.metrics_listen)
        # The Mini App is served only when Telegram has an address to open it at.
        webapp = None
        if settings.webapp_url and settings.bot_token:
            clock = app.bot_data.services.clock
            webapp = await start_webapp(app, settings.bot_token, settings.webapp_listen, clock)
        try:
            await stop.wait()
        finally:
            log.info("stopping: finishing the updates in hand")
            if summaries is not None:
                summaries.cancel()
            await stop_webapp(webapp)
            await stop_ops(ops)
            await stop_polling(app)

    log.info("starting on %s", settings.bot_api_url)
    try:
        loop.run_until_complete(poll_until_stopped())
    except Exception as exc:
        if stopper.exit_code is not None:
            return stopper.exit_code  # what asked for the stop said why (a refused token)
        line = failure_line(exc, settings)
        if line is None:
            raise
        log.error("%s", line)
        return failure_exit_code(exc)
    finally:
        loop.close()
    if stopper.exit_code is not None:
        return stopper.exit_code
    if app.bot_data.stopped_by_conflict:
        return EXIT_CONFLICT
    log.info("stopped")
    return EXIT_OK


def play(settings: Settings) -> int:
    """Run the bot against the built-in sandbox and chat with it in this terminal."""
    from bot.sandbox.play import play_in_terminal

    return asyncio.run(play_in_terminal(replace(settings, bot_token=SANDBOX_TOKEN)))


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.command == "deck" and args.deck_command == "questions":
        return deck_questions(args.file, args.json, args.seed)
    if args.command == "deck":
        return deck_check(args.file, args.json)
    if args.command == "db":
        return db_copy(args.source, args.target)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    command = args.command or ("run" if settings.bot_token else "play")
    if command == "run":
        if not settings.bot_token:
            print(
                f"error: BOT_TOKEN is not set (see .env.example); `{_program()} play` runs offline",
                file=sys.stderr,
            )
            return EXIT_BAD_SETTINGS
        if getattr(args, "webhook", False) or settings.webhook_url:
            if not settings.webhook_url:
                print("error: --webhook needs WEBHOOK_URL (see .env.example)", file=sys.stderr)
                return EXIT_BAD_SETTINGS
            from bot.webhook.runner import run_webhook

            configure_logging(settings.log_level, settings.log_format)
            init_sentry(settings.sentry_dsn)
            return run_webhook(settings)
        configure_logging(settings.log_level, settings.log_format)
        init_sentry(settings.sentry_dsn)
        return run_telegram(settings)
    # In the terminal chat, log lines would garble the conversation: warnings only.
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    return play(settings)


if __name__ == "__main__":
    sys.exit(main())
