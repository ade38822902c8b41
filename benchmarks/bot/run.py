"""Check-in card actions posted to /api/messages by 100 concurrent clients, beside a bare botbuilder bot.

    .venv/bin/python -m benchmarks.bot.run [--requests 2000] [--clients 100] [--paced 0.25,0.5,0.75]

SQLite always; PostgreSQL too when PEERLEARN_TEST_POSTGRES_URL names a server (a database is created and
dropped). Each request is a Teams-shaped `adaptiveCard/action` invoke with its own activity id, submitting
a check-in for the sender's active pairing; the reference is a bare `ActivityHandler` on `CloudAdapter`
answering the same invoke with a fixed card, measured in the same run. Every server runs in its own process
(`benchmarks.bot.server`), this driver in another, as Teams and the bot would be on different machines.

Two loads, each against every server:
- saturated: every client posts its next request as soon as the last is answered (closed loop). This gives
  the throughput; its latency is queueing (Little's law: p50 ≈ clients / throughput, for the echo bot too).
- paced: the same clients, each posting at a fixed interval so that together they offer a share (`--paced`,
  one run per share) of the echo bot's saturated throughput. This gives the latency of a request when the
  server keeps up, and where it stops keeping up.

Beside throughput and latency, each row gives the server's own CPU time per request (from its rusage),
which moves far less than wall-clock figures on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

import aiohttp

from benchmarks.bot.server import invoke
from tests.conftest import _create_postgres_database, _drop_postgres_database

Loads = list[tuple[str, float | None]]  # (name, interval per client, or None for back to back)


class Server:
    """A `benchmarks.bot.server` child process: its URL, its seeded clients, and its CPU clock."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.bot.server", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = json.loads(self._stdout().readline())
        self.url: str = ready["url"]
        self.clients: list[tuple[str, str]] = [tuple(c) for c in ready["clients"]]

    def _stdout(self) -> IO[str]:
        assert self.process.stdout is not None
        return self.process.stdout

    def cpu_seconds(self) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write("cpu\n")
        self.process.stdin.flush()
        return float(json.loads(self._stdout().readline())["cpu_seconds"])

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


async def load(server: Server, total: int, interval: float | None = None) -> dict[str, float]:
    """`total` requests from all clients; back to back, or each client every `interval` seconds."""
    clients = server.clients
    latencies: list[float] = []
    failures = 0
    per_client = max(1, total // len(clients))
    headers = {"Content-Type": "application/json"}

    async def client(session: aiohttp.ClientSession, index: int, count: int) -> None:
        nonlocal failures
        user, pairing_id = clients[index]
        if interval is not None:  # spread the clients' first requests over one interval
            await asyncio.sleep(interval * index / len(clients))
        for _ in range(count):
            body = json.dumps(invoke(user, pairing_id)).encode()
            started = time.perf_counter()
            async with session.post(server.url, data=body, headers=headers) as response:
                answer = await response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200 or (b"Thanks for checking in" not in answer and b'"ok"' not in answer):
                failures += 1
            if interval is not None:
                await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))

    connector = aiohttp.TCPConnector(limit=len(clients))
    async with aiohttp.ClientSession(connector=connector) as session:
        # Warm-up: every client once (its connection, and the server's first sight of each person).
        await asyncio.gather(*(client(session, i, 1) for i in range(len(clients))))
        latencies.clear()
        failures = 0
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        await asyncio.gather(*(client(session, i, per_client) for i in range(len(clients))))
        elapsed = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "failures": failures,
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
        "server_cpu_ms_per_request": round(cpu / len(latencies) * 1000, 2),
    }


async def measure(server: Server, total: int, loads: Loads) -> dict[str, Any]:
    try:
        return {name: await load(server, total, interval) for name, interval in loads}
    finally:
        server.stop()


def print_table(results: dict[str, dict[str, Any]], clients: int) -> None:
    reference = results["echo bot (botbuilder, no storage)"]
    print(f"{clients} clients")
    print(
        "| server | load | requests | failures | throughput (req/s) | share of echo | p50 (ms) | p99 (ms) "
        "| server CPU per request (ms) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, runs in results.items():
        for load_name, r in runs.items():
            share = f"{r['throughput_rps'] / reference[load_name]['throughput_rps']:.0%}"
            print(
                f"| {name} | {load_name} | {r['requests']} | {r['failures']} | {r['throughput_rps']} | {share} "
                f"| {r['p50_ms']} | {r['p99_ms']} | {r['server_cpu_ms_per_request']} |"
            )
    print(json.dumps(results))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument(
        "--paced", default="0.25,0.5,0.75", help="offered loads, as shares of the echo bot's throughput"
    )
    args = parser.parse_args()
    shares = [float(share) for share in args.paced.split(",")]
    results: dict[str, dict[str, Any]] = {}
    echo = Server("echo", str(args.clients))
    saturated = await load(echo, args.requests)
    loads: Loads = [("saturated", None)]
    for share in shares:
        offered = share * saturated["throughput_rps"]
        loads.append((f"paced, {offered:.0f} req/s offered", args.clients / offered))
    results["echo bot (botbuilder, no storage)"] = {"saturated": saturated} | await measure(
        echo, args.requests, loads[1:]
    )
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Server("peerlearn", f"sqlite:///{tmp}/bench.db", str(args.clients))
        results["peerlearn, SQLite"] = await measure(sqlite, args.requests, loads)
    admin = os.environ.get("PEERLEARN_TEST_POSTGRES_URL")
    if admin:
        url = await _create_postgres_database(admin)
        try:
            postgres = Server("peerlearn", url, str(args.clients))
            results["peerlearn, PostgreSQL"] = await measure(postgres, args.requests, loads)
        finally:
            await _drop_postgres_database(admin, url)
    print_table(results, args.clients)


if __name__ == "__main__":
    asyncio.run(main())
