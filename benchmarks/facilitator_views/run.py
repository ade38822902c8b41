"""How long a facilitator waits for the report card and the dashboard tab of a program of 100,000 people after
its first round, reading a SQLite file as the app does (one connection):

    .venv/bin/python -m benchmarks.facilitator_views.run SEEDED.db [--rounded ROUNDED.db]

`SEEDED.db`: a database seeded by `benchmarks.serving_during_round.run --seed-cache` (copied, not changed).
The round is run once into `ROUNDED.db` (kept, so another tree can be timed on the same rows: run this file
with `PYTHONPATH=<other tree>` and the same `--rounded`). Prints each view's best and worst of three.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from pathlib import Path

from benchmarks.serving_during_round.seed import ORG, PROGRAM
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.services.rounds import run_round
from core.views import dashboard, reports
from storage.database import create_engine, refresh_statistics, session_factory
from storage.unit_of_work import SqlUnitOfWorkFactory

FACILITATOR = "p000000"


async def main(rounded: Path, fresh: bool) -> None:
    engine = create_engine(f"sqlite:///{rounded}")
    try:
        await refresh_statistics(engine)
        bus = MessageBus(SqlUnitOfWorkFactory(session_factory(engine), 1), SystemClock())
        if fresh:
            started = time.perf_counter()
            await run_round(commands.RunRound(ORG, PROGRAM, None), bus)
            print(f"round: {time.perf_counter() - started:.1f} s")
            await refresh_statistics(engine)
        views = {
            "report card": lambda uow: reports.facilitator_report(ORG, PROGRAM, FACILITATOR, uow),
            "dashboard tab": lambda uow: dashboard.program_health(uow, ORG, PROGRAM, FACILITATOR),
        }
        for name, view in views.items():
            seconds = []
            for _ in range(3):
                started = time.perf_counter()
                await bus.read(view)
                seconds.append(time.perf_counter() - started)
            print(f"{name}: best {min(seconds):.2f} s, worst {max(seconds):.2f} s")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("seeded", type=Path)
    parser.add_argument("--rounded", type=Path, default=Path("/tmp/peerlearn-rounded.db"))
    args = parser.parse_args()
    fresh = not args.rounded.exists()
    if fresh:
        shutil.copy(args.seeded, args.rounded)
    asyncio.run(main(args.rounded, fresh))
