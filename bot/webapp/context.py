"""What every Mini App request handler gets: the person the request is for, and the services.

The authentication middleware (bot.webapp.server) checks the request's `initData` and sets
`request[WEB_USER]` before any API handler runs; a handler never reads anything else to learn who
asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.services.container import Services


@dataclass(frozen=True, slots=True)
class WebUser:
    """The Telegram user a valid `initData` names."""

    id: int
    first_name: str
    language_code: str | None = None


# The running bot (its PTB Application), set on the Mini App's aiohttp application.
BOT_APP: web.AppKey[Any] = web.AppKey("bot_app", object)
# The request's checked user, set by the authentication middleware.
WEB_USER: web.RequestKey[WebUser] = web.RequestKey("webapp_user", WebUser)


def web_user(request: web.Request) -> WebUser:
    """The person the request is for (checked by the middleware before any handler runs)."""
    user = request.get(WEB_USER)
    if not isinstance(user, WebUser):
        raise web.HTTPUnauthorized(text='{"error": {"code": "unauthorized"}}')
    return user


def services_of(request: web.Request) -> Services:
    """The bot's services (the database, decks, quiz, stats ...)."""
    services: Services = request.config_dict[BOT_APP].bot_data.services
    return services
