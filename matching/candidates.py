"""Candidate pairs: a few promising partners per person instead of all n² pairs.

Everything here buckets people (by skill and level, by goal, by time zone) and links each person to their
neighbours in time-zone order inside each bucket; a seeded random key breaks ties, so candidates vary by seed
but not between runs.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix

from matching.population import FloatArray, IntArray, Population


def window_edges(members: IntArray, key: IntArray, rand: FloatArray, reach: int) -> tuple[IntArray, IntArray]:
    """Link each member to the next `reach` members in (key, rand) order."""
    if len(members) < 2 or reach < 1:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = members[np.lexsort((rand[members], key[members]))]
    left = [order[:-d] for d in range(1, min(reach, len(order) - 1) + 1)]
    right = [order[d:] for d in range(1, min(reach, len(order) - 1) + 1)]
    return np.concatenate(left), np.concatenate(right)


def nearest_edges(
    left: IntArray, right: IntArray, key: IntArray, rand: FloatArray, k: int
) -> tuple[IntArray, IntArray]:
    """Link each of `left` to about `k` of `right` that are nearest in key order."""
    if len(left) == 0 or len(right) == 0 or k < 1:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = right[np.lexsort((rand[right], key[right]))]
    keys = key[order]
    pos = np.searchsorted(keys, key[left])
    k = min(k, len(order))
    start = np.clip(pos - k // 2, 0, len(order) - k)
    idx = start[:, None] + np.arange(k)[None, :]
    return np.repeat(left, k), order[idx].ravel()


def unique_pairs(i: IntArray, j: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Undirected, deduplicated, without self-pairs; lower index first, sorted."""
    keep = i != j
    lo = np.minimum(i[keep], j[keep])
    hi = np.maximum(i[keep], j[keep])
    return _split(_sorted_unique(lo * np.int64(max(n, 1)) + hi), n)


def _sorted_unique(keys: IntArray) -> IntArray:
    keys = np.sort(keys)
    keep = np.ones(len(keys), dtype=np.bool_)
    keep[1:] = keys[1:] != keys[:-1]
    out: IntArray = keys[keep]
    return out


def _split(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    return keys // max(n, 1), keys % max(n, 1)


def unique_directed(i: IntArray, j: IntArray, n: int) -> tuple[IntArray, IntArray]:
    return _split(_sorted_unique(i * np.int64(max(n, 1)) + j), n)


def by_column(matrix: csr_matrix, rows: IntArray) -> list[tuple[IntArray, IntArray]]:
    """For each column: the rows (among `rows`) with an entry, and their values."""
    sub = csr_matrix(matrix[rows])
    csc = csc_matrix(sub)
    out: list[tuple[IntArray, IntArray]] = []
    for col in range(csc.shape[1]):
        start, end = csc.indptr[col], csc.indptr[col + 1]
        out.append((rows[csc.indices[start:end]], csc.data[start:end].astype(np.int64)))
    return out


def skill_edges(
    population: Population,
    teachers: IntArray,
    learners: IntArray,
    max_gap: int,
    rand: FloatArray,
    k: int,
) -> tuple[IntArray, IntArray, IntArray]:
    """(teacher, learner, skill) triples where the teacher's level is 1..max_gap above the learner's."""
    teach_cols = by_column(population.teach, teachers)
    learn_cols = by_column(population.learn, learners)
    out_t: list[IntArray] = []
    out_l: list[IntArray] = []
    out_s: list[IntArray] = []
    for skill, ((t_rows, t_lv), (l_rows, l_lv)) in enumerate(zip(teach_cols, learn_cols, strict=True)):
        if len(t_rows) == 0 or len(l_rows) == 0:
            continue
        for level in np.unique(l_lv):
            who = l_rows[l_lv == level]
            able = t_rows[(t_lv > level) & (t_lv <= level + max_gap)]
            lr, t = nearest_edges(who, able, population.tz, rand, k)
            out_t.append(t)
            out_l.append(lr)
            out_s.append(np.full(len(t), skill, dtype=np.int64))
    if not out_t:
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    return np.concatenate(out_t), np.concatenate(out_l), np.concatenate(out_s)


def goal_edges(
    population: Population, people: IntArray, rand: FloatArray, reach: int
) -> tuple[IntArray, IntArray]:
    out_i: list[IntArray] = [np.empty(0, np.int64)]
    out_j: list[IntArray] = [np.empty(0, np.int64)]
    for members, _ in by_column(population.goals, people):
        i, j = window_edges(members, population.tz, rand, reach)
        out_i.append(i)
        out_j.append(j)
    return np.concatenate(out_i), np.concatenate(out_j)


def general_edges(
    population: Population, people: IntArray, rand: FloatArray, reach: int, max_gap: int, skill_k: int
) -> tuple[IntArray, IntArray]:
    """Undirected candidate pairs among `people` for peer pairs and study groups."""
    parts_i: list[IntArray] = []
    parts_j: list[IntArray] = []
    t, lr, _ = skill_edges(population, people, people, max_gap, rand, skill_k)
    parts_i.append(t)
    parts_j.append(lr)
    gi, gj = goal_edges(population, people, rand, reach)
    parts_i.append(gi)
    parts_j.append(gj)
    zi, zj = window_edges(people, population.tz, rand, reach + 1)
    parts_i.append(zi)
    parts_j.append(zj)
    # A random order too, so that every department and time zone meets a few strangers.
    ri, rj = window_edges(people, np.zeros(population.n, dtype=np.int64), rand, 1)
    parts_i.append(ri)
    parts_j.append(rj)
    return unique_pairs(np.concatenate(parts_i), np.concatenate(parts_j), population.n)
