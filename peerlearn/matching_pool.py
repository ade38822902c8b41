"""The worker processes in which rounds run, whole: read, match and store (see `core.services.rounds`).

A round of 100,000 people is seconds of reading and writing rows and of matching, all CPU: on the serving
event loop (or in a thread, under the GIL) it stalled every request for that long, and even handing the
participants to a worker process and the result back cost the loop a second of pickling. So the serving
process sends a worker only the command, the worker opens its own connection to the database and runs the
round there, and sends back a `RoundSummary` (counts and who was not matched).

Built at start-up, shut down on cleanup. The processes are forked from a fork server started for the purpose,
not from the serving process: a plain fork would copy its threads' locks (aiosqlite's, the executor's own)
in whatever state they were in. The fork server imports the round's code (numpy, scipy, SQLAlchemy) once, so
a worker starts in milliseconds and the first round does not wait for the imports.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import forkserver

import matching
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.matcher import InProcessMatcher
from core.model import RoundSummary
from core.services.rounds import run_round
from storage.database import create_engine, refresh_statistics, session_factory, transaction_slots
from storage.unit_of_work import SqlUnitOfWorkFactory

# A round's slices wait this long for SQLite's writer (the server's short writes come first), and a slice
# that still found it busy is written again (`rounds.SLICE_ATTEMPTS`).
BACKGROUND_BUSY_TIMEOUT = 60.0
ANALYZE_AFTER = 1000  # pairings: a round this big changes the tables' row counts enough to re-plan
PRELOAD = ["matching", "core.services.rounds", "storage.unit_of_work", "sqlalchemy.ext.asyncio"]


def default_workers() -> int:
    """Half the CPUs, at most 4: the other half keeps serving while rounds run."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


class FreezingMatcher:
    """`matching.match`, then `gc.freeze()` until the round is stored.

    After matching, a 100,000-person round holds millions of long-lived objects (the participants, the
    matcher's population, the result) while it makes its pairings and writes each member's reasons. Every
    full collection meanwhile walked all of them again: 40 % of writing the reasons (10.1 s against 6.2 s frozen,
    mentoring at 100,000). Frozen, the collector leaves them alone; `_run_round` unfreezes when the round ends,
    so this worker process frees whatever the round left behind before its next round.
    """

    async def match(
        self,
        participants: Sequence[matching.Participant],
        settings: matching.ProgramSettings,
        history: matching.History,
        seed: int,
    ) -> matching.MatchResult:
        result = await InProcessMatcher().match(participants, settings, history, seed)
        gc.freeze()
        return result


def run_round_here(database_url: str, command: commands.RunRound) -> RoundSummary:
    """In a worker process: the whole round on a connection of the worker's own, then the summary."""
    return asyncio.run(_run_round(database_url, command))


async def _run_round(database_url: str, command: commands.RunRound) -> RoundSummary:
    engine = create_engine(database_url, busy_timeout_seconds=BACKGROUND_BUSY_TIMEOUT)
    try:
        uows = SqlUnitOfWorkFactory(
            session_factory(engine),
            transaction_slots(engine),
            background=True,
            writer_wait_seconds=BACKGROUND_BUSY_TIMEOUT,
        )
        # Already in a worker process: matching runs right here.
        outcome = await run_round(command, MessageBus(uows, SystemClock()), FreezingMatcher())
        summary = outcome.summary()
        if summary.pairings >= ANALYZE_AFTER:
            await refresh_statistics(engine)
        return summary
    finally:
        gc.unfreeze()
        await engine.dispose()


class PoolRounds:
    """Runs each round in `executor` (a process pool) against the database at `database_url`."""

    def __init__(self, executor: Executor, database_url: str) -> None:
        self.executor, self.database_url = executor, database_url

    async def run(self, command: commands.RunRound) -> RoundSummary:
        # Handed over from a thread: a pool starts its first process on its first task, which waits for
        # the fork server (seconds, the first time).
        future = await asyncio.to_thread(self.executor.submit, run_round_here, self.database_url, command)
        return await asyncio.wrap_future(future)


def start(database_url: str, workers: int | None = None) -> PoolRounds:
    """Rounds over a new pool. No process starts until the first round runs."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return PoolRounds(ProcessPoolExecutor(workers or default_workers(), mp_context=context), database_url)


async def warm(_: object) -> None:
    """Start the fork server now, in a thread, so that the first round does not wait for its imports.

    Not awaited: start-up goes on meanwhile. Once per process (a running fork server is kept)."""
    asyncio.get_running_loop().run_in_executor(None, forkserver.ensure_running)


def stop(rounds: PoolRounds) -> None:
    """Drop rounds not started yet. One running is stopped with the process: its round stays forming with
    the slices stored so far (see `core.services.rounds._write`), and the next round matches the rest."""
    rounds.executor.shutdown(wait=False, cancel_futures=True)
