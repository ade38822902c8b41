"""Explainable pairing and group formation: pure functions, data in and assignments out.

    result = match(participants, ProgramSettings(kind="peer_pairs"), History(...), seed=7)

Nothing here does I/O or imports the rest of peerlearn.
"""

from __future__ import annotations

from matching.api import match
from matching.model import (
    History,
    Match,
    MatchResult,
    Participant,
    PastGroup,
    ProgramKind,
    ProgramSettings,
    Reason,
    Role,
    Unmatched,
    UnmatchedCode,
    Weights,
)
from matching.study_groups import group_sizes

__all__ = [
    "History",
    "Match",
    "MatchResult",
    "Participant",
    "PastGroup",
    "ProgramKind",
    "ProgramSettings",
    "Reason",
    "Role",
    "Unmatched",
    "UnmatchedCode",
    "Weights",
    "group_sizes",
    "match",
]
