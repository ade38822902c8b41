"""A second synthetic organisation, shaped unlike `synthetic.py` on purpose.

- departments: three large ones (a fifth of the people each) and many small ones (5-30 people);
- skill demand is steeply skewed (a few skills are wanted by most learners) while teachers are scarce for exactly
  those skills (teaching is drawn from the opposite end of the popularity list);
- time zones include half-hour and 45-minute offsets (India, Nepal, Newfoundland, Adelaide, Chatham Islands);
- a fifth state no availability at all;
- skill and goal names are spelled several ways ("Python", "python ", "PYTHON");
- one person in fifty appears twice under two ids (a second account with the same profile);
- the history is the matcher's own earlier rounds, which have already used the most attractive pairs.
"""

from __future__ import annotations

import numpy as np

from matching import History, Participant, PastGroup, ProgramSettings, match

OFFSETS = np.array([-210, -300, 0, 60, 330, 345, 480, 570, 630, 765, 525, -480])
OFFSET_SHARE = np.array([3, 15, 10, 20, 25, 4, 8, 4, 4, 1, 2, 4], dtype=np.float64)
SPELLINGS = (str.title, str.lower, str.upper, lambda s: f" {s} ")


def _skewed(rng: np.random.Generator, count: int, size: int, exponent: float) -> np.ndarray:
    p = 1.0 / np.arange(1, count + 1) ** exponent
    return rng.choice(count, size=size, p=p / p.sum())


def _spelled(rng: np.random.Generator, name: str) -> str:
    return str(SPELLINGS[int(rng.integers(0, len(SPELLINGS)))](name))


def _availability(rng: np.random.Generator, offset: int) -> frozenset[int]:
    """Local hours on 2-4 working days, evenings included for some, as UTC hour-of-week slots."""
    days = rng.choice(5, size=int(rng.integers(2, 5)), replace=False)
    late = 21 if rng.random() < 0.2 else 18
    local = [int(d) * 24 + h for d in days for h in range(8, late)]
    chosen = rng.choice(local, size=min(len(local), int(rng.integers(3, 13))), replace=False)
    shift = round(offset / 60)
    return frozenset(int((slot - shift) % 168) for slot in chosen)


def organisation(n: int, seed: int = 0) -> list[Participant]:
    rng = np.random.default_rng(seed + 500)
    n_skills = max(30, n // 400)
    n_goals = max(20, n // 800)
    skills = [f"skill {k}" for k in range(n_skills)]
    goals = [f"goal {k}" for k in range(n_goals)]
    big = 3
    small = max(4, (2 * n // 5) // 15)
    dept = np.where(rng.random(n) < 0.6, rng.integers(0, big, n), big + rng.integers(0, small, n))
    offsets = rng.choice(OFFSETS, size=n, p=OFFSET_SHARE / OFFSET_SHARE.sum())
    people: list[Participant] = []
    for k in range(n):
        learn = _skewed(rng, n_skills, int(rng.choice([1, 1, 2, 3])), 1.6)
        # Teachers come from the other end of the list: the most wanted skills have the fewest teachers.
        teach = n_skills - 1 - _skewed(rng, n_skills, int(rng.choice([0, 0, 1, 1, 2])), 0.9)
        teaches = {_spelled(rng, skills[s]): int(rng.integers(3, 6)) for s in teach}
        taught = {t.strip().casefold() for t in teaches}
        learns = {
            _spelled(rng, skills[s]): int(rng.integers(1, 4))
            for s in learn
            if skills[s].casefold() not in taught
        }
        new_hire = rng.random() < 0.1
        people.append(
            Participant(
                id=f"s{k:06d}",
                display_name=f"Colleague {k}",
                teaches=teaches,
                learns=learns,
                department=f"dept {dept[k]}",
                team=f"dept {dept[k]} team {int(rng.integers(0, 3))}",
                utc_offset_minutes=int(offsets[k]),
                weekly_availability=None if rng.random() < 0.2 else _availability(rng, int(offsets[k])),
                hours_per_month=None if rng.random() < 0.4 else int(rng.integers(1, 9)),
                capacity=int(rng.integers(1, 3)) if teaches else 1,
                active_mentees=int(rng.random() < 0.3),
                is_new_hire=new_hire,
                tenure_days=int(rng.integers(0, 40)) if new_hire else int(rng.integers(60, 3000)),
                goals=frozenset(
                    _spelled(rng, goals[g]) for g in _skewed(rng, n_goals, int(rng.integers(0, 3)), 1.3)
                ),
                attributes={"gender": str(rng.choice(["f", "m", "x"], p=[0.3, 0.65, 0.05]))},
                unmatched_last_round=bool(rng.random() < 0.1),
            )
        )
    # One in fifty has a second account with the same profile.
    for k in rng.choice(n, size=n // 50, replace=False).tolist():
        twin = people[k]
        people.append(
            Participant(
                id=f"{twin.id}-dup",
                display_name=twin.display_name,
                teaches=twin.teaches,
                learns=twin.learns,
                department=twin.department,
                team=twin.team,
                utc_offset_minutes=twin.utc_offset_minutes,
                weekly_availability=twin.weekly_availability,
                hours_per_month=twin.hours_per_month,
                capacity=twin.capacity,
                is_new_hire=twin.is_new_hire,
                tenure_days=twin.tenure_days,
                goals=twin.goals,
                attributes=twin.attributes,
            )
        )
    return people


def own_history(people: list[Participant], settings: ProgramSettings, rounds: int, seed: int = 0) -> History:
    """The matcher's own earlier rounds (the best pairs, already used), plus 1 % never-match pairs."""
    rng = np.random.default_rng(seed + 20_000)
    ids = [p.id for p in people]
    never = frozenset(
        frozenset({ids[int(a)], ids[int(b)]})
        for a, b in rng.integers(0, len(ids), (len(ids) // 100, 2))
        if a != b
    )
    past: list[PastGroup] = []
    for r in range(rounds):
        done = match(
            people, settings, History(past=tuple(past), never_match=never, current_round=r), seed=seed + r
        )
        past += [PastGroup(r, frozenset(m.members)) for m in done.matches]
    return History(past=tuple(past), never_match=never, current_round=rounds)
