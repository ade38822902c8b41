"""Participants turned into arrays, so that scoring and filtering run over many pairs at once.

People are ordered by id, which makes every result independent of the order of the input.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from matching.model import HOURS_PER_WEEK, Participant

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
WORDS = 3  # 168 hour-of-week slots fit in three 64-bit words


def normalise(label: str) -> str:
    return label.strip().casefold()


def _codes(values: Sequence[str | None]) -> IntArray:
    table: dict[str, int] = {}
    return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values], dtype=np.int64)


@dataclass(frozen=True)
class Vocabulary:
    """Normalised labels (skills or goals) to column numbers, with the label to show for each."""

    index: dict[str, int]
    shown: list[str]


def _levels_matrix(
    maps: Sequence[dict[str, int]], vocab: Vocabulary, n: int, what: str, ids: Sequence[str]
) -> csr_matrix:
    rows: list[int] = []
    cols: list[int] = []
    vals: list[int] = []
    for row, mapping in enumerate(maps):
        for label, level in mapping.items():
            if not 1 <= level <= 5:
                raise ValueError(
                    f"Participant '{ids[row]}' {what} '{label}' at level '{level}'. Not in 1..5."
                )
            rows.append(row)
            cols.append(vocab.index[label])
            vals.append(level)
    return csr_matrix(
        (np.array(vals, dtype=np.int64), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
        shape=(n, max(len(vocab.shown), 1)),
    )


def _vocabulary(labels: Sequence[Sequence[str]]) -> Vocabulary:
    index: dict[str, int] = {}
    shown: list[str] = []
    for group in labels:
        for label in group:
            key = normalise(label)
            if key not in index:
                index[key] = len(shown)
                shown.append(label.strip())
    return Vocabulary(index, shown)


class Population:
    """The participants of one round, sorted by id, with array views of what scoring needs."""

    def __init__(self, participants: Sequence[Participant]) -> None:
        people = sorted(participants, key=lambda p: p.id)
        for a, b in itertools.pairwise(people):
            if a.id == b.id:
                raise ValueError(f"Participant id '{a.id}' appears more than once.")
        self.people = people
        self.n = n = len(people)
        self.position = {p.id: i for i, p in enumerate(people)}
        teaches = [{normalise(k): v for k, v in p.teaches.items()} for p in people]
        learns = [{normalise(k): v for k, v in p.learns.items()} for p in people]
        self.skills = _vocabulary([list(p.teaches) + list(p.learns) for p in people])
        self.goal_vocab = _vocabulary([sorted(p.goals) for p in people])
        ids = [p.id for p in people]
        self.teach = _levels_matrix(teaches, self.skills, n, "teaches", ids)
        self.learn = _levels_matrix(learns, self.skills, n, "learns", ids)
        self.goals = _levels_matrix(
            [{normalise(g): 1 for g in p.goals} for p in people], self.goal_vocab, n, "has goal", ids
        )
        self.goal_count = np.asarray(self.goals.sum(axis=1)).ravel().astype(np.int64)
        self.department = _codes([p.department for p in people])
        self.team = _codes([p.team for p in people])
        self.tz = np.array([p.utc_offset_minutes for p in people], dtype=np.int64)
        self.unmatched_last = np.array([p.unmatched_last_round for p in people], dtype=np.bool_)
        self.avail_known = np.array([p.weekly_availability is not None for p in people], dtype=np.bool_)
        self.avail = np.zeros((n, WORDS), dtype=np.uint64)
        self.avail_int: list[int] = []
        for i, p in enumerate(people):
            bits = 0
            for slot in p.weekly_availability or ():
                if not 0 <= slot < HOURS_PER_WEEK:
                    raise ValueError(f"Participant '{p.id}' is available at slot '{slot}'. Not in 0..167.")
                bits |= 1 << slot
            self.avail_int.append(bits)
            for w in range(WORDS):
                self.avail[i, w] = (bits >> (64 * w)) & 0xFFFFFFFFFFFFFFFF

    def shared_hours(self, i: IntArray, j: IntArray) -> IntArray:
        """Weekly hours both are available (0 when either availability is unknown)."""
        both = np.bitwise_and(self.avail[i], self.avail[j])
        out: IntArray = np.bitwise_count(both).sum(axis=1).astype(np.int64)
        return out

    def both_known(self, i: IntArray, j: IntArray) -> BoolArray:
        out: BoolArray = self.avail_known[i] & self.avail_known[j]
        return out

    def shared_goals(self, i: IntArray, j: IntArray) -> IntArray:
        if len(i) == 0 or self.goals.nnz == 0:
            return np.zeros(len(i), dtype=np.int64)
        product = self.goals[i].multiply(self.goals[j])
        return np.asarray(product.sum(axis=1)).ravel().astype(np.int64)

    def teachable(self, teacher: IntArray, learner: IntArray, max_gap: int) -> BoolArray:
        """Whether `teacher` teaches some skill `learner` wants, above the learner's level by at most `max_gap`."""
        if len(teacher) == 0 or self.teach.nnz == 0 or self.learn.nnz == 0:
            return np.zeros(len(teacher), dtype=np.bool_)
        t = self.teach[teacher]
        lv = self.learn[learner]
        t_on = t.copy()
        t_on.data = np.ones_like(t_on.data)
        l_on = lv.copy()
        l_on.data = np.ones_like(l_on.data)
        gap = t.multiply(l_on) - lv.multiply(t_on)
        gap = csr_matrix(gap)
        gap.data = ((gap.data >= 1) & (gap.data <= max_gap)).astype(np.int64)
        gap.eliminate_zeros()
        out: BoolArray = np.asarray(gap.sum(axis=1)).ravel() > 0
        return out

    def name(self, i: int) -> str:
        return self.people[i].name

    def level(self, matrix: csr_matrix, person: int, skill: int) -> int:
        start, end = matrix.indptr[person], matrix.indptr[person + 1]
        cols = matrix.indices[start:end]
        hit = np.nonzero(cols == skill)[0]
        return int(matrix.data[start + hit[0]]) if len(hit) else 0
