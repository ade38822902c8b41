"""Soft preferences between two people, each scaled to 0..1 and multiplied by its weight.

A pairing's score is the sum of its factors' contributions; the same numbers become its reasons.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from matching.constraints import Constraints
from matching.model import ProgramSettings
from matching.population import BoolArray, FloatArray, IntArray, Population

TZ_HORIZON_MINUTES = 12 * 60
FULL_OVERLAP_HOURS = 10

PEER_FACTORS = ("skill", "goals", "cross_department", "timezone", "availability", "fairness")
GROUP_FACTORS = ("skill", "goals", "cross_department", "timezone", "availability", "previous_groupmate")
MENTOR_FACTORS = ("goals", "cross_department", "timezone", "availability")
BUDDY_FACTORS = ("skill", "goals", "same_department", "same_team", "timezone", "availability")


def factor_values(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    i: IntArray,
    j: IntArray,
    factors: Collection[str],
) -> dict[str, FloatArray]:
    """Weighted contribution of each factor for the pairs (i[k], j[k]). For "skill", i teaches j."""
    # In place where it can be: at 100,000 people this runs over 5 million candidate pairs, and each fresh
    # temporary is 40 MB of memory for the kernel to hand out and zero. The operations and their order are
    # the ones written out in the comments, so the values are the same to the last bit.
    w = settings.weights
    out: dict[str, FloatArray] = {}
    p = population
    if "skill" in factors:
        skill = p.teachable(i, j, settings.max_level_gap).astype(np.float64)
        if settings.kind == "onboarding":
            skill *= w.skill * 0.5  # w.skill * 0.5 * forward
        else:
            skill += p.teachable(j, i, settings.max_level_gap)
            skill *= w.skill * 0.5  # w.skill * 0.5 * (forward + backward)
        out["skill"] = skill
    if "goals" in factors:
        shared = p.shared_goals(i, j).astype(np.float64)
        either = p.goal_count[i]
        either += p.goal_count[j]
        union = either.astype(np.float64)
        union -= shared
        goals = np.zeros_like(shared)
        np.divide(shared, union, out=goals, where=union > 0)
        goals *= w.goals  # w.goals * shared / union
        out["goals"] = goals
    if "cross_department" in factors and settings.prefer_cross_department:
        di, dj = p.department[i], p.department[j]
        out["cross_department"] = _weighted(w.cross_department, (di >= 0) & (dj >= 0) & (di != dj))
    if "same_department" in factors:
        di, dj = p.department[i], p.department[j]
        out["same_department"] = _weighted(w.same_department, (di >= 0) & (di == dj))
    if "same_team" in factors:
        ti, tj = p.team[i], p.team[j]
        out["same_team"] = _weighted(w.same_team, (ti >= 0) & (ti == tj))
    if "timezone" in factors:
        minutes = p.tz[i]
        minutes -= p.tz[j]
        np.abs(minutes, out=minutes)
        np.minimum(minutes, TZ_HORIZON_MINUTES, out=minutes)
        near = minutes.astype(np.float64)
        near /= TZ_HORIZON_MINUTES
        np.subtract(1.0, near, out=near)
        near *= w.timezone  # w.timezone * (1 - min(|tz_i - tz_j|, horizon) / horizon)
        out["timezone"] = near
    if "availability" in factors:
        hours = p.shared_hours(i, j).astype(np.float64)
        hours /= FULL_OVERLAP_HOURS
        np.minimum(hours, 1.0, out=hours)
        hours *= w.availability  # w.availability * min(hours / full, 1)
        out["availability"] = hours
    if "fairness" in factors:
        waited = p.unmatched_last[i].astype(np.float64)
        waited += p.unmatched_last[j]
        waited *= w.fairness * 0.5  # w.fairness * 0.5 * (waited_i + waited_j)
        out["fairness"] = waited
    if "previous_groupmate" in factors and settings.avoid_previous_groupmates:
        before = constraints.was_together_before(i, j).astype(np.float64)
        out["previous_groupmate"] = -w.previous_groupmate * before
    return out


def _weighted(weight: float, holds: BoolArray) -> FloatArray:
    values = holds.astype(np.float64)
    values *= weight  # weight * holds
    return values


# The order in which `factor_values` lists the factors (and `total` adds them).
FACTOR_ORDER = (
    "skill",
    "goals",
    "cross_department",
    "same_department",
    "same_team",
    "timezone",
    "availability",
    "fairness",
    "previous_groupmate",
)


def pair_scores(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    i: IntArray,
    j: IntArray,
    factors: Collection[str],
) -> FloatArray:
    """`total(factor_values(...))`, one factor at a time: the same sums, with one factor's array alive at once
    instead of all of them (230 MB less at the peak for 4.8 million candidate pairs)."""
    result = np.zeros(len(i), dtype=np.float64)
    for factor in FACTOR_ORDER:
        if factor in factors:
            for values in factor_values(population, constraints, settings, i, j, (factor,)).values():
                result += values
    return result


def total(parts: dict[str, FloatArray], size: int) -> FloatArray:
    result = np.zeros(size, dtype=np.float64)
    for values in parts.values():
        result += values
    return result


def within(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    groups: Sequence[Sequence[int]],
    factors: Collection[str],
) -> list[dict[str, float]]:
    """For each group, each factor summed over every pair inside it (one vectorised pass for all groups)."""
    left: list[int] = []
    right: list[int] = []
    owner: list[int] = []
    for g, members in enumerate(groups):
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                left.append(a)
                right.append(b)
                owner.append(g)
    i = np.array(left, dtype=np.int64)
    j = np.array(right, dtype=np.int64)
    parts = factor_values(population, constraints, settings, i, j, factors)
    sums = {f: np.bincount(owner, weights=v, minlength=len(groups)) for f, v in parts.items()}
    return [{f: float(v[g]) for f, v in sums.items()} for g in range(len(groups))]
