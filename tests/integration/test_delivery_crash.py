"""Nothing lost, nothing twice, even when killed: the real `peerlearn serve` process fans a round out to a
fake Bot Connector, is SIGKILLed with sends in flight, restarts, and finishes the fan-out.

The connector holds every send after the first `HOLD` accepted ones, so the kill lands while requests are
in flight (claimed, sent, unanswered). Those must be sent again after the restart; the ones answered before
the kill must not be. (A send answered in the instant between the connector's answer and our commit cannot
be told apart from an unanswered one: see `bot.delivery.sender`.)"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.delivery.fake_connector import FakeTeams, serve
from benchmarks.delivery.seed import seed
from core.model import OutboxStatus
from storage import migrate
from storage.database import create_engine, session_factory
from storage.models import OutboxRow
from storage.models_delivery import OutboxDeliveryRow
from storage.unit_of_work import SqlUnitOfWorkFactory

PEOPLE = 60
HOLD = 20
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(database_url: str, cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("Microsoft", "GRAPH_", "DATABASE_URL", "PORT"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(_free_port()),
        "TEAMS_TENANT_MESSAGES_PER_SECOND": "20",
        "DELIVERY_LEASE_SECONDS": "1",
        "LOG_FORMAT": "text",
        "PYTHONPATH": str(REPO),
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "peerlearn.cli", "--env-file", "", "serve"],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=out,
        )


async def _until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {seconds}s waiting for {what}.")
        await asyncio.sleep(0.05)


@pytest.fixture
async def uows(database_url: str) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield SqlUnitOfWorkFactory(session_factory(engine))
    finally:
        await engine.dispose()


async def _pending(uows: SqlUnitOfWorkFactory) -> tuple[int, int]:
    async with uows.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(OutboxRow))
        pending = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == OutboxStatus.PENDING.value)
        )
    return int(total or 0), int(pending or 0)


async def test_a_fan_out_killed_mid_way_delivers_every_message_once_after_a_restart(
    database_url: str, uows: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    fake = FakeTeams(tenant_per_second=20, delay=0.2, hold_after=HOLD)
    runner, url = await serve(fake)
    log = tmp_path / "server.log"
    try:
        await seed(uows, url, PEOPLE)
        server = _start(database_url, tmp_path, log)
        try:
            await _until(
                lambda: fake.delivered >= HOLD and fake.held >= 3, 60, "the fan-out to reach the hold"
            )
            # Kill once every answered send is recorded (on a loaded machine a commit can take a moment):
            # the in-flight ones, claimed and sent but unanswered, are what the kill interrupts.
            for _ in range(200):
                total, pending_at_kill = await _pending(uows)
                if total - pending_at_kill >= HOLD:
                    break
                await asyncio.sleep(0.05)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)
        assert 0 < fake.delivered == HOLD < total, "the kill did not land in the middle of the fan-out"
        await _until(lambda: fake.in_flight == 0, 10, "the killed process's requests to be dropped")
        assert fake.delivered == HOLD
        fake.release()

        server = _start(database_url, tmp_path, log)
        try:
            for _ in range(600):
                if (await _pending(uows))[1] == 0 and fake.delivered >= total:
                    break
                await asyncio.sleep(0.1)
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=30)
            assert code == 0, f"exit code {code}\n{log.read_text()[-4000:]}"
    finally:
        await runner.cleanup()

    output = log.read_text()
    assert fake.delivered == total, f"{total - fake.delivered} messages were lost\n{output[-3000:]}"
    assert fake.duplicates == 0, f"{fake.duplicates} messages were delivered twice"
    assert pending_at_kill > 0
    async with uows.sessions() as session:
        statuses = dict(
            (await session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))).all()
        )
        outcomes = dict(
            (
                await session.execute(
                    select(OutboxDeliveryRow.outcome, func.count()).group_by(OutboxDeliveryRow.outcome)
                )
            ).all()
        )
        resent = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.attempts > 1)
        )
    assert statuses == {OutboxStatus.SENT.value: total}
    assert outcomes == {"delivered": total}
    assert resent, "no row was in flight at the kill, so nothing was re-sent"
