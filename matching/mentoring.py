"""Mentoring: each learner gets at most one mentor for a skill they want, within the level gap and capacity."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csc_matrix

from matching.candidates import every_skill_edge, skill_edges
from matching.constraints import Constraints
from matching.explain import ruled_out, teaching_sentences
from matching.explain_members import MemberReasons
from matching.explain_pairs import pair_reasons
from matching.model import Match, ProgramSettings, Reason, Role, Unmatched, UnmatchedCode
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


def within_gap(
    population: Population, by_skill: csc_matrix, v: int, max_gap: int, wish: dict[int, int] | None = None
) -> tuple[IntArray, IntArray]:
    """Everyone (but v) who teaches a skill v wants (or in `wish`) 1..max_gap levels above: (person, skill)."""
    who: list[IntArray] = [np.empty(0, np.int64)]
    what: list[IntArray] = [np.empty(0, np.int64)]
    for s, level in sorted((population.learn_rows[v] if wish is None else wish).items()):
        rows = by_skill.indices[by_skill.indptr[s] : by_skill.indptr[s + 1]].astype(np.int64)
        levels = by_skill.data[by_skill.indptr[s] : by_skill.indptr[s + 1]]
        fits = (levels > level) & (levels <= level + max_gap) & (rows != v)
        who.append(rows[fits])
        what.append(np.full(int(fits.sum()), s, dtype=np.int64))
    return np.concatenate(who), np.concatenate(what)


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

    def options(v: int) -> list[int]:
        """Every mentor v may have, best first (not only the candidates the solver looked at)."""
        who, what = within_gap(p, by_skill, v, settings.max_level_gap)
        keep = slots[who] > 0
        who, what = who[keep], what[keep]
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

    by_wish: dict[tuple[tuple[int, int], ...], frozenset[int]] = {}

    def reach(v: int) -> frozenset[int]:
        """The mentors with room within the gap of what v wants (the same for everyone wanting the same)."""
        wish = tuple(sorted(p.learn_rows[v].items()))
        hit = by_wish.get(wish)
        if hit is None:
            who, _ = within_gap(p, by_skill, -1, settings.max_level_gap, dict(wish))
            hit = by_wish[wish] = frozenset(who[slots[who] > 0].tolist())
        return hit

    before = giver_of.copy()
    if not every:  # an exact solve on every allowed edge already places the most
        complete_assignment(learners.tolist(), giver_of, left, options, reach)
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
    unmatched += _why_not_many(p, constraints, settings, slots, by_skill, left_out)
    return matches, unmatched


def _why_not_many(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    slots: IntArray,
    by_skill: csc_matrix,
    people: list[int],
) -> list[Unmatched]:
    """`_why_not` for many people at once (the same texts): the mentors within the gap listed once per wish, and
    whether any of them is allowed checked for everyone in a few vectorised passes (skewed population at
    102,000: 75,000 learners without a mentor, 6 s one by one)."""
    p = population
    by_wish: dict[tuple[tuple[int, int], ...], tuple[IntArray, IntArray]] = {}
    out: dict[int, Unmatched] = {}
    pending: list[tuple[int, IntArray]] = []
    for v in people:
        wanted = p.learn_rows[v]
        if not wanted:
            out[v] = _why_not(p, constraints, settings, slots, by_skill, v)
            continue
        key = tuple(sorted(wanted.items()))
        hit = by_wish.get(key)
        if hit is None:
            who, _ = within_gap(p, by_skill, -1, settings.max_level_gap, dict(key))
            hit = by_wish[key] = (who, who[slots[who] > 0])
        who, free = hit
        free = free[free != v]
        if len(free) and not (who == v).all():
            pending.append((v, free))
        else:
            out[v] = _why_not(p, constraints, settings, slots, by_skill, v)
    step = 4_000_000
    start = 0
    while start < len(pending):
        end = start
        size = 0
        while end < len(pending) and (size == 0 or size + len(pending[end][1]) <= step):
            size += len(pending[end][1])
            end += 1
        chunk = pending[start:end]
        counts = np.array([len(f) for _, f in chunk], dtype=np.int64)
        vv = np.repeat(np.array([v for v, _ in chunk], dtype=np.int64), counts)
        ff = np.concatenate([f for _, f in chunk])
        ok = constraints.allowed(vv, ff)
        any_ok = np.add.reduceat(ok.astype(np.int64), np.concatenate([[0], np.cumsum(counts)[:-1]])) > 0
        for (v, free), fine in zip(chunk, any_ok.tolist(), strict=True):
            skill_list = " or ".join(p.skills.shown[s] for s in sorted(p.learn_rows[v]))
            out[v] = _taken(p, v, skill_list) if fine else _all_ruled_out(p, constraints, v, free, skill_list)
        start = end
    return [out[v] for v in people]


def _taken(population: Population, v: int, skill_list: str) -> Unmatched:
    return Unmatched(
        population.people[v].id,
        UnmatchedCode.NO_MENTOR_CAPACITY,
        f"no mentor for {skill_list} has capacity left this round: the ones who could mentor you are "
        "taken by other learners",
    )


def _all_ruled_out(
    population: Population, constraints: Constraints, v: int, free: IntArray, skill_list: str
) -> Unmatched:
    return Unmatched(
        population.people[v].id,
        UnmatchedCode.NO_COMPATIBLE_PARTNER,
        f"every mentor for {skill_list} with room this round "
        + ruled_out(constraints, np.full(len(free), v, dtype=np.int64), free),
    )


def _why_not(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    slots: IntArray,
    by_skill: csc_matrix,
    v: int,
) -> Unmatched:
    """The true reason v has no mentor (or no mentee), after as many learners as possible were placed."""
    p = population
    person = p.people[v]
    wanted = p.learn_rows[v]
    gap = settings.max_level_gap
    if wanted:
        skill_list = " or ".join(p.skills.shown[s] for s in sorted(wanted))
        who, _ = within_gap(p, by_skill, v, gap)
        if len(who) == 0:
            return _out_of_reach(p, by_skill, v, gap, skill_list)
        free = who[slots[who] > 0]
        if len(free) == 0:
            return Unmatched(
                person.id,
                UnmatchedCode.NO_MENTOR_CAPACITY,
                f"every mentor for {skill_list} within {gap} level{'s' if gap > 1 else ''} of yours has no "
                "capacity or time left this round",
            )
        if constraints.allowed(np.full(len(free), v, dtype=np.int64), free).any():
            return _taken(p, v, skill_list)
        return _all_ruled_out(p, constraints, v, free, skill_list)
    if p.teach_rows[v]:
        if slots[v] <= 0:
            return Unmatched(
                person.id, UnmatchedCode.AT_CAPACITY, "your mentoring capacity is already in use"
            )
        return Unmatched(person.id, UnmatchedCode.NOT_NEEDED, "no learner needed what you teach this round")
    return Unmatched(person.id, UnmatchedCode.NOTHING_TO_MATCH, "you listed no skill to teach or learn")


def _out_of_reach(
    population: Population, by_skill: csc_matrix, v: int, gap: int, skill_list: str
) -> Unmatched:
    """Nobody teaches what v wants within the level gap: say whether the gap is the cause."""
    p = population
    person = p.people[v]
    above: list[str] = []
    for s, level in sorted(p.learn_rows[v].items()):
        levels = by_skill.data[by_skill.indptr[s] : by_skill.indptr[s + 1]]
        rows = by_skill.indices[by_skill.indptr[s] : by_skill.indptr[s + 1]]
        if ((levels > level + gap) & (rows != v)).any():
            above.append(f"{p.skills.shown[s]} (you are at level {level})")
    if above:
        return Unmatched(
            person.id,
            UnmatchedCode.LEVEL_GAP,
            f"the people who teach {' and '.join(above)} are more than {gap} level{'s' if gap > 1 else ''} "
            f"above you, and the program keeps the gap between mentor and learner to at most {gap}",
        )
    return Unmatched(
        person.id,
        UnmatchedCode.NOTHING_TO_MATCH,
        f"nobody in the program teaches {skill_list} above your level yet",
    )
