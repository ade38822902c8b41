"""The services the Teams bot added: programs, reports, experts, status."""

from __future__ import annotations

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import InvalidInput, PermissionDenied
from core.model import CheckIn, Concern, Enrollment, PairingStatus, Profile, SkillLevel
from core.views import experts, reports, status
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def _setup(actor: str, **changes: object) -> commands.ProgramSetup:
    values: dict[str, object] = {
        "kind": "peer_pairs",
        "cadence": "weekly",
        "group_size": 2,
        "prefer_cross_department": True,
    }
    values |= changes
    return commands.ProgramSetup(organization_id=ORG, actor_id=actor, program_id=PROGRAM, **values)  # type: ignore[arg-type]


async def test_only_a_facilitator_sets_up_a_program(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(PermissionDenied):
        await bus.handle(_setup("ana"))
    saved = await bus.handle(_setup("fay", cadence="monthly"))
    assert saved.cadence.value == "monthly" and uow.store.programs[PROGRAM].prefer_cross_department


async def test_a_team_program_nobody_facilitates_is_claimed_by_setting_it_up_only_by_a_team_owner(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[PROGRAM].facilitator_ids = []
    uow.store.team_owners[(ORG, "19:team")] = {"ana"}
    with pytest.raises(PermissionDenied, match="Only an owner"):
        await bus.handle(_setup("bo"))
    await bus.handle(_setup("ana"))
    assert uow.store.programs[PROGRAM].facilitator_ids == ["ana"]


async def test_a_team_without_known_owners_is_claimed_by_a_member_and_never_by_an_outsider(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[PROGRAM].facilitator_ids = []
    uow.store.team_members[(ORG, "19:team")] = {"bo"}
    with pytest.raises(PermissionDenied, match="Only a member"):
        await bus.handle(_setup("cy"))
    await bus.handle(_setup("bo"))
    assert uow.store.programs[PROGRAM].facilitator_ids == ["bo"]


async def test_set_up_refuses_an_unknown_kind_and_a_past_start(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput, match="'speed_dating' is not a kind"):
        await bus.handle(_setup("fay", kind="speed_dating"))
    with pytest.raises(InvalidInput) as error:
        await bus.handle(_setup("fay", starts_on=clock.now().date().replace(year=2020)))
    assert error.value.field == "starts_on"


async def test_the_team_program_is_created_once_and_its_installer_facilitates_it(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    first = await bus.handle(commands.EnsureTeamProgram(ORG, "19:new", "Data", "ana"))
    again = await bus.handle(commands.EnsureTeamProgram(ORG, "19:new", "Data", "bo"))
    assert first.id == again.id and again.facilitator_ids == ["ana"]


async def test_uninstalling_stops_the_program_without_deleting_it(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    await bus.handle(commands.DeactivateTeamProgram(ORG, "19:team"))
    assert uow.store.programs[PROGRAM].active is False


async def test_a_member_leaving_the_team_leaves_its_program_and_their_pairings_end(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.enrollments["e"] = Enrollment("e", ORG, PROGRAM, "ana", 1, clock.now())
    uow.store.team_members[(ORG, "19:team")] = {"ana", "bo", "cy"}
    pairing = proposed_pairing(uow, clock, "ana", "bo")
    assert await bus.handle(commands.RemoveTeamMember(ORG, "19:team", "aad-ana"))
    assert uow.store.enrollments["e"].status.value == "left"
    assert uow.store.pairings[pairing.id].status is PairingStatus.ENDED
    assert uow.store.team_members[(ORG, "19:team")] == {"bo", "cy"}  # off the roster in the same command


async def test_someone_who_never_joined_leaving_the_team_is_only_taken_off_its_roster(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    uow.store.team_members[(ORG, "19:team")] = {"ana", "bo", "cy"}
    assert not await bus.handle(commands.RemoveTeamMember(ORG, "19:team", "aad-cy"))
    assert uow.store.team_members[(ORG, "19:team")] == {"ana", "bo"}


async def test_the_report_counts_without_showing_answers_and_lists_untaught_skills(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    s = uow.store
    for person in ("ana", "bo"):
        s.enrollments[person] = Enrollment(person, ORG, PROGRAM, person, 1, clock.now())
    s.profiles["ana"] = (ORG, Profile("ana", learns=(SkillLevel.of("Rust", 1),)))
    s.profiles["bo"] = (
        ORG,
        Profile("bo", teaches=(SkillLevel.of("Go", 4),), learns=(SkillLevel.of("Go", 1),)),
    )
    pairing = proposed_pairing(uow, clock, "ana", "bo")
    pairing.status = PairingStatus.ACTIVE
    s.check_ins["c1"] = CheckIn("c1", ORG, pairing.id, "ana", clock.now(), True, 4, learned="secret")
    s.check_ins["c2"] = CheckIn("c2", ORG, pairing.id, "bo", clock.now(), True, 5)
    s.concerns["k"] = Concern("k", ORG, PROGRAM, "bo", "Ana is late", clock.now())
    with pytest.raises(PermissionDenied):
        await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "ana", u))
    report = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u))
    # Two people answered: every figure made of answers would be someone's own answer, so none is shown.
    assert (report.opted_in, report.proposals) == (2, 1)
    assert (report.accepted, report.meetings_held, report.check_ins, report.average_usefulness) == (
        None,
        None,
        None,
        None,
    )
    assert report.skills_wanted_untaught == [("Rust", None)]
    assert [c.text for c in report.open_concerns] == ["Ana is late"]
    assert "secret" not in repr(report)


async def test_report_figures_appear_once_five_people_answered_and_the_floor_is_three(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    s = uow.store
    people = ["ana", "bo", "cy", "dee", "eve", "fin"]
    for person in people:
        s.enrollments[person] = Enrollment(person, ORG, PROGRAM, person, 1, clock.now())
    first = proposed_pairing(uow, clock, "ana", "bo", pairing_id="pair-1")
    second = proposed_pairing(uow, clock, "cy", "dee", "eve", pairing_id="pair-2")
    for pairing in (first, second):
        pairing.status = PairingStatus.ACTIVE
    ratings = {"ana": 2, "bo": 4, "cy": 5, "dee": 3}
    for person, rating in ratings.items():
        pairing = first if person in ("ana", "bo") else second
        s.check_ins[person] = CheckIn(person, ORG, pairing.id, person, clock.now(), True, rating)
    four = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u))
    assert four.average_usefulness is None and four.check_ins is None
    s.check_ins["eve"] = CheckIn("eve", ORG, second.id, "eve", clock.now(), True, 1)
    five = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u))
    assert (five.check_ins, five.meetings_held, five.average_usefulness) == (5, 2, 3.0)
    # A setting below the floor of 3 counts as 3: still nothing over two people.
    assert (
        await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u, min_group=1))
    ).min_group == 3


async def test_experts_are_only_those_who_agreed_to_be_found_best_level_first(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    uow.store.profiles["ana"] = (
        ORG,
        Profile("ana", teaches=(SkillLevel.of("Go", 3),), discoverable_as_expert=True),
    )
    uow.store.profiles["bo"] = (
        ORG,
        Profile("bo", teaches=(SkillLevel.of("Go", 5),), discoverable_as_expert=True),
    )
    uow.store.profiles["cy"] = (ORG, Profile("cy", teaches=(SkillLevel.of("Go", 5),)))
    found = await bus.read(lambda u: experts.find_experts(ORG, "fay", " go ", u))
    assert [e.person_id for e in found] == ["bo", "ana"]


async def test_only_members_see_a_pairing_and_status_lists_open_ones(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo")
    with pytest.raises(PermissionDenied):
        await bus.read(lambda u: status.pairing_view(ORG, pairing.id, "cy", u))
    view = await bus.read(lambda u: status.pairing_view(ORG, pairing.id, "ana", u))
    assert [m.display_name for m in view.others] == ["Bo"] and status.awaiting_my_answer(view)
    mine = await bus.read(lambda u: status.my_status(ORG, "fay", u))
    assert [p.id for p in mine.facilitated] == [PROGRAM] and mine.open_pairings == []
