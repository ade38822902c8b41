"""Fan a round out to N people through the real sender against a fake connector with Teams-like limits.

    .venv/bin/python -m benchmarks.delivery.run --people 10000 --ceiling 30 --throttle 0.01
    .venv/bin/python -m benchmarks.delivery.run --phase stall --people 300 --ceiling 10 --lease 5 --fault 8

With `--phase`, a fault is played instead (see `benchmarks.delivery.phases`: stall, db-restart, outage,
kill, sigterm), by two `peerlearn worker` processes on a PostgreSQL server the benchmark starts itself.

Reports the achieved rate as a fraction of the tenant ceiling (target >= 95 %), messages lost (target 0),
duplicates (target 0), sends refused for exceeding a limit, and the time to drain. The rate is measured
over the whole drain, from the first message accepted to the last, including the retries of random 429s.
The fake runs in its own process, as Teams would; the sender runs as in `peerlearn worker`."""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from benchmarks.delivery import phases
from benchmarks.delivery.fake_connector import run_in_process
from benchmarks.delivery.seed import seed
from bot.delivery.connector import BotConnector
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.sender import Deps, SenderConfig
from bot.delivery.tokens import NoToken
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.services.delivery_units import BusLeases, BusOutboxQueue
from core.services.rounds import run_round
from storage import migrate
from storage.database import create_engine, session_factory
from storage.models import OutboxRow
from storage.unit_of_work import SqlUnitOfWorkFactory


async def bench(people: int, ceiling: float, throttle: float, database_url: str) -> dict[str, object]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    port = _free_port()
    fake = multiprocessing.get_context("spawn").Process(target=run_in_process, args=(port, ceiling, throttle))
    fake.start()
    url = f"http://127.0.0.1:{port}/"
    clock = SystemClock()
    try:
        seeded = await seed(uows, url, people)
        started = time.perf_counter()
        await run_round(
            commands.RunRound(seeded.organization_id, seeded.program_id, None), MessageBus(uows, clock)
        )
        round_seconds = time.perf_counter() - started
        async with uows.sessions() as session:
            rows = int(await session.scalar(select(func.count()).select_from(OutboxRow)) or 0)
        async with aiohttp.ClientSession() as http:
            await _wait_for(http, url)
            deps = Deps(
                BusOutboxQueue(MessageBus(uows, SystemClock())),
                uows,
                BotConnector(http, NoToken()),
                clock,
            )
            dispatcher = Dispatcher(
                deps, BusLeases(MessageBus(uows, SystemClock())), "bench", SenderConfig("28:bot"), ceiling
            )
            stop = asyncio.Event()
            task = asyncio.create_task(dispatcher.run(stop))
            started = time.perf_counter()
            deadline = started + rows / ceiling * 3 + 60
            stats = await _stats(http, url)
            while stats["delivered"] < rows and time.perf_counter() < deadline:
                await asyncio.sleep(0.5)
                stats = await _stats(http, url)
            drain = time.perf_counter() - started
            stop.set()
            await task
            stats = await _stats(http, url)
        rate = float(stats["achieved_rate"])
        return {
            "people": people,
            "messages": rows,
            "ceiling_per_second": ceiling,
            "random_429_probability": throttle,
            "achieved_per_second": round(rate, 2),
            "peak_per_second": stats["peak_per_second"],
            "fraction_of_ceiling": round(rate / ceiling, 4),
            "lost": rows - int(stats["delivered"]),
            "duplicates": stats["duplicates"],
            "random_429s": stats["random_429"],
            "limit_violations": stats["limit_violations"],
            "conversations_created": stats["conversations_created"],
            "round_seconds": round(round_seconds, 1),
            "drain_seconds": round(drain, 1),
            "database": engine.dialect.name,
        }
    finally:
        fake.terminate()
        fake.join()
        await engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _stats(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(url + "_stats") as response:
        data: dict[str, Any] = await response.json()
        return data


async def _wait_for(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(100):
        try:
            await _stats(http, url)
            return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--ceiling", type=float, default=30.0, help="TEAMS_TENANT_MESSAGES_PER_SECOND")
    parser.add_argument("--throttle", type=float, default=0.01, help="probability of a random 429")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file in a temp directory")
    parser.add_argument("--phase", choices=phases.PHASES, default=None, help="play a fault (see above)")
    parser.add_argument("--lease", type=float, default=5.0, help="DELIVERY_LEASE_SECONDS for a fault phase")
    parser.add_argument(
        "--fault", type=float, default=8.0, help="seconds of pause, database or connector down"
    )
    parser.add_argument(
        "--retry-max-delay",
        type=float,
        default=5.0,
        help="DELIVERY_RETRY_MAX_DELAY_SECONDS for a fault phase",
    )
    args = parser.parse_args()
    if args.phase:
        result = asyncio.run(
            phases.phase(args.phase, args.people, args.ceiling, args.lease, args.fault, args.retry_max_delay)
        )
        print(json.dumps(result, indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        print(json.dumps(asyncio.run(bench(args.people, args.ceiling, args.throttle, url)), indent=2))


if __name__ == "__main__":
    main()
