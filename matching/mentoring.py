"""Mentoring: each learner gets at most one mentor for a skill they want, within the level gap and capacity."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csc_matrix

from matching.candidates import skill_edges
from matching.constraints import Constraints
from matching.explain import teaching_sentence
from matching.explain_pairs import pair_reasons
from matching.model import Match, ProgramSettings, Reason, Role, Unmatched, UnmatchedCode
from matching.peer_pairs import no_time
from matching.population import FloatArray, IntArray, Population
from matching.scoring import MENTOR_FACTORS, factor_values, total
from matching.solve_bipartite import WHOLE, assign

CANDIDATES_PER_SKILL_LEVEL = 12
CANDIDATES_WHEN_BLOCKED = 6  # past `solve_bipartite.WHOLE` learners, where more would cost too much time


def spare_slots(population: Population, constraints: Constraints, settings: ProgramSettings) -> IntArray:
    """How many new mentees (or newcomers) each person can take this round."""
    slots = np.array([max(p.capacity - p.active_mentees, 0) for p in population.people], dtype=np.int64)
    per = settings.hours_per_pairing
    if per > 0:
        budget = np.array(
            [p.hours_per_month // per if p.hours_per_month is not None else 10**6 for p in population.people],
            dtype=np.int64,
        )
        slots = np.minimum(slots, budget)
    slots[~constraints.has_time] = 0
    return slots


def _edges(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    mentors: IntArray,
    learners: IntArray,
    seed: int,
) -> tuple[IntArray, IntArray, IntArray, FloatArray, dict[str, FloatArray]]:
    rand = np.random.default_rng(seed).random(population.n)
    k = CANDIDATES_PER_SKILL_LEVEL if len(learners) <= WHOLE else CANDIDATES_WHEN_BLOCKED
    t, lr, sk = skill_edges(population, mentors, learners, settings.max_level_gap, rand, k)
    ok = constraints.allowed(t, lr)
    t, lr, sk = t[ok], lr[ok], sk[ok]
    parts = factor_values(population, constraints, settings, t, lr, MENTOR_FACTORS)
    parts["skill"] = np.full(len(t), settings.weights.skill)
    parts["fairness"] = settings.weights.fairness * population.unmatched_last[lr].astype(np.float64)
    return t, lr, sk, total(parts, len(t)), parts


def match_mentoring(
    population: Population, constraints: Constraints, settings: ProgramSettings, seed: int
) -> tuple[list[Match], list[Unmatched]]:
    p = population
    slots = spare_slots(p, constraints, settings)
    mentors = np.nonzero((slots > 0) & (np.diff(p.teach.indptr) > 0))[0].astype(np.int64)
    learners = np.nonzero(constraints.has_time & (np.diff(p.learn.indptr) > 0))[0].astype(np.int64)
    t, lr, sk, w, parts = _edges(p, constraints, settings, mentors, learners, seed)
    chosen = assign(p.n, lr, t, w, slots)
    seekers = np.nonzero(chosen >= 0)[0]
    edges = chosen[seekers]
    givers = t[edges]
    in_match = np.zeros(p.n, dtype=np.bool_)
    in_match[seekers] = True
    in_match[givers] = True
    others = {f: v[edges] for f, v in parts.items() if f != "skill"}
    why = pair_reasons(p, settings, givers, seekers, others)
    ids = [q.id for q in p.people]
    matches: list[Match] = []
    for k, (mentor, learner, skill, skill_value, score) in enumerate(
        zip(
            givers.tolist(),
            seekers.tolist(),
            sk[edges].tolist(),
            parts["skill"][edges].tolist(),
            w[edges].tolist(),
            strict=True,
        )
    ):
        skill_reason = Reason("skill", skill_value, teaching_sentence(p, mentor, learner, skill))
        matches.append(
            Match(
                members=(ids[mentor], ids[learner]),
                roles=(Role.MENTOR, Role.MENTEE),
                score=round(score, 6),
                reasons=(skill_reason, *why[k]),
                skill=p.skills.shown[skill],
            )
        )
    had_candidate = np.zeros(p.n, dtype=np.bool_)
    had_candidate[lr] = True
    unmatched = [u for u in no_time(p, constraints) if not in_match[p.position[u.participant_id]]]
    by_skill = csc_matrix(p.teach)
    for v in np.nonzero(~in_match & constraints.has_time)[0].tolist():
        unmatched.append(_why_not(p, settings, slots, by_skill, v, bool(had_candidate[v])))
    return matches, unmatched


def _why_not(
    population: Population,
    settings: ProgramSettings,
    slots: IntArray,
    by_skill: csc_matrix,
    v: int,
    had_candidate: bool,
) -> Unmatched:
    p = population
    person = p.people[v]
    wanted = p.learn_rows[v]
    if wanted:
        names = [p.skills.shown[s] for s in sorted(wanted)]
        skill_list = " or ".join(names)
        if had_candidate:
            return Unmatched(
                person.id,
                UnmatchedCode.NO_MENTOR_CAPACITY,
                f"no mentor for {skill_list} has capacity this round",
            )
        able_any = False
        able_free = False
        for s, level in wanted.items():
            rows = by_skill.indices[by_skill.indptr[s] : by_skill.indptr[s + 1]]
            levels = by_skill.data[by_skill.indptr[s] : by_skill.indptr[s + 1]]
            fits = (levels > level) & (levels <= level + settings.max_level_gap) & (rows != v)
            able_any |= bool(fits.any())
            able_free |= bool((fits & (slots[rows] > 0)).any())
        if able_free:
            return Unmatched(
                person.id,
                UnmatchedCode.NO_COMPATIBLE_PARTNER,
                f"the mentors for {skill_list} were matched with {person.name} recently, are on a never-match "
                "list, or share too few available hours",
            )
        if able_any:
            return Unmatched(
                person.id,
                UnmatchedCode.NO_MENTOR_CAPACITY,
                f"no mentor for {skill_list} has capacity this round",
            )
        return Unmatched(
            person.id,
            UnmatchedCode.NOTHING_TO_MATCH,
            f"nobody in the program teaches {skill_list} at a level up to {settings.max_level_gap} above "
            f"{person.name}'s yet",
        )
    if p.teach_rows[v]:
        if slots[v] <= 0:
            return Unmatched(
                person.id, UnmatchedCode.AT_CAPACITY, f"{person.name}'s mentoring capacity is already in use"
            )
        return Unmatched(
            person.id, UnmatchedCode.NOT_NEEDED, f"no learner needed what {person.name} teaches this round"
        )
    return Unmatched(
        person.id, UnmatchedCode.NOTHING_TO_MATCH, f"{person.name} listed no skill to teach or learn"
    )
