"""Study groups: a partition into groups of the program's size, improved by swaps between neighbouring groups.

Start: people ordered by their main goal, then time zone, cut into groups of the planned sizes. Then local
search: for each person, the groups of their best candidate partners are tried; a swap (or a move, where
sizes allow) is made when it raises the objective. Swaps keep group sizes, so sizes never differ by more than
one unless a hard constraint leaves someone out.
"""

from __future__ import annotations

import numpy as np

from matching.candidates import general_edges
from matching.constraints import Constraints
from matching.explain import reasons
from matching.group_objective import GroupObjective
from matching.model import Match, ProgramSettings, Reason, Role, Unmatched, UnmatchedCode
from matching.peer_pairs import no_time
from matching.population import IntArray, Population
from matching.scoring import GROUP_FACTORS, within

PASSES = 3
NEIGHBOUR_GROUPS = 4


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


def _improve(
    objective: GroupObjective, groups: list[list[int]], neighbours: dict[int, list[int]], seed: int
) -> None:
    where = {m: g for g, members in enumerate(groups) for m in members}
    pair = objective.pair
    sizes = [len(g) for g in groups]
    low, high = min(sizes), max(sizes)
    rng = np.random.default_rng(seed + 1)
    people = list(where)
    for _ in range(PASSES):
        improved = 0
        for a in rng.permutation(np.array(people, dtype=np.int64)).tolist():
            ga = where[a]
            own = [y for y in groups[ga] if y != a]
            stay = sum(pair(a, y) for y in own)
            tried: set[int] = {ga}
            best_delta, best_move = 1e-9, None
            for b in neighbours.get(a, ()):
                gb = where[b]
                if gb in tried or len(tried) > NEIGHBOUR_GROUPS:
                    continue
                tried.add(gb)
                other = groups[gb]
                into = [pair(a, x) for x in other]
                into_sum = sum(into)
                iso = bool(objective.settings.isolate_rule_attributes)
                if len(groups[ga]) > low and len(other) < high:
                    delta = into_sum - stay
                    if iso:
                        delta += objective.weights.isolation * (
                            objective.isolated(groups[ga])
                            + objective.isolated(other)
                            - objective.isolated(own)
                            - objective.isolated([*other, a])
                        )
                    if delta > best_delta:
                        best_delta, best_move = delta, (gb, -1)
                for k, c in enumerate(other):
                    c_there = sum(pair(c, x) for x in other if x != c)
                    c_here = sum(pair(c, y) for y in own)
                    delta = (into_sum - into[k] - c_there) + (c_here - stay)
                    if iso:
                        new_a = [*own, c]
                        new_b = [x for x in other if x != c] + [a]
                        delta += objective.weights.isolation * (
                            objective.isolated(groups[ga])
                            + objective.isolated(other)
                            - objective.isolated(new_a)
                            - objective.isolated(new_b)
                        )
                    if delta > best_delta:
                        best_delta, best_move = delta, (gb, c)
            if best_move is None:
                continue
            gb, c = best_move
            groups[ga].remove(a)
            groups[gb].append(a)
            where[a] = gb
            if c >= 0:
                groups[gb].remove(c)
                groups[ga].append(c)
                where[c] = ga
            improved += 1
        if not improved:
            break


def _repair(objective: GroupObjective, groups: list[list[int]]) -> list[int]:
    """Take out members who break a hard constraint, place them elsewhere if they fit; return who is left out."""
    out: list[int] = []
    for members in groups:
        while True:
            clashes = {m: sum(not objective.allowed(m, x) for x in members if x != m) for m in members}
            worst = max(members, key=lambda m: (clashes[m], -m), default=-1)
            if worst < 0 or clashes[worst] == 0:
                break
            members.remove(worst)
            out.append(worst)
    biggest = max((len(g) for g in groups), default=0)
    left: list[int] = []
    for m in out:
        fits = [g for g in groups if len(g) < biggest and all(objective.allowed(m, x) for x in g)]
        fits = fits or [g for g in groups if len(g) <= biggest and all(objective.allowed(m, x) for x in g)]
        if fits:
            max(fits, key=lambda g: sum(objective.pair(m, x) for x in g)).append(m)
        else:
            left.append(m)
    for members in groups:
        if len(members) == 1:
            left.append(members.pop())
    return left


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
    groups = _initial(p, people, rand, sizes)
    i, j = general_edges(p, people, rand, reach=3, max_gap=settings.max_level_gap, skill_k=1)
    neighbours: dict[int, list[int]] = {}
    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    for a, near in neighbours.items():
        near.sort(key=lambda b: -objective.pair(a, b))
    _improve(objective, groups, neighbours, seed)
    left = _repair(objective, groups)
    for v in left:
        unmatched.append(
            Unmatched(
                p.people[v].id,
                UnmatchedCode.NO_COMPATIBLE_PARTNER,
                f"every group {p.name(v)} could join has someone they were grouped with recently, are on a "
                "never-match list with, or share too few available hours with",
            )
        )
    final = [sorted(g) for g in groups if g]
    parts = within(p, constraints, settings, final, GROUP_FACTORS)
    matches = [_group_match(p, settings, objective, g, parts[k]) for k, g in enumerate(final)]
    return matches, unmatched


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
    return Match(
        members=tuple(population.people[m].id for m in members),
        roles=tuple(Role.MEMBER for _ in members),
        score=round(objective.group(members), 6),
        reasons=why,
    )
