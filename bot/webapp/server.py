"""The Mini App over HTTP: the shell page, its assets and the JSON API under /app, on aiohttp.web.

Every API request proves who it is for with `Authorization: tma <initData>` (Telegram's signed
launch data, checked with the bot token: bot.webapp.init_data); there is no other way in. Writes
must be JSON and, when the browser says where they come from, come from the page itself (a
defence against cross-site requests on top of the header). Every response carries a strict
Content-Security-Policy: the page runs only its own scripts and styles.

Polling mode serves this on a listener of its own (WEBAPP_LISTEN); webhook mode mounts it on the
webhook's server (`mount_webapp`), behind the same TLS proxy.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.cards.uploaded_picture import MAX_PICTURE_BYTES, PICTURE_TYPES
from bot.clock import Clock
from bot.storage.languages import language_of
from bot.storage.users import get_user
from bot.views import webapp as view
from bot.views import webapp_decks, webapp_progress
from bot.views.i18n import DEFAULT_LOCALE, current_locale, supported, using_locale
from bot.views.webapp_deck_errors import error_message as deck_error_message
from bot.webapp import api_decks, api_progress
from bot.webapp.context import BOT_APP, WEB_USER, WebUser, services_of, web_user
from bot.webapp.init_data import InitDataRefused, check_init_data

log = logging.getLogger(__name__)

PREFIX = "/app"
API_PREFIX = "/app/api/"
STATIC_DIR = Path(__file__).parent / "static"
# A deck edit is a few KB of JSON; a body past this is refused before a handler reads it.
MAX_JSON_BYTES = 64 * 1024
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}
# An asset's name: one plain file name, no dot first (no `..`, no hidden files, no folders).
_ASSET_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$")
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "cross_site",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TOKEN: web.AppKey[str] = web.AppKey("webapp_token", str)
CLOCK: web.AppKey[Clock] = web.AppKey("webapp_clock")
# The language the request is answered in, once its person is known.
LOCALE: web.RequestKey[str] = web.RequestKey("webapp_locale", str)


def json_error(status: int, code: str, message: str | None = None, **more: Any) -> web.Response:
    """`{"error": {"code", "message"}}` with `status`; the message in the current locale."""
    error = {"code": code, "message": message or view.error_message(code)}
    return web.json_response({"error": error, **more}, status=status)


def _is_api(request: web.Request) -> bool:
    return request.path.startswith(API_PREFIX)


def _is_ours(request: web.Request) -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every response of the Mini App, errors included, tells the browser what the page may do."""
    if not _is_ours(request):
        return
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if _is_api(request) or response.status >= 400:
        headers["Cache-Control"] = "no-store"
    else:
        # The assets keep their names from one version to the next: always ask whether they changed.
        headers.setdefault("Cache-Control", "no-cache")


def _accepted_language(request: web.Request) -> str | None:
    """The first of the browser's languages the bot speaks (for refusals, before anyone is known)."""
    for part in request.headers.get("Accept-Language", "").split(","):
        code = supported(part.split(";", 1)[0].strip())
        if code is not None:
            return code
    return None


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under /app/api every refusal is JSON with a sentence; nothing else leaks a traceback."""
    if not _is_ours(request):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if not _is_api(request) or exc.status < 400:
            raise
        if exc.content_type == "application/json" and exc.text and exc.text.startswith("{"):
            return web.Response(status=exc.status, text=exc.text, content_type="application/json")
        with using_locale(request.get(LOCALE) or _accepted_language(request)):
            return json_error(exc.status, _STATUS_CODES.get(exc.status, "bad_request"))
    except Exception:
        log.exception("Mini App request %s %s failed", request.method, request.path)
        if not _is_api(request):
            raise
        with using_locale(request.get(LOCALE) or _accepted_language(request)):
            return json_error(500, "server_error")


@web.middleware
async def _api_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Who asks (initData), from where (same origin), what (JSON within the size), in what language."""
    if not _is_api(request):
        return await handler(request)
    user = _checked_user(request)
    if isinstance(user, web.Response):
        return user
    request[WEB_USER] = user
    services = services_of(request)
    stored = await language_of(services.db, user.id)
    locale = supported(stored) or supported(user.language_code) or DEFAULT_LOCALE
    request[LOCALE] = locale
    with using_locale(locale):
        if request.method in WRITE_METHODS:
            refusal = await _refuse_write(request)
            if refusal is not None:
                return refusal  # before anything is written
        if await get_user(services.db, user.id) is None:
            await services.users.touch(user.id, user.first_name)  # first seen here, not in a chat
        return await handler(request)


def _checked_user(request: web.Request) -> WebUser | web.Response:
    """The user the request's initData names, or the 401 to answer."""
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    now = int(request.app[CLOCK].now().timestamp())
    try:
        if scheme.lower() != "tma":
            raise InitDataRefused("missing")
        return check_init_data(raw.strip(), request.app[TOKEN], now)
    except InitDataRefused as refused:
        log.info("Mini App request refused: initData %s", refused.reason)
        code = "expired" if refused.reason == "expired" else "unauthorized"
        with using_locale(_accepted_language(request)):
            return json_error(401, code)


async def _refuse_write(request: web.Request) -> web.Response | None:
    """The answer to a write that is not JSON, comes from another site, or is too big; else None."""
    if request.method == "PUT" and api_decks.PICTURE_PATH.match(request.path):
        # The one exception to JSON-only: a card's picture, sent as the image itself.
        return await _refuse_picture(request)
    if request.content_type != "application/json":
        return json_error(415, "unsupported_media_type")
    if not _same_origin(request):
        log.warning("Mini App write refused: cross-site (%s)", request.headers.get("Origin"))
        return json_error(403, "cross_site")
    if (request.content_length or 0) > MAX_JSON_BYTES:
        return json_error(413, "too_large")
    try:
        body = await request.read()  # kept by aiohttp: the handler's request.json() reads it
    except web.HTTPRequestEntityTooLarge:
        return json_error(413, "too_large")
    if len(body) > MAX_JSON_BYTES:
        return json_error(413, "too_large")
    return None


async def _refuse_picture(request: web.Request) -> web.Response | None:
    """`_refuse_write` for a picture upload: an image type, same origin, at most 5 MB."""
    if request.content_type not in PICTURE_TYPES:
        return json_error(415, "picture_type", deck_error_message("picture_type"))
    if not _same_origin(request):
        log.warning("Mini App write refused: cross-site (%s)", request.headers.get("Origin"))
        return json_error(403, "cross_site")
    too_large = json_error(413, "picture_too_large", deck_error_message("picture_too_large"))
    if (request.content_length or 0) > MAX_PICTURE_BYTES:
        return too_large
    # Read here with this route's own cap: the listener's client_max_size is sized for JSON (and,
    # mounted on the webhook's server, for updates), far below a picture.
    body = bytearray()
    while chunk := await request.content.read(64 * 1024):
        body += chunk
        if len(body) > MAX_PICTURE_BYTES:
            return too_large
    request[api_decks.UPLOADED] = bytes(body)
    return None


def _same_origin(request: web.Request) -> bool:
    """False when the browser says the request comes from another site (no word: not a browser)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    # Behind a TLS proxy the request arrives over http: the host is what must match.
    _scheme, _sep, host = origin.partition("://")
    return bool(host) and host == request.host


async def _session(request: web.Request) -> web.Response:
    """Who the page is for, in what language, with every sentence it shows."""
    user = web_user(request)
    services = services_of(request)
    merged = {**view.strings(), **webapp_decks.strings(), **webapp_progress.strings()}
    # Whether the bot has heard from them in a chat (it can write to them there).
    chat = await language_of(services.db, user.id) is not None
    return web.json_response(
        {
            "user": {"id": user.id, "first_name": user.first_name},
            "locale": current_locale(),
            "strings": merged,
            "chat": chat,
        }
    )


async def _index(request: web.Request) -> web.StreamResponse:
    """The shell page (the same for everyone: the person's data only ever comes from the API)."""
    return _file_response(STATIC_DIR / "index.html")


async def _to_index(request: web.Request) -> web.StreamResponse:
    """/app → /app/, so the page's relative asset paths resolve."""
    raise web.HTTPMovedPermanently(PREFIX + "/")


async def _asset(request: web.Request) -> web.StreamResponse:
    """One of the files in bot/webapp/static, by plain name; anything else is not found."""
    name = request.match_info["name"]
    path = STATIC_DIR / name
    if not _ASSET_NAME.match(name) or path.suffix not in CONTENT_TYPES or not path.is_file():
        raise web.HTTPNotFound()
    return _file_response(path)


def _file_response(path: Path) -> web.FileResponse:
    return web.FileResponse(path, headers={"Content-Type": CONTENT_TYPES[path.suffix]})


def mount_webapp(target: web.Application, bot_app: Any, token: str, clock: Clock) -> None:
    """Serve the Mini App under /app on `target` (its other routes are left alone)."""
    target[BOT_APP] = bot_app
    target[TOKEN] = token
    target[CLOCK] = clock
    target.middlewares.append(_errors)
    target.middlewares.append(_api_guard)
    target.on_response_prepare.append(_security_headers)
    target.router.add_get(PREFIX, _to_index)
    target.router.add_get(PREFIX + "/", _index)
    target.router.add_get(PREFIX + "/static/{name}", _asset)
    target.router.add_get(API_PREFIX + "session", _session)
    api_decks.add_routes(target)
    api_progress.add_routes(target)


def webapp_application(bot_app: Any, token: str, clock: Clock) -> web.Application:
    """The Mini App alone, for a listener of its own (WEBAPP_LISTEN, offline play, tests)."""
    # Bodies are capped at MAX_JSON_BYTES by the guard; this only bounds what aiohttp buffers.
    app = web.Application(client_max_size=MAX_JSON_BYTES * 2)
    mount_webapp(app, bot_app, token, clock)
    return app


@dataclass
class WebAppServer:
    """A listening Mini App: what `stop_webapp` stops."""

    runner: web.AppRunner
    host: str
    port: int

    @property
    def base_url(self) -> str:
        """The address of its page on this machine, e.g. http://127.0.0.1:8088/app/."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{PREFIX}/"


async def start_webapp(
    bot_app: Any, token: str, listen: str | None, clock: Clock
) -> WebAppServer | None:
    """Serve the Mini App on `listen` (host:port, port 0: any free one); None when off or unbindable."""
    if listen is None:
        return None
    host, _sep, port_text = listen.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    runner = web.AppRunner(webapp_application(bot_app, token, clock), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, int(port_text)).start()
    except OSError as exc:
        log.warning("the Mini App is not served: cannot listen on %s (%s)", listen, exc)
        await runner.cleanup()
        return None
    port = int(runner.addresses[0][1])
    log.info("serving the Mini App on %s:%d%s/", host, port, PREFIX)
    return WebAppServer(runner, host, port)


async def stop_webapp(server: WebAppServer | None) -> None:
    """Stop serving it."""
    if server is not None:
        await server.runner.cleanup()
