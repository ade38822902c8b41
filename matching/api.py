"""The one entry point: participants, settings and history in; matches and reasons out."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from matching.constraints import Constraints
from matching.mentoring import match_mentoring
from matching.model import History, Match, MatchResult, Participant, ProgramSettings
from matching.onboarding import match_onboarding
from matching.peer_pairs import match_peer_pairs
from matching.population import Population
from matching.study_groups import match_study_groups


def match(
    participants: Sequence[Participant],
    settings: ProgramSettings,
    history: History | None = None,
    seed: int = 0,
) -> MatchResult:
    """Form this round's pairings or groups.

    The same input and seed always give the same result, whatever the order of `participants`.
    Raises ValueError for a duplicate participant id, a level outside 1..5 or a slot outside 0..167.
    """
    kinds = {
        "mentoring": match_mentoring,
        "peer_pairs": match_peer_pairs,
        "onboarding": match_onboarding,
        "study_groups": match_study_groups,
    }
    with _collector_paused():
        population = Population(participants)
        constraints = Constraints(population, settings, history or History())
        matches, unmatched = kinds[settings.kind](population, constraints, settings, seed)
    return MatchResult(
        kind=settings.kind,
        matches=tuple(sorted(matches, key=_match_key)),
        unmatched=tuple(sorted(unmatched, key=lambda u: u.participant_id)),
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one `match()`, as it was before afterwards.

    A round allocates millions of short-lived tuples and arrays, and each burst of allocations set off a
    collection that walked every live object, the caller's participants and history included: about 1 s of
    a 100,000-person peer-pair round (8.9-9.2 s with it, 7.1-8.5 s without, same peak memory). Nothing here
    builds reference cycles, so reference counting frees all of it; at the worst, cycles made meanwhile by
    other threads wait until the round ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _match_key(m: Match) -> tuple[str, ...]:
    return m.members


__all__ = ["match"]
