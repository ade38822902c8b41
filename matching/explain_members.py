"""Reasons written to each member: why this match, from their side ("you teach ...; Megan wants ..."), with
cautions as cautions ("heads-up: ...") and shared hours in the reader's own time.

`Match.reasons` stays the shared list (what the program stores); `Match.member_reasons[k]` is the list for
`Match.members[k]`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matching.explain import listing, teachable_skills
from matching.model import ProgramSettings, Reason, Role
from matching.population import Population

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FAR_APART_MINUTES = 6 * 60  # from this many minutes apart, the time zones are a caution, not a reason


def _hours(minutes: int) -> str:
    shown = f"{minutes / 60:g}"
    return f"{shown} hour" if shown == "1" else f"{shown} hours"


def local_ranges(slots: int, offset_minutes: int, most: int = 2) -> list[str]:
    """The first `most` runs of shared hour-of-week slots (UTC bits), in the reader's time: "Tue 07:00–09:00"."""
    runs: list[tuple[int, int]] = []
    rest = slots
    while rest:
        start = (rest & -rest).bit_length() - 1
        above = rest >> start
        length = ((above + 1) & ~above).bit_length() - 1  # how many slots in a row from `start`
        runs.append((start, start + length))
        rest &= ~(((1 << length) - 1) << start)
    shown: list[str] = []
    for start, end in sorted(runs, key=lambda r: (r[0] * 60 + offset_minutes) % (168 * 60))[:most]:
        begin = (start * 60 + offset_minutes) % (168 * 60)
        finish = begin + (end - start) * 60
        shown.append(
            f"{DAYS[begin // 1440]} {begin % 1440 // 60:02d}:{begin % 60:02d}–"
            f"{finish % 1440 // 60:02d}:{finish % 60:02d}"
        )
    return shown


def _together(count: int) -> str:
    return "you two" if count == 2 else "you three" if count == 3 else "your group"


class MemberReasons:
    """For each member of one match, the reasons from their side, largest first, then the cautions; written
    when first asked for (`Match.member_reasons`), then kept.

    Written lazily because most rounds never read them: a course's groups show the shared reasons only, and a
    Teams round reads them while it stores its pairings, in the worker process. Written eagerly, they cost
    about 1 s per 10,000 pairings inside `match`, so rounds of more than 20,000 people used to go without.
    `parts` are the match's score by factor, or, with `row`, the round's scores by factor (arrays) of which
    this match is row `row` (read only when written). `skill` is the mentoring skill; `third` the member who
    joined a pair as its third; `also` is added to every member's list.
    """

    __slots__ = ("_source", "_written")

    def __init__(
        self,
        population: Population,
        settings: ProgramSettings,
        members: Sequence[int],
        roles: Sequence[Role],
        parts: Mapping[str, Any],
        skill: int | None = None,
        third: int | None = None,
        also: tuple[Reason, ...] = (),
        row: int | None = None,
    ) -> None:
        self._source: tuple[Any, ...] | None = (
            population,
            settings,
            members,
            roles,
            parts,
            skill,
            third,
            also,
            row,
        )
        self._written: tuple[tuple[Reason, ...], ...] = ()

    def __call__(self) -> tuple[tuple[Reason, ...], ...]:
        if self._source is not None:
            population, settings, members, roles, parts, skill, third, also, row = self._source
            if row is not None:
                parts = {f: float(v[row]) for f, v in parts.items()}
            self._written = tuple(
                (*_for(population, settings, members, roles, parts, skill, third, me), *also)
                for me in range(len(members))
            )
            self._source = None  # the population can go once every match of the round is written
        return self._written


def _teaching(
    population: Population, settings: ProgramSettings, members: Sequence[int], me: int, skill: int | None
) -> str | None:
    p = population
    names = p.names()
    mine = members[me]
    said: list[str] = []
    mutual: list[str] = []
    for other in members:
        if other == mine:
            continue
        give = [skill] if skill is not None else teachable_skills(p, mine, other, settings.max_level_gap)
        take = [skill] if skill is not None else teachable_skills(p, other, mine, settings.max_level_gap)
        give = [s for s in give if s in p.learn_rows[other] and s in p.teach_rows[mine]]
        take = [s for s in take if s in p.learn_rows[mine] and s in p.teach_rows[other]]
        if give and take:
            mutual.append(names[other])
        for s in give[:1]:
            said.append(
                f"you teach {p.skills.shown[s]} at level {p.teach_rows[mine][s]}; {names[other]} wants to learn "
                f"it at level {p.learn_rows[other][s]}"
            )
        for s in take[:1]:
            said.append(
                f"{names[other]} teaches {p.skills.shown[s]} at level {p.teach_rows[other][s]}; you want to "
                f"learn it at level {p.learn_rows[mine][s]}"
            )
    if not said:
        return None
    text = "; ".join(said[:3])
    if mutual:
        text += f" — you and {listing(mutual)} can teach each other"
    return text[0].upper() + text[1:]


def _for(
    population: Population,
    settings: ProgramSettings,
    members: Sequence[int],
    roles: Sequence[Role],
    parts: Mapping[str, float],
    skill: int | None,
    third: int | None,
    me: int,
) -> tuple[Reason, ...]:
    p = population
    names = p.names()
    mine = members[me]
    others = [m for m in members if m != mine]
    together = _together(len(members))
    reasons: list[Reason] = []
    cautions: list[Reason] = []
    teaching = _teaching(p, settings, members, me, skill)
    if teaching:
        reasons.append(Reason("skill", round(float(parts.get("skill", 0.0)), 4), teaching))
    goals = p.goal_rows[mine]
    if parts.get("goals", 0.0) > 1e-9 and goals:
        sharing = [o for o in others if goals.keys() & p.goal_rows[o].keys()]
        common = sorted(
            {p.goal_vocab.shown[g] for o in sharing for g in goals.keys() & p.goal_rows[o].keys()}
        )
        if common:
            who = "you" if len(members) == 2 else f"you and {listing([names[o] for o in sharing])}"
            reasons.append(
                Reason(
                    "goals",
                    round(float(parts["goals"]), 4),
                    f"{who} share the goal{'s' if len(common) > 1 else ''} {listing([f'“{g}”' for g in common])}",
                )
            )
    if parts.get("cross_department", 0.0) > 1e-9:
        mine_dept = p.people[mine].department
        theirs = sorted(
            {str(p.people[o].department) for o in others if p.people[o].department not in (None, mine_dept)}
        )
        if mine_dept is not None and theirs:
            reasons.append(
                Reason(
                    "cross_department",
                    round(float(parts["cross_department"]), 4),
                    f"{together} work in different departments: you in {mine_dept}, "
                    f"{'the others' if len(others) > 1 else names[others[0]]} in {listing(theirs)}",
                )
            )
    if parts.get("same_team", 0.0) > 1e-9:
        reasons.append(
            Reason("same_team", round(float(parts["same_team"]), 4), f"{together} are on the same team")
        )
    elif parts.get("same_department", 0.0) > 1e-9:
        reasons.append(
            Reason(
                "same_department",
                round(float(parts["same_department"]), 4),
                f"{together} work in the same department ({p.people[mine].department})",
            )
        )
    offsets = [int(p.tz[m]) for m in members]
    spread = max(offsets) - min(offsets)
    known = [p.avail_int[m] for m in members if p.avail_known[m]]
    shared = 0
    if len(known) == len(members) and known:
        shared = known[0]
        for bits in known[1:]:
            shared &= bits
    when = local_ranges(shared, int(p.tz[mine])) if shared else []
    if spread >= FAR_APART_MINUTES:
        text = f"heads-up: {'you are' if len(members) == 2 else 'some of you are'} {_hours(spread)} apart"
        text += f"; your shared hours include {' and '.join(when)} your time" if when else ""
        cautions.append(Reason("caution", 0.0, text))
    else:
        if spread == 0 and parts.get("timezone", 0.0) > 1e-9:
            reasons.append(
                Reason(
                    "timezone", round(float(parts["timezone"]), 4), f"{together} are in the same time zone"
                )
            )
        elif parts.get("timezone", 0.0) > 1e-9:
            reasons.append(
                Reason(
                    "timezone",
                    round(float(parts["timezone"]), 4),
                    f"{together} are only {_hours(spread)} apart",
                )
            )
        if when:
            count = shared.bit_count()
            reasons.append(
                Reason(
                    "availability",
                    round(float(parts.get("availability", 0.0)), 4),
                    f"{together} are all free {count} hour{'s' if count != 1 else ''} a week, "
                    f"such as {' and '.join(when)} your time".replace("you two are all", "you are both"),
                )
            )
    if parts.get("fairness", 0.0) > 1e-9 and p.unmatched_last[mine]:
        reasons.append(
            Reason(
                "fairness",
                round(float(parts["fairness"]), 4),
                "you were not matched last round, so you went first",
            )
        )
    if parts.get("previous_groupmate", 0.0) < -1e-9:
        cautions.append(Reason("caution", 0.0, "heads-up: some of you were in a group together before"))
    if third is not None:
        if mine == third:
            pair = [names[o] for o in others]
            text = f"the round had an odd number of people, so you join {listing(pair)} as a third"
        else:
            text = f"the round had an odd number of people, so {names[third]} joins you as a third"
        reasons.append(Reason("trio", 0.0, text))
    reasons.sort(key=lambda r: -r.contribution)
    del roles  # every role reads the same sentences; the teaching sentence already says who teaches whom
    return (*reasons, *cautions)
