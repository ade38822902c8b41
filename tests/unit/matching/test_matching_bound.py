"""The peer-pair upper bound in benchmarks/matching/bound.py is at least the exact optimum, and close to it."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from benchmarks.matching.bound import peer_pair_bound, proven_bound
from benchmarks.matching.quality import Judge
from benchmarks.matching.synthetic import organisation, random_history
from matching import ProgramSettings
from matching.scoring import PEER_FACTORS, factor_values, total


def exact(judge: Judge) -> float:
    p, c, s = judge.population, judge.constraints, judge.settings
    i, j = (np.array(v, dtype=np.int64) for v in zip(*itertools.combinations(range(p.n), 2), strict=True))
    ok = c.allowed(i, j) & c.has_time[i] & c.has_time[j]
    i, j = i[ok], j[ok]
    w = total(factor_values(p, c, s, i, j, PEER_FACTORS), len(i))
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(i.tolist(), j.tolist(), w.tolist(), strict=True))
    return float(sum(graph[a][b]["weight"] for a, b in nx.max_weight_matching(graph)))


@pytest.mark.parametrize("seed", range(3))
def test_the_bound_holds_for_any_prices_and_is_tight_after_pricing(seed: int) -> None:
    people = organisation(120, seed)
    settings = ProgramSettings(kind="peer_pairs", prefer_cross_department=True, min_shared_hours=1)
    judge = Judge(people, settings, random_history(people, rounds=3, group_size=2, seed=seed))
    best = exact(judge)
    rng = np.random.default_rng(seed)
    for price in (np.zeros(len(people)), rng.random(len(people)) * 5):
        assert peer_pair_bound(judge, price)[0] >= best - 1e-9
    bounds = proven_bound(judge, seed)
    assert min(bounds) >= best - 1e-9
    assert best >= 0.995 * min(bounds)
