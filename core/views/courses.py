"""What the course pages show: the roster with who answered, the groups with their reasons, a learner's own
group, and each learner's participation. Read-only; every read is scoped to the course's organization."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from core.model import OPEN_STATUSES, CheckIn, EnrollmentStatus, Pairing, PairingStatus, Person, Program
from core.ports import UnitOfWork
from core.services import _lookups
from core.views import aggregates

TEAMS_CHAT = "https://teams.microsoft.com/l/chat/0/0"


@dataclass(frozen=True)
class RosterMember:
    """One member of the course as the LMS lists it (Names and Role Provisioning)."""

    subject: str
    name: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterRow:
    subject: str
    name: str
    is_learner: bool
    answered: bool
    group_number: int | None
    person_id: str | None


@dataclass(frozen=True)
class GroupMemberView:
    person_id: str
    name: str
    on_teams: bool
    goal: str = ""  # what they wrote they want to be able to do, shown to their group


@dataclass(frozen=True)
class GroupView:
    id: str
    number: int
    status: str
    members: tuple[GroupMemberView, ...]
    reasons: tuple[str, ...]
    shared_goal: str
    teams_chat_url: str | None
    check_ins: int = 0


@dataclass(frozen=True)
class CheckInSummary:
    """The course's check-ins as figures; each is None when fewer than `min_group` learners gave it."""

    learners: int  # how many learners checked in at least once (a count of people, always shown)
    met_share: float | None
    average_usefulness: float | None
    min_group: int


@dataclass
class CourseOverview:
    groups: list[GroupView] = field(default_factory=list)
    unmatched: list[GroupMemberView] = field(default_factory=list)
    answered_by: frozenset[str] = frozenset()  # who answered the questionnaire (and has not left)
    check_ins: CheckInSummary = field(
        default_factory=lambda: CheckInSummary(0, None, None, aggregates.DEFAULT_MIN_GROUP)
    )

    @property
    def has_drafts(self) -> bool:
        return any(g.status == PairingStatus.PROPOSED.value for g in self.groups)

    @property
    def answered(self) -> int:
        return len(self.answered_by)


def teams_chat_url(people: Sequence[Person], topic: str) -> str | None:
    """A Teams deep link that opens a group chat with the members whose LMS and Teams identities are linked."""
    emails = [p.verified_email for p in people if p.teams is not None and p.verified_email]
    if len(emails) < 2:
        return None
    return f"{TEAMS_CHAT}?users={quote(','.join(emails), safe=',@')}&topicName={quote(topic[:60])}"


def _is_learner(roles: Sequence[str]) -> bool:
    return any(r.rsplit("#", 1)[-1] == "Learner" or r.endswith("/Learner") for r in roles)


@dataclass(frozen=True)
class _Groups:
    """What group views show, read for all the groups at once: no statement per group or per member."""

    people: dict[str, Person]
    goals: dict[str, str]
    check_ins: dict[str, list[CheckIn]]


async def _read_groups(
    uow: UnitOfWork, organization_id: str, program_id: str, pairings: Sequence[Pairing]
) -> _Groups:
    ids = [m for p in pairings for m in p.member_ids()]
    people = {p.id: p for p in await uow.persons.many(organization_id, ids)} if ids else {}
    goals = {p.person_id: p.goals for p in await uow.profiles.many(organization_id, ids)} if ids else {}
    wanted = {p.id for p in pairings}
    check_ins: dict[str, list[CheckIn]] = {}
    if len(pairings) == 1:  # a learner's own group: its check-ins only
        check_ins[pairings[0].id] = await uow.check_ins.for_pairing(organization_id, pairings[0].id)
    elif wanted:  # the instructor's page: the course's check-ins in one read
        for c in await uow.check_ins.for_program(organization_id, program_id):
            if c.pairing_id in wanted:
                check_ins.setdefault(c.pairing_id, []).append(c)
    return _Groups(people, goals, check_ins)


def _group_view(pairing: Pairing, number: int, topic: str, read: _Groups) -> GroupView:
    people = {pid: read.people[pid] for pid in pairing.member_ids() if pid in read.people}
    members = tuple(
        GroupMemberView(pid, people[pid].display_name, people[pid].teams is not None, read.goals.get(pid, ""))
        for pid in pairing.member_ids()
        if pid in people
    )
    return GroupView(
        id=pairing.id,
        number=number,
        status=pairing.status.value,
        members=members,
        reasons=tuple(r.text for r in pairing.reasons),
        shared_goal=pairing.shared_goal,
        teams_chat_url=teams_chat_url(list(people.values()), f"{topic} – group {number}"),
        check_ins=len(read.check_ins.get(pairing.id, [])),
    )


def _current(pairings: list[Pairing]) -> list[Pairing]:
    """The latest round's groups: drafts if any exist, else the open (published) ones."""
    drafts = [p for p in pairings if p.status is PairingStatus.PROPOSED]
    chosen = drafts or [p for p in pairings if p.status in OPEN_STATUSES]
    return sorted(chosen, key=lambda p: (p.created_at, p.id))


def check_in_summary(check_ins: Sequence[CheckIn], min_group: int | None = None) -> CheckInSummary:
    """Figures over the learners' check-ins under the minimum-group rule (`core.views.aggregates`)."""
    threshold = aggregates.min_group(min_group)
    people = [c.person_id for c in check_ins]
    rated = [c for c in check_ins if c.met and c.usefulness is not None]
    met = sum(c.met for c in check_ins) / len(check_ins) if check_ins else None
    average = sum(c.usefulness or 0 for c in rated) / len(rated) if rated else None
    return CheckInSummary(
        learners=len(set(people)),
        met_share=aggregates.over(people, met, threshold),
        average_usefulness=aggregates.over([c.person_id for c in rated], average, threshold),
        min_group=threshold,
    )


async def course_overview(
    uow: UnitOfWork, organization_id: str, program_id: str, min_group: int | None = None
) -> CourseOverview:
    """The course's current groups (drafts, else the published ones), who is not in one, and the check-ins."""
    program = await _lookups.program(uow, organization_id, program_id)
    enrollments = [
        e
        for e in await uow.enrollments.for_program(organization_id, program.id)
        if e.status is not EnrollmentStatus.LEFT
    ]
    groups = _current(await uow.pairings.for_program(organization_id, program.id))
    overview = CourseOverview(answered_by=frozenset(e.person_id for e in enrollments))
    grouped: set[str] = set()
    answers: list[CheckIn] = []
    read = await _read_groups(uow, organization_id, program.id, groups)
    for number, pairing in enumerate(groups, start=1):
        answers.extend(read.check_ins.get(pairing.id, []))
        overview.groups.append(_group_view(pairing, number, program.name, read))
        grouped.update(pairing.member_ids())
    loose = [e.person_id for e in enrollments if e.person_id not in grouped]
    for person in await uow.persons.many(organization_id, loose):
        overview.unmatched.append(GroupMemberView(person.id, person.display_name, person.teams is not None))
    overview.unmatched.sort(key=lambda m: m.name)
    overview.check_ins = check_in_summary(answers, min_group)
    return overview


async def roster_status(
    uow: UnitOfWork,
    organization_id: str,
    program_id: str,
    issuer: str,
    roster: Sequence[RosterMember],
    overview: CourseOverview | None = None,
) -> list[RosterRow]:
    """The LMS roster, each member marked with whether they answered and which group they are in
    (`overview`: the course's, when the caller has just read it)."""
    if overview is None:
        overview = await course_overview(uow, organization_id, program_id)
    group_of = {m.person_id: g.number for g in overview.groups for m in g.members}
    answered = overview.answered_by
    known = await uow.persons.by_lti_subjects(organization_id, issuer, [m.subject for m in roster])
    rows = []
    for member in roster:
        person = known.get(member.subject)
        pid = person.id if person is not None else None
        rows.append(
            RosterRow(
                subject=member.subject,
                name=member.name or (person.display_name if person else member.subject),
                is_learner=_is_learner(member.roles),
                answered=pid in answered,
                group_number=group_of.get(pid) if pid else None,
                person_id=pid,
            )
        )
    return sorted(rows, key=lambda r: (not r.is_learner, r.name.casefold()))


async def my_group(
    uow: UnitOfWork, organization_id: str, program_id: str, person_id: str, program: Program | None = None
) -> GroupView | None:
    """The learner's published group in this course; drafts stay hidden until the instructor publishes
    (`program`: the course's program, when the caller has just read it)."""
    if program is None or program.id != program_id:
        program = await _lookups.program(uow, organization_id, program_id)
    published = [
        p
        for p in _current(await uow.pairings.for_program(organization_id, program.id))
        if p.status is not PairingStatus.PROPOSED
    ]
    for number, pairing in enumerate(published, start=1):
        if person_id in pairing.member_ids():
            read = await _read_groups(uow, organization_id, program.id, [pairing])
            return _group_view(pairing, number, program.name, read)
    return None


async def participation(uow: UnitOfWork, organization_id: str, program_id: str) -> dict[str, float]:
    """A participation score from 0 to 1 per learner: half for answering, half for checking in with the group."""
    # Check-ins in this course's groups only: the same person may check in elsewhere in the organization.
    checked_in = {c.person_id for c in await uow.check_ins.for_program(organization_id, program_id)}
    scores: dict[str, float] = {}
    for enrollment in await uow.enrollments.for_program(organization_id, program_id):
        if enrollment.status is EnrollmentStatus.LEFT:
            continue
        scores[enrollment.person_id] = 0.5 + (0.5 if enrollment.person_id in checked_in else 0.0)
    return scores


@dataclass(frozen=True)
class LearnerScore:
    """A learner's participation as the gradebook would get it, with what it is made of."""

    person_id: str
    name: str
    lms_user_id: str | None  # the subject the course's platform knows them by; None: not from this platform
    email: str | None
    score: float
    answered: bool
    checked_in: bool


async def participation_details(
    uow: UnitOfWork, organization_id: str, program_id: str, issuer: str
) -> list[LearnerScore]:
    """`participation` with each learner's name, LMS user id and email, sorted by name."""
    scores = await participation(uow, organization_id, program_id)
    contacts = await lms_contacts(uow, organization_id, list(scores), issuer)
    rows = [
        LearnerScore(pid, name, subject, email, score, True, score > 0.5)
        for pid, score in scores.items()
        for name, subject, email in [contacts.get(pid, ("", None, None))]
    ]
    return sorted(rows, key=lambda r: r.name.casefold())


async def lms_contacts(
    uow: UnitOfWork, organization_id: str, person_ids: Sequence[str], issuer: str
) -> dict[str, tuple[str, str | None, str | None]]:
    """Each person's name, the subject `issuer` knows them by, and their verified email (for the course CSV)."""
    return await read_lms_contacts(uow, organization_id, person_ids, issuer)


async def read_lms_contacts(
    uow: UnitOfWork, organization_id: str, person_ids: Sequence[str], issuer: str
) -> dict[str, tuple[str, str | None, str | None]]:
    """`lms_contacts` in an open unit of work."""
    people = await uow.persons.many(organization_id, list(person_ids))
    return {
        p.id: (
            p.display_name,
            next((i.subject for i in p.lti if i.issuer == issuer), None),
            p.verified_email,
        )
        for p in people
    }
