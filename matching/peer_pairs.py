"""Peer pairs: everybody paired; with an odd number (or a partner nobody can take), one pair becomes a trio."""

from __future__ import annotations

import numpy as np

from matching.candidates import general_edges
from matching.constraints import Constraints
from matching.explain_pairs import pair_reasons
from matching.model import Match, ProgramSettings, Reason, Role, Unmatched, UnmatchedCode
from matching.population import IntArray, Population
from matching.scoring import PEER_FACTORS, factor_values, total
from matching.solve_bipartite import WHOLE
from matching.solve_general import BLOCK, augment_along, match_graph, max_weight_matching

DENSE_LEFTOVERS = 2500
LARGE = 60_000


def _candidate_counts(people: int) -> tuple[int, int]:
    """(teachers per skill level, neighbours per goal and time zone) to look at, by the size of the round."""
    if people <= BLOCK:
        # Solved exactly: twice the candidates cost little (99.5 % of the optimum at 1,000, not 99.0 %).
        return 12, 6
    if people <= WHOLE:
        return 6, 3
    if people <= LARGE:
        return 5, 3  # measured at 100,000: 0.5 % less score than 6, for about a tenth less time
    return 4, 3  # measured at 100,000: 0.75 % less score than 5, for 5-15 % less time (the 10 s target)


def no_time(population: Population, constraints: Constraints) -> list[Unmatched]:
    return [
        Unmatched(
            population.people[int(v)].id,
            UnmatchedCode.NO_TIME,
            f"{population.name(int(v))} has fewer hours this month than one pairing takes",
        )
        for v in np.nonzero(~constraints.has_time)[0]
    ]


def pair_people(
    population: Population, constraints: Constraints, settings: ProgramSettings, people: IntArray, seed: int
) -> IntArray:
    """mate[v] for every node (-1 when unpaired), pairing as many of `people` as the hard constraints allow."""
    n = population.n
    rand = np.random.default_rng(seed).random(n)
    skill_k, reach = _candidate_counts(len(people))
    i, j = general_edges(
        population, people, rand, reach=reach, max_gap=settings.max_level_gap, skill_k=skill_k
    )
    ok = constraints.allowed(i, j)
    i, j = i[ok], j[ok]
    w = total(factor_values(population, constraints, settings, i, j, PEER_FACTORS), len(i))
    mate, (indptr, dst) = match_graph(n, i, j, w)
    free = people[mate[people] < 0]
    if 2 <= len(free) <= DENSE_LEFTOVERS:
        # The few left over try every partner among themselves and along short alternating paths.
        a, b = np.triu_indices(len(free), k=1)
        fi, fj = free[a], free[b]
        ok = constraints.allowed(fi, fj)
        fi, fj = fi[ok], fj[ok]
        fw = total(factor_values(population, constraints, settings, fi, fj, PEER_FACTORS), len(fi))
        sub = max_weight_matching(n, fi, fj, fw)
        hit = sub >= 0
        mate[hit] = sub[hit]
        augment_along(indptr, dst, mate, depth=9)
    return mate


def _host_for(
    population: Population, constraints: Constraints, settings: ProgramSettings, u: int, pairs: IntArray
) -> int:
    """Index of the pair `u` fits best as a third member, or -1 when every pair has someone u cannot join."""
    if len(pairs) == 0:
        return -1
    uu = np.full(len(pairs), u, dtype=np.int64)
    ok = constraints.allowed(uu, pairs[:, 0]) & constraints.allowed(uu, pairs[:, 1])
    if not ok.any():
        return -1
    gain = total(factor_values(population, constraints, settings, uu, pairs[:, 0], PEER_FACTORS), len(uu))
    gain += total(factor_values(population, constraints, settings, uu, pairs[:, 1], PEER_FACTORS), len(uu))
    gain[~ok] = -np.inf
    return int(np.argmax(gain))


def match_peer_pairs(
    population: Population, constraints: Constraints, settings: ProgramSettings, seed: int
) -> tuple[list[Match], list[Unmatched]]:
    unmatched = no_time(population, constraints)
    people = np.nonzero(constraints.has_time)[0].astype(np.int64)
    mate = pair_people(population, constraints, settings, people, seed)
    lo = people[(mate[people] > people)]
    pairs = np.stack([lo, mate[lo]], axis=1) if len(lo) else np.empty((0, 2), dtype=np.int64)
    groups: list[list[int]] = [[int(a), int(b)] for a, b in pairs]
    hosts_left = np.ones(len(groups), dtype=np.bool_)
    joined: dict[int, int] = {}
    for u in people[mate[people] < 0].tolist():
        open_ids = np.nonzero(hosts_left)[0]
        host = _host_for(population, constraints, settings, u, pairs[open_ids])
        if host < 0:
            code = (
                UnmatchedCode.TOO_FEW_PARTICIPANTS if len(people) < 2 else UnmatchedCode.NO_COMPATIBLE_PARTNER
            )
            text = (
                "nobody else opted in this round"
                if len(people) < 2
                else f"everyone {population.name(u)} could be paired with was matched recently, "
                "is on a never-match list, or shares too few available hours"
            )
            unmatched.append(Unmatched(population.people[u].id, code, text))
            continue
        chosen = int(open_ids[host])
        hosts_left[chosen] = False
        groups[chosen].append(u)
        joined[chosen] = u
    first, second = pairs[:, 0].copy(), pairs[:, 1].copy()
    pair_parts = factor_values(population, constraints, settings, first, second, PEER_FACTORS)
    why = pair_reasons(population, settings, first, second, pair_parts)
    score = np.zeros(len(groups), dtype=np.float64)
    for values in pair_parts.values():
        score += values
    if joined:
        # A trio scores its three pairs, factor by factor, in the order `scoring.within` adds them.
        hosts = np.array(sorted(joined), dtype=np.int64)
        third = np.array([joined[h] for h in hosts.tolist()], dtype=np.int64)
        with_a = factor_values(population, constraints, settings, first[hosts], third, PEER_FACTORS)
        with_b = factor_values(population, constraints, settings, second[hosts], third, PEER_FACTORS)
        trio_score = np.zeros(len(hosts), dtype=np.float64)
        for f, values in pair_parts.items():
            trio_score += values[hosts] + with_a[f] + with_b[f]
        score[hosts] = trio_score
    ids = [q.id for q in population.people]
    names = population.names()
    matches: list[Match] = []
    for k, total_score in enumerate(score.tolist()):
        members = groups[k]
        reasons_k = why[k]
        if k in joined:
            text = f"the round had an odd one out, so {names[members[2]]} joins you as a trio"
            reasons_k = (*reasons_k, Reason("trio", 0.0, text))
        matches.append(
            Match(
                members=tuple(ids[m] for m in members),
                roles=(Role.PEER,) * len(members),
                score=round(total_score, 6),
                reasons=reasons_k,
            )
        )
    return matches, unmatched
