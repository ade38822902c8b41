"""Nobody is left out who can be placed: `match` against exact models on small random instances, and the cases
that used to leave people out (issue 15)."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest
from ortools.graph.python import max_flow
from ortools.sat.python import cp_model

from matching import (
    History,
    MatchResult,
    Participant,
    PastGroup,
    ProgramSettings,
    UnmatchedCode,
    group_sizes,
    match,
)
from matching.constraints import Constraints
from matching.mentoring import spare_slots
from matching.population import Population

SKILLS = ["sql", "go", "excel"]


def never(*pairs: tuple[str, str]) -> History:
    return History(never_match=frozenset(frozenset(p) for p in pairs))


def placed(result: MatchResult) -> set[str]:
    return {m for match_ in result.matches for m in match_.members}


@pytest.mark.parametrize("seed", range(8))
def test_a_learner_whose_first_mentor_is_ruled_out_gets_the_other_one(seed: int) -> None:
    people = [
        Participant("L", learns={"sql": 2}),
        Participant("M0", teaches={"sql": 4}),
        Participant("Z", teaches={"sql": 4}),
    ]
    result = match(people, ProgramSettings(kind="mentoring"), never(("L", "M0")), seed=seed)
    assert [m.members for m in result.matches] == [("Z", "L")]


@pytest.mark.parametrize("seed", range(8))
def test_a_new_hire_whose_first_buddy_is_ruled_out_gets_the_other_one(seed: int) -> None:
    people = [
        Participant("N", is_new_hire=True),
        Participant("B0", tenure_days=400),
        Participant("B1", tenure_days=400),
    ]
    history = History(never_match=frozenset({frozenset({"N", "B0"})}))
    result = match(people, ProgramSettings(kind="onboarding"), history, seed=seed)
    assert [m.members for m in result.matches] == [("B1", "N")]


@pytest.mark.parametrize("seed", range(8))
def test_a_path_of_ten_people_is_paired_perfectly(seed: int) -> None:
    ids = [f"p{k}" for k in range(10)]
    only_neighbours = frozenset(
        frozenset({ids[a], ids[b]}) for a, b in itertools.combinations(range(10), 2) if b - a != 1
    )
    result = match(
        [Participant(i) for i in ids],
        ProgramSettings(kind="peer_pairs"),
        History(never_match=only_neighbours),
        seed,
    )
    assert result.unmatched == ()
    assert {frozenset(m.members) for m in result.matches} == {
        frozenset({ids[k], ids[k + 1]}) for k in range(0, 10, 2)
    }


@pytest.mark.parametrize("seed", range(8))
def test_a_team_of_twelve_after_nine_rounds_with_a_cooldown_of_nine_is_paired(seed: int) -> None:
    ids = [f"t{k}" for k in range(12)]
    order = ids[:]
    random.Random(seed).shuffle(order)
    past = []
    for r in range(9):  # a round-robin schedule: nobody meets the same person twice
        rest = order[1:]
        seating = [order[0], *rest[r:], *rest[:r]]
        past += [PastGroup(r, frozenset({seating[k], seating[11 - k]})) for k in range(6)]
    history = History(past=tuple(past), current_round=9)
    result = match(
        [Participant(i) for i in ids], ProgramSettings(kind="peer_pairs", cooldown_rounds=9), history, seed
    )
    assert result.unmatched == ()
    assert placed(result) == set(ids)


def random_people(rng: random.Random, n: int) -> list[Participant]:
    people = []
    for k in range(n):
        teaches = {s: rng.randint(2, 5) for s in rng.sample(SKILLS, rng.randint(0, 2))}
        learns = {s: rng.randint(1, 3) for s in rng.sample(SKILLS, rng.randint(0, 2)) if s not in teaches}
        people.append(
            Participant(
                f"p{k:02d}",
                teaches=teaches,
                learns=learns,
                department=rng.choice(["a", "b", None]),
                weekly_availability=frozenset(rng.sample(range(12), rng.randint(1, 5)))
                if rng.random() < 0.6
                else None,
                hours_per_month=rng.choice([None, None, 1, 4]),
                capacity=rng.randint(0, 2),
                is_new_hire=rng.random() < 0.4,
                tenure_days=rng.choice([None, 30, 400]),
            )
        )
    return people


def random_history(rng: random.Random, n: int) -> History:
    ids = [f"p{k:02d}" for k in range(n)]
    pairs = [frozenset(rng.sample(ids, 2)) for _ in range(rng.randint(0, 2 * n))] if n >= 2 else []
    half = len(pairs) // 2
    return History(
        past=tuple(PastGroup(rng.randint(3, 5), p) for p in pairs[:half]),
        never_match=frozenset(pairs[half:]),
        current_round=6,
    )


def instances(count: int, seed: int) -> list[tuple[list[Participant], History, ProgramSettings]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        n = rng.randint(2, 11)
        settings = ProgramSettings(
            kind="peer_pairs",
            max_level_gap=rng.randint(1, 3),
            cooldown_rounds=rng.randint(0, 3),
            min_shared_hours=rng.choice([0, 0, 1, 2]),
        )
        out.append((random_people(rng, n), random_history(rng, n), settings))
    return out


def allowed_graph(
    people: list[Participant], history: History, settings: ProgramSettings
) -> tuple[Population, Constraints, nx.Graph]:
    population = Population(people)
    constraints = Constraints(population, settings, history)
    graph = nx.Graph()
    able = [v for v in range(population.n) if constraints.has_time[v]]
    graph.add_nodes_from(able)
    for a, b in itertools.combinations(able, 2):
        if constraints.allowed(np.array([a]), np.array([b]))[0]:
            graph.add_edge(a, b)
    return population, constraints, graph


@pytest.mark.parametrize("seed", range(4))
def test_peer_pairs_place_at_least_as_many_as_a_maximum_matching_and_everyone_when_it_does(seed: int) -> None:
    for people, history, settings in instances(60, seed):
        population, _, graph = allowed_graph(people, history, settings)
        most = 2 * len(nx.max_weight_matching(graph, maxcardinality=True))
        result = match(people, settings, history, seed)
        got = placed(result)
        assert len(got) >= most
        if most == graph.number_of_nodes():
            assert got == {population.people[v].id for v in graph.nodes}


def exact_seekers_placed(people: list[Participant], history: History, settings: ProgramSettings) -> int:
    """The most seekers (learners, new hires) any assignment under the hard constraints places: a maximum flow."""
    p = Population(people)
    c = Constraints(p, settings, history)
    slots = spare_slots(p, c, settings)
    flow = max_flow.SimpleMaxFlow()
    source, sink = 2 * p.n, 2 * p.n + 1
    for g in range(p.n):
        if slots[g] > 0:
            flow.add_arc_with_capacity(p.n + g, sink, int(slots[g]))
    for s in range(p.n):
        if not c.has_time[s]:
            continue
        flow.add_arc_with_capacity(source, s, 1)
        for g in range(p.n):
            if g == s or slots[g] <= 0 or not c.allowed(np.array([s]), np.array([g]))[0]:
                continue
            if settings.kind == "mentoring":
                fits = any(
                    1 <= p.people[g].teaches.get(skill, 0) - level <= settings.max_level_gap
                    for skill, level in p.people[s].learns.items()
                )
            else:
                giver = p.people[g]
                fits = (
                    p.people[s].is_new_hire
                    and not giver.is_new_hire
                    and (giver.tenure_days is None or giver.tenure_days >= settings.min_buddy_tenure_days)
                )
            if fits:
                flow.add_arc_with_capacity(s, p.n + g, 1)
    assert flow.solve(source, sink) == flow.OPTIMAL
    return int(flow.optimal_flow())


@pytest.mark.parametrize("kind", ["mentoring", "onboarding"])
@pytest.mark.parametrize("seed", range(3))
def test_mentoring_and_onboarding_place_as_many_as_a_maximum_flow(kind: str, seed: int) -> None:
    for people, history, base in instances(60, 100 + seed):
        settings = ProgramSettings(
            kind=kind,  # type: ignore[arg-type]
            max_level_gap=base.max_level_gap,
            cooldown_rounds=base.cooldown_rounds,
            min_shared_hours=base.min_shared_hours,
        )
        result = match(people, settings, history, seed)
        assert len(result.matches) == exact_seekers_placed(people, history, settings)


@pytest.mark.parametrize("seed", range(3))
def test_every_reason_for_a_learner_left_without_a_mentor_is_true(seed: int) -> None:
    for people, history, base in instances(80, 200 + seed):
        settings = ProgramSettings(
            kind="mentoring", max_level_gap=base.max_level_gap, min_shared_hours=base.min_shared_hours
        )
        result = match(people, settings, history, seed)
        p = Population(people)
        c = Constraints(p, settings, history)
        slots = spare_slots(p, c, settings)
        gap = settings.max_level_gap
        for u in result.unmatched:
            person = p.people[p.position[u.participant_id]]
            if not person.learns or not c.has_time[p.position[person.id]]:
                continue
            teachers = [q for q in p.people if q.id != person.id]
            within = [
                q
                for q in teachers
                if any(1 <= q.teaches.get(s, 0) - lv <= gap for s, lv in person.learns.items())
            ]
            room = [q for q in within if slots[p.position[q.id]] > 0]
            ok = [
                q
                for q in room
                if c.allowed(np.array([p.position[person.id]]), np.array([p.position[q.id]]))[0]
            ]
            if u.code is UnmatchedCode.LEVEL_GAP:
                assert not within
                assert any(
                    q.teaches.get(s, 0) - lv > gap for q in teachers for s, lv in person.learns.items()
                )
            elif u.code is UnmatchedCode.NOTHING_TO_MATCH:
                assert not within
            elif u.code is UnmatchedCode.NO_COMPATIBLE_PARTNER:
                assert room and not ok
            else:
                assert u.code is UnmatchedCode.NO_MENTOR_CAPACITY
                assert within and (not room or ok)
                # Every allowed mentor with room is taken.
                load = {m.members[0]: 0 for m in result.matches}
                for m in result.matches:
                    load[m.members[0]] += 1
                assert all(load.get(q.id, 0) >= slots[p.position[q.id]] for q in ok)


def test_a_learner_kept_from_the_only_teachers_by_the_level_gap_is_told_so() -> None:
    people = [
        Participant("a", teaches={"Python": 5}, learns={"Kubernetes": 2}),
        Participant("b", teaches={"Kubernetes": 5}, learns={"Python": 2}),
    ]
    result = match(people, ProgramSettings(kind="mentoring", max_level_gap=2))
    assert result.matches == ()
    assert {u.code for u in result.unmatched} == {UnmatchedCode.LEVEL_GAP}
    (a,) = (u for u in result.unmatched if u.participant_id == "a")
    assert "Kubernetes (you are at level 2) are more than 2 levels above you" in a.text


def exact_group_placement(people: list[Participant], history: History, settings: ProgramSettings) -> int:
    """CP-SAT: the most people placed in groups of 2 to one more than the planned size, no hard constraint broken."""
    _, _, graph = allowed_graph(people, history, settings)
    able = sorted(graph.nodes)
    sizes = group_sizes(len(able), settings.group_size)
    if not sizes:
        return 0
    high = max(sizes) + 1
    model = cp_model.CpModel()
    groups = range(len(able) // 2)
    x = {(v, g): model.new_bool_var(f"x{v}_{g}") for v in able for g in groups}
    for v in able:
        model.add_at_most_one(x[v, g] for g in groups)
    for g in groups:
        used = model.new_bool_var(f"used{g}")
        size = sum(x[v, g] for v in able)
        model.add(size >= 2 * used)
        model.add(size <= high * used)
        for a, b in itertools.combinations(able, 2):
            if not graph.has_edge(a, b):
                model.add_bool_or([x[a, g].Not(), x[b, g].Not()])
    model.maximize(sum(x.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


@pytest.mark.parametrize("seed", range(4))
def test_study_groups_place_as_many_as_the_integer_program(seed: int) -> None:
    rng = random.Random(300 + seed)
    for _ in range(15):
        n = rng.randint(2, 11)
        people = random_people(rng, n)
        history = random_history(rng, n)
        settings = ProgramSettings(
            kind="study_groups",
            group_size=rng.randint(2, 5),
            cooldown_rounds=rng.randint(0, 3),
            min_shared_hours=rng.choice([0, 1]),
        )
        result = match(people, settings, history, seed)
        assert len(placed(result)) == exact_group_placement(people, history, settings)


@pytest.mark.parametrize("kind", ["peer_pairs", "onboarding", "study_groups"])
def test_every_reason_for_someone_left_out_is_true(kind: str) -> None:
    for people, history, base in instances(60, 400):
        settings = ProgramSettings(
            kind=kind,  # type: ignore[arg-type]
            cooldown_rounds=base.cooldown_rounds,
            min_shared_hours=base.min_shared_hours,
            group_size=3 if kind == "study_groups" else 2,
        )
        result = match(people, settings, history, 0)
        p = Population(people)
        c = Constraints(p, settings, history)
        for u in result.unmatched:
            v = p.position[u.participant_id]
            if not c.has_time[v]:
                assert u.code is UnmatchedCode.NO_TIME
                continue
            others = np.array([x for x in range(p.n) if x != v and c.has_time[x]], dtype=np.int64)
            if kind == "onboarding":
                if not p.people[v].is_new_hire:
                    continue
                slots = spare_slots(p, c, settings)
                others = np.array(
                    [
                        x
                        for x in others.tolist()
                        if not p.people[x].is_new_hire
                        and slots[x] > 0
                        and (p.people[x].tenure_days is None or p.people[x].tenure_days >= 90)
                    ],
                    dtype=np.int64,
                )
            allowed = c.allowed(np.full(len(others), v, dtype=np.int64), others)
            if u.text.startswith(
                ("everyone else in the round", "every tenured colleague with buddy capacity")
            ):
                assert len(others) and not allowed.any()
                cooling, never_, hours = c.causes(np.full(len(others), v, dtype=np.int64), others)
                assert ("recently" in u.text) == bool(cooling.any())
                assert ("not to be matched with you again" in u.text) == bool(never_.any())
                assert ("free hour" in u.text) == bool(hours.any())
            elif u.code is UnmatchedCode.NO_COMPATIBLE_PARTNER:
                assert allowed.any()
