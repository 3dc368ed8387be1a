"""A TCP proxy a test can freeze: connections stay open but no byte gets through, as when a
network path to the database server dies without resetting anything."""

from __future__ import annotations

import asyncio
import contextlib


class FreezableProxy:
    """Forwards 127.0.0.1:<port> to a target; `frozen` holds every byte until thawed."""

    def __init__(self, target_host: str, target_port: int) -> None:
        """Forward to `target_host:target_port` once started."""
        self.target = (target_host, target_port)
        self.port = 0
        self._running = asyncio.Event()
        self._running.set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def frozen(self) -> bool:
        """Whether bytes are held back."""
        return not self._running.is_set()

    def freeze(self) -> None:
        """Stop forwarding; connections stay open."""
        self._running.clear()

    def thaw(self) -> None:
        """Forward again (what was held goes through)."""
        self._running.set()

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every connection."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while chunk := await source.read(65536):
                await self._running.wait()
                sink.write(chunk)
                await sink.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            sink.close()
