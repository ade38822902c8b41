"""Study groups: a partition into groups of the program's size, improved by moves and swaps.

Starts: people ordered by their main goal, then time zone, cut into groups of the planned sizes; and a plain
greedy partition (each group grown from its first free member by the best addition among the members' best
candidate partners, or among the next people left when none of those may join), whichever is better, so the result
is never below the greedy one. Small rounds (up to `SMALL` people) also start from several shuffles (and,
under a balancing rule, from people sorted by the balanced attributes) and try every move and swap between any two
groups, best first, which keeps the balancing rule from trapping the search. Large rounds try, for each person,
the groups of their best candidate partners. Moves and swaps keep sizes within one of each other.

Then the feasibility repair: whoever breaks a hard constraint in their group is taken out and placed again (into
a group they fit, in exchange for someone who fits elsewhere, or in a new group of two with someone taken from a
larger group); in rounds of up to `EXACT_PLACEMENT` people, anyone still out triggers an exact search for the
partition that places the most people. Groups then hold from 2 to one more than the planned size.
"""

from __future__ import annotations

import numpy as np

from matching.candidates import general_edges
from matching.constraints import Constraints
from matching.explain import reasons, ruled_out
from matching.explain_members import MemberReasons
from matching.group_improve import improve
from matching.group_objective import GroupObjective
from matching.group_search import cut, greedy, most_placed, polish, repair, total
from matching.model import Match, ProgramSettings, Reason, Role, Unmatched, UnmatchedCode
from matching.peer_pairs import no_time
from matching.population import IntArray, Population
from matching.scoring import GROUP_FACTORS, within

SMALL = 60  # up to this many people: several starts, every move and swap between any two groups
RESTARTS = 8
EXACT_PLACEMENT = 14  # up to this many people, an exact search places the most when the repair cannot

# Each member of a group where someone is the only one of their kind reads this after their own reasons.
ALONE_CAUTION = Reason(
    "caution",
    0.0,
    "heads-up: someone in your group is the only one of their kind in an attribute the program balances; "
    "no better split was found",
)


def group_sizes(n: int, size: int) -> list[int]:
    """Sizes for n people: as many groups of `size` as possible, the rest spread (sizes differ by at most one)."""
    if n < 2:
        return []
    groups = max(1, n // size)
    if n - groups * size > groups:
        groups = -(-n // size)
    base, extra = divmod(n, groups)
    return [base + 1] * extra + [base] * (groups - extra)


def _initial(population: Population, people: IntArray, rand: np.ndarray, sizes: list[int]) -> list[list[int]]:
    goals = population.goals
    main_goal = np.array(
        [goals.indices[goals.indptr[v]] if goals.indptr[v + 1] > goals.indptr[v] else -1 for v in people]
    )
    order = people[np.lexsort((rand[people], population.tz[people], main_goal))].tolist()
    groups: list[list[int]] = []
    start = 0
    for s in sizes:
        groups.append(order[start : start + s])
        start += s
    return groups


def _search(
    objective: GroupObjective,
    population: Population,
    people: IntArray,
    sizes: list[int],
    rand: np.ndarray,
    neighbours: dict[int, list[int]],
    seed: int,
) -> list[list[int]]:
    """The best partition found from the starts the module docstring lists."""
    small = len(people) <= SMALL
    starts = [
        _initial(population, people, rand, sizes),
        greedy(objective, people.tolist(), sizes, neighbours, everyone=small),
    ]
    if not small:
        best = max(starts, key=lambda g: total(objective, g))
        # The pairs the starts looked at are mostly not the ones the moves look at: keeping them made the cache
        # half as large again (10,000 people: 1.07 million pairs against 0.68 million) and saved no time.
        objective.forget()
        improve(objective, best, neighbours, seed)
        return best
    rng = np.random.default_rng(seed + 2)
    starts += [cut(rng.permutation(people).tolist(), sizes) for _ in range(RESTARTS)]
    if objective.settings.isolate_rule_attributes:
        balanced = sorted(people.tolist(), key=lambda v: (objective.attributes[v], v))
        starts += [cut(balanced, sizes), cut(balanced[::2] + balanced[1::2], sizes)]
    low, high = min(sizes), max(sizes)
    for groups in starts:
        polish(objective, groups, low, high)
    return max(starts, key=lambda g: total(objective, g))


def match_study_groups(
    population: Population, constraints: Constraints, settings: ProgramSettings, seed: int
) -> tuple[list[Match], list[Unmatched]]:
    p = population
    unmatched = no_time(p, constraints)
    people = np.nonzero(constraints.has_time)[0].astype(np.int64)
    sizes = group_sizes(len(people), settings.group_size)
    if not sizes:
        for v in people.tolist():
            unmatched.append(
                Unmatched(
                    p.people[v].id, UnmatchedCode.TOO_FEW_PARTICIPANTS, "nobody else opted in this round"
                )
            )
        return [], unmatched
    rand = np.random.default_rng(seed).random(p.n)
    objective = GroupObjective(p, constraints, settings)
    i, j = general_edges(p, people, rand, reach=3, max_gap=settings.max_level_gap, skill_k=1)
    neighbours = candidate_partners(objective, i, j)
    groups = _search(objective, p, people, sizes, rand, neighbours, seed)
    high = max(sizes) + 1
    left = repair(objective, groups, high)
    if left and len(people) <= EXACT_PLACEMENT:
        exact = most_placed(objective, people.tolist(), high)
        if sum(map(len, exact)) > sum(map(len, groups)):
            groups = exact
            inside = {m for g in groups for m in g}
            left = [v for v in people.tolist() if v not in inside]
    for v in sorted(left):
        unmatched.append(_why_left_out(p, constraints, people, v))
    final = [sorted(g) for g in groups if g]
    parts = within(p, constraints, settings, final, GROUP_FACTORS)
    matches = [_group_match(p, settings, objective, g, parts[k]) for k, g in enumerate(final)]
    return matches, unmatched


def candidate_partners(objective: GroupObjective, i: IntArray, j: IntArray) -> dict[int, list[int]]:
    """Each person's candidate partners, best pair first (equal ones in the order the edges list them)."""
    value = objective.prime(i, j)
    # Edge k links i[k] to j[k] and j[k] to i[k], in that order.
    src = np.stack([i, j], axis=1).ravel()
    dst = np.stack([j, i], axis=1).ravel()
    both = np.repeat(value, 2)
    order = np.lexsort((np.arange(len(src)), -both, src))
    src, dst = src[order], dst[order]
    starts = np.flatnonzero(np.diff(src, prepend=-1)).tolist()
    ends = [*starts[1:], len(src)]
    people, partners = src.tolist(), dst.tolist()
    return {people[a]: partners[a:b] for a, b in zip(starts, ends, strict=True)}


def _why_left_out(population: Population, constraints: Constraints, people: IntArray, v: int) -> Unmatched:
    pid = population.people[v].id
    others = people[people != v]
    vv = np.full(len(others), v, dtype=np.int64)
    if not constraints.allowed(vv, others).any():
        return Unmatched(
            pid,
            UnmatchedCode.NO_COMPATIBLE_PARTNER,
            "everyone else in the round " + ruled_out(constraints, vv, others),
        )
    return Unmatched(
        pid,
        UnmatchedCode.NO_COMPATIBLE_PARTNER,
        "no group has room for you without someone you may not be grouped with this round (a recent groupmate, "
        "someone not to be matched with you again, or too few shared free hours), and no exchange of members "
        "made room",
    )


def _group_match(
    population: Population,
    settings: ProgramSettings,
    objective: GroupObjective,
    members: list[int],
    parts: dict[str, float],
) -> Match:
    why = reasons(population, settings, members, parts)
    alone = objective.isolated(members)
    if alone:
        why = (
            *why,
            Reason(
                "isolation",
                -settings.weights.isolation * alone,
                "someone in this group is the only one "
                "of their kind in an attribute the program balances; no better split was found",
            ),
        )
    roles = tuple(Role.MEMBER for _ in members)
    own = MemberReasons(population, settings, members, roles, parts, also=(ALONE_CAUTION,) if alone else ())
    return Match(
        members=tuple(population.people[m].id for m in members),
        roles=roles,
        score=round(objective.group(members), 6),
        reasons=why,
        writer=own,
    )
