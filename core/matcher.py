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

    The arguments are pickled and the result unpickled by the executor's own threads, not on the loop.
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
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, matching.match, list(participants), settings, history, seed
        )
