"""Where `matching.match` runs: a port, so a round never runs minutes of matching on the serving event loop.

The composition root gives the services an `ExecutorMatcher` over a process pool it starts and shuts down;
unit tests and one-off scripts use `InProcessMatcher`. A thread pool would not do: matching is numpy and
plain Python, and the GIL would still stall every request for most of the round.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Sequence
from typing import Protocol

import matching


class Matcher(Protocol):
    async def match(
        self,
        participants: Sequence[matching.Participant],
        settings: matching.ProgramSettings,
        history: matching.History,
        seed: int,
    ) -> matching.MatchResult:
        """`matching.match` with the same arguments and result, run wherever this matcher runs it."""
        ...


class InProcessMatcher:
    """Runs the match right here, blocking the event loop while it runs: for tests and scripts only."""

    async def match(
        self,
        participants: Sequence[matching.Participant],
        settings: matching.ProgramSettings,
        history: matching.History,
        seed: int,
    ) -> matching.MatchResult:
        return matching.match(participants, settings, history, seed)


class ExecutorMatcher:
    """Runs the match in `executor` (a `ProcessPoolExecutor`); the caller's event loop keeps serving.

    The arguments are pickled and the result unpickled by the executor's own threads, not on the loop, and
    the task is handed over from a thread too: a pool starts its first process on its first task, which
    waits for the fork server to start and import `matching` (seconds, the first time).
    """

    def __init__(self, executor: concurrent.futures.Executor) -> None:
        self.executor = executor

    async def match(
        self,
        participants: Sequence[matching.Participant],
        settings: matching.ProgramSettings,
        history: matching.History,
        seed: int,
    ) -> matching.MatchResult:
        future = await asyncio.to_thread(
            self.executor.submit, matching.match, list(participants), settings, history, seed
        )
        return await asyncio.wrap_future(future)
