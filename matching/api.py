"""The one entry point: participants, settings and history in; matches and reasons out."""

from __future__ import annotations

from collections.abc import Sequence

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
    population = Population(participants)
    constraints = Constraints(population, settings, history or History())
    kinds = {
        "mentoring": match_mentoring,
        "peer_pairs": match_peer_pairs,
        "onboarding": match_onboarding,
        "study_groups": match_study_groups,
    }
    matches, unmatched = kinds[settings.kind](population, constraints, settings, seed)
    return MatchResult(
        kind=settings.kind,
        matches=tuple(sorted(matches, key=_match_key)),
        unmatched=tuple(sorted(unmatched, key=lambda u: u.participant_id)),
    )


def _match_key(m: Match) -> tuple[str, ...]:
    return m.members


__all__ = ["match"]
