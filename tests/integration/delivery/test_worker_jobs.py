from __future__ import annotations

import asyncio
from datetime import timedelta

from peerlearn.settings import load_settings
from peerlearn.worker import Worker
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.unit.fakes import FakeClock


async def test_a_periodic_job_runs_once_per_interval_even_though_its_holder_could_renew_the_lease(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    clock = FakeClock()
    worker = Worker(load_settings(None), uow_factory, clock)
    runs: list[object] = []
    stop = asyncio.Event()

    async def job() -> None:
        runs.append(clock.now())

    # The loop wakes every 0.05 s of real time; the job's clock stands still, so its interval never passes.
    loop = asyncio.create_task(worker._every("probe", timedelta(seconds=0.05), job, stop))
    await asyncio.sleep(0.5)
    assert len(runs) == 1
    clock.advance(seconds=1)  # the interval has passed: the next wake-up runs it again
    await asyncio.sleep(0.3)
    stop.set()
    await loop
    assert len(runs) == 2
