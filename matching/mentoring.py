"""Mentoring: each learner gets at most one mentor for a skill they want, within the level gap and capacity."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csc_matrix

from matching.candidates import every_skill_edge, skill_edges
from matching.constraints import Constraints
from matching.explain import teaching_sentences
from matching.explain_members import MemberReasons
from matching.explain_pairs import pair_reasons
from matching.mentoring_reach import MentorsWithinGap, why_not_many
from matching.model import Match, ProgramSettings, Reason, Role, Unmatched
from matching.peer_pairs import no_time
from matching.population import FloatArray, IntArray, Population
from matching.repair import complete_assignment
from matching.scoring import MENTOR_FACTORS, factor_values, total
from matching.solve_bipartite import BLOCK, WHOLE, assign

# Up to this many (mentor, learner, skill) triples within the level gap, the round is solved exactly on all of
# them (LAPJVsp: 0.5 s for the skewed population's 367,000 at 10,200 people; 7-11 s for the synthetic 7.3 million).
EVERY_EDGE = 1_000_000
# Past that, candidates per (skill, level): 48 reach 99.95 % of the optimum at 10,000 (synthetic; 12 reached 99.3 %).
CANDIDATES_PER_SKILL_LEVEL = 48
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
) -> tuple[IntArray, IntArray, IntArray, FloatArray, bool]:
    """The edges to solve on, and whether they are every allowed one (then the solve is exact)."""
    every = every_skill_edge(population, mentors, learners, settings.max_level_gap, EVERY_EDGE)
    if every is None:
        rand = np.random.default_rng(seed).random(population.n)
        k = CANDIDATES_PER_SKILL_LEVEL if len(learners) <= WHOLE else CANDIDATES_WHEN_BLOCKED
        t, lr, sk = skill_edges(population, mentors, learners, settings.max_level_gap, rand, k)
    else:
        t, lr, sk = every
    ok = constraints.allowed(t, lr)
    t, lr, sk = t[ok], lr[ok], sk[ok]
    w, _ = _scored(population, constraints, settings, t, lr)
    return t, lr, sk, w, every is not None


def _scored(
    population: Population, constraints: Constraints, settings: ProgramSettings, t: IntArray, lr: IntArray
) -> tuple[FloatArray, dict[str, FloatArray]]:
    parts = factor_values(population, constraints, settings, t, lr, MENTOR_FACTORS)
    parts["skill"] = np.full(len(t), settings.weights.skill)
    parts["fairness"] = settings.weights.fairness * population.unmatched_last[lr].astype(np.float64)
    return total(parts, len(t)), parts


def match_mentoring(
    population: Population, constraints: Constraints, settings: ProgramSettings, seed: int
) -> tuple[list[Match], list[Unmatched]]:
    p = population
    slots = spare_slots(p, constraints, settings)
    mentors = np.nonzero((slots > 0) & (np.diff(p.teach.indptr) > 0))[0].astype(np.int64)
    learners = np.nonzero(constraints.has_time & (np.diff(p.learn.indptr) > 0))[0].astype(np.int64)
    t, lr, sk, w, every = _edges(p, constraints, settings, mentors, learners, seed)
    chosen = assign(p.n, lr, t, w, slots, block=p.n if every else BLOCK)
    first = np.nonzero(chosen >= 0)[0]
    giver_of = np.full(p.n, -1, dtype=np.int64)
    giver_of[first] = t[chosen[first]]
    skill_of = np.full(p.n, -1, dtype=np.int64)
    skill_of[first] = sk[chosen[first]]
    left = slots.copy()
    np.subtract.at(left, giver_of[first], 1)
    by_skill = csc_matrix(p.teach)
    skill_for: dict[tuple[int, int], int] = {}

    mentors_of = MentorsWithinGap(p, by_skill, settings.max_level_gap, slots)

    def options(v: int) -> list[int]:
        """Every mentor v may have, best first (not only the candidates the solver looked at)."""
        who, what = mentors_of.with_room(v)
        ok = constraints.allowed(np.full(len(who), v, dtype=np.int64), who)
        who, what = who[ok], what[ok]
        value, _ = _scored(p, constraints, settings, who, np.full(len(who), v, dtype=np.int64))
        order = np.lexsort((what, who, -value))
        out: list[int] = []
        for g, s in zip(who[order].tolist(), what[order].tolist(), strict=True):
            if (v, g) not in skill_for:
                skill_for[v, g] = s
                out.append(g)
        return out

    before = giver_of.copy()
    if not every:  # an exact solve on every allowed edge already places the most
        complete_assignment(learners.tolist(), giver_of, left, options, mentors_of.reach)
    seekers = np.nonzero(giver_of >= 0)[0]
    givers = giver_of[seekers]
    moved = seekers[before[seekers] != givers]
    skill_of[moved] = [skill_for[v, int(giver_of[v])] for v in moved.tolist()]
    skills = skill_of[seekers]
    w, parts = _scored(p, constraints, settings, givers, seekers)
    in_match = np.zeros(p.n, dtype=np.bool_)
    in_match[seekers] = True
    in_match[givers] = True
    others = {f: v for f, v in parts.items() if f != "skill"}
    why = pair_reasons(p, settings, givers, seekers, others)
    ids = [q.id for q in p.people]
    sentences = teaching_sentences(p, givers.tolist(), seekers.tolist(), skills.tolist())
    matches: list[Match] = []
    for k, (mentor, learner, skill, skill_value, score) in enumerate(
        zip(
            givers.tolist(),
            seekers.tolist(),
            skills.tolist(),
            parts["skill"].tolist(),
            w.tolist(),
            strict=True,
        )
    ):
        skill_reason = Reason("skill", skill_value, sentences[k])
        matches.append(
            Match(
                members=(ids[mentor], ids[learner]),
                roles=(Role.MENTOR, Role.MENTEE),
                score=round(score, 6),
                reasons=(skill_reason, *why[k]),
                skill=p.skills.shown[skill],
                writer=MemberReasons(
                    p,
                    settings,
                    (mentor, learner),
                    (Role.MENTOR, Role.MENTEE),
                    parts,
                    skill=skill,
                    row=k,
                ),
            )
        )
    unmatched = [u for u in no_time(p, constraints) if not in_match[p.position[u.participant_id]]]
    left_out = np.nonzero(~in_match & constraints.has_time)[0].tolist()
    unmatched += why_not_many(p, constraints, settings, slots, by_skill, left_out, mentors_of)
    return matches, unmatched
