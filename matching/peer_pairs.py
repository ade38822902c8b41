"""Peer pairs: everybody paired; with an odd number (or a partner nobody can take), one pair becomes a trio."""

from __future__ import annotations

import numpy as np

from matching.candidates import general_edges
from matching.constraints import Constraints
from matching.explain import ruled_out
from matching.explain_members import MemberReasons
from matching.explain_pairs import pair_reasons
from matching.model import Match, ProgramSettings, Reason, Role, Unmatched, UnmatchedCode
from matching.population import FloatArray, IntArray, Population
from matching.repair import host_free
from matching.scoring import PEER_FACTORS, factor_values, pair_scores, total
from matching.solve_bipartite import WHOLE
from matching.solve_general import augment_along, blossom, exact_on_tight, match_graph, max_weight_matching

DENSE_LEFTOVERS = 2500
LARGE = 60_000
EXACT_ALL = 400  # up to this many people, every allowed pair goes to the exact blossom (0.2 s at 400)
EXACT_CANDIDATES = 1500  # up to this many, the candidate graph does (0.25 s at 1,000; 7.6 s at 5,000)
WIDE = 12_000  # up to this many, the wider candidate set (`_candidate_counts`)
REPAIR_CHECKS = 50_000_000


def _candidate_counts(people: int) -> tuple[int, int, int]:
    """(teachers per skill level, neighbours per goal and time zone, neighbours per shared hour) to look at, by
    the size of the round."""
    if people <= EXACT_CANDIDATES:
        # Solved exactly (blossom): more candidates cost little, and a history that used the best pairs rules
        # out a third of them (skewed population at 1,000: 94.1 % of the optimum with 12, 6; 99.2 % with 48, 24).
        return 48, 24, 0
    if people <= WIDE:
        # Measured at 10,000 against the proven bound (benchmarks/matching/bound.py): 6, 3 gave 97.4 % (synthetic)
        # and 91.7 % (skewed); 12, 6 with the finer auction 98.7 % and 94.5 %. Solved near-exactly
        # (`exact_on_tight`), the candidate graph's own optimum is the limit: at most 99.35 % and 96.6 % of the
        # bound with 12, 6; 99.8 % and 98.6 % with 24, 12. Then 24, 12 gave 99.74 % and 98.16 %; people free in
        # the same hour (`candidates.shared_hour_edges`) raised skewed to 99.46 % (4 per hour) and 99.54 % (6), and
        # synthetic to 99.82 % (4) and 99.81 % (6).
        return 24, 12, 6
    if people <= WHOLE:
        return 12, 6, 0
    if people <= LARGE:
        return 5, 3, 0  # measured at 100,000: 0.5 % less score than 6, for about a tenth less time
    # Measured at 100,000: 0.75 % less score than 5, for 5-15 % less time (the 10 s target). Shared-hour
    # neighbours (2 per hour) added 0.1 % there for 1 s more, so they are left out.
    return 4, 3, 0


def no_time(population: Population, constraints: Constraints) -> list[Unmatched]:
    return [
        Unmatched(
            population.people[int(v)].id,
            UnmatchedCode.NO_TIME,
            f"{population.name(int(v))} has fewer hours this month than one pairing takes",
        )
        for v in np.nonzero(~constraints.has_time)[0]
    ]


def _all_allowed(
    population: Population, constraints: Constraints, settings: ProgramSettings, people: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    a, b = np.triu_indices(len(people), k=1)
    i, j = people[a], people[b]
    ok = constraints.allowed(i, j)
    i, j = i[ok], j[ok]
    return i, j, pair_scores(population, constraints, settings, i, j, PEER_FACTORS)


def pair_people(
    population: Population, constraints: Constraints, settings: ProgramSettings, people: IntArray, seed: int
) -> IntArray:
    """mate[v] for every node (-1 when unpaired), pairing as many of `people` as the hard constraints allow.

    Small rounds are solved exactly over every allowed pair. Larger ones get a few candidates per person, solved
    exactly (blossom) up to `EXACT_CANDIDATES` people, exactly on the near-tight edges (`exact_on_tight`) up to
    `WIDE` and near-optimally beyond; then everyone left over looks at
    every allowed partner, directly and along augmenting paths of three edges (`augment_everywhere`).
    """
    n = population.n
    if len(people) <= EXACT_ALL:
        return blossom(n, *_all_allowed(population, constraints, settings, people))
    rand = np.random.default_rng(seed).random(n)
    skill_k, reach, per_hour = _candidate_counts(len(people))
    i, j = general_edges(
        population,
        people,
        rand,
        reach=reach,
        max_gap=settings.max_level_gap,
        skill_k=skill_k,
        per_hour=per_hour,
    )
    ok = constraints.allowed(i, j)
    i, j = i[ok], j[ok]
    w = pair_scores(population, constraints, settings, i, j, PEER_FACTORS)
    if len(people) <= EXACT_CANDIDATES:
        mate = blossom(n, i, j, w)
        # Then every allowed pair (half a million at 1,000) near the dual's tight ones: the candidates' optimum
        # was 99.4 % of the exact one on the skewed population at 1,000.
        exact_on_tight(n, *_all_allowed(population, constraints, settings, people), mate)
    else:
        mate, (indptr, dst) = match_graph(n, i, j, w)
        if len(people) <= WIDE:
            exact_on_tight(n, i, j, w, mate)
            augment_along(indptr, dst, mate)
        free = people[mate[people] < 0]
        if 2 <= len(free) <= DENSE_LEFTOVERS:
            # The few left over try every partner among themselves and along short alternating paths.
            fi, fj, fw = _all_allowed(population, constraints, settings, free)
            sub = max_weight_matching(n, fi, fj, fw)
            hit = sub >= 0
            mate[hit] = sub[hit]
            augment_along(indptr, dst, mate, depth=9)
    augment_everywhere(population, constraints, settings, people, mate)
    return mate


def augment_everywhere(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    people: IntArray,
    mate: IntArray,
) -> None:
    """Pair people left over with any allowed partner: a free one, or via a pair (u, a, b, v: u-a and b-v).

    The search is over every allowed partner, not only the candidates; it stops after `REPAIR_CHECKS` pair
    checks, which only a round of many people with very few allowed partners each would reach.
    """
    budget = REPAIR_CHECKS
    for u in people[mate[people] < 0].tolist():
        free = people[mate[people] < 0]
        free = free[free != u]
        if mate[u] >= 0 or len(free) == 0 or budget <= 0:
            continue
        uu = np.full(len(people), u, dtype=np.int64)
        near = people[constraints.allowed(uu, people)]
        budget -= len(people)
        direct = near[mate[near] < 0]
        if len(direct):
            value = total(
                factor_values(population, constraints, settings, uu[: len(direct)], direct, PEER_FACTORS),
                len(direct),
            )
            v = int(direct[int(np.argmax(value))])
            mate[u], mate[v] = v, u
            continue
        a = near[mate[near] >= 0]
        b = mate[a]
        for v in free.tolist():
            if budget <= 0:
                break
            ok = constraints.allowed(np.full(len(b), v, dtype=np.int64), b)
            budget -= len(b)
            if ok.any():
                k = int(np.argmax(ok))
                mate[u], mate[a[k]] = a[k], u
                mate[v], mate[b[k]] = b[k], v
                break


def _hosts_for(
    population: Population, constraints: Constraints, settings: ProgramSettings, u: int, pairs: IntArray
) -> tuple[IntArray, FloatArray]:
    """The pairs u may join as a third member (allowed with both), and what u adds to each."""
    if len(pairs) == 0:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    uu = np.full(len(pairs), u, dtype=np.int64)
    rows = np.nonzero(constraints.allowed(uu, pairs[:, 0]) & constraints.allowed(uu, pairs[:, 1]))[0]
    uu = uu[: len(rows)]
    gain = total(factor_values(population, constraints, settings, uu, pairs[rows, 0], PEER_FACTORS), len(uu))
    gain += total(factor_values(population, constraints, settings, uu, pairs[rows, 1], PEER_FACTORS), len(uu))
    return rows.astype(np.int64), gain


def _why_alone(population: Population, constraints: Constraints, people: IntArray, u: int) -> Unmatched:
    """Why u is left out, once as many people as possible are paired and every pair that could take u has."""
    pid = population.people[u].id
    if len(people) < 2:
        return Unmatched(pid, UnmatchedCode.TOO_FEW_PARTICIPANTS, "nobody else opted in this round")
    others = people[people != u]
    uu = np.full(len(others), u, dtype=np.int64)
    if constraints.allowed(uu, others).any():
        return Unmatched(
            pid,
            UnmatchedCode.NO_COMPATIBLE_PARTNER,
            "everyone you could be paired with is already in a pair this round, "
            "and no pair you could join as a third had room",
        )
    return Unmatched(
        pid,
        UnmatchedCode.NO_COMPATIBLE_PARTNER,
        "everyone else in the round " + ruled_out(constraints, uu, others),
    )


def match_peer_pairs(
    population: Population, constraints: Constraints, settings: ProgramSettings, seed: int
) -> tuple[list[Match], list[Unmatched]]:
    unmatched = no_time(population, constraints)
    people = np.nonzero(constraints.has_time)[0].astype(np.int64)
    mate = pair_people(population, constraints, settings, people, seed)
    lo = people[(mate[people] > people)]
    pairs = np.stack([lo, mate[lo]], axis=1) if len(lo) else np.empty((0, 2), dtype=np.int64)
    groups: list[list[int]] = pairs.tolist()
    free = people[mate[people] < 0].tolist()

    def can_join(u: int) -> tuple[IntArray, FloatArray]:
        return _hosts_for(population, constraints, settings, u, pairs)

    joined = {host: u for u, host in host_free(free, pairs, can_join).items()}
    for host, u in joined.items():
        groups[host].append(u)
    placed = set(joined.values())
    for u in free:
        if u not in placed:
            unmatched.append(_why_alone(population, constraints, people, u))
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
    roles_of = {2: (Role.PEER,) * 2, 3: (Role.PEER,) * 3}
    for k, total_score in enumerate(score.tolist()):
        members = groups[k]
        reasons_k = why[k]
        if k in joined:
            text = f"the round had an odd one out, so {names[members[2]]} joins you as a trio"
            reasons_k = (*reasons_k, Reason("trio", 0.0, text))
        roles = roles_of[len(members)]
        own = MemberReasons(population, settings, members, roles, pair_parts, third=joined.get(k), row=k)
        matches.append(
            Match(
                members=tuple(map(ids.__getitem__, members)),
                roles=roles,
                score=round(total_score, 6),
                reasons=reasons_k,
                writer=own,
            )
        )
    return matches, unmatched
