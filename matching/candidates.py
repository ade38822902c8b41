"""Candidate pairs: a few promising partners per person instead of all n² pairs.

Everything here buckets people (by skill and level, by goal, by time zone) and links each person to their
neighbours in time-zone order inside each bucket; a seeded random key breaks ties, so candidates vary by seed
but not between runs.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix

from matching.arrays import distinct, ranges
from matching.model import HOURS_PER_WEEK
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
    """Link each of `left` to about `k` of `right` that are nearest in (key, rand) order.

    The random part matters: people with the same key spread over all of `right` with that key,
    instead of crowding onto the same few.
    """
    group = np.zeros(len(key), dtype=np.int64)
    a, b, _ = grouped_nearest(left, group[left], right, group[right], key, rand, k)
    return a, b


def grouped_nearest(
    left: IntArray,
    left_group: IntArray,
    right: IntArray,
    right_group: IntArray,
    key: IntArray,
    rand: FloatArray,
    k: int,
) -> tuple[IntArray, IntArray, IntArray]:
    """Like `nearest_edges`, for many buckets at once: left[a] links only to right[b] with the same group.

    Returns (left end, right end, group) of each edge.
    """
    if len(left) == 0 or len(right) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    low = int(min(key[left].min(), key[right].min()))
    span = int(max(key[left].max(), key[right].max())) - low + 1
    right_key = _window_key(right, right_group, key, rand, low, span)
    order = np.argsort(right_key, kind="stable")
    sorted_key = right_key[order]
    left_key = _window_key(left, left_group, key, rand, low, span)
    # Searched in ascending order, each binary search starts near where the last one ended: half the time of
    # searching in the people's order at 100,000 people.
    ascending = np.argsort(left_key)
    pos = _searched(sorted_key, left_key, ascending)
    # The window slides inside the person's own bucket instead of being cut at its ends (or at the ends of the
    # list), so that everyone gets k distinct candidates whenever the bucket has k. The bucket bounds rise with
    # the keys: searched once per bucket, in the same order.
    in_order = left_group[ascending]
    new = np.ones(len(in_order), dtype=np.bool_)
    new[1:] = in_order[1:] != in_order[:-1]
    buckets = in_order[new]
    size = np.diff(np.append(np.nonzero(new)[0], len(in_order)))
    lo = np.empty(len(left), dtype=np.int64)
    hi = np.empty(len(left), dtype=np.int64)
    lo[ascending] = np.repeat(np.searchsorted(sorted_key, (buckets * span).astype(np.float64)), size)
    hi[ascending] = np.repeat(np.searchsorted(sorted_key, ((buckets + 1) * span).astype(np.float64)), size)
    k = min(k, len(order))
    start = np.clip(pos - k // 2, lo, np.maximum(hi - k, lo))
    idx = start[:, None] + np.arange(k)[None, :]
    inside = (idx < hi[:, None]).ravel()
    a = np.repeat(left, k)[inside]
    pick = order[np.minimum(idx, len(order) - 1).ravel()[inside]]
    group = np.repeat(left_group, k)[inside]
    return a, right[pick], group


def _window_key(
    members: IntArray, group: IntArray, key: IntArray, rand: FloatArray, low: int, span: int
) -> FloatArray:
    """(group * span + key - low) + 0.999 * rand for each member, in place where it can be."""
    whole = key[members]
    whole -= low
    whole += group * span
    out = whole.astype(np.float64)
    jitter = rand[members]
    jitter *= 0.999
    out += jitter
    return out


def _searched(sorted_keys: FloatArray, queries: FloatArray, ascending: IntArray) -> IntArray:
    """`np.searchsorted(sorted_keys, queries)`, searched in the order `ascending` that sorts the queries."""
    out = np.empty(len(queries), dtype=np.int64)
    out[ascending] = np.searchsorted(sorted_keys, queries[ascending])
    return out


def mutual_edges(
    population: Population, people: IntArray, rand: FloatArray, k: int
) -> tuple[IntArray, IntArray]:
    """Pairs who could teach each other: one teaches x and wants s, the other teaches s and wants x."""
    t_who, x_all, _ = _entries(population.teach, people)
    learn = population.learn
    # Every (skill taught, skill wanted) of each person: each taught entry repeated once per wanted one.
    count = np.diff(learn.indptr)[t_who]
    who = np.repeat(t_who, count)
    x = np.repeat(x_all, count)
    offset = np.arange(len(who)) - np.repeat(np.cumsum(count) - count, count)
    s = learn.indices[learn.indptr[who] + offset].astype(np.int64)
    keep = s != x
    who, x, s = who[keep], x[keep], s[keep]
    if len(who) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    width = max(len(population.skills.shown), 1)
    bucket = np.minimum(x, s) * width + np.maximum(x, s)
    side = x < s
    a, b, _ = grouped_nearest(who[side], bucket[side], who[~side], bucket[~side], population.tz, rand, k)
    if population.goals.nnz:
        # The same, among those who also share a goal.
        left, left_key = with_goals(population, who[side], bucket[side])
        right, right_key = with_goals(population, who[~side], bucket[~side])
        ga, gb, _ = grouped_nearest(left, left_key, right, right_key, population.tz, rand, k)
        a, b = np.concatenate([a, ga]), np.concatenate([b, gb])
    return a, b


def unique_pairs(i: IntArray, j: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Undirected, deduplicated, without self-pairs; lower index first, sorted."""
    return _pairs_of_keys(_pair_codes(i, j, n), n)


# Pairs are deduplicated as one integer each, (first << bits) | second: sorted, these come in the order of
# (first, second), as first * n + second would, and are split again by a shift and a mask instead of an integer
# division (100-200 ms for 5 million pairs).


def _bits(n: int) -> int:
    return max(int(n - 1).bit_length(), 1)


def _pair_codes(i: IntArray, j: IntArray, n: int) -> IntArray:
    """(lower << bits) | higher for each undirected pair."""
    codes: IntArray = np.left_shift(np.minimum(i, j), _bits(n), dtype=np.int64)
    codes |= np.maximum(i, j)
    return codes


def _pairs_of_keys(codes: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """`unique_pairs` from `_pair_codes` (sorted in place)."""
    lo, hi = _split(distinct(codes, in_place=True), n)
    apart = lo != hi  # self-pairs dropped after the repeats: a pass over fewer keys
    return lo[apart], hi[apart]


def _split(codes: IntArray, n: int) -> tuple[IntArray, IntArray]:
    bits = _bits(n)
    return codes >> bits, codes & ((1 << bits) - 1)


def unique_directed(i: IntArray, j: IntArray, n: int) -> tuple[IntArray, IntArray]:
    codes = np.left_shift(i, _bits(n), dtype=np.int64)
    codes |= j
    return _split(distinct(codes, in_place=True), n)


def by_column(matrix: csr_matrix, rows: IntArray) -> list[tuple[IntArray, IntArray]]:
    """For each column: the rows (among `rows`) with an entry, and their values."""
    sub = csr_matrix(matrix[rows])
    csc = csc_matrix(sub)
    out: list[tuple[IntArray, IntArray]] = []
    for col in range(csc.shape[1]):
        start, end = csc.indptr[col], csc.indptr[col + 1]
        out.append((rows[csc.indices[start:end]], csc.data[start:end].astype(np.int64)))
    return out


def _entries(matrix: csr_matrix, rows: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(row, column, value) of every entry in the given rows."""
    sub = csr_matrix(matrix[rows])
    counts = np.diff(sub.indptr)
    return np.repeat(rows, counts), sub.indices.astype(np.int64), sub.data.astype(np.int64)


def with_goals(population: Population, who: IntArray, key: IntArray) -> tuple[IntArray, IntArray]:
    """Each (person, key) once per goal of the person, the key extended by the goal."""
    g_who, g_goal, _ = _entries(population.goals, distinct(who))
    order = np.argsort(g_who, kind="stable")
    g_who, g_goal = g_who[order], g_goal[order]
    start = np.searchsorted(g_who, who)
    count = np.searchsorted(g_who, who, side="right") - start
    rep_who = np.repeat(who, count)
    rep_key = np.repeat(key, count)
    offset = np.arange(len(rep_who)) - np.repeat(np.cumsum(count) - count, count)
    goal = g_goal[np.repeat(start, count) + offset]
    width = max(len(population.goal_vocab.shown), 1)
    return rep_who, rep_key * width + goal


def skill_edges(
    population: Population,
    teachers: IntArray,
    learners: IntArray,
    max_gap: int,
    rand: FloatArray,
    k: int,
) -> tuple[IntArray, IntArray, IntArray]:
    """(teacher, learner, skill) triples where the teacher's level is 1..max_gap above the learner's.

    Each learner gets about k teachers per (skill, suitable level), nearest in time zone, and about k more
    among those who also share one of the learner's goals.
    """
    plain, *with_goal = _skill_windows(population, teachers, learners, max_gap, rand, k)
    width = max(len(population.goal_vocab.shown), 1)
    lr = np.concatenate([plain[0], *(part[0] for part in with_goal)])
    t = np.concatenate([plain[1], *(part[1] for part in with_goal)])
    key = np.concatenate([plain[2], *(_divided(part[2], width) for part in with_goal)])
    bits = _bits(population.n)
    triples = _divided(key, 6)  # the skill
    triples <<= bits
    triples |= t
    triples <<= bits
    triples |= lr
    triples = distinct(triples, in_place=True)  # in (skill, teacher, learner) order
    mask = (1 << bits) - 1
    return (triples >> bits) & mask, triples & mask, triples >> (2 * bits)


def _divided(values: IntArray, divisor: int) -> IntArray:
    """values // divisor, through 32-bit integers when they fit: numpy divides those 25 times faster here."""
    if len(values) and int(values.min()) >= 0 and int(values.max()) < 2**31:
        quotient: IntArray = (values.astype(np.int32) // np.int32(divisor)).astype(np.int64)
        return quotient
    return values // divisor


def _skill_windows(
    population: Population,
    teachers: IntArray,
    learners: IntArray,
    max_gap: int,
    rand: FloatArray,
    k: int,
) -> list[tuple[IntArray, IntArray, IntArray]]:
    """`skill_edges` before it removes repeats: (learner, teacher, bucket) of the window by skill and level
    and, when anyone has goals, of the window among those sharing a goal (its bucket extended by the goal:
    bucket * goal count + goal)."""
    t_who, t_skill, t_level = _entries(population.teach, teachers)
    l_who, l_skill, l_level = _entries(population.learn, learners)
    # A learner at level l looks in the buckets (skill, l + 1) .. (skill, l + max_gap).
    gaps = np.arange(1, max_gap + 1)
    l_who = np.repeat(l_who, max_gap)
    l_skill = np.repeat(l_skill, max_gap)
    target = np.repeat(l_level, max_gap) + np.tile(gaps, len(l_level))
    keep = target <= 5
    l_who, l_skill, target = l_who[keep], l_skill[keep], target[keep]
    t_key = t_skill * 6 + t_level
    l_key = l_skill * 6 + target
    parts = [grouped_nearest(l_who, l_key, t_who, t_key, population.tz, rand, k)]
    if population.goals.nnz:
        gl_who, gl_key = with_goals(population, l_who, l_key)
        gt_who, gt_key = with_goals(population, t_who, t_key)
        parts.append(grouped_nearest(gl_who, gl_key, gt_who, gt_key, population.tz, rand, k))
    return parts


def every_skill_edge(
    population: Population, teachers: IntArray, learners: IntArray, max_gap: int, limit: int
) -> tuple[IntArray, IntArray, IntArray] | None:
    """Every (teacher, learner, skill) with the teacher 1..max_gap levels above, or None past `limit` triples.

    Teachers sorted by (skill, level) put the ones within the gap of a wish in one run, so the count is known
    before anything is built.
    """
    t_who, t_skill, t_level = _entries(population.teach, teachers)
    l_who, l_skill, l_level = _entries(population.learn, learners)
    t_key = t_skill * 6 + t_level
    order = np.argsort(t_key, kind="stable")
    t_who, t_key = t_who[order], t_key[order]
    l_key = l_skill * 6 + l_level
    lo = np.searchsorted(t_key, l_key + 1)
    hi = np.searchsorted(t_key, l_skill * 6 + np.minimum(l_level + max_gap, 5), side="right")
    if int((hi - lo).sum()) > limit:
        return None
    picked = ranges(lo, hi)
    lr = np.repeat(l_who, hi - lo)
    skill = np.repeat(l_skill, hi - lo)
    t = t_who[picked]
    keep = t != lr
    return t[keep], lr[keep], skill[keep]


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


def goal_signatures(population: Population, people: IntArray) -> IntArray:
    """For each of `people`, a number naming their exact set of goals (the empty set too); -1 for the others."""
    goals = population.goals
    table: dict[tuple[int, ...], int] = {}
    signature = np.full(population.n, -1, dtype=np.int64)
    signature[people] = [
        table.setdefault(tuple(goals.indices[goals.indptr[v] : goals.indptr[v + 1]].tolist()), len(table))
        for v in people.tolist()
    ]
    return signature


def goal_set_edges(
    population: Population, people: IntArray, rand: FloatArray, reach: int
) -> tuple[IntArray, IntArray]:
    """Link people with exactly the same goals, nearest in time zone (the best goal overlap there is).

    A popular goal has thousands of people; its window (`goal_edges`) reaches few of those who share all of a
    person's goals.
    """
    signature = goal_signatures(population, people)
    signature[population.goal_count == 0] = -1
    members = people[signature[people] >= 0]
    if len(members) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    low = int(population.tz.min())
    span = int(population.tz.max()) - low + 1
    key = signature * span + (population.tz - low)
    i, j = window_edges(members, key, rand, reach)
    same = signature[i] == signature[j]
    return i[same], j[same]


def _free_hours(population: Population, people: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(person, hour of the week) for every hour each of `people` is free, and an order key within a time zone
    that puts people with more free hours first (two such people are likelier to share several)."""
    free = np.unpackbits(population.avail[people].view(np.uint8), axis=1, bitorder="little")[
        :, :HOURS_PER_WEEK
    ]
    row, hour = np.nonzero(free)
    hours = np.zeros(population.n, dtype=np.int64)
    hours[people] = free.sum(axis=1)
    order = (population.tz - population.tz.min()) * (HOURS_PER_WEEK + 1) + (HOURS_PER_WEEK - hours)
    return people[row], hour.astype(np.int64), order


def shared_hour_edges(
    population: Population, people: IntArray, rand: FloatArray, k: int
) -> tuple[IntArray, IntArray]:
    """Link people free in the same hour of the week, about `k` per hour, and about `4 k` more among those who also
    have exactly the same goals; nearest in time zone, the ones with more free hours first.

    Once the people who can teach each other are paired, the rest are best paired by shared goals, time zone and
    shared hours. With availability sparse and a minimum of shared hours required, the time-zone windows alone
    mostly reach people who share no hour (skewed population at 10,000: 98.2 % of the proven bound without these
    edges, 99.5 % with them).
    """
    who, hour, order = _free_hours(population, people)
    if len(who) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    a, b, _ = grouped_nearest(who, hour, who, hour, order, rand, k + 1)
    key = goal_signatures(population, people)[who] * HOURS_PER_WEEK + hour
    ga, gb, _ = grouped_nearest(who, key, who, key, order, rand, 4 * k + 1)
    return np.concatenate([a, ga]), np.concatenate([b, gb])


def general_edges(
    population: Population,
    people: IntArray,
    rand: FloatArray,
    reach: int,
    max_gap: int,
    skill_k: int,
    per_hour: int = 0,
) -> tuple[IntArray, IntArray]:
    """Undirected candidate pairs among `people` for peer pairs and study groups (with `per_hour`, also
    `shared_hour_edges`)."""
    n = population.n
    # Each part becomes its pair codes at once (the parts together are 5.5 million pairs at 100,000 people).
    keys: list[IntArray] = [np.empty(0, np.int64)]
    if per_hour:
        keys.append(_pair_codes(*shared_hour_edges(population, people, rand, per_hour), n))
    for lr, t, _ in _skill_windows(population, people, people, max_gap, rand, skill_k):
        keys.append(_pair_codes(t, lr, n))
    keys.append(_pair_codes(*mutual_edges(population, people, rand, 2 * skill_k), n))
    keys.append(_pair_codes(*goal_edges(population, people, rand, reach), n))
    keys.append(_pair_codes(*goal_set_edges(population, people, rand, 2 * reach), n))
    keys.append(_pair_codes(*window_edges(people, population.tz, rand, reach + 1), n))
    # A random order too, so that every department and time zone meets a few strangers.
    keys.append(_pair_codes(*window_edges(people, np.zeros(n, dtype=np.int64), rand, 1), n))
    return _pairs_of_keys(np.concatenate(keys), n)
