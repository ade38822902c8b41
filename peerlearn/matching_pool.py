"""The worker processes in which rounds run `matching.match` (see `core.matcher`).

Built at start-up, shut down on cleanup. The processes are forked from a fork server started for the purpose,
not from the serving process: a plain fork would copy its threads' locks (aiosqlite's, the executor's own)
in whatever state they were in. The fork server imports `matching` (numpy, scipy) once, so a worker starts
in milliseconds and the first round does not wait for the imports.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

from core.matcher import ExecutorMatcher


def default_workers() -> int:
    """Half the CPUs, at most 4: the other half keeps serving while rounds match."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def start(workers: int | None = None) -> ExecutorMatcher:
    """A matcher over a new pool. No process starts until the first round is matched."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["matching"])
    return ExecutorMatcher(ProcessPoolExecutor(workers or default_workers(), mp_context=context))


async def warm(_: object) -> None:
    """Start the fork server now, in a thread, so that the first round does not wait for its imports.

    Not awaited: start-up goes on meanwhile. Once per process (a running fork server is kept)."""
    asyncio.get_running_loop().run_in_executor(None, forkserver.ensure_running)


def stop(matcher: ExecutorMatcher) -> None:
    """Drop rounds not started yet; one still matching is simply not stored (nothing was written for it)."""
    matcher.executor.shutdown(wait=False, cancel_futures=True)
