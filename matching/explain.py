"""Sentences a person can read, one per factor that counted in a pairing or a group."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from matching.constraints import Constraints
from matching.model import ProgramSettings, Reason
from matching.population import IntArray, Population


def listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _hours(minutes: int) -> str:
    hours = minutes / 60
    shown = f"{hours:g}"
    return f"{shown} hour" if shown == "1" else f"{shown} hours"


def time_apart(spread_minutes: int) -> str:
    if spread_minutes == 0:
        return "you are in the same time zone"
    return f"your time zones are {_hours(spread_minutes)} apart"


def ruled_out(constraints: Constraints, i: IntArray, j: IntArray) -> str:
    """Why every pair (i[k], j[k]) is ruled out, naming only the rules that do: "was matched with you ..."."""
    cooling, never, hours = constraints.causes(i, j)
    said = []
    if cooling.any():
        said.append(
            f"was matched with you recently (the program waits {constraints.settings.cooldown_rounds} "
            "rounds before the same people meet again)"
        )
    if never.any():
        said.append("is not to be matched with you again (after an earlier match was declined)")
    if hours.any():
        need = constraints.settings.min_shared_hours
        said.append(f"shares fewer than {need} free hour{'s' if need > 1 else ''} a week with you")
    return " or ".join(said) if said else "is ruled out by a rule of the program"


def teaching_sentence(population: Population, teacher: int, learner: int, skill: int) -> str:
    return teaching_sentences(population, [teacher], [learner], [skill])[0]


def teaching_sentences(
    population: Population, teachers: Sequence[int], learners: Sequence[int], skills: Sequence[int]
) -> list[str]:
    """ "Alex teaches Python at level 5; Megan wants to learn it at level 3", for many pairs at once (a round
    of mentoring writes one per match)."""
    names, shown = population.names(), population.skills.shown
    teach, learn = population.teach_rows, population.learn_rows
    return [
        f"{names[t]} teaches {shown[s]} at level {teach[t].get(s, 0)}; "
        f"{names[v]} wants to learn it at level {learn[v].get(s, 0)}"
        for t, v, s in zip(teachers, learners, skills, strict=True)
    ]


def teachable_skills(population: Population, teacher: int, learner: int, max_gap: int) -> list[int]:
    t = population.teach_rows[teacher]
    wanted = population.learn_rows[learner]
    return sorted(s for s, lv in wanted.items() if 1 <= t.get(s, 0) - lv <= max_gap)


def _pair_text(population: Population, settings: ProgramSettings, factor: str, members: Sequence[int]) -> str:
    p = population
    if factor == "skill":
        sentences: list[str] = []
        for a, b in itertools.permutations(members, 2):
            skills = teachable_skills(p, a, b, settings.max_level_gap)
            if skills and len(sentences) < 3:
                sentences.append(teaching_sentence(p, a, b, skills[0]))
        return "; and ".join(sentences)
    if factor == "goals":
        shared = _shared_goals(p, members, at_least=len(members))
        return f"you share the goal{'s' if len(shared) > 1 else ''} {listing(shared)}"
    if factor == "cross_department":
        names = sorted({str(p.people[m].department) for m in members if p.people[m].department is not None})
        return f"you work in different departments ({listing(names)})"
    if factor == "same_department":
        return f"you both work in {p.people[members[0]].department}"
    if factor == "same_team":
        return f"you are on the same team ({p.people[members[0]].team})"
    if factor == "timezone":
        offsets = [int(p.tz[m]) for m in members]
        return time_apart(max(offsets) - min(offsets))
    if factor == "availability":
        common = _common_hours(p, members)
        return f"you share {common} hour{'s' if common != 1 else ''} a week when you are all free".replace(
            "all free", "both free" if len(members) == 2 else "all free"
        )
    if factor == "fairness":
        waited = [p.name(m) for m in members if p.unmatched_last[m]]
        verb = "was" if len(waited) == 1 else "were"
        return f"{listing(waited)} {verb} not matched last round, so {'goes' if len(waited) == 1 else 'go'} first"
    if factor == "previous_groupmate":
        return "some of you were in a group together before"
    if factor == "isolation":
        return "someone would be the only one of their group in an attribute the program balances"
    raise ValueError(f"Factor '{factor}' has no sentence.")


def _shared_goals(population: Population, members: Sequence[int], at_least: int) -> list[str]:
    counts: dict[int, int] = {}
    for m in members:
        for g in population.goal_rows[m]:
            counts[g] = counts.get(g, 0) + 1
    return sorted(population.goal_vocab.shown[g] for g, c in counts.items() if c >= at_least)


def _common_hours(population: Population, members: Sequence[int]) -> int:
    known = [population.avail_int[m] for m in members if population.avail_known[m]]
    if len(known) < 2:
        return 0
    bits = known[0]
    for other in known[1:]:
        bits &= other
    return bits.bit_count()


def reasons(
    population: Population, settings: ProgramSettings, members: Sequence[int], parts: Mapping[str, float]
) -> tuple[Reason, ...]:
    """One reason per factor with a non-zero contribution, largest first."""
    out: list[Reason] = []
    for factor, value in parts.items():
        if abs(value) < 1e-9:
            continue
        text = _pair_text(population, settings, factor, members)
        if factor == "goals" and len(members) > 2:
            common = _shared_goals(population, members, at_least=2)
            plural = "s" if len(common) > 1 else ""
            text = f"several of you share the goal{plural} {listing(common)}" if common else text
        if factor == "availability" and _common_hours(population, members) == 0:
            continue
        out.append(Reason(factor, round(float(value), 4), text))
    out.sort(key=lambda r: -r.contribution)
    return tuple(out)
