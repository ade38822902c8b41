"""Faults played for real, shared by the delivery benchmark and the tests: sender instances as separate
`peerlearn worker` processes (to pause with SIGSTOP, stop with SIGTERM or kill), a PostgreSQL server of
our own (to restart mid fan-out), and a connector that can go away and come back on the same port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from sqlalchemy import select

from benchmarks.delivery.fake_connector import FakeTeams
from storage.models_delivery import JobLeaseRow
from storage.sqlite_writer import WriterTurn
from storage.unit_of_work import SqlUnitOfWorkFactory

REPO = Path(__file__).resolve().parents[2]
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {seconds}s waiting for {what}.")
        await asyncio.sleep(0.02)


def start_worker(
    database_url: str,
    data_dir: Path,
    log: Path,
    *,
    ceiling: float,
    lease: float,
    command: str = "worker",
    extra: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`peerlearn worker` (or `serve`) as its own process, with nothing from this environment's bot,
    Graph or database settings; `data_dir` holds its outcome journal."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("Microsoft", "GRAPH_", "DATABASE_URL", "PORT", "DELIVERY_", "DATA_DIR"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "TEAMS_TENANT_MESSAGES_PER_SECOND": str(ceiling),
        "DELIVERY_LEASE_SECONDS": str(lease),
        "DATA_DIR": str(data_dir),
        "LOG_FORMAT": "text",
        "PYTHONPATH": str(REPO),
    } | (extra or {})
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "peerlearn.cli", "--env-file", "", command],
            cwd=data_dir,
            env=env,
            stdout=out,
            stderr=out,
            preexec_fn=_normal_priority,
        )


def _normal_priority() -> None:
    """A worker runs at the normal priority even when the process measuring it was raised."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, 0)


def stop(process: subprocess.Popen[bytes], seconds: float = 30) -> int:
    """SIGCONT (in case it is paused), SIGTERM, and its exit code; killed if it does not exit in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -9


async def pause_outside_a_write(pid: int, database_file: Path | None, attempts: int = 200) -> None:
    """SIGSTOP `pid`. On SQLite, only at a moment it is not writing: SQLite has one writer per file, so a
    process paused inside a unit of work that may write (holding the writer's turn, `storage.sqlite_writer`,
    or SQLite's own write lock) blocks every other process's writes until it wakes, whatever the code above
    it does. (PostgreSQL ends such a session after `DATABASE_IDLE_TRANSACTION_SECONDS`.) The fault this
    plays is an instance frozen between two of its short units of work, which is where it spends nearly
    all its time; on a loaded machine the unlucky moment is common enough to fail a test one run in four.
    After each stop both locks are probed without waiting; if either is held, the process is woken and
    stopped again a moment later."""
    for _ in range(attempts):
        os.kill(pid, signal.SIGSTOP)
        if database_file is None or await asyncio.to_thread(_nobody_writes, database_file):
            return
        os.kill(pid, signal.SIGCONT)
        await asyncio.sleep(0.02)
    raise AssertionError(f"process {pid} was writing to SQLite at each of {attempts} pauses")


def _nobody_writes(database_file: Path) -> bool:
    turn = WriterTurn(database_file, wait_seconds=0)
    try:
        if not turn.try_take():
            return False
        connection = sqlite3.connect(database_file, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        else:
            connection.execute("ROLLBACK")
            return True
        finally:
            connection.close()
    finally:
        turn.close()


async def lease_holder(uows: SqlUnitOfWorkFactory, organization_id: str) -> tuple[str, int] | None:
    """Who holds the tenant's sending lease (holder string, its pid), if anyone does now."""
    async with uows.sessions() as session:
        row = await session.get(JobLeaseRow, f"send:{organization_id}", populate_existing=True)
        if row is None or not row.holder:
            return None
        return row.holder, int(row.holder.split(":")[1])


async def lease_row(uows: SqlUnitOfWorkFactory, organization_id: str) -> JobLeaseRow | None:
    async with uows.sessions() as session:
        return await session.scalar(select(JobLeaseRow).where(JobLeaseRow.name == f"send:{organization_id}"))


class Connector:
    """The fake connector on a fixed port, which can go away (connections refused) and come back."""

    def __init__(self, fake: FakeTeams) -> None:
        self.fake, self.port = fake, free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._runner: web.AppRunner | None = None

    async def up(self) -> None:
        self._runner = web.AppRunner(self.fake.app(), handler_cancellation=True, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def down(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class PrivatePostgres:
    """A PostgreSQL server in a temporary directory, on a free port, that a test can restart.

    Run as the `postgres` system user when we are root (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="peerlearn-pg-", dir="/tmp"))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def available() -> str | None:
        """None when a private server can be started here, else why not."""
        if not (POSTGRES_BIN / "initdb").exists():
            return f"no PostgreSQL binaries in {POSTGRES_BIN} (apt-get install postgresql)"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to run the server as"
            if shutil.which("runuser") is None:
                return "running as root without runuser"
        return None

    def _run(self, *args: str) -> None:
        command = [str(POSTGRES_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=120)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def cleanup(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
