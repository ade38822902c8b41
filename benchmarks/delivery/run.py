"""Fan a round out to N people through the real sender against a fake connector with Teams-like limits.

    .venv/bin/python -m benchmarks.delivery.run --people 10000 --ceiling 30 --throttle 0.01

Reports the achieved rate as a fraction of the tenant ceiling (target >= 95 %), messages lost (target 0),
duplicates (target 0), sends refused for exceeding a limit, and the time to drain. The rate is measured
over the whole drain, from the first message accepted to the last, including the retries of random 429s."""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from benchmarks.delivery.fake_connector import FakeTeams, serve
from benchmarks.delivery.seed import seed
from bot.delivery.connector import BotConnector
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.sender import Deps, SenderConfig
from bot.delivery.tokens import NoToken
from core import commands
from core.clock import SystemClock
from core.services.rounds import run_round
from storage import migrate
from storage.bot_store import SqlBotStore
from storage.database import create_engine, session_factory
from storage.delivery_store import SqlLeases, SqlOutboxQueue, single_writer
from storage.models import OutboxRow
from storage.unit_of_work import SqlUnitOfWorkFactory


async def bench(people: int, ceiling: float, throttle: float, database_url: str) -> dict[str, object]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    fake = FakeTeams(tenant_per_second=ceiling, throttle_probability=throttle)
    runner, url = await serve(fake)
    clock = SystemClock()
    try:
        seeded = await seed(uows, url, people)
        started = time.perf_counter()
        await run_round(commands.RunRound(seeded.organization_id, seeded.program_id, None), uows(), clock)
        round_seconds = time.perf_counter() - started
        async with uows.sessions() as session:
            rows = int(await session.scalar(select(func.count()).select_from(OutboxRow)) or 0)
        async with aiohttp.ClientSession() as http:
            deps = Deps(
                SqlOutboxQueue(uows.sessions),
                uows,
                SqlBotStore(uows.sessions),
                BotConnector(http, NoToken()),
                clock,
                write_lock=asyncio.Lock() if single_writer(uows.sessions) else None,
            )
            dispatcher = Dispatcher(deps, SqlLeases(uows.sessions), "bench", SenderConfig("28:bot"), ceiling)
            stop = asyncio.Event()
            task = asyncio.create_task(dispatcher.run(stop))
            started = time.perf_counter()
            deadline = started + rows / ceiling * 3 + 60
            while fake.delivered < rows and time.perf_counter() < deadline:  # noqa: ASYNC110 (polls a counter)
                await asyncio.sleep(0.2)
            drain = time.perf_counter() - started
            stop.set()
            await task
        rate = fake.achieved_rate()
        return {
            "people": people,
            "messages": rows,
            "ceiling_per_second": ceiling,
            "random_429_probability": throttle,
            "achieved_per_second": round(rate, 2),
            "fraction_of_ceiling": round(rate / ceiling, 4),
            "lost": rows - fake.delivered,
            "duplicates": fake.duplicates,
            "random_429s": fake.random_429,
            "limit_violations": fake.limit_violations,
            "conversations_created": fake.conversations_created,
            "round_seconds": round(round_seconds, 1),
            "drain_seconds": round(drain, 1),
            "database": engine.dialect.name,
        }
    finally:
        await runner.cleanup()
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--ceiling", type=float, default=30.0, help="TEAMS_TENANT_MESSAGES_PER_SECOND")
    parser.add_argument("--throttle", type=float, default=0.01, help="probability of a random 429")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file in a temp directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        print(json.dumps(asyncio.run(bench(args.people, args.ceiling, args.throttle, url)), indent=2))


if __name__ == "__main__":
    main()
