from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.commands import RunRound
from core.model import RoundSummary
from peerlearn import worker as peerlearn_worker
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


class NoRounds:
    async def run(self, command: RunRound) -> RoundSummary:
        raise AssertionError("no round is due in an empty database")


async def test_the_worker_refreshes_the_planners_statistics_as_one_of_its_jobs(
    monkeypatch: pytest.MonkeyPatch, uow_factory: SqlUnitOfWorkFactory
) -> None:
    """A tenant grows between rounds; the planner's statistics are refreshed by a periodic job (under its
    lease, once per interval across instances) on the database the worker was given."""
    refreshed: list[AsyncEngine] = []
    done = asyncio.Event()

    async def record(engine: AsyncEngine) -> None:
        refreshed.append(engine)
        done.set()

    class Dispatcher:
        """Stands in for the sender: keeps the worker running until the statistics job has run."""

        delivered = 0

        def __init__(self, *deps: Any) -> None:
            self.deps = deps

        async def run(self, stop: asyncio.Event) -> None:
            await asyncio.wait_for(done.wait(), 30)
            stop.set()

    engine = uow_factory.sessions.kw["bind"]
    clock = FakeClock()
    monkeypatch.setattr(peerlearn_worker, "refresh_statistics", record)
    monkeypatch.setattr(peerlearn_worker, "Dispatcher", Dispatcher)
    await asyncio.wait_for(
        Worker(load_settings(None), uow_factory, clock, NoRounds(), engine=engine).run(asyncio.Event()), 60
    )
    assert refreshed == [engine]
    async with uow_factory() as uow:  # it ran under the job's lease: another instance would not run it now
        now = clock.now()
        assert not await uow.leases.acquire(
            "job:statistics", "another-instance", now, now + timedelta(hours=1)
        )
