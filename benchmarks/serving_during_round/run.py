"""Health checks and card actions while a big round of matching runs, with rounds matched two ways.

    .venv/bin/python -m benchmarks.serving_during_round.run --people 100000
    .venv/bin/python -m benchmarks.serving_during_round.run --people 100000 --postgres postgresql://…/postgres

One database is seeded (SQLite, or PostgreSQL with `--postgres`; `--people` people with profiles in one peer-pairs program, see `seed`), then
copied for each mode, so both rounds start from the same state. For each mode a server process starts
(`server.py`: `in-loop` is how rounds ran before, `worker-process` is the app as it ships), without the
background worker (RUN_WORKER=false: nothing is sent; a round runs in the app's pool as always), and a fake
Bot Connector (`benchmarks.delivery.fake_connector`) the seeded conversations point at. The clients, in
this process, run three phases, each with one `GET /healthz` every 50 ms and one `help` card action every
100 ms (each waits for the previous answer):

- *idle*: `--idle` seconds before the round;
- *round*: from the facilitator's "Match now" until its answer (the round's card);
- *after*: `--after` seconds after it.

A phase counts the requests sent during it, with their whole latency even when answered later.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import make_url

from benchmarks.delivery.fake_connector import FakeTeams
from benchmarks.serving_during_round import traffic
from benchmarks.serving_during_round.seed import seed
from core.model import ProgramKind

MODES = ("in-loop", "worker-process")
HELPERS = range(1, 6)  # the people who click `help` during the phases
ROUND_WAIT_SECONDS = 1800


async def start_connector() -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(FakeTeams().app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


def row(
    mode: str, phase: str, seconds: float, probe: traffic.Probe, start: float, end: float
) -> dict[str, Any]:
    sent = [a for a in probe.answers if start <= a.started < end]
    answered = [a.ms for a in sent if a.status == 200]
    return {
        "mode": mode,
        "phase": phase,
        "seconds": round(seconds, 1),
        "request": probe.name,
        "sent": len(sent),
        "failed": len(sent) - len(answered),
        "p50_ms": round(traffic.percentile(answered, 0.5), 1),
        "p99_ms": round(traffic.percentile(answered, 0.99), 1),
        "max_ms": round(max(answered, default=float("nan")), 1),
    }


async def one_mode(
    mode: str, database_url: str, connector: str, idle: float, after: float
) -> list[dict[str, Any]]:
    server = subprocess.Popen(  # noqa: ASYNC220 - started before any probe runs
        [sys.executable, "-m", "benchmarks.serving_during_round.server", mode, database_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    assert server.stdin is not None
    loop = asyncio.get_running_loop()
    base = json.loads(await loop.run_in_executor(None, server.stdout.readline))["url"]
    rows: list[dict[str, Any]] = []
    try:
        # The facilitator waits for the round's card however long the round takes (aiohttp's default gives
        # up after 300 s, which a 100,000-person round on SQLite can pass); each probe has its own limit.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=ROUND_WAIT_SECONDS)) as http:
            for person in HELPERS:  # first contacts (a person's 1:1 chat is stored) before the clock starts
                async with http.post(
                    f"{base}/api/messages", json=traffic.invoke(person, "help", {}, connector)
                ) as response:
                    assert response.status == 200, await response.text()
            health, helps = traffic.Probe("healthz"), traffic.Probe("help card action")
            stop = asyncio.Event()
            probes = [
                asyncio.create_task(health.run(http, traffic.health(base), stop, every=0.05)),
                asyncio.create_task(
                    helps.run(http, traffic.helps(base, connector, HELPERS), stop, every=0.1)
                ),
            ]
            t0 = time.perf_counter()
            await asyncio.sleep(idle)
            t1 = time.perf_counter()
            async with http.post(f"{base}/api/messages", json=traffic.match_now(connector)) as response:
                body = await response.text()
                assert response.status == 200, body[:500]
                assert "Round 1" in body, body[:500]
            t2 = time.perf_counter()
            await asyncio.sleep(after)
            t3 = time.perf_counter()
            stop.set()
            await asyncio.gather(*probes)
        for probe in (health, helps):
            for a in probe.answers:
                if a.status != 200:
                    print(
                        f"{mode}: {probe.name} sent at {a.started - t1:+.1f} s from Match now, "
                        f"{a.error or a.status} after {a.ms / 1000:.1f} s (round {t2 - t1:.1f} s)",
                        file=sys.stderr,
                    )
        for probe in (health, helps):  # where the round's slowest answers fell (seconds from Match now)
            slowest = sorted((a for a in probe.answers if t1 <= a.started < t2), key=lambda a: -a.ms)[:5]
            print(
                f"{mode}: slowest {probe.name} during the round ({t2 - t1:.1f} s): "
                + ", ".join(f"{a.ms:.0f} ms at +{a.started - t1:.1f} s" for a in slowest),
                file=sys.stderr,
            )
        for phase, start, end in (("idle", t0, t1), ("round", t1, t2), ("after", t2, t3)):
            for probe in (health, helps):
                rows.append(row(mode, phase, end - start, probe, start, end))
    finally:
        server.stdin.close()
        await loop.run_in_executor(None, server.wait)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| mode | phase | phase length (s) | request | sent | failed | p50 (ms) | p99 (ms) | max (ms) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['mode']} | {r['phase']} | {r['seconds']} | {r['request']} | {r['sent']} | {r['failed']} | "
        f"{r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} |"
        for r in rows
    ]
    return "\n".join(lines)


async def _postgres(admin_url: str, sql: str) -> None:
    import asyncpg  # only the PostgreSQL lane needs the driver directly

    connection = await asyncpg.connect(
        make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _database(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def main(args: argparse.Namespace) -> None:
    connector_runner, connector = await start_connector()
    modes = args.modes.split(",")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            if args.postgres:
                # Seeded once, then each mode's database made from it as a template (same rows, same state).
                names = ["bench_round_seeded", *(f"bench_round_{m.replace('-', '_')}" for m in modes)]
                for name in names:
                    await _postgres(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await _postgres(args.postgres, f'CREATE DATABASE "{names[0]}"')
                await seed(_database(args.postgres, names[0]), args.people, ProgramKind.PEER_PAIRS, connector)
                for name in names[1:]:
                    await _postgres(args.postgres, f'CREATE DATABASE "{name}" TEMPLATE "{names[0]}"')
                urls = [_database(args.postgres, name) for name in names[1:]]
            else:
                seeded = Path(args.seed_cache) if args.seed_cache else Path(tmp) / "seeded.db"
                if not seeded.exists():
                    await seed(
                        f"sqlite:///{seeded}", args.people, ProgramKind.PEER_PAIRS, service_url=connector
                    )
                urls = []
                for mode in modes:
                    shutil.copy(seeded, Path(tmp) / f"{mode}.db")
                    urls.append(f"sqlite:///{Path(tmp) / f'{mode}.db'}")
            print(f"seeded {args.people} people in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            rows = []
            for mode, url in zip(modes, urls, strict=True):
                rows += await one_mode(mode, url, connector, args.idle, args.after)
                print(table(rows), file=sys.stderr)
        print(table(rows))
    finally:
        await connector_runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: in-loop, worker-process")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds measured before the round")
    parser.add_argument("--after", type=float, default=10.0, help="seconds measured after the round")
    parser.add_argument(
        "--seed-cache",
        default="",
        help="SQLite: a file the seeded database is kept in and taken from when it exists (same --people; "
        "the connector's address in it is then stale, which nothing here uses: the server sends nothing)",
    )
    parser.add_argument(
        "--postgres",
        default="",
        help="an admin URL: run on PostgreSQL (databases bench_round_* are made anew)",
    )
    asyncio.run(main(parser.parse_args()))
