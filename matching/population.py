"""Participants turned into arrays, so that scoring and filtering run over many pairs at once.

People are ordered by id, which makes every result independent of the order of the input.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from matching.model import HOURS_PER_WEEK, Participant
from matching.row_sets import RowSets, common_columns, first_common, overlap

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
WORDS = 3  # 168 hour-of-week slots fit in three 64-bit words
CHUNK = 1 << 20  # pairs scored at once, which bounds the temporary arrays


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


def _coded(
    maps: Sequence[Mapping[str, int]], labels: _Labels, what: str, ids: Sequence[str]
) -> tuple[list[dict[int, int]], csr_matrix]:
    """Each person's {column: level} (the highest level when two spellings meet) and the same as a matrix."""
    counts = [len(m) for m in maps]
    flat_labels = [label for m in maps for label in m]
    flat_levels = [level for m in maps for level in m.values()]
    levels = np.array(flat_levels, dtype=np.int64)
    bad = np.nonzero((levels < 1) | (levels > 5))[0]
    if len(bad):
        k = int(bad[0])
        row = int(np.searchsorted(np.cumsum(counts), k, side="right"))
        raise ValueError(
            f"Participant '{ids[row]}' {what} '{flat_labels[k]}' at level '{flat_levels[k]}'. Not in 1..5."
        )
    for label in dict.fromkeys(flat_labels):
        labels.number(label)
    raw = labels.raw
    flat_cols = [raw[label] for label in flat_labels]
    pairs = iter(zip(flat_cols, flat_levels, strict=True))
    rows: list[dict[int, int]] = [dict(itertools.islice(pairs, count)) for count in counts]
    if sum(map(len, rows)) == len(flat_cols):
        indptr = np.concatenate([[0], np.cumsum(np.array(counts, dtype=np.int64))])
        cols = np.array(flat_cols, dtype=np.int64)
        matrix = csr_matrix((levels, cols, indptr), shape=(len(rows), max(len(labels.shown), 1)))
        matrix.sort_indices()
        return rows, matrix
    at = 0
    for k, count in enumerate(counts):
        if len(rows[k]) < count:  # two spellings of one label: keep the highest level
            coded: dict[int, int] = {}
            for c, v in zip(flat_cols[at : at + count], flat_levels[at : at + count], strict=True):
                coded[c] = max(v, coded.get(c, 0))
            rows[k] = coded
        at += count
    return rows, _matrix(rows, len(labels.shown))


def _matrix(rows: Sequence[dict[int, int]], width: int) -> csr_matrix:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    cols = np.array([c for r in rows for c in r], dtype=np.int64)
    vals = np.array([v for r in rows for v in r.values()], dtype=np.int64)
    matrix = csr_matrix((vals, cols, indptr), shape=(len(rows), max(width, 1)))
    matrix.sort_indices()
    return matrix


def _availability(people: Sequence[Participant]) -> npt.NDArray[np.uint64]:
    """Hour-of-week slots as bits in three 64-bit words per person."""
    counts = np.array([len(p.weekly_availability or ()) for p in people], dtype=np.int64)
    slots = np.array([s for p in people for s in (p.weekly_availability or ())], dtype=np.int64)
    bad = np.nonzero((slots < 0) | (slots >= HOURS_PER_WEEK))[0]
    if len(bad):
        row = int(np.repeat(np.arange(len(people)), counts)[bad[0]])
        own = people[row].weekly_availability or frozenset()
        shown = min(own) if min(own) < 0 else max(own)
        raise ValueError(f"Participant '{people[row].id}' is available at slot '{shown}'. Not in 0..167.")
    words = np.zeros(len(people) * WORDS, dtype=np.uint64)
    where = np.repeat(np.arange(len(people)), counts) * WORDS + slots // 64
    np.bitwise_or.at(words, where, np.left_shift(np.uint64(1), (slots % 64).astype(np.uint64)))
    return words.reshape(len(people), WORDS)


# The UTC offsets in use on Earth: from -12:00 (Baker Island) to +14:00 (Line Islands).
MIN_UTC_OFFSET_MINUTES, MAX_UTC_OFFSET_MINUTES = -12 * 60, 14 * 60


def _check_numbers(people: Sequence[Participant], tz: IntArray) -> None:
    """Refuse values no person can have, naming the person and the value, instead of matching on them
    (a negative capacity would still give a mentor a slot; an offset of days a shared hour)."""
    bad = np.nonzero((tz < MIN_UTC_OFFSET_MINUTES) | (tz > MAX_UTC_OFFSET_MINUTES))[0]
    if len(bad):
        person = people[int(bad[0])]
        raise ValueError(
            f"Participant '{person.id}' has the UTC offset '{person.utc_offset_minutes}' minutes. "
            f"Not in {MIN_UTC_OFFSET_MINUTES}..{MAX_UTC_OFFSET_MINUTES} (UTC-12:00 to UTC+14:00)."
        )
    for name in ("hours_per_month", "capacity", "active_mentees", "tenure_days"):
        value_of = operator.attrgetter(name)
        for person in people:
            value = value_of(person)
            if value is not None and value < 0:
                raise ValueError(f"Participant '{person.id}' has {name} '{value}'. It cannot be negative.")


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
        self.teach_rows, teach = _coded([p.teaches for p in people], skills, "teaches", ids)
        self.learn_rows, learn = _coded([p.learns for p in people], skills, "learns", ids)
        goals = _Labels()
        self.goal_rows, self.goals = _coded(
            [dict.fromkeys(sorted(p.goals), 1) for p in people], goals, "has goal", ids
        )
        self.skills = skills.vocabulary()
        self.goal_vocab = goals.vocabulary()
        width = max(len(self.skills.shown), 1)
        self.teach = csr_matrix((teach.data, teach.indices, teach.indptr), shape=(n, width))
        self.learn = csr_matrix((learn.data, learn.indices, learn.indptr), shape=(n, width))
        self.goal_count = np.asarray(self.goals.sum(axis=1)).ravel().astype(np.int64)
        self.department = _codes([p.department for p in people])
        self.team = _codes([p.team for p in people])
        self.tz = np.array([p.utc_offset_minutes for p in people], dtype=np.int64)
        _check_numbers(people, self.tz)
        self.unmatched_last = np.array([p.unmatched_last_round for p in people], dtype=np.bool_)
        self.avail_known = np.array([p.weekly_availability is not None for p in people], dtype=np.bool_)
        self._names: list[str] | None = None
        self._level_cache: dict[int, tuple[RowSets, RowSets]] = {}
        self._goal_sets: tuple[RowSets, RowSets] | None = None
        self.avail = _availability(people)
        self._avail_words = [np.ascontiguousarray(self.avail[:, k]) for k in range(WORDS)]
        self._avail_int: list[int] | None = None

    @property
    def avail_int(self) -> list[int]:
        """Each person's availability as one Python integer of 168 bits (built on first use)."""
        if self._avail_int is None:
            words = self.avail.tolist()
            self._avail_int = [a | (b << 64) | (c << 128) for a, b, c in words]
        return self._avail_int

    def shared_hours(self, i: IntArray, j: IntArray) -> IntArray:
        """Weekly hours both are available (0 when either availability is unknown)."""
        out = np.empty(len(i), dtype=np.int64)
        for start in range(0, len(i), CHUNK):
            a, b = i[start : start + CHUNK], j[start : start + CHUNK]
            count = np.zeros(len(a), dtype=np.uint8)
            for word in self._avail_words:
                count += np.bitwise_count(word[a] & word[b])
            out[start : start + CHUNK] = count
        return out

    def both_known(self, i: IntArray, j: IntArray) -> BoolArray:
        out: BoolArray = self.avail_known[i] & self.avail_known[j]
        return out

    def shared_goals(self, i: IntArray, j: IntArray) -> IntArray:
        """How many goals each pair (i[k], j[k]) shares."""
        return overlap(*self._goal_tables(), i, j)

    def common_goals(self, i: IntArray, j: IntArray) -> tuple[IntArray, BoolArray]:
        """The goals each pair shares (see `row_sets.common_columns`)."""
        return common_columns(*self._goal_tables(), i, j)

    def _goal_tables(self) -> tuple[RowSets, RowSets]:
        if self._goal_sets is None:
            self._goal_sets = (RowSets(self.goals, pad=-1), RowSets(self.goals, pad=-2))
        return self._goal_sets

    def teachable(self, teacher: IntArray, learner: IntArray, max_gap: int) -> BoolArray:
        """Whether `teacher` teaches some skill `learner` wants, above the learner's level by at most `max_gap`."""
        can, wants = self._levels(max_gap)
        out: BoolArray = overlap(can, wants, teacher, learner) > 0
        return out

    def first_teachable(
        self, teacher: IntArray, learner: IntArray, max_gap: int
    ) -> tuple[IntArray, IntArray]:
        """The lowest-numbered skill `teacher` can teach `learner` (-1 for none), and the learner's level in it."""
        can, wants = self._levels(max_gap)
        column = first_common(can, wants, teacher, learner)
        return np.where(column >= 0, column // 5, -1), column % 5 + 1

    def _levels(self, max_gap: int) -> tuple[RowSets, RowSets]:
        """(skill, learner level) columns: what each person can teach within `max_gap`, and what each wants."""
        cached = self._level_cache.get(max_gap)
        if cached is not None:
            return cached
        teach, learn = self.teach.tocoo(), self.learn.tocoo()
        width = self.teach.shape[1] * 5
        gaps = np.arange(1, max_gap + 1)
        rows = np.repeat(teach.row, max_gap)
        level = np.repeat(teach.data, max_gap) - np.tile(gaps, teach.nnz)
        cols = np.repeat(teach.col, max_gap) * 5 + level - 1
        ok = level >= 1
        ones = np.ones(int(ok.sum()), dtype=np.int64)
        can = csr_matrix((ones, (rows[ok], cols[ok])), shape=(self.n, width))
        can.sum_duplicates()
        can.data[:] = 1
        keys = learn.col * 5 + learn.data - 1
        wants = csr_matrix((np.ones(learn.nnz, dtype=np.int64), (learn.row, keys)), shape=(self.n, width))
        sets = self._level_cache[max_gap] = (RowSets(can, pad=-1), RowSets(wants, pad=-2))
        return sets

    def name(self, i: int) -> str:
        return self.people[i].name

    def names(self) -> list[str]:
        """Every participant's name, by position (computed once)."""
        if self._names is None:
            self._names = [q.display_name or q.id for q in self.people]
        return self._names
