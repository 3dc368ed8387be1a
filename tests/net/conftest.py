"""Fixtures for the transport tests: the fake Bot API and bots on either transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.net import AiohttpRequest

from .fake_api import TOKEN, FakeBotApi

RequestClass = type[HTTPXRequest] | type[AiohttpRequest]
BotFactory = Callable[..., Bot]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A running fake Bot API server."""
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=[HTTPXRequest, AiohttpRequest], ids=["httpx", "aiohttp"])
def request_class(request: pytest.FixtureRequest) -> RequestClass:
    """The stock transport and ours: every transport test runs against both."""
    cls: RequestClass = request.param
    return cls


def make_bot(base: str, request_class: RequestClass, **request_kwargs: Any) -> Bot:
    """A Bot talking to `base` through two instances of `request_class`, as PTB builds them."""
    normal: BaseRequest = request_class(**request_kwargs)
    polling: BaseRequest = request_class(**request_kwargs)
    return Bot(
        TOKEN,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=normal,
        get_updates_request=polling,
    )


@pytest.fixture
def bot_factory(api: FakeBotApi, request_class: RequestClass) -> BotFactory:
    """Build bots against the fake API (or another base URL) with the transport under test."""

    def build(base: str | None = None, **request_kwargs: Any) -> Bot:
        return make_bot(base or api.url, request_class, **request_kwargs)

    return build
