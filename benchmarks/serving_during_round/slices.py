"""How long each of a round's write units holds SQLite's writer's turn (`storage.sqlite_writer`): what a card
action arriving meanwhile waits at most.

    .venv/bin/python -m benchmarks.serving_during_round.slices SEEDED.db

`SEEDED.db`: a database seeded by `run --seed-cache` (it is copied, not changed). The round runs in this
process as the worker process runs it (its units of work `background`, yielding after each commit), with
nothing else running; prints the round's time and the hold times' median, p90, p99 and maximum.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.serving_during_round.seed import ORG, PROGRAM
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.services.rounds import WRITE_SLICE, run_round
from storage.database import create_engine, refresh_statistics, session_factory
from storage.sqlite_writer import WriterTurn
from storage.unit_of_work import SqlUnitOfWorkFactory


class TimedTurn(WriterTurn):
    def __init__(self, database: Path, wait_seconds: float) -> None:
        super().__init__(database, wait_seconds)
        self.held: list[float] = []
        self._since = 0.0

    async def take(self) -> None:
        await super().take()
        self._since = time.perf_counter()

    def give_back(self) -> None:
        self.held.append(time.perf_counter() - self._since)
        super().give_back()


async def main(seeded: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "round.db"
        shutil.copy(seeded, copy)
        engine = create_engine(f"sqlite:///{copy}")
        try:
            await refresh_statistics(engine)
            uows = SqlUnitOfWorkFactory(session_factory(engine), 1, background=True)
            timed = TimedTurn(copy, 60.0)
            uows._writer = timed  # the factory's own turn, timed
            started = time.perf_counter()
            await run_round(commands.RunRound(ORG, PROGRAM, None), MessageBus(uows, SystemClock()))
            seconds = time.perf_counter() - started
        finally:
            await engine.dispose()
    held = sorted(h * 1000 for h in timed.held)

    def at(q: float) -> float:
        return held[min(len(held) - 1, int(q * len(held)))]

    print(
        f"{WRITE_SLICE} pairings a slice: round {seconds:.1f} s, {len(held)} write units holding the writer "
        f"p50 {at(0.5):.1f} ms, p90 {at(0.9):.1f} ms, p99 {at(0.99):.1f} ms, max {held[-1]:.1f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
