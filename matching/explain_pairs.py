"""Reasons for many two-person pairings at once: the same sentences as `explain.reasons`, built in one pass.

Contributions are taken from arrays (one value per pairing) and only the factors that counted get a sentence,
so the cost is a few string formats per pairing rather than a dictionary and a call per factor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import itemgetter

import numpy as np

from matching.explain import listing, time_apart
from matching.model import ProgramSettings, Reason
from matching.population import FloatArray, IntArray, Population


def _skill_texts(p: Population, settings: ProgramSettings, a: IntArray, b: IntArray) -> list[str]:
    """For each pair: who teaches whom what (the lowest-numbered skill each way), as `explain` words it."""
    names = p.names()
    shown = p.skills.shown
    halves: list[list[str | None]] = []
    for x, y in ((a, b), (b, a)):
        skill, level = p.first_teachable(x, y, settings.max_level_gap)
        halves.append(
            [
                None
                if s < 0
                else f"{names[t]} teaches {shown[s]} at level {p.teach_rows[t][s]}; "
                f"{names[u]} wants to learn it at level {lv}"
                for t, u, s, lv in zip(x.tolist(), y.tolist(), skill.tolist(), level.tolist(), strict=True)
            ]
        )
    return ["; and ".join(filter(None, both)) for both in zip(*halves, strict=True)]


_SHARED = ("cross_department", "same_department", "same_team", "timezone", "availability")


def _shared_keys(p: Population, factor: str, first: IntArray, second: IntArray, rows: IntArray) -> IntArray:
    """What the sentence (and the value) of `factor` depends on, for the pairings `rows`."""
    a, b = first[rows], second[rows]
    if factor == "cross_department":
        lo = np.minimum(p.department[a], p.department[b])
        key = lo * np.int64(p.n + 2) + np.maximum(p.department[a], p.department[b])
    elif factor == "same_department":
        key = p.department[a]
    elif factor == "same_team":
        key = p.team[a]
    elif factor == "timezone":
        key = np.abs(p.tz[a] - p.tz[b])
    else:
        key = p.shared_hours(a, b)
    out: IntArray = key.astype(np.int64)
    return out


def _shared_text(p: Population, factor: str, key: int, a: int, b: int) -> str | None:
    if factor == "cross_department":
        depts = sorted({str(d) for d in (p.people[a].department, p.people[b].department) if d is not None})
        return f"you work in different departments ({listing(depts)})"
    if factor == "same_department":
        return f"you both work in {p.people[a].department}"
    if factor == "same_team":
        return f"you are on the same team ({p.people[a].team})"
    if factor == "timezone":
        return time_apart(key)
    if key == 0:
        return None
    return f"you share {key} hour{'s' if key != 1 else ''} a week when you are both free"


def pair_reasons(
    population: Population,
    settings: ProgramSettings,
    first: IntArray,
    second: IntArray,
    parts: Mapping[str, FloatArray],
) -> list[tuple[Reason, ...]]:
    """For each pairing (first[k], second[k]): one reason per factor that counted, largest first."""
    p = population
    count = len(first)
    columns = [_column(p, settings, factor, values, first, second) for factor, values in parts.items()]
    if not columns:
        return [() for _ in range(count)]
    if len(columns) == 1:
        return [() if r is None else (r,) for r in columns[0]]
    # Largest contribution first; equal ones keep the order of `parts`. One getter per distinct order.
    contribution = np.stack([np.round(values, 4) for values in parts.values()], axis=1)
    order = np.argsort(-contribution, axis=1, kind="stable")
    code = (order * (len(columns) ** np.arange(len(columns)))).sum(axis=1)
    distinct, where = np.unique(code, return_index=True)
    getters = {
        c: itemgetter(*order[k].tolist()) for c, k in zip(distinct.tolist(), where.tolist(), strict=True)
    }
    return [
        tuple(filter(None, getters[c](entries)))
        for c, entries in zip(code.tolist(), zip(*columns, strict=True), strict=True)
    ]


def _shared_column(
    p: Population, factor: str, values: FloatArray, first: IntArray, second: IntArray
) -> list[Reason | None]:
    """A factor with few distinct (value, sentence) pairs: one Reason object for each, shared by every pairing."""
    column = np.full(len(first), None, dtype=object)
    rows = np.nonzero(np.abs(values) >= 1e-9)[0]
    if len(rows):
        keys = _shared_keys(p, factor, first, second, rows)
        value = values[rows]
        order = np.lexsort((value, keys))
        new = np.ones(len(rows), dtype=np.bool_)
        new[1:] = (keys[order][1:] != keys[order][:-1]) | (value[order][1:] != value[order][:-1])
        group = np.empty(len(rows), dtype=np.int64)
        group[order] = np.cumsum(new) - 1
        made = np.full(int(new.sum()), None, dtype=object)
        for g, k in enumerate(order[new].tolist()):
            text = _shared_text(p, factor, int(keys[k]), int(first[rows[k]]), int(second[rows[k]]))
            made[g] = None if text is None else Reason(factor, round(float(value[k]), 4), text)
        column[rows] = made[group]
    out: list[Reason | None] = column.tolist()
    return out


def _goals_text(p: Population, common: Iterable[int]) -> str:
    goals = sorted(p.goal_vocab.shown[g] for g in common)
    return f"you share the goal{'s' if len(goals) > 1 else ''} {listing(goals)}"


def _goals_column(
    p: Population, values: FloatArray, first: IntArray, second: IntArray
) -> list[Reason | None]:
    """Shared goals: one Reason per distinct (goals in common, value), found by sorting, not per pairing."""
    column = np.full(len(first), None, dtype=object)
    rows = np.nonzero(np.abs(values) >= 1e-9)[0]
    a, b, value = first[rows], second[rows], values[rows]
    common, covered = p.common_goals(a, b)
    order = np.lexsort((value, *common.T[::-1]))
    new = np.ones(len(rows), dtype=np.bool_)
    if len(rows):
        new[1:] = (value[order][1:] != value[order][:-1]) | np.any(
            common[order][1:] != common[order][:-1], axis=1
        )
    group = np.empty(len(rows), dtype=np.int64)
    group[order] = np.cumsum(new) - 1
    made = np.full(int(new.sum()), None, dtype=object)
    for g, k in enumerate(order[new].tolist()):
        shared = [int(c) for c in common[k] if c >= 0]
        made[g] = Reason("goals", round(float(value[k]), 4), _goals_text(p, shared))
    column[rows] = made[group]
    for k in np.nonzero(~covered)[0].tolist():  # someone with very many goals
        x, y = int(a[k]), int(b[k])
        text = _goals_text(p, p.goal_rows[x].keys() & p.goal_rows[y].keys())
        column[rows[k]] = Reason("goals", round(float(value[k]), 4), text)
    out: list[Reason | None] = column.tolist()
    return out


def _column(
    p: Population,
    settings: ProgramSettings,
    factor: str,
    values: FloatArray,
    first: IntArray,
    second: IntArray,
) -> list[Reason | None]:
    """Each pairing's reason for one factor, or None when the factor did not count."""
    if factor in _SHARED:
        return _shared_column(p, factor, values, first, second)
    out: list[Reason | None] = [None] * len(first)
    rows: list[int] = np.nonzero(np.abs(values) >= 1e-9)[0].tolist()
    shown: list[float] = values[rows].tolist()
    a_list: list[int] = first[rows].tolist()
    b_list: list[int] = second[rows].tolist()
    names = p.names()
    if factor == "goals":
        return _goals_column(p, values, first, second)
    if factor == "skill":
        texts = _skill_texts(p, settings, first[rows], second[rows])
        for k, value, text in zip(rows, shown, texts, strict=True):
            out[k] = Reason(factor, round(value, 4), text)
        return out
    for k, value, a, b in zip(rows, shown, a_list, b_list, strict=True):
        if factor == "goals":
            text = _goals_text(p, p.goal_rows[a].keys() & p.goal_rows[b].keys())
        elif factor == "fairness":
            waited = [names[m] for m in (a, b) if p.unmatched_last[m]]
            one = len(waited) == 1
            text = (
                f"{listing(waited)} {'was' if one else 'were'} not matched last round, "
                f"so {'goes' if one else 'go'} first"
            )
        elif factor == "previous_groupmate":
            text = "some of you were in a group together before"
        else:
            raise ValueError(f"Factor '{factor}' has no sentence.")
        out[k] = Reason(factor, round(value, 4), text)
    return out
