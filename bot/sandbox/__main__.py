"""`python -m bot.sandbox`: run the sandbox Bot API on its own, for bots in other processes.

The first line printed is the base URL (give it to the bot as BOT_API_URL); people are then
driven through the JSON control API under /sandbox/. SIGINT or SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from bot.sandbox.server import DEFAULT_TOKEN, SandboxServer
from bot.sandbox.world import continuing_update_id


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token to accept")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--enforce-limits", action="store_true", help="answer floods with 429")
    parser.add_argument(
        "--no-privacy", action="store_true", help="let the bot see every group message"
    )
    return parser


async def serve(args: argparse.Namespace) -> None:
    """Run until a termination signal arrives."""
    server = SandboxServer(
        token=args.token,
        host=args.host,
        port=args.port,
        enforce_limits=args.enforce_limits,
        privacy_mode=not args.no_privacy,
        first_update_id=continuing_update_id(),
    )
    await server.start()
    print(server.base_url, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve."""
    asyncio.run(serve(_parser().parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
