"""Client CPU per Bot API request: PTB's stock httpx transport against AiohttpRequest.

A local aiohttp server (in its own process, so its CPU is not counted) answers sendMessage;
`telegram.Bot.send_message` is called N times on each transport, one at a time and then
`--concurrency` at a time. Process CPU time of the client divided by N is the figure of merit.

    .venv/bin/python bench/bench_transport.py [--requests 2000] [--concurrency 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web
from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.net import AiohttpRequest

TOKEN = "123456:BENCH"
_ME = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
TEXT = "Question 1 of 20: what is the capital of Australia?"
_MESSAGE = {
    "message_id": 1,
    "date": 1_700_000_000,
    "chat": {"id": 42, "type": "private"},
    "from": _ME,
    "text": TEXT,
}


def _serve(port_out: Any) -> None:
    """Run the stand-in Bot API until killed; report the port through `port_out`."""
    me = json.dumps({"ok": True, "result": _ME}).encode()
    sent = json.dumps({"ok": True, "result": _MESSAGE}).encode()

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        body = me if request.match_info["method"] == "getMe" else sent
        return web.Response(body=body, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_out.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


@dataclass
class Result:
    """One measured run."""

    backend: str
    mode: str
    wall: float
    cpu: float
    requests: int


async def _run(
    base: str, request: BaseRequest, n: int, concurrency: int, backend: str, mode: str
) -> Result:
    bot = Bot(TOKEN, base_url=f"{base}/bot", request=request)
    async with bot:
        for _ in range(100):  # warm up the pool and the code paths
            await bot.send_message(42, TEXT)
        queue = iter(range(n))

        async def worker() -> None:
            for _ in queue:
                await bot.send_message(42, TEXT)

        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return Result(backend, mode, wall, cpu, n)


def main() -> None:
    """Measure both transports and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="report the median round")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    port_out = context.Queue()
    server = context.Process(target=_serve, args=(port_out,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port_out.get(timeout=30)}"

    backends = {"httpx (stock)": HTTPXRequest, "aiohttp (ours)": AiohttpRequest}
    modes = {"sequential": 1, f"{args.concurrency} at a time": args.concurrency}
    results: dict[tuple[str, str], list[Result]] = {}
    try:
        for _ in range(args.rounds):
            for mode, concurrency in modes.items():
                for backend, cls in backends.items():
                    result = asyncio.run(
                        _run(base, cls(), args.requests, concurrency, backend, mode)
                    )
                    results.setdefault((backend, mode), []).append(result)
    finally:
        server.kill()

    print(
        f"Bot.send_message x {args.requests} against a local aiohttp server, "
        f"median of {args.rounds} rounds (client process CPU only)\n"
    )
    header = f"{'transport':<16} {'mode':<16} {'CPU ms/req':>10} {'req/s':>8} {'wall s':>7}"
    print(header)
    print("-" * len(header))
    cpu_per_req: dict[tuple[str, str], float] = {}
    for (backend, mode), runs in results.items():
        run = sorted(runs, key=lambda r: r.cpu)[len(runs) // 2]
        per_req = 1000 * run.cpu / run.requests
        cpu_per_req[backend, mode] = per_req
        print(
            f"{backend:<16} {mode:<16} {per_req:>10.3f} "
            f"{run.requests / run.wall:>8.0f} {run.wall:>7.2f}"
        )
    print()
    for mode in modes:
        ratio = cpu_per_req["httpx (stock)", mode] / cpu_per_req["aiohttp (ours)", mode]
        print(f"{mode}: aiohttp uses {ratio:.2f}x less client CPU per request than httpx")


if __name__ == "__main__":
    main()
