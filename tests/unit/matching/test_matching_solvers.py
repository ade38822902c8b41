from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from matching.arrays import distinct
from matching.auction import _by_giver_then_price, auction
from matching.candidates import unique_pairs
from matching.local_matching import greedy_matching, grow
from matching.solve_bipartite import assign
from matching.solve_general import max_weight_matching


def random_graph(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    i, j = unique_pairs(rng.integers(0, n, m), rng.integers(0, n, m), n)
    return i, j, np.round(rng.random(len(i)) * 5, 2)


def test_general_matching_is_within_three_percent_of_the_blossom_optimum_on_random_graphs() -> None:
    for seed in range(3):
        i, j, w = random_graph(seed, 120, 900)
        mate = max_weight_matching(120, i, j, w)
        ours = float(w[mate[i] == j].sum())
        graph = nx.Graph()
        graph.add_weighted_edges_from(zip(i.tolist(), j.tolist(), w.tolist(), strict=True))
        best = nx.max_weight_matching(graph, maxcardinality=True)
        assert ours >= 0.97 * sum(graph[a][b]["weight"] for a, b in best)
        assert np.all(mate[mate >= 0] >= 0)
        assert np.all(mate[mate[mate >= 0]] == np.nonzero(mate >= 0)[0])


def test_general_matching_past_the_exact_size_stays_near_the_blossom_optimum() -> None:
    for seed in range(3):
        i, j, w = random_graph(seed, 160, 1200)
        mate = max_weight_matching(160, i, j, w, block=10)
        assert np.all(mate[mate[mate >= 0]] == np.nonzero(mate >= 0)[0])
        graph = nx.Graph()
        graph.add_weighted_edges_from(zip(i.tolist(), j.tolist(), w.tolist(), strict=True))
        best = nx.max_weight_matching(graph, maxcardinality=True)
        assert int((mate >= 0).sum()) == 2 * len(best)
        assert float(w[mate[i] == j].sum()) >= 0.97 * sum(graph[a][b]["weight"] for a, b in best)


def test_general_matching_past_the_exact_size_still_pairs_everyone_on_a_path() -> None:
    n = 40
    i = np.arange(n - 1, dtype=np.int64)
    mate = max_weight_matching(n, i, i + 1, np.ones(n - 1), block=7)
    assert (mate >= 0).all()


def test_greedy_matching_takes_the_heaviest_edge_first() -> None:
    # A path a-b-c-d weighted 2, 3, 2: greedy takes b-c and leaves a and d free.
    i, j, w = np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([2.0, 3.0, 2.0])
    mate, along = np.full(4, -1, dtype=np.int64), np.zeros(4)
    greedy_matching(4, i, j, w, mate, along)
    assert mate.tolist() == [-1, 2, 1, -1]
    assert along.tolist() == [0.0, 3.0, 3.0, 0.0]


def test_growing_a_matching_adds_a_pair_along_a_path_of_three_edges() -> None:
    i, j, w = np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([2.0, 3.0, 2.0])
    mate, along = np.array([-1, 2, 1, -1]), np.array([0.0, 3.0, 3.0, 0.0])
    src = np.concatenate([i, j])
    order = np.argsort(src, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=4))])
    grow(4, indptr, np.concatenate([j, i])[order], np.concatenate([w, w])[order], mate, along)
    assert mate.tolist() == [1, 0, 3, 2]


def test_bipartite_assignment_equals_the_hungarian_optimum_with_capacities() -> None:
    rng = np.random.default_rng(4)
    seekers, givers = 30, 10
    s = rng.integers(0, seekers, 150)
    g = seekers + rng.integers(0, givers, 150)
    w = np.round(rng.random(150) * 5, 2) + 0.1
    capacity = np.zeros(seekers + givers, dtype=np.int64)
    capacity[seekers:] = rng.integers(1, 4, givers)
    chosen = assign(seekers + givers, s, g, w, capacity)
    picked = chosen[chosen >= 0]
    ours = float(w[picked].sum())
    assert np.all(np.bincount(g[picked], minlength=seekers + givers) <= capacity)
    # Reference: expand each giver into its slots, keep the best edge per pair, and solve densely.
    slots = [v for v in range(seekers, seekers + givers) for _ in range(capacity[v])]
    dense = np.zeros((seekers, len(slots)))
    for a, b, x in zip(s, g, w, strict=True):
        for col, owner in enumerate(slots):
            if owner == b:
                dense[a, col] = max(dense[a, col], x)
    rows, cols = linear_sum_assignment(dense, maximize=True)
    assert abs(ours - dense[rows, cols].sum()) < 1e-6


@pytest.mark.parametrize("givers", [60, 300])  # fewer slots than seekers (slots bid), and more (seekers bid)
def test_bipartite_assignment_past_the_exact_size_uses_the_auction_and_stays_near_the_optimum(
    givers: int,
) -> None:
    for seed in range(3):
        rng = np.random.default_rng(seed)
        seekers, edges = 200, 1600
        s = rng.integers(0, seekers, edges)
        g = seekers + rng.integers(0, givers, edges)
        w = np.round(rng.random(edges) * 5, 2)
        capacity = np.zeros(seekers + givers, dtype=np.int64)
        capacity[seekers:] = rng.integers(0, 4, givers)
        chosen = assign(seekers + givers, s, g, w, capacity, block=10)
        picked = chosen[chosen >= 0]
        assert np.all(s[picked] == np.nonzero(chosen >= 0)[0])
        assert np.all(np.bincount(g[picked], minlength=seekers + givers) <= capacity)
        exact = assign(seekers + givers, s, g, w, capacity, block=10_000)
        assert float(w[picked].sum()) >= 0.99 * float(w[exact[exact >= 0]].sum())


def test_greedy_matching_with_equal_weights_still_pairs_a_cycle() -> None:
    # Four people in a ring, every weight equal: each round must find a mutual choice.
    i, j = np.array([0, 1, 2, 0]), np.array([1, 2, 3, 3])
    mate, along = np.full(4, -1, dtype=np.int64), np.zeros(4)
    greedy_matching(4, i, j, np.ones(4), mate, along)
    assert (mate >= 0).all()
    assert np.all(mate[mate] == np.arange(4))


def test_distinct_gives_what_numpy_unique_gives_for_any_integers() -> None:
    rng = np.random.default_rng(7)
    for size, top in [(0, 5), (1, 5), (50, 3), (2_000, 100_000), (5_000, 2**40)]:
        values = rng.integers(-top, top, size)
        assert np.array_equal(distinct(values), np.unique(values))


def test_auction_with_one_slot_per_giver_settles_bids_as_the_general_step_does() -> None:
    # The same bids, once through the one-slot shortcut and once through the general step (forced by an extra
    # giver with two slots and no edges): the same assignment and the same prices, ties included.
    rng = np.random.default_rng(3)
    n = 400
    s = np.sort(rng.integers(0, n, 6_000))
    g = rng.integers(0, n, 6_000)
    w = np.round(rng.random(6_000) * 4, 1)  # coarse weights: many equal bids
    for eps in (0.01, 0.2):
        prices_single = np.zeros(n)
        single = auction(n, s, g, w, np.ones(n, dtype=np.int64), eps, prices_out=prices_single)
        capacity = np.append(np.ones(n, dtype=np.int64), 2)
        prices_general = np.zeros(n + 1)
        general = auction(n + 1, s, g, w, capacity, eps, prices_out=prices_general)
        assert np.array_equal(single, general[:n])
        assert np.array_equal(prices_single, prices_general[:n])
        assert (single >= 0).sum() > n // 2


def test_bids_packed_into_integers_sort_as_the_three_key_sort_does() -> None:
    rng = np.random.default_rng(11)
    givers = np.sort(rng.choice(1_000, 300, replace=False))
    giver = rng.choice(givers, 5_000)
    price = np.round(rng.random(5_000) * 3, 1)  # many equal prices
    price[rng.random(5_000) < 0.2] = 0.0  # empty slots: price 0 and no edge
    edge = rng.choice(np.arange(-1, 100_000), 5_000, replace=False)
    edge[price == 0.0] = -1
    order = np.lexsort((edge, -price, giver))
    sorted_giver, sorted_price, sorted_edge = _by_giver_then_price(givers, giver, price, edge)
    assert np.array_equal(sorted_giver, giver[order])
    assert np.array_equal(sorted_price, price[order])
    assert np.array_equal(sorted_edge, edge[order])
