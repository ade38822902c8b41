"""Properties that hold for any input: hard constraints, everyone accounted for, determinism."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import History, MatchResult, Participant, PastGroup, ProgramSettings, Role, match

SKILLS = ["go", "rust", "sql", "excel"]
levels = st.integers(min_value=1, max_value=5)
skill_levels = st.dictionaries(st.sampled_from(SKILLS), levels, max_size=2)


@st.composite
def participants(draw: st.DrawFn) -> list[Participant]:
    n = draw(st.integers(min_value=0, max_value=14))
    people = []
    for k in range(n):
        known = draw(st.booleans())
        people.append(
            Participant(
                id=f"p{k}",
                teaches=draw(skill_levels),
                learns=draw(skill_levels),
                department=draw(st.sampled_from([None, "a", "b"])),
                team=draw(st.sampled_from([None, "t1", "t2"])),
                utc_offset_minutes=draw(st.sampled_from([-300, 0, 60, 330])),
                weekly_availability=frozenset(draw(st.sets(st.integers(0, 20), max_size=8)))
                if known
                else None,
                hours_per_month=draw(st.sampled_from([None, 0, 1, 2, 6])),
                capacity=draw(st.integers(0, 3)),
                active_mentees=draw(st.integers(0, 2)),
                is_new_hire=draw(st.booleans()),
                tenure_days=draw(st.sampled_from([None, 10, 400])),
                goals=frozenset(draw(st.sets(st.sampled_from(["x", "y", "z"]), max_size=2))),
                attributes={"g": draw(st.sampled_from(["f", "m"]))},
                unmatched_last_round=draw(st.booleans()),
            )
        )
    return people


@st.composite
def histories(draw: st.DrawFn, n: int) -> History:
    ids = [f"p{k}" for k in range(n)]
    if len(ids) < 2:
        return History()
    groups = draw(
        st.lists(
            st.tuples(st.integers(0, 5), st.sets(st.sampled_from(ids), min_size=2, max_size=3)), max_size=8
        )
    )
    never = draw(st.lists(st.sets(st.sampled_from(ids), min_size=2, max_size=2), max_size=4))
    return History(
        past=tuple(PastGroup(r, frozenset(m)) for r, m in groups),
        never_match=frozenset(frozenset(p) for p in never),
        current_round=6,
    )


program_settings = st.builds(
    ProgramSettings,
    kind=st.sampled_from(["mentoring", "peer_pairs", "onboarding", "study_groups"]),
    group_size=st.integers(2, 5),
    max_level_gap=st.integers(1, 3),
    cooldown_rounds=st.integers(0, 4),
    prefer_cross_department=st.booleans(),
    min_shared_hours=st.integers(0, 3),
    isolate_rule_attributes=st.sampled_from([(), ("g",)]),
)


def check_hard_constraints(
    people: list[Participant], s: ProgramSettings, h: History, result: MatchResult
) -> None:
    by_id = {p.id: p for p in people}
    now = h.round_now()
    cooling = {
        frozenset(pair)
        for g in h.past
        if g.round_index >= now - s.cooldown_rounds
        for pair in itertools.combinations(sorted(g.members), 2)
    }
    for m in result.matches:
        assert len(set(m.members)) == len(m.members) == len(m.roles)
        for a, b in itertools.combinations(m.members, 2):
            pair = frozenset({a, b})
            assert pair not in cooling, f"{pair} repeated within the cool-down"
            assert pair not in h.never_match
            pa, pb = by_id[a], by_id[b]
            if (
                s.min_shared_hours
                and pa.weekly_availability is not None
                and pb.weekly_availability is not None
            ):
                assert len(pa.weekly_availability & pb.weekly_availability) >= s.min_shared_hours
        for member in m.members:
            hours = by_id[member].hours_per_month
            assert hours is None or hours >= max(s.hours_per_pairing, 1)
        if s.kind == "mentoring":
            mentor, mentee = by_id[m.members[0]], by_id[m.members[1]]
            assert m.skill is not None
            skill = m.skill
            assert 1 <= mentor.teaches[skill] - mentee.learns[skill] <= s.max_level_gap
        if s.kind == "onboarding":
            buddy, newcomer = by_id[m.members[0]], by_id[m.members[1]]
            assert newcomer.is_new_hire and not buddy.is_new_hire
    if s.kind in ("mentoring", "onboarding"):
        giver = Role.MENTOR if s.kind == "mentoring" else Role.BUDDY
        load = Counter(m.members[0] for m in result.matches if m.roles[0] == giver)
        for pid, count in load.items():
            p = by_id[pid]
            assert count <= p.capacity - p.active_mentees
            if p.hours_per_month is not None and s.hours_per_pairing:
                assert count <= p.hours_per_month // s.hours_per_pairing
        seekers = Counter(m.members[1] for m in result.matches)
        assert all(c == 1 for c in seekers.values())


def check_everyone_accounted_for(people: list[Participant], s: ProgramSettings, result: MatchResult) -> None:
    in_matches = Counter(pid for m in result.matches for pid in m.members)
    left_out = [u.participant_id for u in result.unmatched]
    assert len(left_out) == len(set(left_out))
    assert set(in_matches) | set(left_out) == {p.id for p in people}
    assert not set(in_matches) & set(left_out)
    assert all(u.text for u in result.unmatched)
    if s.kind in ("peer_pairs", "study_groups"):
        assert all(c == 1 for c in in_matches.values())
        assert all(len(m.members) >= 2 for m in result.matches)
    for m in result.matches:
        assert all(r.text for r in m.reasons)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), people=participants(), s=program_settings, seed=st.integers(0, 3))
def test_no_hard_constraint_is_ever_broken_and_everyone_is_accounted_for(
    data: st.DataObject, people: list[Participant], s: ProgramSettings, seed: int
) -> None:
    h = data.draw(histories(len(people)))
    result = match(people, s, h, seed)
    check_hard_constraints(people, s, h, result)
    check_everyone_accounted_for(people, s, result)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), people=participants(), s=program_settings, seed=st.integers(0, 3))
def test_same_input_and_seed_give_the_same_result_in_any_order(
    data: st.DataObject, people: list[Participant], s: ProgramSettings, seed: int
) -> None:
    h = data.draw(histories(len(people)))
    shuffled = people[:]
    random.Random(seed).shuffle(shuffled)
    assert match(people, s, h, seed) == match(shuffled, s, h, seed)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 40), size=st.integers(2, 6), seed=st.integers(0, 5))
def test_study_groups_without_constraints_have_sizes_within_one(n: int, size: int, seed: int) -> None:
    people = [Participant(f"p{k}", goals=frozenset({str(k % 3)})) for k in range(n)]
    result = match(people, ProgramSettings(kind="study_groups", group_size=size), seed=seed)
    sizes = [len(m.members) for m in result.matches]
    assert sum(sizes) == n
    assert max(sizes) - min(sizes) <= 1


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 41), seed=st.integers(0, 5))
def test_peer_pairs_without_constraints_drop_nobody(n: int, seed: int) -> None:
    people = [Participant(f"p{k}", department=str(k % 4)) for k in range(n)]
    result = match(people, ProgramSettings(kind="peer_pairs"), seed=seed)
    assert result.unmatched == ()
    assert sorted(len(m.members) for m in result.matches) == [2] * (n // 2 - n % 2) + [3] * (n % 2)
