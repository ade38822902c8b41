"""Reasons for many two-person pairings at once: the same sentences as `explain.reasons`, built in one pass.

Contributions are taken from arrays (one value per pairing) and only the factors that counted get a sentence,
so the cost is a few string formats per pairing rather than a dictionary and a call per factor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from matching.explain import listing, teachable_skills, teaching_sentence, time_apart
from matching.model import ProgramSettings, Reason
from matching.population import FloatArray, IntArray, Population


def _skill_text(p: Population, settings: ProgramSettings, a: int, b: int) -> str:
    sentences: list[str] = []
    for x, y in ((a, b), (b, a)):
        skills = teachable_skills(p, x, y, settings.max_level_gap)
        if skills:
            sentences.append(teaching_sentence(p, x, y, skills[0]))
    return "; and ".join(sentences)


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
    a_list: list[int] = first.tolist()
    b_list: list[int] = second.tolist()
    names = p.names()
    hours = p.shared_hours(first, second).tolist() if "availability" in parts else []
    per_pair: list[list[Reason]] = [[] for _ in range(count)]
    for factor, values in parts.items():
        rows: Sequence[int] = np.nonzero(np.abs(values) >= 1e-9)[0].tolist()
        shown: list[float] = values[rows].tolist()
        for k, value in zip(rows, shown, strict=True):
            a, b = a_list[k], b_list[k]
            if factor == "skill":
                text = _skill_text(p, settings, a, b)
            elif factor == "goals":
                common = p.goal_rows[a].keys() & p.goal_rows[b].keys()
                goals = sorted(p.goal_vocab.shown[g] for g in common)
                text = f"you share the goal{'s' if len(goals) > 1 else ''} {listing(goals)}"
            elif factor == "cross_department":
                depts = sorted(
                    {str(d) for d in (p.people[a].department, p.people[b].department) if d is not None}
                )
                text = f"you work in different departments ({listing(depts)})"
            elif factor == "same_department":
                text = f"you both work in {p.people[a].department}"
            elif factor == "same_team":
                text = f"you are on the same team ({p.people[a].team})"
            elif factor == "timezone":
                text = time_apart(abs(int(p.tz[a]) - int(p.tz[b])))
            elif factor == "availability":
                common_hours = hours[k]
                if common_hours == 0:
                    continue
                text = f"you share {common_hours} hour{'s' if common_hours != 1 else ''} a week when you are both free"
            elif factor == "fairness":
                waited = [names[m] for m in (a, b) if p.unmatched_last[m]]
                one = len(waited) == 1
                text = f"{listing(waited)} {'was' if one else 'were'} not matched last round, so {'goes' if one else 'go'} first"
            elif factor == "previous_groupmate":
                text = "some of you were in a group together before"
            else:
                raise ValueError(f"Factor '{factor}' has no sentence.")
            per_pair[k].append(Reason(factor, round(value, 4), text))
    out: list[tuple[Reason, ...]] = []
    for why in per_pair:
        why.sort(key=lambda r: -r.contribution)
        out.append(tuple(why))
    return out
