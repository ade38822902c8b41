"""Onboarding buddies: each new hire gets a tenured colleague, from their team or department when possible."""

from __future__ import annotations

import numpy as np

from matching.candidates import grouped_nearest, nearest_edges, skill_edges, unique_directed, with_goals
from matching.constraints import Constraints
from matching.explain import ruled_out
from matching.explain_members import MemberReasons
from matching.explain_pairs import pair_reasons
from matching.mentoring import spare_slots
from matching.model import Match, ProgramSettings, Role, Unmatched, UnmatchedCode
from matching.peer_pairs import no_time
from matching.population import BoolArray, FloatArray, IntArray, Population
from matching.repair import complete_assignment
from matching.scoring import BUDDY_FACTORS, factor_values, total
from matching.solve_bipartite import BLOCK, assign

PER_BUCKET = 24
# Up to this many (new hire, buddy) pairs every pair is scored and each new hire keeps its best few: measured on
# both benchmark populations at 10,000 people, the optimum over the best 32 equals the optimum over all pairs.
EVERY_PAIR = 10_000_000
BEST_PER_NEWCOMER = 32
PAIRS_AT_ONCE = 1_000_000


def _bucketed(
    codes: IntArray, newcomers: IntArray, buddies: IntArray, tz: IntArray, rand: np.ndarray
) -> tuple[list[IntArray], list[IntArray]]:
    """Nearest buddies (in time zone) inside each team or department."""
    out_n: list[IntArray] = []
    out_b: list[IntArray] = []
    nc = newcomers[codes[newcomers] >= 0]
    bc = buddies[codes[buddies] >= 0]
    n_order = nc[np.argsort(codes[nc], kind="stable")]
    b_order = bc[np.argsort(codes[bc], kind="stable")]
    for code in np.intersect1d(codes[n_order], codes[b_order]).tolist():
        left = n_order[codes[n_order] == code]
        right = b_order[codes[b_order] == code]
        a, b = nearest_edges(left, right, tz, rand, PER_BUCKET)
        out_n.append(a)
        out_b.append(b)
    return out_n, out_b


def match_onboarding(
    population: Population, constraints: Constraints, settings: ProgramSettings, seed: int
) -> tuple[list[Match], list[Unmatched]]:
    p = population
    rand = np.random.default_rng(seed).random(p.n)
    slots = spare_slots(p, constraints, settings)
    new = np.array([q.is_new_hire for q in p.people], dtype=np.bool_)
    tenured = np.array(
        [
            not q.is_new_hire and (q.tenure_days is None or q.tenure_days >= settings.min_buddy_tenure_days)
            for q in p.people
        ],
        dtype=np.bool_,
    )
    newcomers = np.nonzero(new & constraints.has_time)[0].astype(np.int64)
    buddies = np.nonzero(tenured & (slots > 0))[0].astype(np.int64)
    if len(newcomers) * len(buddies) <= EVERY_PAIR and len(newcomers) <= BLOCK:
        nn, bb = _best_buddies(p, constraints, settings, newcomers, buddies)
    else:
        nn, bb = _candidates(p, settings, newcomers, buddies, rand)
        ok = constraints.allowed(nn, bb)
        nn, bb = nn[ok], bb[ok]
    w, _ = _scored(p, constraints, settings, bb, nn)
    chosen = assign(p.n, nn, bb, w, slots, block=BLOCK)
    first = np.nonzero(chosen >= 0)[0]
    giver_of = np.full(p.n, -1, dtype=np.int64)
    giver_of[first] = bb[chosen[first]]
    left = slots.copy()
    np.subtract.at(left, giver_of[first], 1)

    def options(v: int) -> list[int]:
        """Every buddy v may have, best first (not only the candidates the solver looked at)."""
        others = buddies[buddies != v]
        vv = np.full(len(others), v, dtype=np.int64)
        others = others[constraints.allowed(vv, others)]
        value, _ = _scored(p, constraints, settings, others, vv[: len(others)])
        best: list[int] = others[np.lexsort((others, -value))].tolist()
        return best

    complete_assignment(newcomers.tolist(), giver_of, left, options)
    seekers = np.nonzero(giver_of >= 0)[0]
    givers = giver_of[seekers]
    w, parts = _scored(p, constraints, settings, givers, seekers)
    in_match = np.zeros(p.n, dtype=np.bool_)
    in_match[seekers] = True
    in_match[givers] = True
    why = pair_reasons(p, settings, givers, seekers, parts)
    ids = [q.id for q in p.people]
    matches = [
        Match(
            members=(ids[buddy], ids[newcomer]),
            roles=(Role.BUDDY, Role.NEWCOMER),
            score=round(score, 6),
            reasons=why[k],
            writer=MemberReasons(
                p,
                settings,
                (buddy, newcomer),
                (Role.BUDDY, Role.NEWCOMER),
                parts,
                row=k,
            ),
        )
        for k, (buddy, newcomer, score) in enumerate(
            zip(givers.tolist(), seekers.tolist(), w.tolist(), strict=True)
        )
    ]
    unmatched = [u for u in no_time(p, constraints) if not in_match[p.position[u.participant_id]]]
    for v in np.nonzero(~in_match & constraints.has_time)[0].tolist():
        q = p.people[v]
        if new[v]:
            unmatched.append(_why_no_buddy(p, constraints, tenured, slots, v))
        elif not tenured[v]:
            unmatched.append(
                Unmatched(
                    q.id,
                    UnmatchedCode.NOT_NEEDED,
                    f"you need {settings.min_buddy_tenure_days} days with the company to be a buddy",
                )
            )
        elif slots[v] <= 0:
            unmatched.append(
                Unmatched(q.id, UnmatchedCode.AT_CAPACITY, "your buddy capacity is already in use")
            )
        else:
            unmatched.append(
                Unmatched(q.id, UnmatchedCode.NOT_NEEDED, "no new hire needed a buddy from you this round")
            )
    return matches, unmatched


def _candidates(
    p: Population, settings: ProgramSettings, newcomers: IntArray, buddies: IntArray, rand: FloatArray
) -> tuple[IntArray, IntArray]:
    """A few promising buddies per new hire: nearest in time zone in their team, department, goals and skills."""
    parts_n: list[IntArray] = [np.empty(0, np.int64)]
    parts_b: list[IntArray] = [np.empty(0, np.int64)]
    for codes in (p.team, p.department):
        in_n, in_b = _bucketed(codes, newcomers, buddies, p.tz, rand)
        parts_n += in_n
        parts_b += in_b
    near_n, near_b = nearest_edges(newcomers, buddies, p.tz, rand, 2 * PER_BUCKET)
    parts_n.append(near_n)
    parts_b.append(near_b)
    skill_b, skill_n, _ = skill_edges(p, buddies, newcomers, settings.max_level_gap, rand, PER_BUCKET)
    parts_n.append(skill_n)
    parts_b.append(skill_b)
    for codes in (p.team, p.department):
        # Same team (or department) and a shared goal: the strongest buddies.
        gn, gkey = with_goals(p, newcomers, codes[newcomers])
        gb, gbkey = with_goals(p, buddies, codes[buddies])
        a, b, _ = grouped_nearest(gn, gkey, gb, gbkey, p.tz, rand, PER_BUCKET)
        parts_n.append(a)
        parts_b.append(b)
    return unique_directed(np.concatenate(parts_n), np.concatenate(parts_b), p.n)


def _best_buddies(
    p: Population, constraints: Constraints, settings: ProgramSettings, newcomers: IntArray, buddies: IntArray
) -> tuple[IntArray, IntArray]:
    """Each new hire's `BEST_PER_NEWCOMER` highest-scoring allowed buddies, every buddy scored."""
    out_n: list[IntArray] = [np.empty(0, np.int64)]
    out_b: list[IntArray] = [np.empty(0, np.int64)]
    step = max(1, PAIRS_AT_ONCE // max(len(buddies), 1))
    for start in range(0, len(newcomers), step):
        part = newcomers[start : start + step]
        nn = np.repeat(part, len(buddies))
        bb = np.tile(buddies, len(part))
        w, _ = _scored(p, constraints, settings, bb, nn)
        w[~constraints.allowed(nn, bb)] = -np.inf
        table = w.reshape(len(part), len(buddies))
        k = min(BEST_PER_NEWCOMER, len(buddies))
        best = np.argpartition(-table, k - 1, axis=1)[:, :k]
        rows = np.repeat(np.arange(len(part)), k)
        fine = np.isfinite(table[rows, best.ravel()])
        out_n.append(part[rows[fine]])
        out_b.append(buddies[best.ravel()[fine]])
    return np.concatenate(out_n), np.concatenate(out_b)


def _scored(
    population: Population, constraints: Constraints, settings: ProgramSettings, b: IntArray, n: IntArray
) -> tuple[FloatArray, dict[str, FloatArray]]:
    parts = factor_values(population, constraints, settings, b, n, BUDDY_FACTORS)
    parts["fairness"] = settings.weights.fairness * population.unmatched_last[n].astype(np.float64)
    return total(parts, len(b)), parts


def _why_no_buddy(
    population: Population, constraints: Constraints, tenured: BoolArray, slots: IntArray, v: int
) -> Unmatched:
    """A new hire left without a buddy, after as many new hires as possible were placed: the true cause."""
    person = population.people[v]
    able = np.nonzero(tenured)[0]
    able = able[able != v]
    if len(able) == 0:
        return Unmatched(
            person.id, UnmatchedCode.NO_BUDDY_AVAILABLE, "no tenured colleague takes part in the program yet"
        )
    free = able[slots[able] > 0]
    if len(free) == 0:
        return Unmatched(
            person.id,
            UnmatchedCode.NO_BUDDY_AVAILABLE,
            "no tenured colleague has buddy capacity or time left this round",
        )
    vv = np.full(len(free), v, dtype=np.int64)
    if constraints.allowed(vv, free).any():
        return Unmatched(
            person.id,
            UnmatchedCode.NO_BUDDY_AVAILABLE,
            "no tenured colleague has buddy capacity left this round: the ones who could be your buddy are "
            "taken by other new hires",
        )
    return Unmatched(
        person.id,
        UnmatchedCode.NO_COMPATIBLE_PARTNER,
        "every tenured colleague with buddy capacity this round " + ruled_out(constraints, vv, free),
    )
