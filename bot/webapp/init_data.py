"""Checking (and, for offline play and tests, making) a Mini App's `initData`, as Telegram does.

Telegram signs the launch data it hands a Mini App with the bot's token
(core.telegram.org/bots/webapps, "Validating data received via the Mini App"):

    secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token)
    hash       = hex(HMAC_SHA256(key=secret_key, msg=data_check_string))

where `data_check_string` is every received field but `hash`, as `key=value`, sorted by key and
joined by line feeds. Pure: no I/O, time passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, quote, urlencode

from bot.webapp.context import WebUser

# Telegram's initData is a few hundred characters; anything much longer is not from Telegram.
MAX_INIT_DATA_CHARS = 4096
DEFAULT_MAX_AGE = 86400  # a day, as the documentation suggests for `auth_date`
# Clocks drift: a little ahead is tolerated, more is refused.
MAX_FUTURE_SECONDS = 300
REASONS = ("missing", "malformed", "bad_hash", "expired", "future", "no_user")


class InitDataRefused(ValueError):
    """The initData cannot be trusted; `reason` is one of REASONS."""

    def __init__(self, reason: str) -> None:
        """Refuse for `reason`."""
        super().__init__(reason)
        self.reason = reason


def _secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _signature(fields: dict[str, str], token: str) -> str:
    check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(_secret_key(token), check_string.encode(), hashlib.sha256).hexdigest()


def _fields(raw: str) -> dict[str, str]:
    """The query string's fields; a key given twice makes it malformed (which one was signed?)."""
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRefused("malformed") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise InitDataRefused("malformed")
        fields[key] = value
    return fields


def check_init_data(raw: str, token: str, now: int, max_age: int = DEFAULT_MAX_AGE) -> WebUser:
    """The user `raw` (Telegram.WebApp.initData) names, if Telegram signed it with `token` lately."""
    if not raw:
        raise InitDataRefused("missing")
    if len(raw) > MAX_INIT_DATA_CHARS:
        raise InitDataRefused("malformed")
    fields = _fields(raw)
    given = fields.pop("hash", None)
    if given is None or not given.isascii():
        raise InitDataRefused("malformed")
    if not hmac.compare_digest(_signature(fields, token), given.lower()):
        raise InitDataRefused("bad_hash")
    auth_date = fields.get("auth_date", "")
    if not auth_date.isascii() or not auth_date.isdigit():
        raise InitDataRefused("malformed")
    if int(auth_date) > now + MAX_FUTURE_SECONDS:
        raise InitDataRefused("future")
    if now - int(auth_date) > max_age:
        raise InitDataRefused("expired")
    return _user(fields.get("user"))


def _user(text: str | None) -> WebUser:
    if text is None:
        raise InitDataRefused("no_user")
    try:
        user = json.loads(text)
    except ValueError:
        raise InitDataRefused("malformed") from None
    if not isinstance(user, dict):
        raise InitDataRefused("malformed")
    user_id, first_name, language = (
        user.get("id"),
        user.get("first_name", ""),
        user.get("language_code"),
    )
    if type(user_id) is not int or user_id <= 0 or not isinstance(first_name, str):
        raise InitDataRefused("no_user")
    return WebUser(user_id, first_name, language if isinstance(language, str) else None)


def launch_url(app_url: str, init_data: str) -> str:
    """The address Telegram opens: the Mini App with its launch data in the URL's fragment, where
    telegram-web-app.js reads it (never sent to the server with the page)."""
    fragment = f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=web"
    return f"{app_url}#{fragment}"


def sign_init_data(user: WebUser, token: str, auth_date: int, **extra: str) -> str:
    """The initData Telegram would hand a Mini App opened by `user` at `auth_date`."""
    person: dict[str, object] = {"id": user.id, "first_name": user.first_name}
    if user.language_code is not None:
        person["language_code"] = user.language_code
    fields = {
        "auth_date": str(auth_date),
        "user": json.dumps(person, ensure_ascii=False, separators=(",", ":")),
        **extra,
    }
    return urlencode({**fields, "hash": _signature(fields, token)})
