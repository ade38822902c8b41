"""Participants turned into arrays, so that scoring and filtering run over many pairs at once.

People are ordered by id, which makes every result independent of the order of the input.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from matching.model import HOURS_PER_WEEK, Participant

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
WORDS = 3  # 168 hour-of-week slots fit in three 64-bit words
CHUNK = 200_000  # pairs scored at once, which bounds the temporary arrays


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


class _Labels:
    """Numbers labels (skills or goals) by their normalised form, remembering the first spelling to show."""

    def __init__(self) -> None:
        self.raw: dict[str, int] = {}
        self.index: dict[str, int] = {}
        self.shown: list[str] = []

    def number(self, label: str) -> int:
        hit = self.raw.get(label)
        if hit is None:
            key = normalise(label)
            hit = self.index.get(key)
            if hit is None:
                hit = self.index[key] = len(self.shown)
                self.shown.append(label.strip())
            self.raw[label] = hit
        return hit

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.index, self.shown)


def _rows(
    maps: Sequence[Mapping[str, int]], labels: _Labels, what: str, ids: Sequence[str]
) -> list[dict[int, int]]:
    out: list[dict[int, int]] = []
    number = labels.number
    for row, mapping in enumerate(maps):
        coded: dict[int, int] = {}
        for label, level in mapping.items():
            if not 1 <= level <= 5:
                raise ValueError(
                    f"Participant '{ids[row]}' {what} '{label}' at level '{level}'. Not in 1..5."
                )
            column = number(label)
            coded[column] = max(level, coded.get(column, 0))
        out.append(coded)
    return out


def _matrix(rows: Sequence[dict[int, int]], width: int) -> csr_matrix:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    cols = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(indptr[-1]))
    vals = np.fromiter((v for r in rows for v in r.values()), dtype=np.int64, count=int(indptr[-1]))
    matrix = csr_matrix((vals, cols, indptr), shape=(len(rows), max(width, 1)))
    matrix.sort_indices()
    return matrix


def _bits(person: Participant) -> int:
    slots = person.weekly_availability
    if not slots:
        return 0
    if min(slots) < 0 or max(slots) >= HOURS_PER_WEEK:
        bad = min(slots) if min(slots) < 0 else max(slots)
        raise ValueError(f"Participant '{person.id}' is available at slot '{bad}'. Not in 0..167.")
    return sum(1 << slot for slot in slots)


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
        ids = [p.id for p in people]
        skills = _Labels()
        self.teach_rows = _rows([p.teaches for p in people], skills, "teaches", ids)
        self.learn_rows = _rows([p.learns for p in people], skills, "learns", ids)
        goals = _Labels()
        self.goal_rows = _rows([dict.fromkeys(sorted(p.goals), 1) for p in people], goals, "has goal", ids)
        self.skills = skills.vocabulary()
        self.goal_vocab = goals.vocabulary()
        self.teach = _matrix(self.teach_rows, len(self.skills.shown))
        self.learn = _matrix(self.learn_rows, len(self.skills.shown))
        self.goals = _matrix(self.goal_rows, len(self.goal_vocab.shown))
        self.goal_count = np.asarray(self.goals.sum(axis=1)).ravel().astype(np.int64)
        self.department = _codes([p.department for p in people])
        self.team = _codes([p.team for p in people])
        self.tz = np.array([p.utc_offset_minutes for p in people], dtype=np.int64)
        self.unmatched_last = np.array([p.unmatched_last_round for p in people], dtype=np.bool_)
        self.avail_known = np.array([p.weekly_availability is not None for p in people], dtype=np.bool_)
        self._pads: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.int8]]] = {}
        self.avail_int = [_bits(p) for p in people]
        mask = (1 << 64) - 1
        self.avail = np.array(
            [[(bits >> (64 * w)) & mask for w in range(WORDS)] for bits in self.avail_int], dtype=np.uint64
        ).reshape(n, WORDS)

    def shared_hours(self, i: IntArray, j: IntArray) -> IntArray:
        """Weekly hours both are available (0 when either availability is unknown)."""
        both = np.bitwise_and(self.avail[i], self.avail[j])
        out: IntArray = np.bitwise_count(both).sum(axis=1).astype(np.int64)
        return out

    def both_known(self, i: IntArray, j: IntArray) -> BoolArray:
        out: BoolArray = self.avail_known[i] & self.avail_known[j]
        return out

    def shared_goals(self, i: IntArray, j: IntArray) -> IntArray:
        """How many goals each pair (i[k], j[k]) shares."""
        out = np.zeros(len(i), dtype=np.int64)
        if self.goals.nnz == 0:
            return out
        cols, _ = self._padded("goals")
        for start in range(0, len(i), CHUNK):
            a, b = cols[i[start : start + CHUNK]], cols[j[start : start + CHUNK]]
            same = (a[:, :, None] == b[:, None, :]) & (a[:, :, None] >= 0)
            out[start : start + CHUNK] = same.sum(axis=(1, 2))
        return out

    def teachable(self, teacher: IntArray, learner: IntArray, max_gap: int) -> BoolArray:
        """Whether `teacher` teaches some skill `learner` wants, above the learner's level by at most `max_gap`."""
        out = np.zeros(len(teacher), dtype=np.bool_)
        if self.teach.nnz == 0 or self.learn.nnz == 0:
            return out
        t_cols, t_levels = self._padded("teach")
        l_cols, l_levels = self._padded("learn")
        for start in range(0, len(teacher), CHUNK):
            t, lr = teacher[start : start + CHUNK], learner[start : start + CHUNK]
            same = (t_cols[t][:, :, None] == l_cols[lr][:, None, :]) & (t_cols[t][:, :, None] >= 0)
            gap = t_levels[t][:, :, None] - l_levels[lr][:, None, :]
            out[start : start + CHUNK] = (same & (gap >= 1) & (gap <= max_gap)).any(axis=(1, 2))
        return out

    def _padded(self, which: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int8]]:
        """Rows of a sparse matrix as fixed-width arrays (column, value), padded with column -1."""
        cached = self._pads.get(which)
        if cached is not None:
            return cached
        matrix = {"teach": self.teach, "learn": self.learn, "goals": self.goals}[which]
        counts = np.diff(matrix.indptr)
        width = max(int(counts.max(initial=0)), 1)
        cols = np.full((self.n, width), -1, dtype=np.int32)
        values = np.zeros((self.n, width), dtype=np.int8)
        rows = np.repeat(np.arange(self.n), counts)
        slot = np.arange(matrix.nnz) - np.repeat(matrix.indptr[:-1], counts)
        cols[rows, slot] = matrix.indices
        values[rows, slot] = matrix.data
        self._pads[which] = (cols, values)
        return cols, values

    def name(self, i: int) -> str:
        return self.people[i].name
