"""Exact optima under the same hard constraints and the same scores, for sizes where exact solvers finish.

- peer pairs: networkx's blossom algorithm (max weight among maximum-cardinality matchings) on every allowed pair;
- mentoring and onboarding: OR-Tools min-cost flow on every allowed (giver, seeker) edge, capacities included;
- study groups: an OR-Tools CP-SAT integer program over group membership.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from benchmarks.matching.quality import Judge
from matching.mentoring import spare_slots
from matching.population import IntArray
from matching.scoring import BUDDY_FACTORS, MENTOR_FACTORS, PEER_FACTORS, factor_values, total
from matching.study_groups import group_sizes

SCALE = 10_000


def exact_pairs(judge: Judge) -> tuple[float, int]:
    """(the best total among the matchings that pair the most people, how many people they pair)."""
    p, c, s = judge.population, judge.constraints, judge.settings
    i, j = np.triu_indices(p.n, k=1)
    i, j = i.astype(np.int64), j.astype(np.int64)
    ok = c.allowed(i, j) & c.has_time[i] & c.has_time[j]
    i, j = i[ok], j[ok]
    w = total(factor_values(p, c, s, i, j, PEER_FACTORS), len(i))
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(i.tolist(), j.tolist(), w.tolist(), strict=True))
    mates = nx.max_weight_matching(graph, maxcardinality=True)
    return float(sum(graph[a][b]["weight"] for a, b in mates)), 2 * len(mates)


def _all_edges(judge: Judge) -> tuple[IntArray, IntArray, np.ndarray]:
    """Every allowed (giver, seeker) edge with its weight."""
    p, c, s = judge.population, judge.constraints, judge.settings
    slots = spare_slots(p, c, s)
    givers_l: list[np.ndarray] = []
    seekers_l: list[np.ndarray] = []
    if s.kind == "mentoring":
        teach, learn = p.teach.tocsc(), p.learn.tocsc()
        for skill in range(teach.shape[1]):
            t_rows = teach.indices[teach.indptr[skill] : teach.indptr[skill + 1]]
            t_lv = teach.data[teach.indptr[skill] : teach.indptr[skill + 1]]
            l_rows = learn.indices[learn.indptr[skill] : learn.indptr[skill + 1]]
            l_lv = learn.data[learn.indptr[skill] : learn.indptr[skill + 1]]
            keep_t = slots[t_rows] > 0
            keep_l = c.has_time[l_rows]
            t_rows, t_lv, l_rows, l_lv = t_rows[keep_t], t_lv[keep_t], l_rows[keep_l], l_lv[keep_l]
            gap = t_lv[:, None] - l_lv[None, :]
            a, b = np.nonzero((gap >= 1) & (gap <= s.max_level_gap))
            givers_l.append(t_rows[a])
            seekers_l.append(l_rows[b])
    else:
        new = np.array([q.is_new_hire for q in p.people])
        tenured = np.array(
            [
                not q.is_new_hire and (q.tenure_days is None or q.tenure_days >= s.min_buddy_tenure_days)
                for q in p.people
            ]
        )
        g_all = np.nonzero(tenured & (slots > 0))[0]
        s_all = np.nonzero(new & c.has_time)[0]
        givers_l.append(np.repeat(g_all, len(s_all)))
        seekers_l.append(np.tile(s_all, len(g_all)))
    g = np.concatenate(givers_l).astype(np.int64)
    sk = np.concatenate(seekers_l).astype(np.int64)
    keys = np.unique(g * p.n + sk)
    g, sk = keys // p.n, keys % p.n
    ok = c.allowed(g, sk)
    g, sk = g[ok], sk[ok]
    if s.kind == "mentoring":
        w = total(factor_values(p, c, s, g, sk, MENTOR_FACTORS), len(g)) + s.weights.skill
    else:
        w = total(factor_values(p, c, s, g, sk, BUDDY_FACTORS), len(g))
    w = w + s.weights.fairness * p.unmatched_last[sk].astype(np.float64)
    return g, sk, w


def exact_bipartite(judge: Judge) -> tuple[float, int]:
    """(best total weight among the assignments that place the most seekers, how many that is)."""
    p, c, s = judge.population, judge.constraints, judge.settings
    slots = spare_slots(p, c, s)
    g, sk, w = _all_edges(judge)
    seekers = np.unique(sk)
    givers = np.unique(g)
    source, sink = 2 * p.n, 2 * p.n + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    # source -> seeker -> giver -> sink; a giver's node is offset by n. Maximum flow first, then least cost.
    tails = np.concatenate([np.full(len(seekers), source), sk, givers + p.n])
    heads = np.concatenate([seekers, g + p.n, np.full(len(givers), sink)])
    caps = np.concatenate([np.ones(len(seekers)), np.ones(len(g)), slots[givers]])
    costs = np.concatenate([np.zeros(len(seekers)), -np.round(w * SCALE), np.zeros(len(givers))])
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64), heads.astype(np.int64), caps.astype(np.int64), costs.astype(np.int64)
    )
    flow.set_node_supply(source, len(seekers))
    flow.set_node_supply(sink, -len(seekers))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"Min-cost flow ended with status '{status}'.")
    return -flow.optimal_cost() / SCALE, int(flow.maximum_flow())


def exact_groups(judge: Judge, seconds: float) -> tuple[float, bool]:
    """Best partition into groups of the planned sizes; returns (objective, proved optimal)."""
    p, obj = judge.population, judge.objective
    people = [v for v in range(p.n) if judge.constraints.has_time[v]]
    sizes = group_sizes(len(people), judge.settings.group_size)
    model = cp_model.CpModel()
    x = {(v, g): model.new_bool_var(f"x{v}_{g}") for v in people for g in range(len(sizes))}
    for v in people:
        model.add_exactly_one(x[v, g] for g in range(len(sizes)))
    for g, size in enumerate(sizes):
        model.add(sum(x[v, g] for v in people) == size)
    model.add(x[people[0], 0] == 1)  # symmetry: the first person is in the first group
    terms = []
    for a, b in itertools.combinations(people, 2):
        both = []
        for g in range(len(sizes)):
            y = model.new_bool_var(f"y{a}_{b}_{g}")
            model.add_bool_and([x[a, g], x[b, g]]).only_enforce_if(y)
            model.add_bool_or([x[a, g].Not(), x[b, g].Not()]).only_enforce_if(y.Not())
            both.append(y)
        together = model.new_bool_var(f"t{a}_{b}")
        model.add_max_equality(together, both)
        terms.append((round(obj.pair(a, b) * SCALE), together))
    model.maximize(sum(w * t for w, t in terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT found no partition (status '{solver.status_name(status)}').")
    return solver.objective_value / SCALE, status == cp_model.OPTIMAL
