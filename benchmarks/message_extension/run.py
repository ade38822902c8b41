"""The compose box's expert search (`composeExtension/query`) answered at 100,000 people.

    .venv/bin/python -m benchmarks.message_extension.run [--people 100000] [--requests 300]

SQLite always; PostgreSQL too when PEERLEARN_TEST_POSTGRES_URL names a server (a database is created and
dropped). The tenant of `benchmarks.serving_during_round.seed` (N people with profiles: a long tail of skills,
the most popular taught by most people), of whom one in three chose to be findable, plus completed pairings
and learning notes (half of them shared) tagged with the same skills. The app runs as `peerlearn serve` in its
own process; this driver sends Teams-shaped invokes one at a time over HTTP on 127.0.0.1 and times each answer
(loopback HTTP included, so the server's own time is at most this).

Searched: the most taught skill (tens of thousands of teachers, thousands of shared notes), a middling one,
a rare one, and one nobody teaches. The baseline, measured in the same run against the same server, is the
typeahead invoke for time zones (`application/search`, dataset `timezones`): the same bot stack and invoke
path, no database. (The skills typeahead would be the closer baseline, but at 100,000 people on PostgreSQL it
fails: it reads every profile of the organization in one statement, over asyncpg's 32,767 parameters.)
The server runs without its background worker (`RUN_WORKER=false`): nothing is due in this tenant, and the
worker's check-in scheduler fails the same way on PostgreSQL over the 40,000 pairings seeded here.
Teams waits 5 seconds for a message extension; the goal here is a p99 under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text, update

from benchmarks.serving_during_round.seed import ORG, PROGRAM, TENANT, seed
from storage.database import create_engine, session_factory
from storage.models import PairingMemberRow, PairingRow, ProfileRow
from storage.models_notes import LearningNoteAuthorRow, LearningNoteRow, LearningNoteTagRow
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import _create_postgres_database, _drop_postgres_database

NOTES_PER_PERSON = 0.4  # 40,000 notes at 100,000 people, half of them shared
BATCH = 5000
QUERIES = {
    "most taught": "Skill 0",
    "middling": "Skill 20",
    "rare": "Skill 390",
    "nobody": "Quantum basket weaving",
}


def _person(i: int) -> str:
    return f"p{i:06d}"


async def seed_search(database_url: str, people: int) -> None:
    """The people (`serving_during_round.seed`), one in three findable, and completed pairings with notes."""
    await seed(database_url, people)
    engine = create_engine(database_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    rng = random.Random(17)
    skills = [f"Skill {k}" for k in range(max(40, people // 250))]
    now = datetime.now(UTC) - timedelta(days=30)
    try:
        async with uows() as uow:
            findable = [_person(i) for i in range(people) if i % 3 == 0]
            for start in range(0, len(findable), BATCH):
                await uow.session.execute(
                    update(ProfileRow)
                    .where(ProfileRow.person_id.in_(findable[start : start + BATCH]))
                    .values(discoverable_as_expert=True)
                )
            await uow.commit()
        notes = int(people * NOTES_PER_PERSON)
        for start in range(0, notes, BATCH):
            async with uows() as uow:
                rows: list[object] = []
                for n in range(start, min(start + BATCH, notes)):
                    pairing, note = f"{n:031d}p", f"{n:031d}n"
                    a, b = _person((2 * n) % people), _person((2 * n + 1) % people)
                    at = now + timedelta(seconds=n)
                    rows.append(
                        PairingRow(
                            id=pairing,
                            organization_id=ORG,
                            program_id=PROGRAM,
                            round_id=None,
                            created_at=at,
                            status="completed",
                            shared_goal="",
                            skill=None,
                            score=0.0,
                            reasons=[],
                        )
                    )
                    rows += [
                        PairingMemberRow(
                            organization_id=ORG,
                            pairing_id=pairing,
                            person_id=p,
                            position=k,
                            role="peer",
                            response="accepted",
                        )
                        for k, p in enumerate((a, b))
                    ]
                    shared = n % 2 == 0
                    rows.append(
                        LearningNoteRow(
                            id=note,
                            organization_id=ORG,
                            program_id=PROGRAM,
                            pairing_id=pairing,
                            text=f"What pair {n} learned: a sentence or two of real advice.",
                            visibility="shared" if shared else "private",
                            created_at=at,
                            updated_at=None,
                        )
                    )
                    rows.append(
                        LearningNoteAuthorRow(
                            organization_id=ORG, note_id=note, person_id=a, attributed=n % 4 == 0, position=0
                        )
                    )
                    tags = {skills[min(int(rng.paretovariate(1.1)) - 1, len(skills) - 1)] for _ in range(2)}
                    rows += [
                        LearningNoteTagRow(
                            organization_id=ORG,
                            note_id=note,
                            skill_key=t.casefold(),
                            label=t,
                            position=k,
                            shared=shared,
                            created_at=at,
                        )
                        for k, t in enumerate(sorted(tags))
                    ]
                for kind in (
                    PairingRow,
                    PairingMemberRow,
                    LearningNoteRow,
                    LearningNoteAuthorRow,
                    LearningNoteTagRow,
                ):
                    uow.session.add_all([r for r in rows if isinstance(r, kind)])
                    await uow.session.flush()
                await uow.commit()
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


def _activity(person: int, name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "invoke",
        "name": name,
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": "http://127.0.0.1:9/",  # never called: both invokes are answered in the response
        "from": {"id": f"29:user-{person}", "aadObjectId": f"aad-{person}", "name": f"Person {person}"},
        "recipient": {"id": "28:peerlearn-bot", "name": "peerlearn"},
        "conversation": {"id": f"a:personal-{person}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "value": value,
    }


def find_help(person: int, skill: str) -> dict[str, Any]:
    value = {
        "commandId": "findHelp",
        "parameters": [{"name": "skill", "value": skill}],
        "queryOptions": {"skip": 0, "count": 25},
    }
    return _activity(person, "composeExtension/query", value)


def typeahead(person: int, typed: str) -> dict[str, Any]:
    value = {"queryText": typed, "dataset": "timezones", "queryOptions": {"skip": 0, "top": 15}}
    return _activity(person, "application/search", value)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawn(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
    """Outside the coroutines: starting a process blocks for a moment (ruff's ASYNC rule)."""
    return subprocess.Popen(*args, **kwargs)


async def _serve(database_url: str, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "WARNING",
        "RUN_WORKER": "false",
    }
    env.pop("MicrosoftAppId", None)
    log = (work / "server.log").open("wb")
    server = _spawn(
        [sys.executable, "-m", "peerlearn.cli", "serve"], cwd=work, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            with contextlib.suppress(aiohttp.ClientError):  # not listening yet
                async with session.get(f"{base}/healthz") as r:
                    if r.status == 200:
                        return server, base
            await asyncio.sleep(0.1)
    server.terminate()
    raise SystemExit(f"the server did not come up; see {work / 'server.log'}")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(base: str, make: Any, people: int, requests: int) -> dict[str, Any]:
    """`requests` invokes one after the other, each from a random person of the tenant."""
    rng = random.Random(5)
    times: list[float] = []
    results: list[int] = []
    async with aiohttp.ClientSession() as session:
        for i in range(requests + 10):
            body = make(rng.randrange(people))
            started = time.perf_counter()
            async with session.post(f"{base}/api/messages", json=body) as r:
                answer = await r.json()
                assert r.status == 200, answer
            elapsed = (time.perf_counter() - started) * 1000
            if i >= 10:  # the first ten warm the server's caches and connections
                times.append(elapsed)
                extension = answer.get("composeExtension") if isinstance(answer, dict) else None
                results.append(len(extension.get("attachments") or []) if isinstance(extension, dict) else -1)
    return {
        "p50": statistics.median(times),
        "p99": _percentile(times, 0.99),
        "max": max(times),
        "results": max(results),
    }


async def one_database(name: str, database_url: str, people: int, requests: int) -> list[dict[str, Any]]:
    started = time.perf_counter()
    await seed_search(database_url, people)
    print(f"{name}: seeded {people} people in {time.perf_counter() - started:.0f} s", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        server, base = await _serve(database_url, Path(work))
        try:
            rows.append(
                {"database": name, "what": "baseline: time zone typeahead 'Berl'"}
                | await measure(base, lambda p: typeahead(p, "Berl"), people, requests)
            )
            for label, skill in QUERIES.items():
                measured = await measure(base, lambda p, s=skill: find_help(p, s), people, requests)
                rows.append({"database": name, "what": f"find help: {label} ('{skill}')"} | measured)
                print(rows[-1], flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| database | invoke | p50 (ms) | p99 (ms) | max (ms) | results shown |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        shown = "" if r["results"] < 0 else str(r["results"])
        lines.append(
            f"| {r['database']} | {r['what']} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {shown} |"
        )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    print("load before:", os.getloadavg(), flush=True)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as work:
        rows += await one_database("SQLite", f"sqlite:///{work}/search.db", args.people, args.requests)
    admin = os.environ.get("PEERLEARN_TEST_POSTGRES_URL")
    if admin:
        url = await _create_postgres_database(admin)
        try:
            rows += await one_database("PostgreSQL", url, args.people, args.requests)
        finally:
            await _drop_postgres_database(admin, url)
    print("load after:", os.getloadavg(), flush=True)
    print(table(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    asyncio.run(main(parser.parse_args()))
