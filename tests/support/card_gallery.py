"""Every card the bot can send, built from realistic core objects (for validation and screenshots)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from adaptive_cards import checkin, my_data, notices, onboarding, pairing, profile, report, setup, status
from adaptive_cards.elements import Card
from bot import private_reply
from core.model import (
    CheckIn,
    Enrollment,
    MatchReason,
    MemberRole,
    Pairing,
    PairingMember,
    PairingStatus,
    Person,
    Profile,
    Program,
    ProgramKind,
    Response,
    ScopeKind,
    SkillLevel,
)
from core.model.delivery import DeliveryHealth, GraphStatus
from core.services.meeting_times import Slot
from core.views.experts import Expert
from core.views.reports import FacilitatorReport, OpenConcern, RoundFigures, SkillDemand
from core.views.status import EnrollmentView, FirstMeeting, MemberView, MyStatus, PairingView
from tests.support.note_card_gallery import note_gallery

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PROGRAM = Program(
    id="a" * 32,
    organization_id="o",
    name="Platform guild",
    kind=ProgramKind.PEER_PAIRS,
    scope_kind=ScopeKind.TEAMS_TEAM,
    scope_id="19:team",
    facilitator_ids=["fay"],
    starts_on=date(2026, 11, 9),
)
PROFILE = Profile(
    person_id="ana",
    teaches=(SkillLevel.of("Python", 5), SkillLevel.of("SQL", 4)),
    learns=(SkillLevel.of("Kubernetes", 2),),
    department="Payments",
    timezone="Europe/Berlin",
    hours_per_month=6,
    goals="Run my own service on our cluster by spring.",
    discoverable_as_expert=True,
)


WEEKDAYS_9_TO_5 = frozenset(d * 24 + h for d in range(5) for h in range(9, 17))
SLOT = Slot(datetime(2026, 11, 3, 14, 0, tzinfo=UTC), datetime(2026, 11, 3, 14, 30, tzinfo=UTC))


def report_data() -> FacilitatorReport:
    """A program four rounds in, with every chart's data (and one round's acceptance withheld)."""
    rounds = [
        RoundFigures(1, NOW - timedelta(days=42), 12, 10, 8, 2, 4),
        RoundFigures(2, NOW - timedelta(days=28), 18, 16, 13, 3, 6),
        RoundFigures(3, NOW - timedelta(days=14), 22, 20, 17, 1, 7),
        RoundFigures(4, NOW, 24, 4, None, None, None),
    ]
    return FacilitatorReport(
        program=PROGRAM,
        opted_in=24,
        paused=2,
        left=1,
        proposals=11,
        accepted=38,
        declined=6,
        meetings_held=17,
        check_ins=15,
        average_usefulness=4.2,
        open_concerns=[OpenConcern("c", "My partner keeps cancelling at the last minute.", "Bo Berg", NOW)],
        skills_wanted_untaught=[("Kubernetes", 6), ("Terraform", None)],
        rounds=rounds,
        usefulness={1: 0, 2: 1, 3: 2, 4: 6, 5: 6},
        skills=[
            SkillDemand("Kubernetes", 6, 0),
            SkillDemand("Python", 5, 7),
            SkillDemand("SQL", 5, 5),
            SkillDemand("Terraform", None, 0),
        ],
        waiting=3,
        anyone_wants_to_learn=True,
    )


def _view(status_: PairingStatus, my_response: Response = Response.PENDING) -> PairingView:
    pair = Pairing(
        id="b" * 32,
        organization_id="o",
        program_id=PROGRAM.id,
        round_id=None,
        members=[
            PairingMember("ana", MemberRole.MENTOR, my_response),
            PairingMember("bo", MemberRole.MENTEE),
        ],
        created_at=NOW,
        status=status_,
        shared_goal="Deploy a Python service to Kubernetes together",
        skill="kubernetes",
        reasons=[
            MatchReason("skill", 0.6, "Ana teaches Kubernetes at level 5; Bo wants to learn it (level 2)."),
            MatchReason("department", 0.2, "You work in different departments."),
            MatchReason("time", 0.1, "Your working hours overlap 4 hours a day."),
        ],
    )
    members = [
        MemberView(
            "ana", "Ana Alvarez", "ana@contoso.example", MemberRole.MENTOR, my_response, True, "Europe/Berlin"
        ),
        MemberView(
            "bo",
            "Bo Berg",
            "bo@contoso.example",
            MemberRole.MENTEE,
            Response.PENDING,
            False,
            "America/New_York",
        ),
    ]
    meeting = FirstMeeting(SLOT, someone_has_no_hours=False) if status_ is PairingStatus.ACTIVE else None
    return PairingView(pair, PROGRAM, members, "ana", first_meeting=meeting)


def gallery() -> dict[str, Card]:
    ana = Person("ana", "o", "Ana Alvarez", "ana@contoso.example")
    enrollment = Enrollment("e", "o", PROGRAM.id, "ana", 1, NOW)
    active = _view(PairingStatus.ACTIVE, Response.ACCEPTED)
    mine = MyStatus(
        ana,
        PROFILE,
        [EnrollmentView(enrollment, PROGRAM)],
        [_view(PairingStatus.PROPOSED), active],
        [PROGRAM],
    )
    data = report_data()
    nobody = FacilitatorReport(PROGRAM, 0, 0, 0, 0, None, None, None, None, None, [], [])
    first_days = replace(
        data,
        opted_in=3,
        paused=0,
        left=0,
        proposals=0,
        accepted=0,
        declined=0,
        meetings_held=None,
        check_ins=None,
        average_usefulness=None,
        open_concerns=[],
        skills_wanted_untaught=[],
        rounds=[],
        usefulness=None,
        skills=[],
        waiting=0,
        anyone_wants_to_learn=False,
    )
    graph_off = GraphStatus(
        enabled=False, reason="Microsoft Graph is not configured (GRAPH_CLIENT_ID not set)."
    )
    health = DeliveryHealth(40, 3, 2, [("The person blocked the app", 2)], graph_off, ["Cy Chen", "Dee Diaz"])
    no_hours = replace(active, first_meeting=FirstMeeting(None, someone_has_no_hours=True))
    no_overlap = replace(active, first_meeting=FirstMeeting(None, someone_has_no_hours=False))
    shared_chat = replace(active, viewer_id="", members=[replace(m, is_viewer=False) for m in active.members])
    wrong = profile.profile_values(PROFILE) | {"teach_skill_2": "Rust", "hours_per_month": "200"}
    experts = [
        Expert("ana", "Ana Alvarez", None, "Python", 5, "Payments"),
        Expert("cy", "Cy Chen", None, "Python", 4, None),
    ]
    check_in_errors = {"usefulness": "You met: say how useful it was, from 1 to 5."}
    return {
        "welcome": onboarding.welcome(PROGRAM),
        "welcome_joined": onboarding.welcome(PROGRAM, joined=True),
        "channel_invite": onboarding.channel_invite(PROGRAM),
        "help": onboarding.help_card(facilitator=True),
        "error": onboarding.error_card("That pairing does not exist here; the card may be out of date."),
        "done": onboarding.done("Paused", "You will not be matched until 2026-11-23."),
        "confirm_delete": onboarding.confirm_delete(),
        "help_not_joined": onboarding.help_card(facilitator=False, joined=False),
        "welcome_joined_facilitated": onboarding.welcome(PROGRAM, joined=True, facilitators=["Fay Field"]),
        "welcome_joined_nobody_facilitates": onboarding.welcome(PROGRAM, joined=True, facilitators=[]),
        "not_joined": onboarding.not_joined(
            "You are not taking part in a program, so there is nothing to pause."
        ),
        "export": my_data.summary(
            ana,
            replace(PROFILE, weekly_availability=WEEKDAYS_9_TO_5),
            [("Platform guild", "active")],
            [("Pairings", 3), ("Check-ins", 5), ("Concerns you raised", 0)],
            NOW,
            file_offered=True,
        ),
        "export_no_profile": my_data.summary(ana, None, [], [("Pairings", 0)], NOW, file_offered=False),
        "profile": profile.profile_editor(
            profile.profile_values(replace(PROFILE, weekly_availability=WEEKDAYS_9_TO_5)), at=NOW
        ),
        "profile_first_detected_zone": profile.profile_editor(
            profile.profile_values(None, detected_timezone="America/New_York"),
            detected_timezone="America/New_York",
            at=NOW,
        ),
        "profile_saved_unmatched": profile.profile_editor(
            profile.profile_values(replace(PROFILE, teaches=(), learns=())),
            saved=True,
            unmatched=[
                "you have not joined a program yet",
                "add at least one skill you can teach or want to learn",
            ],
            offer_join=True,
            at=NOW,
        ),
        "profile_kept_grid": profile.profile_editor(
            profile.profile_values(replace(PROFILE, weekly_availability=frozenset({9, 10, 33, 34, 35}))),
            kept_availability="Mon 09:00–11:00; Tue 09:00–12:00",
            at=NOW,
        ),
        "profile_errors": profile.profile_editor(
            wrong,
            {
                "teach_level_2": "Pick a level from 1 to 5 for 'Rust'.",
                "hours_per_month": "'200' is not a whole number from 0 to 80.",
                "timezone": "We do not know the time zone 'Atlantis'. Type a city near you, e.g. Berlin.",
                "available_to": "The end is before the start; use times within one day.",
            },
            at=NOW,
        ),
        "setup": setup.setup_card(PROGRAM),
        "setup_errors": setup.setup_card(
            PROGRAM,
            setup.setup_values(PROGRAM) | {"group_size": "9"},
            {"group_size": "'9' is not a whole number from 2 to 6."},
        ),
        "round_result": setup.round_result(
            PROGRAM, 3, 5, 10, [("Cy Chen", "Nobody teaches what Cy wants to learn yet.")]
        ),
        "proposal": pairing.proposal(_view(PairingStatus.PROPOSED)),
        "proposal_accepted": pairing.proposal(_view(PairingStatus.PROPOSED, Response.ACCEPTED)),
        "introduction": pairing.introduction(active),
        "introduction_no_hours": pairing.introduction(no_hours),
        "introduction_no_overlap": pairing.introduction(no_overlap),
        "introduction_group_chat": pairing.introduction(shared_chat),
        "closed": pairing.closed(_view(PairingStatus.DECLINED)),
        "check_in": checkin.check_in(active),
        "check_in_errors": checkin.check_in(
            active, {"met": "yes", "learned": "Helm charts"}, check_in_errors
        ),
        "check_in_thanks": checkin.check_in_thanks(active, concern_sent=True),
        "report": report.report(data),
        "report_with_delivery": report.report(
            data,
            health,
            dashboard_url=f"https://peerlearn.example/tabs/dashboard?program_id={data.program.id}",
        ),
        "report_nobody_yet": report.report(nobody),
        "report_first_days": report.report(first_days),
        "status": status.status(mine),
        "experts": status.experts("python", experts),
        "experts_none": status.experts("cobol", []),
        "private_note_sent": private_reply.note_card(True, "28:bot"),
        "private_note_not_sent": private_reply.note_card(False, "28:bot"),
        "partner_left": notices.partner_left(PROGRAM),
        "facilitator_needed": notices.facilitator_needed(PROGRAM),
        "report_too_few": report.report(
            replace(
                data,
                accepted=None,
                declined=None,
                meetings_held=None,
                check_ins=None,
                average_usefulness=None,
                skills_wanted_untaught=[("Rust", None)],
            )
        ),
        "report_round_skipped": report.report(replace(data, round_skipped=NOW, ready=1)),
        "introduction_from_calendars": pairing.introduction(
            replace(active, first_meeting=FirstMeeting(SLOT, someone_has_no_hours=False, from_calendars=True))
        ),
        "profile_from_outlook": profile.profile_editor(
            profile.profile_values(None, detected_timezone="America/Los_Angeles")
            | {"available_days": "mon,tue,wed,thu", "available_from": "09:00", "available_to": "16:00"},
            detected_timezone="America/Los_Angeles",
            at=NOW,
            from_outlook=True,
        ),
    } | note_gallery()


__all__ = ["CheckIn", "gallery", "report_data"]
