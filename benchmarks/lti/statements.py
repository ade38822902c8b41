"""How many SQL statements and transactions each leg of a launch costs the tool: the count that sets a
launch's time on SQLite, where every statement (BEGIN and COMMIT included) is a hop to aiosqlite's thread.

    PYTHONPATH=<tree> .venv/bin/python benchmarks/lti/statements.py

Runs the LTI world of whichever source tree comes first on PYTHONPATH (so an older checkout is counted the same
way) on a fresh SQLite database, warms it up (the tool's key, the registration, each learner's person and
course rows, and a first instructor launch), then counts, for a learner's repeat launch and an instructor's:
statements at /lti/login and at /lti/launch, and the transactions among them (each COMMIT or ROLLBACK).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, CookieJar
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.support.lti.platform import parse_form
from tests.support.lti.world import open_world


@dataclass
class Counts:
    statements: list[str] = field(default_factory=list)
    ends: int = 0  # transactions ended: COMMIT or ROLLBACK

    def reset(self) -> tuple[int, int, list[str]]:
        found = (len(self.statements), self.ends, list(self.statements))
        self.statements.clear()
        self.ends = 0
        return found


COUNTS = Counts()


def _statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    COUNTS.statements.append(" ".join(statement.split())[:100])


def _end(conn: Any) -> None:
    COUNTS.ends += 1


async def one(world: Any, user: str) -> dict[str, tuple[int, int, list[str]]]:
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as client:
        COUNTS.reset()
        login = await client.get(world.platform.login_url(user), allow_redirects=False)
        assert login.status == 302, await login.text()
        at_login = COUNTS.reset()
        auth = await client.get(login.headers["Location"])
        action, fields = parse_form(await auth.text())
        COUNTS.reset()
        page = await client.post(action, data=fields)
        assert page.status == 200, (await page.text())[:400]
        await page.read()
        return {"login": at_login, "launch": COUNTS.reset()}


async def main(verbose: bool) -> None:
    event.listen(Engine, "before_cursor_execute", _statement)
    event.listen(Engine, "commit", _end)
    event.listen(Engine, "rollback", _end)
    with tempfile.TemporaryDirectory() as tmp:
        async with open_world(f"sqlite:///{tmp}/count.db") as world:
            for user in ("learner-1", "learner-2", "teacher-1"):
                await one(world, user)  # warm-up
            for who, user in (("learner, again", "learner-1"), ("instructor, again", "teacher-1")):
                legs = await one(world, user)
                for leg, (statements, transactions, said) in legs.items():
                    print(f"| {who} | {leg} | {statements} | {transactions} |")
                    if verbose:
                        print("\n".join(f"    {s}" for s in said))


if __name__ == "__main__":
    asyncio.run(main("-v" in sys.argv))
