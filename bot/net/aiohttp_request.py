"""An aiohttp transport for python-telegram-bot, a drop-in for its stock httpx one."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from http import HTTPStatus

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.net.body import FORM_CONTENT_TYPE, TimedBytesPayload, form_body, multipart_body

_LOGGER = logging.getLogger(__name__)

# Same wording as HTTPXRequest, so callers and logs cannot tell the transports apart.
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)
# Some aiohttp errors quote the request URL, and the URL carries the bot token.
_TOKEN_IN_URL = re.compile(r"/bot[^/\s]+/")


def _redact(text: str) -> str:
    """Hide the bot token in any URL quoted by an error message."""
    return _TOKEN_IN_URL.sub("/bot<token>/", text)


@lru_cache(maxsize=64)
def _client_timeout(read: float | None, connect: float | None) -> aiohttp.ClientTimeout:
    """Build (once per distinct pair) the aiohttp timeout for one request.

    `connect` covers DNS, TCP and TLS like httpx's connect timeout; waiting for a pooled
    connection is timed separately by the pool semaphore, so aiohttp never queues.
    `sock_read` is, like httpx's read timeout, the longest wait for the next chunk.
    """
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_read=read, sock_connect=None)


class AiohttpRequest(BaseRequest):
    """`telegram.request.BaseRequest` on an aiohttp ClientSession with a keep-alive pool.

    Parameters and defaults mirror `telegram.request.HTTPXRequest`; BaseRequest maps the
    returned status and body to PTB's exceptions, so errors are the same as with the stock class.
    """

    __slots__ = (
        "_closed",
        "_connect_timeout",
        "_keepalive_timeout",
        "_media_write_timeout",
        "_on_unauthorized",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    # Positional parameters in HTTPXRequest's order, so either class takes the same call.
    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
        keepalive_timeout: float = 15.0,
        on_unauthorized: Callable[[], None] | None = None,
    ) -> None:
        """Configure the pool and default timeouts; the session is opened in the event loop.

        `on_unauthorized` is called whenever the Bot API answers 401 (the token was refused).
        """
        if connection_pool_size < 1:
            raise ValueError("`connection_pool_size` must be a positive integer")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._keepalive_timeout = keepalive_timeout
        self._on_unauthorized = on_unauthorized
        self._session: aiohttp.ClientSession | None = None
        self._pool: asyncio.Semaphore | None = None
        # HTTPXRequest works before initialize() but not after shutdown(); so does this class.
        self._closed = False

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    def _open(self) -> aiohttp.ClientSession:
        """Create the session and its pool (must run inside the event loop)."""
        connector = aiohttp.TCPConnector(
            limit=self._pool_size,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_timeout,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            # Like httpx: no redirects followed, no automatic raising on 4xx/5xx.
            raise_for_status=False,
            timeout=_client_timeout(self._read_timeout, self._connect_timeout),
        )
        self._pool = asyncio.Semaphore(self._pool_size)
        self._closed = False
        return self._session

    async def initialize(self) -> None:
        """Open the session, or reopen it after a shutdown."""
        if self._session is None or self._session.closed:
            self._open()

    async def shutdown(self) -> None:
        """Close the session and its pooled connections."""
        self._closed = True
        if self._session is None or self._session.closed:
            _LOGGER.debug("This AiohttpRequest is already shut down. Returning.")
            return
        await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the raw body."""
        session = self._session
        if session is None or session.closed:
            if self._closed:
                raise RuntimeError("This AiohttpRequest is not initialized!")
            session = self._open()
        pool = self._pool
        assert pool is not None  # set together with the session

        files = request_data.multipart_data if request_data else None
        # Unset timeouts fall back to this instance's defaults; an explicit None means "no limit".
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else self._write_timeout

        body: TimedBytesPayload | None = None
        if request_data is not None:
            fields = request_data.json_parameters
            if files:
                raw, content_type = multipart_body(fields, files)
            else:
                raw, content_type = form_body(fields), FORM_CONTENT_TYPE
            body = TimedBytesPayload(raw, write_timeout, content_type=content_type)

        # The pool semaphore stands for httpx's max_connections: a request that cannot get a
        # connection in time is never sent. The fast path skips the timeout machinery.
        if pool.locked():
            try:
                async with asyncio.timeout(pool_timeout):
                    await pool.acquire()
            except TimeoutError as err:
                raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from err
        else:
            await pool.acquire()
        try:
            async with session.request(
                method,
                url,
                data=body,
                timeout=_client_timeout(read_timeout, connect_timeout),
                allow_redirects=False,
                proxy=self._proxy,
            ) as response:
                if response.status == HTTPStatus.UNAUTHORIZED and self._on_unauthorized:
                    self._on_unauthorized()
                return response.status, await response.read()
        except TimeoutError as err:
            # aiohttp's connect/read timeouts and the write timeout all derive from TimeoutError.
            raise TimedOut from err
        except (aiohttp.ClientError, OSError) as err:
            # Include the class name like HTTPXRequest does: some messages are empty.
            origin = f"{type(err).__module__.partition('.')[0]}.{type(err).__name__}"
            raise NetworkError(_redact(f"{origin}: {err}")) from err
        finally:
            pool.release()
