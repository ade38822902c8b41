"""Fault phases of the delivery benchmark: a round fanned out by two `peerlearn worker` processes on a
PostgreSQL server of our own, to a fake connector (in this process) that counts every message per
recipient and every arrival per second, while one fault is played:

- stall:      the instance holding the tenant's sending lease is paused (SIGSTOP) for `--stall` seconds;
- db-restart: the PostgreSQL server is stopped for `--down` seconds and started again;
- outage:     the connector is unreachable (connections refused) for `--down` seconds;
- kill:       the lease holder is killed (SIGKILL) and started again;
- sigterm:    the lease holder is stopped with SIGTERM (the other instance takes over).

Each reports messages, lost, duplicates, the highest number of sends that arrived in any sliding second
against the ceiling, and the drain time (first to last accepted message)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.delivery.fake_connector import FakeTeams
from benchmarks.delivery.faults import Connector, PrivatePostgres, lease_holder, start_worker, stop, until
from benchmarks.delivery.seed import seed
from core.model import OutboxStatus
from storage import migrate
from storage.database import create_engine, session_factory
from storage.models import OutboxRow
from storage.unit_of_work import SqlUnitOfWorkFactory

PHASES = ("stall", "db-restart", "outage", "kill", "sigterm")


async def _counts(uows: SqlUnitOfWorkFactory) -> tuple[int, int]:
    async with uows.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(OutboxRow))
        pending = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == OutboxStatus.PENDING.value)
        )
    return int(total or 0), int(pending or 0)


async def _drained(uows: SqlUnitOfWorkFactory, fake: FakeTeams, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    total = 0
    while time.monotonic() < deadline:
        try:
            total, pending = await _counts(uows)
        except Exception:  # the database is being restarted
            await asyncio.sleep(0.5)
            continue
        if total and not pending and fake.delivered >= total:
            break
        await asyncio.sleep(0.5)
    return total


async def phase(
    name: str, people: int, ceiling: float, lease: float, fault_seconds: float, retry_max_delay: float
) -> dict[str, Any]:
    if name not in PHASES:
        raise ValueError(f"Phase '{name}' is not one of {', '.join(PHASES)}.")
    with contextlib.suppress(OSError):
        # This process hosts the fake connector, which times arrivals: on a busy machine it must not wait
        # for the CPU (the workers it starts run at the normal priority).
        os.nice(-10)
    why = PrivatePostgres.available()
    if why is not None:
        raise RuntimeError(f"The fault phases need a PostgreSQL server of their own: {why}")
    server = PrivatePostgres()
    server.init()
    engine = create_engine(server.url)
    fake = FakeTeams(tenant_per_second=ceiling, delay=0.02)
    connector = Connector(fake)
    await connector.up()
    extra = {"DELIVERY_RETRY_MAX_DELAY_SECONDS": str(retry_max_delay)}
    notes: dict[str, Any] = {}
    workers: dict[str, Any] = {}
    base = Path(tempfile.mkdtemp(prefix=f"peerlearn-{name}-"))  # kept: the workers' logs are in it
    notes["logs"] = str(base)
    try:
        await migrate.upgrade(engine)
        uows = SqlUnitOfWorkFactory(session_factory(engine))
        seeded = await seed(uows, connector.url, people)

        def start(name: str) -> None:
            (base / name).mkdir(exist_ok=True)
            workers[name] = start_worker(
                server.url, base / name, base / f"{name}.log", ceiling=ceiling, lease=lease, extra=extra
            )

        start("a")
        start("b")
        await until(lambda: fake.delivered >= max(people // 5, 1), 180, "the fan-out to start")
        holder = await lease_holder(uows, seeded.organization_id)
        victim = next((n for n, w in workers.items() if holder and w.pid == holder[1]), "a")
        before = fake.delivered
        if name == "stall":
            os.kill(workers[victim].pid, signal.SIGSTOP)
            await asyncio.sleep(fault_seconds)
            os.kill(workers[victim].pid, signal.SIGCONT)
        elif name == "db-restart":
            await engine.dispose()
            await asyncio.to_thread(server.stop)
            await asyncio.sleep(fault_seconds)
            await asyncio.to_thread(server.start)
        elif name == "outage":
            await connector.down()
            await asyncio.sleep(fault_seconds)
            await connector.up()
        elif name == "kill":
            workers[victim].send_signal(signal.SIGKILL)
            await asyncio.to_thread(workers[victim].wait)
            start(victim)
        elif name == "sigterm":
            signalled = time.monotonic()
            # Off the event loop: the fake connector serves from it.
            notes["exit_code"] = await asyncio.to_thread(stop, workers[victim])
            notes["stopped_in_seconds"] = round(time.monotonic() - signalled, 1)
        notes["delivered_during_fault"] = fake.delivered - before
        total = await _drained(uows, fake, people / ceiling * 3 + 300)
    finally:
        codes = {n: stop(w) for n, w in workers.items() if w.poll() is None}
        await connector.down()
        await engine.dispose()
        server.cleanup()
    accepted = sorted(fake.accepted_at)
    return {
        "phase": name,
        "fault_seconds": fault_seconds if name in ("stall", "db-restart", "outage") else None,
        "lease_seconds": lease,
        "messages": total,
        "lost": total - fake.delivered,
        "duplicates": fake.duplicates,
        "ceiling_per_second": ceiling,
        "peak_per_second": fake.peak_per_second(),
        "limit_violations": fake.limit_violations,
        "drain_seconds": round(accepted[-1] - accepted[0], 1) if accepted else None,
        "exit_codes": codes,
        **notes,
    }
