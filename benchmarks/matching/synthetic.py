"""A synthetic organisation: long-tailed skill and goal popularity (Zipf), departments, teams, time zones,
working-hours availability, mentors with capacity, new hires, and a history of random past rounds.
"""

from __future__ import annotations

import numpy as np

from matching import History, Participant, PastGroup

OFFSETS = np.array([-480, -420, -300, -240, 0, 60, 120, 180, 330, 480, 540, 600])
OFFSET_SHARE = np.array([8, 4, 10, 3, 12, 20, 8, 3, 14, 8, 5, 5], dtype=np.float64)


def _zipf(rng: np.random.Generator, count: int, size: int, exponent: float = 1.1) -> np.ndarray:
    p = 1.0 / np.arange(1, count + 1) ** exponent
    return rng.choice(count, size=size, p=p / p.sum())


def _availability(rng: np.random.Generator, offset: int) -> frozenset[int]:
    """Some of the person's local working hours (Mon-Fri 9:00-17:00), as UTC hour-of-week slots."""
    local = [day * 24 + hour for day in range(5) for hour in range(9, 17)]
    chosen = rng.choice(local, size=int(rng.integers(6, 21)), replace=False)
    shift = offset // 60
    return frozenset(int((slot - shift) % 168) for slot in chosen)


def organisation(n: int, seed: int = 0) -> list[Participant]:
    rng = np.random.default_rng(seed)
    n_skills = max(40, n // 250)
    n_goals = max(30, n // 500)
    n_depts = max(5, min(40, n // 200))
    skills = [f"skill-{k}" for k in range(n_skills)]
    goals = [f"goal-{k}" for k in range(n_goals)]
    depts = _zipf(rng, n_depts, n, 0.8)
    offsets = rng.choice(OFFSETS, size=n, p=OFFSET_SHARE / OFFSET_SHARE.sum())
    people: list[Participant] = []
    for k in range(n):
        teach_skills = _zipf(rng, n_skills, int(rng.choice([0, 1, 1, 2, 2, 3])))
        learn_skills = _zipf(rng, n_skills, int(rng.choice([1, 1, 2, 2, 3])))
        teaches = {skills[s]: int(rng.integers(3, 6)) for s in teach_skills}
        learns = {skills[s]: int(rng.integers(1, 4)) for s in learn_skills if skills[s] not in teaches}
        known = rng.random() < 0.7
        new_hire = rng.random() < 0.06
        people.append(
            Participant(
                id=f"p{k:06d}",
                display_name=f"Person {k}",
                teaches=teaches,
                learns=learns or {skills[int(_zipf(rng, n_skills, 1)[0])]: 1},
                department=f"dept-{depts[k]}",
                team=f"dept-{depts[k]}-team-{int(rng.integers(0, 6))}",
                utc_offset_minutes=int(offsets[k]),
                weekly_availability=_availability(rng, int(offsets[k])) if known else None,
                hours_per_month=None if rng.random() < 0.3 else int(rng.integers(2, 12)),
                capacity=int(rng.integers(1, 4)) if teaches else 1,
                active_mentees=int(rng.random() < 0.2),
                is_new_hire=new_hire,
                tenure_days=int(rng.integers(0, 60)) if new_hire else int(rng.integers(30, 4000)),
                goals=frozenset(goals[g] for g in _zipf(rng, n_goals, int(rng.integers(1, 4)))),
                attributes={"gender": str(rng.choice(["f", "m", "x"], p=[0.45, 0.5, 0.05]))},
                unmatched_last_round=bool(rng.random() < 0.05),
            )
        )
    return people


def random_history(people: list[Participant], rounds: int, group_size: int, seed: int = 0) -> History:
    """Past rounds of random grouping (what Icebreaker does), plus a few never-match pairs."""
    rng = np.random.default_rng(seed + 10_000)
    ids = [p.id for p in people]
    past: list[PastGroup] = []
    for r in range(rounds):
        order = rng.permutation(len(ids))
        for start in range(0, len(order) - group_size + 1, group_size):
            past.append(PastGroup(r, frozenset(ids[int(v)] for v in order[start : start + group_size])))
    never = {
        frozenset({ids[int(a)], ids[int(b)]})
        for a, b in rng.integers(0, len(ids), (len(ids) // 100, 2))
        if a != b
    }
    return History(past=tuple(past), never_match=frozenset(never), current_round=rounds)
