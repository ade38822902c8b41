"""Where `matching.match` runs within a round: a port, so tests can watch what happens while it matches.

The app runs whole rounds in its worker processes (`core.ports.RoundRunner`, `peerlearn.matching_pool`),
where matching runs in process; so does `InProcessMatcher` for tests and scripts.
"""

from __future__ import annotations

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
