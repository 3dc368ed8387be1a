"""Settings read once from the environment, then `.env`, then defaults; the token never shows in repr."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.storage.db import is_postgres_url, redacted, sqlite_path

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite:///quizbot.sqlite3"
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,80}$")
# A loose pattern for scrubbing anything token-shaped out of log lines and error texts.
TOKEN_LIKE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{20,80}")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_CHAT_ID = re.compile(r"-?[1-9][0-9]{0,18}")
LOG_FORMATS = ("text", "json")
# Telegram's rule for setWebhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1:8080"
DEFAULT_METRICS_LISTEN = "127.0.0.1:9108"
# Where polling mode serves the Mini App (webhook mode serves it on the webhook's own listener).
DEFAULT_WEBAPP_LISTEN = "127.0.0.1:8088"
# The only hosts a Mini App may be opened from over plain http: this machine, for offline play.
LOCAL_HOSTS = ("127.0.0.1", "localhost")
DEFAULT_WEBHOOK_MAX_CONNECTIONS = 40
# How long a process's claim on a chat's updates (the webhook inbox) or on the reminder outbox
# lasts without renewal: the longest a live process may stall, and the delay before the others
# take over from one that died.
DEFAULT_INBOX_LEASE_SECONDS = 30
DEFAULT_OUTBOX_LEASE_SECONDS = 60
LEASE_RANGE = (2, 3600)
_DIGITS = re.compile(r"^[0-9]{1,6}$")  # ASCII only: str.isdigit() also takes "²"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable and what would work."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot is configured with."""

    bot_token: str | None = field(default=None, repr=False)
    bot_api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_max_connections: int = DEFAULT_WEBHOOK_MAX_CONNECTIONS
    inbox_lease_seconds: int = DEFAULT_INBOX_LEASE_SECONDS
    outbox_lease_seconds: int = DEFAULT_OUTBOX_LEASE_SECONDS
    log_format: str = "text"  # "json": one JSON object per line, for log collectors
    admin_chat_id: int | None = None  # the operator's chat, sent summaries of errors logged
    metrics_listen: str | None = DEFAULT_METRICS_LISTEN  # /healthz and /metrics; None: off
    sentry_dsn: str | None = field(default=None, repr=False)  # errors reported to Sentry
    webapp_url: str | None = None  # the Mini App's public address (…/app/); None: no Mini App
    webapp_listen: str | None = DEFAULT_WEBAPP_LISTEN  # the Mini App in polling mode; None: off

    @property
    def database_location(self) -> str:
        """Where the data is kept, fit for a log line: a file, or a server without its password."""
        if is_postgres_url(self.database_url):
            return redacted(self.database_url)
        return str(sqlite_path(self.database_url))

    def __repr__(self) -> str:
        token = "set" if self.bot_token else "unset"
        return (
            f"Settings(bot_token=<{token}>, bot_api_url={self.bot_api_url!r}, "
            f"database_url={redacted(self.database_url)!r}, log_level={self.log_level!r}, "
            f"webhook_url={self.webhook_url!r}, "
            f"webhook_secret=<{'set' if self.webhook_secret else 'unset'}>, "
            f"webhook_listen={self.webhook_listen!r}, "
            f"webhook_max_connections={self.webhook_max_connections}, "
            f"inbox_lease_seconds={self.inbox_lease_seconds}, "
            f"outbox_lease_seconds={self.outbox_lease_seconds}, log_format={self.log_format!r}, "
            f"admin_chat_id={self.admin_chat_id}, metrics_listen={self.metrics_listen!r}, "
            f"webapp_url={self.webapp_url!r}, webapp_listen={self.webapp_listen!r})"
        )


def read_env_file(path: Path) -> dict[str, str]:
    """Read a `.env` file as python-dotenv does (comments, quotes, `export`); missing file → empty."""
    # python-dotenv logs a line it cannot parse and skips it; a setting silently dropped would be
    # worse than a refusal, so that log record is turned into a SettingsError naming the line.
    unparsed = _Unparsed()
    dotenv_log = logging.getLogger("dotenv.main")
    dotenv_log.addFilter(unparsed)
    try:
        values = dotenv_values(path, encoding="utf-8")
    finally:
        dotenv_log.removeFilter(unparsed)
    if unparsed.line is not None:
        raise SettingsError(f"{path}: line {unparsed.line}: expected KEY=value")
    # A bare `KEY` line (no `=`) is python-dotenv's "declared, not set": treated as unset.
    return {key: value for key, value in values.items() if value is not None}


class _Unparsed(logging.Filter):
    """Catches python-dotenv's "could not parse statement starting at line N" record."""

    def __init__(self) -> None:
        super().__init__()
        self.line: object = None

    def filter(self, record: logging.LogRecord) -> bool:
        if "could not parse" not in str(record.msg):
            return True
        if self.line is None:
            self.line = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
        return False


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Build Settings from `environ` (default os.environ) over `.env`, validating every value."""
    merged: dict[str, str] = dict(read_env_file(env_file)) if env_file else {}
    merged.update(os.environ if environ is None else environ)

    token = merged.get("BOT_TOKEN", "").strip() or None
    if token is not None and not TOKEN_PATTERN.match(token):
        raise SettingsError(
            "BOT_TOKEN does not look like a bot token (digits, a colon, then letters); "
            "get one from @BotFather or leave it unset to play offline"
        )
    api_url = merged.get("BOT_API_URL", "").strip().rstrip("/") or DEFAULT_API_URL
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"BOT_API_URL must be an http(s) URL, got {api_url!r}")
    database_url = merged.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if not _database_url_ok(database_url):
        raise SettingsError(
            "DATABASE_URL must look like sqlite:///path/to/file.sqlite3 or "
            f"postgresql://user@host:5432/database, got {redacted(database_url)!r}"
        )
    level = (merged.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    webhook = _webhook_settings(merged, api_url)
    inbox_lease = _lease_seconds(merged, "INBOX_LEASE_SECONDS", DEFAULT_INBOX_LEASE_SECONDS)
    outbox_lease = _lease_seconds(merged, "OUTBOX_LEASE_SECONDS", DEFAULT_OUTBOX_LEASE_SECONDS)
    log_format = merged.get("LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        raise SettingsError(
            f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}"
        )
    admin = merged.get("ADMIN_CHAT_ID", "").strip()
    if admin and not _CHAT_ID.fullmatch(admin):
        raise SettingsError(
            f"ADMIN_CHAT_ID must be a chat id (a whole number, negative for a group), got {admin!r}"
        )
    return Settings(
        token,
        api_url,
        database_url,
        level,
        *webhook,
        inbox_lease,
        outbox_lease,
        log_format,
        int(admin) if admin else None,
        _metrics_listen(merged),
        _sentry_dsn(merged),
        _webapp_url(merged),
        _listen_or_off(merged, "WEBAPP_LISTEN", DEFAULT_WEBAPP_LISTEN),
    )


def _webapp_url(merged: Mapping[str, str]) -> str | None:
    """The Mini App's public https address (http only on this machine), or None when unset."""
    url = merged.get("WEBAPP_URL", "").strip() or None
    if url is None:
        return None
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if (
        not (parts.scheme == "https" or local)
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        raise SettingsError(
            "WEBAPP_URL must be the https:// address Telegram opens the Mini App at "
            f"(…/app/; http only for 127.0.0.1 or localhost), got {url!r}"
        )
    return url


def _sentry_dsn(merged: Mapping[str, str]) -> str | None:
    """Sentry's DSN (an http(s) URL with a key), or None when unset."""
    dsn = merged.get("SENTRY_DSN", "").strip()
    if not dsn:
        return None
    parts = urlsplit(dsn)
    if parts.scheme not in ("https", "http") or not parts.hostname or not parts.username:
        raise SettingsError("SENTRY_DSN must be the https://KEY@HOST/PROJECT address Sentry gives")
    return dsn


def _metrics_listen(merged: Mapping[str, str]) -> str | None:
    """Where /healthz and /metrics are served (host:port), or None when set to `off`."""
    return _listen_or_off(merged, "METRICS_LISTEN", DEFAULT_METRICS_LISTEN)


def _listen_or_off(merged: Mapping[str, str], name: str, default: str) -> str | None:
    """A host:port to listen on, or None when set to `off`."""
    listen = merged.get(name, "").strip() or default
    if listen.lower() == "off":
        return None
    try:
        split_listen(listen)
    except ValueError:
        raise SettingsError(
            f"{name} must be host:port with a port from 1 to 65535, or off, got {listen!r}"
        ) from None
    return listen


def _lease_seconds(merged: Mapping[str, str], name: str, default: int) -> int:
    """A lease length in whole seconds within LEASE_RANGE, or the default when unset."""
    text = merged.get(name, "").strip()
    if not text:
        return default
    low, high = LEASE_RANGE
    if not _DIGITS.match(text) or not low <= int(text) <= high:
        raise SettingsError(
            f"{name} must be a whole number of seconds from {low} to {high}, got {text!r}"
        )
    return int(text)


def _database_url_ok(url: str) -> bool:
    if is_postgres_url(url):
        parts = urlsplit(url)
        return bool(parts.hostname or parts.path.strip("/"))
    return url.startswith("sqlite:///") and url != "sqlite:///"


def split_listen(listen: str) -> tuple[str, int]:
    """`host:port` (IPv6 hosts in brackets) → (host, port); raises ValueError when malformed."""
    host, sep, port_text = listen.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not _DIGITS.match(port_text) or not 1 <= int(port_text) <= 65535:
        raise ValueError(listen)
    return host, int(port_text)


def _webhook_settings(
    merged: Mapping[str, str], api_url: str
) -> tuple[str | None, str | None, str, int]:
    """Validate the WEBHOOK_* variables; the secret is required as soon as WEBHOOK_URL is set."""
    url = merged.get("WEBHOOK_URL", "").strip() or None
    if url is not None:
        parts = urlsplit(url)
        # Telegram posts to HTTPS only; a local Bot API server may also post to plain HTTP.
        schemes = ("https",) if api_url == DEFAULT_API_URL else ("https", "http")
        if parts.scheme not in schemes or not parts.hostname:
            raise SettingsError(
                f"WEBHOOK_URL must be an {'/'.join(schemes)} URL Telegram can reach, got {url!r}"
            )
    secret = merged.get("WEBHOOK_SECRET", "").strip() or None
    if secret is not None and not WEBHOOK_SECRET_PATTERN.match(secret):
        raise SettingsError("WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
    if url is not None and secret is None:
        raise SettingsError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
    listen = merged.get("WEBHOOK_LISTEN", "").strip() or DEFAULT_WEBHOOK_LISTEN
    try:
        split_listen(listen)
    except ValueError:
        raise SettingsError(
            f"WEBHOOK_LISTEN must be host:port with a port from 1 to 65535, got {listen!r}"
        ) from None
    connections_text = merged.get("WEBHOOK_MAX_CONNECTIONS", "").strip()
    connections = DEFAULT_WEBHOOK_MAX_CONNECTIONS
    if connections_text:
        if not _DIGITS.match(connections_text) or not 1 <= int(connections_text) <= 100:
            raise SettingsError(
                f"WEBHOOK_MAX_CONNECTIONS must be a whole number from 1 to 100, got {connections_text!r}"
            )
        connections = int(connections_text)
    return url, secret, listen, connections


class TokenFilter(logging.Filter):
    """Replaces anything that looks like a bot token in a log record with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the formatted message and arguments in place; never drops a record."""
        message = record.getMessage()
        if TOKEN_LIKE.search(message):
            record.msg = TOKEN_LIKE.sub("<token>", message)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text = str(exc)
            if TOKEN_LIKE.search(text):
                exc.args = (TOKEN_LIKE.sub("<token>", text),)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, and the
    traceback as `exc` when there is one; what log collectors read without a parsing rule."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, log_format: str = "text") -> None:
    """Log to stderr at `level` (as text, or JSON lines), with tokens scrubbed and httpx's
    URL-bearing INFO lines silenced."""
    handler = logging.StreamHandler()
    handler.addFilter(TokenFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # python-telegram-bot's polling loop logs a refused token with a traceback; one line of ours
    # (bot.net.token_watch) says it instead.
    from bot.net.token_watch import RefusedTokenNoise

    logging.getLogger("telegram.ext").addFilter(RefusedTokenNoise())
    # httpx logs every request URL, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
