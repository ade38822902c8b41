"""Full LTI 1.3 resource-link launches against a real platform (`lti1p3platform`) on 127.0.0.1, beside the
cost of pylti1p3's own id_token validation measured in the same run.

    .venv/bin/python -m benchmarks.lti.run [--launches 300] [--clients 1 8] [--tool-tree PATH | --same-process]

A launch is what a browser does: GET the tool's /lti/login (OIDC login initiation) → the platform's /auth
(which signs the id_token) → POST the tool's /lti/launch → the learner's page (200). Each launch starts with an
empty cookie jar, as a new browser would. The per-leg columns show where the time goes: login (the tool),
auth (the platform) and launch (the tool), each as the client saw it; the last column is the tool's own
server time for its two legs (its `Server-Timing` header: from the request reaching its middleware to the
response being ready), apart from the platform and the client.

By default the tool runs alone in a process of its own (`tool_server.py`), as deployed, and the platform and
the browsers share this one: the tool's event loop then competes with neither for the interpreter.
`--tool-tree PATH` runs the tool of another checkout that way (a before/after comparison with this same
benchmark). `--same-process` puts the tool, the platform and the browsers on one event loop, as the first
version of this benchmark did.

"pylti1p3 alone" is `MessageLaunch`'s own checks on one id_token from the same platform: JWT format,
registration, RS256 signature (key set cached, as after the first launch), deployment and message claims;
no HTTP, no database, no nonce or state (those need storage). It is the floor a launch cannot go below.

SQLite always; PostgreSQL too when PEERLEARN_TEST_POSTGRES_URL names a server (a database is created and
dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aiohttp import ClientSession, CookieJar, web

from core.clock import SystemClock
from lti.adapter.launch_data import PrefetchedLaunchData
from lti.adapter.message_launch import AiohttpMessageLaunch
from lti.adapter.request import AiohttpRequest
from lti.adapter.session import AiohttpSessionService
from lti.adapter.tool_config import DbToolConf
from lti.bridge import TimeoutSession
from tests.conftest import POSTGRES_ENV, _create_postgres_database, _drop_postgres_database
from tests.support.lti.platform import Platform, parse_form
from tests.support.lti.world import MEMBERS, World, free_port, open_world

LEARNERS = [f"learner-{i}" for i in range(1, 7)]
HERE = Path(__file__).resolve().parent


class Launching(Protocol):
    @property
    def platform(self) -> Platform: ...


@dataclass
class Apart:
    """The platform served here, the tool in its own process."""

    platform: Platform
    tool_pid: int | None = None


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process has used: this one's when `pid` is None (Linux's /proc otherwise)."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@asynccontextmanager
async def tool_apart(database_url: str, tree: Path) -> AsyncIterator[Apart]:
    tool_port, platform_port = free_port(), free_port()
    tool_url, platform_url = f"http://127.0.0.1:{tool_port}", f"http://127.0.0.1:{platform_port}"
    platform = Platform(base=platform_url, tool=tool_url, members=[dict(m) for m in MEMBERS])
    runner = web.AppRunner(platform.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", platform_port).start()
    tool = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "tool_server.py"),
        database_url,
        str(tool_port),
        platform_url,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert tool.stdout is not None
        ready = await asyncio.wait_for(tool.stdout.readline(), 60)
        if ready.strip() != b"ready":
            raise RuntimeError(f"The tool of {tree} did not start (it said {ready!r}).")
        yield Apart(platform, tool.pid)
    finally:
        assert tool.stdin is not None
        tool.stdin.close()
        await asyncio.wait_for(tool.wait(), 30)
        await runner.cleanup()


@dataclass
class Timings:
    total: list[float] = field(default_factory=list)
    login: list[float] = field(default_factory=list)
    auth: list[float] = field(default_factory=list)
    launch: list[float] = field(default_factory=list)
    tool_login: list[float] = field(default_factory=list)  # the tool's own server time (Server-Timing)
    tool_launch: list[float] = field(default_factory=list)
    failures: int = 0
    wall: float = 0.0
    tool_cpu: float = float("nan")  # seconds of CPU the tool's process used, when it has one of its own
    here_cpu: float = 0.0  # seconds of CPU this process used (the platform and the browsers, or everything)


def server_time(headers: Any) -> float:
    """The tool's own time for a request, from its `Server-Timing: app;dur=<ms>` header, in seconds."""
    for part in str(headers.get("Server-Timing", "")).split(";"):
        if part.strip().startswith("dur="):
            return float(part.strip()[4:]) / 1000
    return float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


async def one_launch(client: ClientSession, world: Launching, user: str, timings: Timings) -> None:
    client.cookie_jar.clear()
    t0 = time.perf_counter()
    login = await client.get(world.platform.login_url(user), allow_redirects=False)
    location = login.headers.get("Location", "")
    await login.read()
    t1 = time.perf_counter()
    auth = await client.get(location)
    action, fields = parse_form(await auth.text())
    t2 = time.perf_counter()
    page = await client.post(action, data=fields)
    body = await page.text()
    t3 = time.perf_counter()
    if login.status != 302 or page.status != 200 or "Study groups" not in body:
        timings.failures += 1
        return
    timings.login.append(t1 - t0)
    timings.auth.append(t2 - t1)
    timings.launch.append(t3 - t2)
    timings.tool_login.append(server_time(login.headers))
    timings.tool_launch.append(server_time(page.headers))
    timings.total.append(t3 - t0)


async def launches(world: Launching, count: int, clients: int) -> Timings:
    timings = Timings()
    queue = iter(range(count))

    async def worker() -> None:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as client:
            for n in queue:
                await one_launch(client, world, LEARNERS[n % len(LEARNERS)], timings)

    tool_pid = getattr(world, "tool_pid", None)
    started, tool_cpu, here_cpu = time.perf_counter(), cpu_seconds(tool_pid), cpu_seconds(None)
    await asyncio.gather(*(worker() for _ in range(clients)))
    timings.wall = time.perf_counter() - started
    timings.here_cpu = cpu_seconds(None) - here_cpu
    if tool_pid is not None:
        timings.tool_cpu = cpu_seconds(tool_pid) - tool_cpu
    return timings


async def pylti1p3_alone(world: World, iterations: int) -> list[float]:
    """pylti1p3's checks on one fresh id_token, timed one by one in this thread."""
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as client:
        login = await client.get(world.platform.login_url("learner-1"), allow_redirects=False)
        auth = await client.get(login.headers["Location"])
        _, fields = parse_form(await auth.text())
    registration = await world.store.registration(world.platform.base, world.platform.client_id)
    assert registration is not None
    clock = SystemClock()
    key = (await world.store.tool_keys())[0]  # made by the warm-up launches
    key_set = world.platform.conf.get_jwks()
    await world.store.save_key_set(registration.id, key_set, clock.now())
    registration = await world.store.registration(world.platform.base, world.platform.client_id)
    assert registration is not None
    request = AiohttpRequest(fields, {}, secure=False)
    storage = PrefetchedLaunchData()

    def run() -> list[float]:
        times = []
        for _ in range(iterations):
            started = time.perf_counter()
            conf = DbToolConf(registration, key, clock.now())
            launch = AiohttpMessageLaunch(
                request,
                conf,
                session_service=AiohttpSessionService(request, storage),
                requests_session=TimeoutSession(),
            )
            # validate()'s own steps, less state, nonce and saving (those need storage)
            launch.set_auto_validation(enable=False)
            (
                launch.validate_jwt_format()
                .validate_registration()
                .validate_jwt_signature()
                .validate_deployment()
                .validate_message()
            )
            times.append(time.perf_counter() - started)
        return times

    return await asyncio.to_thread(run)


def row(name: str, timings: Timings, clients: int) -> str:
    done = len(timings.total)
    rate = done / timings.wall if timings.wall else 0.0
    legs = " / ".join(
        f"{statistics.median(v) * 1000:.1f}" for v in (timings.login, timings.auth, timings.launch)
    )
    tool = " / ".join(f"{statistics.median(v) * 1000:.1f}" for v in (timings.tool_login, timings.tool_launch))
    cpu = " / ".join(f"{c / done * 1000:.1f}" if done else "–" for c in (timings.tool_cpu, timings.here_cpu))
    return (
        f"| {name} | {clients} | {done} | {timings.failures} | {rate:.1f} | "
        f"{percentile(timings.total, 50):.1f} | {percentile(timings.total, 99):.1f} | {legs} | {tool} | {cpu} |"
    )


async def bench(
    database_url: str, name: str, count: int, clients: Sequence[int], validations: int, tree: Path | None
) -> list[str]:
    rows = []
    if tree is not None:
        async with tool_apart(database_url, tree) as apart:
            await launches(apart, 12, 1)  # warm-up: first key, registration cache, person and program rows
            for c in clients:
                rows.append(row(f"full launch, {name}", await launches(apart, count, c), c))
        return rows
    async with open_world(database_url) as world:
        await launches(world, 12, 1)  # warm-up: first key, registration cache, person and program rows
        for c in clients:
            rows.append(row(f"full launch, {name}, one process", await launches(world, count, c), c))
        if validations:
            times = await pylti1p3_alone(world, validations)
            rate = len(times) / sum(times)
            rows.append(
                f"| pylti1p3 alone (id_token checks, no I/O) | 1 | {len(times)} | 0 | {rate:.1f} | "
                f"{percentile(times, 50):.2f} | {percentile(times, 99):.2f} | – | – | – |"
            )
    return rows


async def main(count: int, clients: Sequence[int], validations: int, tree: Path | None) -> None:
    header = [
        "| run | clients | launches | failures | launches/s | p50 (ms) | p99 (ms) "
        "| p50 login / auth / launch (ms) | tool's own p50 login / launch (ms) "
        "| CPU per launch: tool / platform and browsers (ms) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        rows = await bench(f"sqlite:///{tmp}/bench.db", "SQLite", count, clients, validations, tree)
    admin = os.environ.get(POSTGRES_ENV)
    if admin:
        url = await _create_postgres_database(admin)
        try:
            rows += await bench(url, "PostgreSQL", count, clients, validations, tree)
        finally:
            await _drop_postgres_database(admin, url)
    print("\n".join(header + rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--launches", type=int, default=300, help="launches per row")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8], help="concurrent browsers per row")
    parser.add_argument(
        "--validations", type=int, default=500, help="pylti1p3-alone iterations per database (--same-process)"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--tool-tree", type=Path, help="run this checkout's tool (default: this one's)")
    where.add_argument("--same-process", action="store_true", help="tool, platform and browsers on one loop")
    args = parser.parse_args()
    tree = None if args.same_process else (args.tool_tree or HERE.parent.parent).resolve()
    asyncio.run(main(args.launches, args.clients, args.validations, tree))
