"""A proven upper bound on the best peer pairing, for rounds too large for an exact blossom.

Why it is an upper bound. Let w(i, j) >= 0 be the score of pairing i with j and A the allowed pairs (both have
time, no cool-down or never-match between them, enough shared hours where both gave availability). Turn a
pairing M into an assignment on the *double cover* (every person once as a row, once as a column): i -> j and
j -> i for each pair, worth 2 w(M). So 2 w(M) is at most the optimum of the assignment linear program

    max sum w(i, j) x(i, j) over allowed (i, j),  sum_j x(i, j) <= 1,  sum_i x(i, j) <= 1,  x >= 0,

and by weak duality at most  sum_i a(i) + sum_j p(j)  for *any* prices p >= 0, with
a(i) = max(0, max over allowed j of w(i, j) - p(j)). Hence

    w(M) <= (sum_i a(i) + sum_j p(j)) / 2   for every pairing M under the hard constraints.

The judge counts a trio as its best pair, so every grouping we score is a pairing here. Any prices give a valid
bound; good ones (an auction's, on the matcher's candidate edges) make it tight. The maximum in a(i) runs over
*every* allowed partner: all n - 1 of them, in blocks of rows, scored by a dense copy of `matching.scoring` that
is checked against it on a sample of every block.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from benchmarks.matching.quality import Judge
from matching.auction import auction
from matching.candidates import general_edges
from matching.population import FloatArray, IntArray
from matching.scoring import FULL_OVERLAP_HOURS, PEER_FACTORS, TZ_HORIZON_MINUTES, factor_values, total

ROWS = 64  # rows of the all-pairs table built at once (64 x 100,000 doubles: 51 MB per array)
PRICE_EPS = 0.0002  # the auction's bid increment for the prices, relative to the heaviest edge
CHECKED = 2_000  # pairs per block compared with `matching.scoring`
TOP = 16  # partners per person added to the priced pairs by each pass
PASSES = 4  # at 10,000 people the bound stops moving after pass 2 (synthetic) or 3 (skewed)


def proven_bound(judge: Judge, seed: int, passes: int = PASSES) -> list[float]:
    """The bound after each pass of column generation; each is valid, the last is the tightest.

    Pass 1 prices the matcher's candidate pairs. Each pass then adds, for every person, the partners with the
    largest w(i, j) - p(j) over *all* allowed partners (the ones that kept the bound up) and prices again.
    """
    p, c, s = judge.population, judge.constraints, judge.settings
    people = np.nonzero(c.has_time)[0].astype(np.int64)
    rand = np.random.default_rng(seed).random(p.n)
    i, j = general_edges(p, people, rand, 3, s.max_level_gap, 6)
    out: list[float] = []
    for _ in range(passes):
        value, more_i, more_j = peer_pair_bound(judge, prices(judge, i, j))
        out.append(value)
        i, j = np.concatenate([i, more_i]), np.concatenate([j, more_j])
    return out


def prices(judge: Judge, i: IntArray, j: IntArray) -> FloatArray:
    """Auction prices on the double cover of the pairs (i, j) (any prices >= 0 give a bound)."""
    p, c, s = judge.population, judge.constraints, judge.settings
    keys = np.unique(np.minimum(i, j) * p.n + np.maximum(i, j))
    i, j = keys // p.n, keys % p.n
    ok = c.allowed(i, j) & c.has_time[i] & c.has_time[j]
    i, j = i[ok], j[ok]
    w = total(factor_values(p, c, s, i, j, PEER_FACTORS), len(i))
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    weight = np.concatenate([w, w])
    order = np.lexsort((cols, rows))
    price = np.zeros(p.n, dtype=np.float64)
    auction(
        p.n,
        rows[order],
        cols[order],
        weight[order],
        np.ones(p.n, dtype=np.int64),
        PRICE_EPS * float(weight.max()),
        prices_out=price,
    )
    price[~np.isfinite(price)] = 0.0
    return price


def _incidence(matrix: csr_matrix) -> csr_matrix:
    out = csr_matrix(matrix, dtype=np.float64, copy=True)
    out.data[:] = 1.0
    return out


def peer_pair_bound(judge: Judge, price: FloatArray) -> tuple[float, IntArray, IntArray]:
    """(sum_i a(i) + sum_j p(j)) / 2 with a(i) over every allowed partner: at least any pairing's total.

    Also each person's `TOP` partners by w(i, j) - p(j), as pairs (i, j), for the next pass.
    """
    p, c, s = judge.population, judge.constraints, judge.settings
    wt = s.weights
    n = p.n
    price = np.where(c.has_time, np.maximum(price, 0.0), 0.0)
    can, wants = (_incidence(rs.matrix) for rs in p._levels(s.max_level_gap))
    goals = _incidence(p.goals)
    can_t, wants_t, goals_t = can.T.tocsr(), wants.T.tocsr(), goals.T.tocsr()
    avail = p.avail
    dept = p.department
    fair = p.unmatched_last.astype(np.float64)
    need = s.min_shared_hours
    forbidden = c.forbidden
    lo, hi = forbidden // max(n, 1), forbidden % max(n, 1)
    rng = np.random.default_rng(0)
    best = np.zeros(n, dtype=np.float64)
    top_i: list[IntArray] = [np.empty(0, np.int64)]
    top_j: list[IntArray] = [np.empty(0, np.int64)]
    for start in range(0, n, ROWS):
        r = np.arange(start, min(start + ROWS, n), dtype=np.int64)
        shared = np.zeros((len(r), n), dtype=np.int64)
        for k in range(avail.shape[1]):
            shared += np.bitwise_count(avail[r, k][:, None] & avail[None, :, k])
        forward = (wants[r] @ can_t).toarray() > 0  # column j teaches row i
        backward = (can[r] @ wants_t).toarray() > 0
        common = (goals[r] @ goals_t).toarray()
        union = p.goal_count[r][:, None] + p.goal_count[None, :] - common
        jaccard = np.divide(common, union, out=np.zeros(common.shape), where=union > 0)
        apart = np.minimum(np.abs(p.tz[r][:, None] - p.tz[None, :]), TZ_HORIZON_MINUTES)
        w = wt.skill * 0.5 * (forward.astype(np.float64) + backward)
        w += wt.goals * jaccard
        if s.prefer_cross_department:
            w += wt.cross_department * (
                (dept[r][:, None] >= 0) & (dept[None, :] >= 0) & (dept[r][:, None] != dept)
            )
        w += wt.timezone * (1.0 - apart / TZ_HORIZON_MINUTES)
        w += wt.availability * np.minimum(shared / FULL_OVERLAP_HOURS, 1.0)
        w += wt.fairness * 0.5 * (fair[r][:, None] + fair[None, :])
        allowed = np.ones(w.shape, dtype=np.bool_)
        allowed[np.arange(len(r)), r] = False
        allowed[:, ~c.has_time] = False
        if need > 0:
            known = p.avail_known[r][:, None] & p.avail_known[None, :]
            allowed &= ~known | (shared >= need)
        for a, b in ((lo, hi), (hi, lo)):
            mine = (a >= start) & (a < start + len(r))
            allowed[a[mine] - start, b[mine]] = False
        _check(judge, r, w, allowed, rng)
        value = np.where(allowed, w - price[None, :], -np.inf)
        best[r] = np.maximum(value.max(axis=1), 0.0)
        top = np.argpartition(-value, TOP - 1, axis=1)[:, :TOP]
        fine = np.isfinite(value[np.arange(len(r))[:, None], top])
        top_i.append(np.repeat(r, TOP)[fine.ravel()])
        top_j.append(top.ravel()[fine.ravel()])
    best[~c.has_time] = 0.0
    return float((best.sum() + price.sum()) / 2), np.concatenate(top_i), np.concatenate(top_j)


def _check(judge: Judge, r: IntArray, w: FloatArray, allowed: np.ndarray, rng: np.random.Generator) -> None:
    """The dense table equals `matching.scoring` and `Constraints.allowed` on a random sample of its pairs."""
    p, c, s = judge.population, judge.constraints, judge.settings
    a = rng.integers(0, len(r), CHECKED)
    b = rng.integers(0, p.n, CHECKED)
    # Half the sample on pairs the history rules out, where the bound could go wrong.
    keys = c.forbidden[(c.forbidden // p.n >= r[0]) & (c.forbidden // p.n <= r[-1])]
    if len(keys):
        pick = keys[rng.integers(0, len(keys), CHECKED // 2)]
        a[: CHECKED // 2] = pick // p.n - r[0]
        b[: CHECKED // 2] = pick % p.n
    i = r[a]
    expected = total(factor_values(p, c, s, i, b, PEER_FACTORS), len(i))
    ok = c.allowed(i, b) & c.has_time[b]
    if not np.allclose(w[a, b], expected) or not np.array_equal(allowed[a, b], ok):
        raise AssertionError(f"The dense scores differ from matching.scoring in rows {r[0]}..{r[-1]}.")


__all__ = ["peer_pair_bound", "prices", "proven_bound"]
