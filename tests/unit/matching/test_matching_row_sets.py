from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from matching.row_sets import WIDEST, RowSets, common_columns, first_common, overlap


def sets_matrix(rows: list[set[int]], width: int) -> csr_matrix:
    dense = np.zeros((len(rows), width), dtype=np.int64)
    for r, cols in enumerate(rows):
        dense[r, sorted(cols)] = 1
    return csr_matrix(dense)


def test_row_set_intersections_match_plain_sets_also_for_rows_wider_than_the_table() -> None:
    rng = np.random.default_rng(3)
    width = 40
    left = [set(rng.choice(width, int(rng.integers(0, 5)), replace=False).tolist()) for _ in range(60)]
    right = [set(rng.choice(width, int(rng.integers(0, 4)), replace=False).tolist()) for _ in range(60)]
    left[7] = set(range(WIDEST + 5))  # wider than the padded table
    a, b = RowSets(sets_matrix(left, width), pad=-1), RowSets(sets_matrix(right, width), pad=-2)
    i, j = rng.integers(0, 60, 500), rng.integers(0, 60, 500)
    i[:20] = 7
    counts = overlap(a, b, i, j)
    lowest = first_common(a, b, i, j)
    common, covered = common_columns(a, b, i, j)
    for k, (x, y) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        both = left[x] & right[y]
        assert counts[k] == len(both)
        assert lowest[k] == (min(both) if both else -1)
        if covered[k]:
            assert [c for c in common[k].tolist() if c >= 0] == sorted(both)
    assert not covered[:20].any()
